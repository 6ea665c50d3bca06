// Runs one conformance case against a target and returns its result: the
// tests of a single case (its pass on correct servers, its fail on a fault).
import assert from 'node:assert/strict';
import { runConformance } from '../../src/runner/run.js';
import type { CaseResult } from '../../src/runner/verdict.js';

export async function runCase(caseId: string, target: string, profile: string, options: { idleTimeoutMs?: number } = {}): Promise<CaseResult> {
  const report = await runConformance({ target, profile, only: [caseId], seed: 1, verifyFailures: false, ...options });
  const result = report.cases.find((c) => c.id === caseId);
  assert.ok(result, `${caseId} ran`);
  return result;
}

/** A case result in one line, for assertion messages. */
export const caseSummary = (c: CaseResult): string => JSON.stringify({ verdict: c.verdict, message: c.message, violations: c.violations?.map((v) => `${v.requirement}: ${v.message}`) });
