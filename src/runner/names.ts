// Names the kit sends (logins, prompt answers, renames, group names) must
// match the profile's pattern for that placeholder. The run's prefix keeps
// concurrent runs apart where the pattern allows it; otherwise a value is
// generated from the pattern itself, seeded from the case's rng.
import fc from 'fast-check';
import type { Dialect } from '../profile/index.js';
import type { Rng } from './rng.js';

export type NameField = 'name' | 'group' | 'target';

/** How many generated values are tried before giving up on a pattern: a few first, then this many. */
const GENERATED_TRIES = 50;
const FIRST_TRIES = 5;

/**
 * One arbitrary per pattern: building it from the regex costs ~10x sampling
 * from it, and a run may need thousands of names (a prompt dialect's churn
 * waves answer a prompt per connection).
 */
const arbitraries = new WeakMap<RegExp, fc.Arbitrary<string>>();
function matching(pattern: RegExp): fc.Arbitrary<string> {
  let arb = arbitraries.get(pattern);
  if (!arb) arbitraries.set(pattern, (arb = fc.stringMatching(pattern)));
  return arb;
}

/** Printable, no separators a line dialect could split on, not all blank. */
const usable = (v: string): boolean => /^[\x21-\x7e\u00a0-\uffff][\x20-\x7e\u00a0-\uffff]*$/u.test(v) && v.trim() === v;

/**
 * A name for `label` that the profile's pattern accepts and that is not in
 * `taken`: first the readable `${prefix}${label}${n}`, then shorter forms of
 * the prefix, then values generated from the pattern. Undefined when the
 * pattern admits none of them (the caller reports it).
 */
export function generateName(
  dialect: Dialect,
  field: NameField,
  prefix: string,
  label: string,
  n: number,
  rng: Rng,
  taken: ReadonlySet<string> = new Set(),
): string | undefined {
  const pattern = dialect.patterns[field];
  // The preflight counts from below zero: its names must not carry a "-" that a name pattern rarely admits.
  n = Math.abs(n);
  const tail = prefix.slice(-4);
  const cleanLabel = label.replace(/[^a-z0-9]/gi, '');
  const readable = [
    `${prefix}${label}${n}`,
    `${prefix}${cleanLabel}${n}`,
    `${prefix}${n}`,
    `${tail}${cleanLabel}${n}`.slice(-12),
    `k${tail}${n}`,
    `${tail}${n}`,
    `K${tail.toUpperCase()}${n}`,
    `${String.fromCharCode(97 + (n % 26))}${n}`,
  ];
  const plain = readable.find((v) => pattern.test(v) && !taken.has(v));
  if (plain !== undefined) return plain;
  // The same seed gives the same first values whatever numRuns: a few are drawn first, the rest only if none fits.
  const seed = rng.int(0, 0x7fffffff);
  try {
    for (const numRuns of [FIRST_TRIES, GENERATED_TRIES]) {
      const found = fc.sample(matching(pattern), { seed, numRuns }).find((v) => pattern.test(v) && !taken.has(v) && usable(v));
      if (found !== undefined) return found;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
