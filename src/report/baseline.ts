// Known-failure baselines, as irctest keeps expected failures per server:
// `--write-baseline FILE` records the cases that did not pass today;
// `--baseline FILE` makes those expected, so only new failures fail CI, and
// lists the cases that now pass so the file can shrink.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { Report } from '../runner/run.js';
import type { CaseResult, Verdict } from '../runner/verdict.js';
import { clipText } from '../evidence/clip.js';

const MAX_BASELINE_BYTES = 4 * 1024 * 1024;

/** Verdicts a baseline records (and excuses): everything that is neither a pass nor a skip. */
export const NOT_PASSING: readonly Verdict[] = ['fail', 'warn', 'inconclusive', 'error'];

const BaselineSchema = z.strictObject({
  tool: z.literal('chat-conformance'),
  kind: z.literal('baseline'),
  profile: z.string(),
  target: z.string(),
  createdAt: z.string(),
  cases: z.array(
    z.strictObject({
      id: z.string().max(200),
      verdict: z.enum(['fail', 'warn', 'inconclusive', 'error']),
      requirement: z.string().max(40).optional(),
      message: z.string().max(2000).optional(),
    }),
  ),
});
export type Baseline = z.infer<typeof BaselineSchema>;

export class BaselineError extends Error {
  override readonly name = 'BaselineError';
}

export function baselineOf(report: Report): Baseline {
  return {
    tool: 'chat-conformance',
    kind: 'baseline',
    profile: report.profile,
    target: report.target,
    createdAt: new Date().toISOString(),
    cases: report.cases
      .filter((c) => NOT_PASSING.includes(c.verdict))
      .map((c) => ({
        id: c.id,
        verdict: c.verdict as Baseline['cases'][number]['verdict'],
        ...(c.violations?.[0] ? { requirement: c.violations[0].requirement } : {}),
        ...(c.message ? { message: clipText(c.message.split('\n')[0]!, 300) } : {}),
      })),
  };
}

export function writeBaseline(file: string, report: Report): void {
  try {
    writeFileSync(file, JSON.stringify(baselineOf(report), null, 2) + '\n');
  } catch (e) {
    throw new BaselineError(`cannot write the baseline ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    const buf = readFileSync(file);
    if (buf.length > MAX_BASELINE_BYTES) throw new BaselineError(`the baseline ${file} is over ${MAX_BASELINE_BYTES} bytes`);
    text = buf.toString('utf8');
  } catch (e) {
    if (e instanceof BaselineError) throw e;
    throw new BaselineError(`cannot read the baseline ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`the baseline ${file} is not JSON: ${(e as Error).message}`);
  }
  const parsed = BaselineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BaselineError(`the baseline ${file} is not a chat-conformance baseline (${issue.path.join('.') || 'top level'}: ${issue.message}); write one with --write-baseline`);
  }
  return parsed.data;
}

/** Checks before the run that the baseline file can be written (its folder exists). */
export function checkBaselineWritable(file: string): void {
  try {
    if (statSync(dirname(resolve(file))).isDirectory()) return;
  } catch {
    // reported below
  }
  throw new BaselineError(`cannot write the baseline ${file}: its folder ${dirname(file)} does not exist`);
}

export interface BaselineComparison {
  /** Not passing, and expected to (in the baseline): these do not fail the run. */
  readonly known: readonly CaseResult[];
  /** Not passing, and not in the baseline: these fail the run. */
  readonly fresh: readonly CaseResult[];
  /** In the baseline, and passed this time: remove them from the file. */
  readonly nowPassing: readonly string[];
}

export function compareWithBaseline(report: Report, baseline: Baseline): BaselineComparison {
  const expected = new Set(baseline.cases.map((c) => c.id));
  const bad = report.cases.filter((c) => NOT_PASSING.includes(c.verdict));
  return {
    known: bad.filter((c) => expected.has(c.id)),
    fresh: bad.filter((c) => !expected.has(c.id)),
    nowPassing: report.cases.filter((c) => c.verdict === 'pass' && expected.has(c.id)).map((c) => c.id),
  };
}
