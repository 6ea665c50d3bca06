// The command line, in our own words: options are parsed here (not by
// node:util parseArgs, whose messages speak of "positionals" and "--"), and
// a mistyped option or value gets a "did you mean".
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
}

export type OptionValues<S extends Record<string, OptionSpec>> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['multiple'] extends true ? string[] : string;
};

/** A command line we cannot make sense of: exit 2 with this message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Edit distance (Levenshtein), bounded in cost by the short words it is used on. */
export function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Math.max(a.length, b.length);
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const cur = [i];
    for (let j = 1; j <= b.length; j += 1) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      // A swap of two neighbours counts as one edit (--prfoile).
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j]!, (prev[j - 2] ?? i) + 1);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate, if it is close enough to be what was meant. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor((word.length + 1) / 3)));
  if (best !== undefined && bestDistance <= limit) return best;
  // A unique prefix (--prof) is what was meant too.
  const prefixed = candidates.filter((c) => c.startsWith(word) && word.length >= 3);
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

const hint = (word: string, candidates: readonly string[]): string => {
  const guess = didYouMean(word, candidates);
  return guess ? ` (did you mean ${guess}?)` : '';
};

/**
 * Parses `--name value`, `--name=value`, `-x value`, boolean `--flag` and
 * `--no-flag` (when `no-flag` is itself an option). A string option takes the
 * next word as its value even when it starts with '-' (`--seed -42`).
 */
export function parseCommandLine<S extends Record<string, OptionSpec>>(argv: readonly string[], specs: S): OptionValues<S> {
  const values: Record<string, string | boolean | string[]> = {};
  const names = Object.keys(specs);
  const long = names.map((n) => `--${n}`);
  const byShort = new Map(Object.entries(specs).flatMap(([n, s]) => (s.short ? [[s.short, n] as const] : [])));
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i]!;
    let name: string | undefined;
    let inline: string | undefined;
    if (word.startsWith('--') && word.length > 2) {
      const eq = word.indexOf('=');
      name = eq < 0 ? word.slice(2) : word.slice(2, eq);
      inline = eq < 0 ? undefined : word.slice(eq + 1);
      if (!(name in specs)) throw new UsageError(`unknown option --${name}${hint(`--${name}`, long)}`);
    } else if (/^-[A-Za-z]$/.test(word)) {
      name = byShort.get(word.slice(1));
      if (!name) throw new UsageError(`unknown option ${word}${hint(word, long)}`);
    } else {
      const asOption = didYouMean(`--${word.replace(/^-+/, '')}`, long);
      throw new UsageError(`unexpected argument ${JSON.stringify(word)}${asOption && word.startsWith('-') ? ` (did you mean ${asOption}?)` : ' (options start with --; see --help)'}`);
    }
    const spec = specs[name]!;
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value (got --${name}=${inline})`);
      values[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.slice(2).split('=')[0]! in specs)) throw new UsageError(`--${name} needs a value`);
      value = next;
      i += 1;
    }
    if (spec.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    else values[name] = value; // the last one wins, as scripts that append an override expect
  }
  return values as OptionValues<S>;
}

/** A numeric option, or a message that says what it takes. */
export function numberOption(name: string, text: string | undefined, what: string, check: (n: number) => boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`${name} takes ${what}, got ${JSON.stringify(text)}`);
  return n;
}

/** A subcommand's command line, or the usage message it gets (then exit 2). */
export function parseSubcommandLine<S extends Record<string, OptionSpec>>(
  command: string,
  argv: readonly string[],
  specs: S,
  err: NodeJS.WritableStream,
): OptionValues<S> | undefined {
  try {
    return parseCommandLine(argv, specs);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err.write(`chat-conformance ${command}: ${e.message}\n(see chat-conformance ${command} --help)\n`);
    return undefined;
  }
}
