// "Which template did this line nearly match, and where did it differ?" The
// line's known values (the clients' addresses and names, the texts the kit
// said) are put back as placeholders, and the result is compared with every
// template of the profile by edit distance.
import type { Profile } from '../profile/index.js';

export interface NearMiss {
  /** Where in the profile, e.g. notices.join. */
  readonly where: string;
  readonly template: string;
  /** The line as received. */
  readonly line: string;
  /** The line with known values put back as placeholders. */
  readonly generalised: string;
  /** The differing middles: template side and server side. */
  readonly templatePart: string;
  readonly linePart: string;
  /** Edit distance over the longer length: 0 same, 1 nothing in common. */
  readonly score: number;
}

/** Values the kit knows, to turn back into placeholders. */
export interface KnownValues {
  readonly addrs: readonly string[];
  readonly names: readonly string[];
  readonly texts: readonly string[];
}

/** Lines and templates are compared up to this many characters (the distance is quadratic). */
const MAX_COMPARED = 200;
/** Past this score a template is not "nearly" matched. */
const MAX_SCORE = 0.55;

export function generalise(line: string, known: KnownValues): string {
  const pairs: [string, string][] = [
    ...known.texts.map((v): [string, string] => [v, '{text}']),
    ...known.addrs.map((v): [string, string] => [v, '{addr}']),
    ...known.names.filter((n) => !known.addrs.includes(n)).map((v): [string, string] => [v, '{name}']),
  ].filter(([v]) => v.length > 0);
  // Longest first, so an address is not half-replaced by a shorter name inside it.
  pairs.sort((x, y) => y[0].length - x[0].length);
  let out = line;
  for (const [value, placeholder] of pairs) out = out.split(value).join(placeholder);
  return out;
}

export function editDistance(a: string, b: string): number {
  const x = [...a.slice(0, MAX_COMPARED)];
  const y = [...b.slice(0, MAX_COMPARED)];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= y.length; j += 1) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length]!;
}

/** Every template of the profile, server side, with where it is. */
export function serverTemplates(profile: Profile): { where: string; template: string }[] {
  const out: { where: string; template: string }[] = [];
  for (const [type, template] of Object.entries(profile.notices as Record<string, unknown>)) {
    if (typeof template === 'string') out.push({ where: `notices.${type}`, template });
  }
  const extra = profile as unknown as Record<string, unknown>;
  for (const key of ['banner', 'ignore']) {
    const list = extra[key];
    if (Array.isArray(list)) list.forEach((t, i) => typeof t === 'string' && out.push({ where: `${key}[${i}]`, template: t }));
  }
  return out;
}

/** The template this line comes closest to, when one is close enough to be a likely intent. */
export function nearestTemplate(line: string, profile: Profile, known: KnownValues): NearMiss | undefined {
  const generalised = generalise(line, known);
  let best: NearMiss | undefined;
  for (const { where, template } of serverTemplates(profile)) {
    // {*} (a timestamp) stands for anything: compare without it on both sides when it is there.
    const t = template.replace(/\{\*\}/g, '');
    const longest = Math.max(t.length, generalised.length, 1);
    const score = editDistance(generalised, t) / longest;
    if (score > MAX_SCORE || (best && best.score <= score)) continue;
    const [templatePart, linePart] = difference(template, generalised);
    best = { where, template, line, generalised, templatePart, linePart, score };
  }
  return best;
}

/** The middles of a and b once their common prefix and suffix are taken off. */
export function difference(a: string, b: string): [string, string] {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p += 1;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s += 1;
  return [a.slice(p, a.length - s), b.slice(p, b.length - s)];
}
