// Load-time refusal of profiles whose notices cannot be told apart: each
// notice is rendered with sample values and read back; a line that an earlier
// notice (in match order) or a banner/ignore/prompt entry reads first would
// never be seen as what it is, and every case using it would fail falsely.
import fc from 'fast-check';
import type { Placeholder, TemplatePart } from './template.js';
import { ProfileError } from './types.js';

export interface NamedRegex {
  readonly where: string;
  readonly regex: RegExp;
}

export interface RenderableTemplate extends NamedRegex {
  readonly parts: readonly TemplatePart[];
}

// Plain values first (they make readable error messages); a pattern that refuses them gets generated ones.
const candidates: Readonly<Record<Placeholder, readonly string[]>> = {
  addr: ['127.0.0.1:40694', '[::1]:5000'],
  name: ['alice', 'bob7', 'guest3', 'Alice', 'a'],
  oldName: ['carol', 'dave8', 'guest4', 'Carol', 'c'],
  target: ['erin', 'frank9', 'guest5', 'Erin', 'e'],
  text: ['hello there 42', 'x'],
  group: ['room7', 'g1', 'r'],
  code: ['404', '1'],
  items: [],
};

/** A value of the placeholder that its pattern accepts, or undefined when none can be found. */
export function sampleValue(field: Placeholder, pattern: RegExp, separator: string): string | undefined {
  const plain = field === 'items' ? [`alice${separator}bob7`, 'alice'] : candidates[field];
  const found = plain.find((v) => pattern.test(v));
  if (found !== undefined) return found;
  try {
    const generated = fc.sample(fc.stringMatching(pattern), { seed: 42, numRuns: 20 });
    return generated.find((v) => v.length > 0 && !/[\r\n]/.test(v) && pattern.test(v));
  } catch {
    return undefined; // a regex fast-check cannot generate from: this template is not checked
  }
}

function renderSample(t: RenderableTemplate, values: Partial<Record<Placeholder, string>>): string | undefined {
  let out = '';
  for (const part of t.parts) {
    if (part.kind === 'literal') out += part.text;
    else if (part.kind === 'field') {
      const v = values[part.field];
      if (v === undefined) return undefined;
      out += v;
    }
  }
  return out;
}

/**
 * Throws ProfileError when a notice's sample line is read by an earlier
 * notice or swallowed by a banner, ignore or ignorePatterns entry.
 * `notices` is in match order.
 */
export function refuseIndistinct(
  notices: readonly RenderableTemplate[],
  noise: readonly NamedRegex[],
  patterns: Readonly<Record<Placeholder, RegExp>>,
  separator: string,
): void {
  const values: Partial<Record<Placeholder, string>> = {};
  for (const field of Object.keys(patterns) as Placeholder[]) {
    const v = sampleValue(field, patterns[field], separator);
    if (v !== undefined) values[field] = v;
  }
  for (const [i, t] of notices.entries()) {
    const line = renderSample(t, values);
    if (line === undefined || !t.regex.test(line)) continue; // no sample reads back: nothing to compare
    const swallower = noise.find((n) => n.regex.test(line));
    if (swallower) {
      throw new ProfileError(
        `${swallower.where} matches the ${t.where} line ${JSON.stringify(line)}: a line that is not a room event may not read as one`,
        swallower.where,
      );
    }
    const earlier = notices.slice(0, i).find((e) => e.regex.test(line));
    if (earlier) {
      throw new ProfileError(
        `${t.where} and ${earlier.where} read the same line: ${JSON.stringify(line)} would be read as ${earlier.where}, never as ${t.where} (make the templates differ, or tighten patterns)`,
        t.where,
      );
    }
  }
}
