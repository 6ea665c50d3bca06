// From lines seen to templates: the values the probe knows (addresses, names,
// its own texts) become placeholders, times and dates become {*}, the rest
// stays literal (braces doubled).

export interface Values {
  readonly addr?: string;
  readonly name?: string;
  readonly oldName?: string;
  readonly text?: string;
  readonly target?: string;
  readonly items?: string;
}

const escapeBraces = (s: string): string => s.replace(/\{/g, '{{').replace(/\}/g, '}}');

/** Times (12:00, 12:00:01.5) and dates (2026-11-30, 30/11/2026), as servers stamp their lines. */
const STAMP = /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?|\b\d{1,2}\/\d{1,2}\/\d{2,4}|\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?[AP]M)?\b/g;

/** The template of a line, given the values it may hold. Undefined when a value that must appear does not. */
export function templateOf(line: string, values: Values, must: readonly (keyof Values)[] = []): string | undefined {
  // Placeholders are put in as unlikely control characters first, so escaping and stamps do not touch them.
  const marks: [keyof Values, string][] = [];
  let work = line;
  const order: (keyof Values)[] = ['text', 'items', 'addr', 'target', 'oldName', 'name'];
  const sorted = order.filter((k) => values[k]).sort((a, b) => values[b]!.length - values[a]!.length);
  for (const key of sorted) {
    const value = values[key]!;
    if (key === 'name' && value === values.addr) continue;
    const mark = `\u0001${marks.length}\u0002`;
    if (!work.includes(value)) continue;
    work = work.split(value).join(mark);
    marks.push([key, mark]);
  }
  for (const key of must) if (!marks.some(([k]) => k === key)) return undefined;
  const stamped = work.replace(STAMP, '\u0003');
  let out = escapeBraces(stamped).replace(/\u0003/g, '{*}');
  for (const [key, mark] of marks) out = out.split(mark).join(`{${key}}`);
  return out;
}

/** Splits a line into word tokens and what lies between them. */
export function tokens(line: string): string[] {
  return line.split(/([^A-Za-z0-9_]+)/).filter((t) => t !== '');
}

/**
 * Two lines that differ in exactly one word: the words (the server's names
 * for two clients, say "guest1" / "guest2"). Undefined otherwise.
 */
export function oneWordApart(a: string, b: string): [string, string] | undefined {
  const ta = tokens(a.replace(STAMP, '\u0003'));
  const tb = tokens(b.replace(STAMP, '\u0003'));
  if (ta.length !== tb.length) return undefined;
  const diff = ta.flatMap((t, i) => (t === tb[i] ? [] : [i]));
  if (diff.length !== 1) return undefined;
  const i = diff[0]!;
  if (!/^[A-Za-z0-9_]+$/.test(ta[i]!) || !/^[A-Za-z0-9_]+$/.test(tb[i]!)) return undefined;
  return [ta[i]!, tb[i]!];
}

/** A line that reads like an error reply rather than the effect of a command. */
export const ERRORISH = /\b(error|unknown|invalid|not (?:found|allowed|a command)|unrecognized|unrecognised|usage|cannot|can't|no such|please|denied|failed)\b/i;

/**
 * Two lines at the same place of two clients' greetings that differ where a
 * server puts per-connection facts (a visitor number, who is online, an
 * uptime): a template with `{*}` where they differ and for every digit run.
 * Undefined when too little is shared to tell such a line from any other.
 */
export function varyingTemplate(a: string, b: string): string | undefined {
  // Digit runs first: "up 2m13s" and "up 2m14s" are the same words then.
  const ta = tokens(a.replace(/[0-9]+/g, '\u0003'));
  const tb = tokens(b.replace(/[0-9]+/g, '\u0003'));
  let head = 0;
  while (head < ta.length && head < tb.length && ta[head] === tb[head]) head += 1;
  let tail = 0;
  while (tail < ta.length - head && tail < tb.length - head && ta[ta.length - 1 - tail] === tb[tb.length - 1 - tail]) tail += 1;
  const literal = (parts: readonly string[]): string => escapeBraces(parts.join('')).replace(/\u0003/g, '{*}');
  const [start, end] = [ta.slice(0, head), ta.slice(Math.max(head, ta.length - tail))];
  if (`${start.join('')}${end.join('')}`.replace(/[\s\u0003]/g, '').length < 4) return undefined;
  const middle = head + tail < Math.max(ta.length, tb.length) ? '{*}' : '';
  return `${literal(start)}${middle}${literal(end)}`.replace(/(?:\{\*\})+/g, '{*}');
}

/**
 * The template of a line each of two clients got, that names the client (its welcome) and differs
 * otherwise only where a server puts per-connection facts: "Welcome, bob! 2 user(s) online." and
 * "Welcome, eve! 3 user(s) online." give "Welcome, {name}! {*} user(s) online.". Undefined when
 * the line does not name the client or too little is shared (varyingTemplate).
 */
export function namingTemplate(a: string, b: string, va: { name: string; addr?: string }, vb: { name: string; addr?: string }): string | undefined {
  const NAME = '\u0004';
  const ADDR = '\u0005';
  const marked = (line: string, v: { name: string; addr?: string }): string => {
    const withAddr = v.addr && v.addr !== v.name ? line.split(v.addr).join(ADDR) : line;
    return withAddr.split(v.name).join(NAME);
  };
  const [ma, mb] = [marked(a, va), marked(b, vb)];
  if (!ma.includes(NAME) || !mb.includes(NAME)) return undefined;
  return varyingTemplate(ma, mb)?.split(NAME).join('{name}').split(ADDR).join('{addr}');
}

/**
 * The names a server gave two clients that answered its prompt with `askedA`
 * and `askedB`, from the same line each received (their welcome): each asked
 * name extended to the end of its word (`bob` -> `bob#4821`), or, where the
 * answers are not in the lines, the one word the lines differ in (`guest7`).
 * Undefined when the lines do not differ that way; the asked names themselves
 * when the server kept them.
 */
export function assignedNames(a: string, b: string, askedA: string, askedB: string): [string, string] | undefined {
  const extend = (line: string, asked: string): string | undefined => {
    const at = line.indexOf(asked);
    if (at < 0) return undefined;
    const word = /^[^\s,;!?"'()<>[\]{}]*/u.exec(line.slice(at))![0].replace(/[.:]+$/u, '');
    return word;
  };
  const [na, nb] = [extend(a, askedA), extend(b, askedB)];
  if (na !== undefined && nb !== undefined) {
    const ta = templateOf(a, { name: na });
    return ta !== undefined && ta.includes('{name}') && ta === templateOf(b, { name: nb }) ? [na, nb] : undefined;
  }
  return na === undefined && nb === undefined ? oneWordApart(a, b) : undefined;
}

/**
 * A name pattern that admits the names a server assigned: the default
 * characters plus any other character they hold, long enough for them.
 */
export function namePatternFor(names: readonly string[], base = '[A-Za-z0-9_]', length = 16): string {
  const extra = [...new Set(names.join('').replace(/[A-Za-z0-9_]/g, ''))].map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('');
  const longest = Math.max(length, ...names.map((n) => [...n].length));
  return `${extra ? `${base.slice(0, -1)}${extra}]` : base}{1,${longest + 8}}`;
}
