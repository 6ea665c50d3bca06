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
