// Runs one conformance case against a target and returns its result: the
// tests of a single case (its pass on correct servers, its fail on a fault).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { startServer, type ServerOptions } from '../../src/reference-server/index.js';
import { runConformance } from '../../src/runner/run.js';
import type { CaseResult } from '../../src/runner/verdict.js';
import { wildCorpus } from '../wild/corpus.js';

/** A server a test starts and always closes. */
export interface CaseTarget {
  readonly url: string;
  readonly profile: string;
  close(): Promise<void>;
}

/** The reference server speaking `profile` (a built-in name or a profile file). */
export async function referenceTarget(profile: string, options: Omit<ServerOptions, 'profile'> = {}): Promise<CaseTarget> {
  const server = await startServer({ port: 0, ...options, profile });
  return { url: `127.0.0.1:${server.address.port}`, profile, close: () => server.close() };
}

/** A wild-corpus server with its hand-written profile; the test is skipped with the reason when it cannot run here. */
export async function wildTarget(t: TestContext, name: string): Promise<CaseTarget | undefined> {
  const entry = wildCorpus.find((e) => e.name === name);
  assert.ok(entry, `no wild server ${name}`);
  const missing = await entry.unavailable?.();
  if (missing) {
    t.skip(missing);
    return undefined;
  }
  const server = await entry.start();
  return { url: server.url, profile: entry.profile, close: () => server.close() };
}

/** Runs one case against a started target and closes the target, whatever happens. */
export async function runCase(caseId: string, target: CaseTarget, options: { idleTimeoutMs?: number } = {}): Promise<CaseResult> {
  try {
    const report = await runConformance({ target: target.url, profile: target.profile, only: [caseId], seed: 1, verifyFailures: false, ...options });
    const result = report.cases.find((c) => c.id === caseId);
    assert.ok(result, `${caseId} ran`);
    return result;
  } finally {
    await target.close();
  }
}

/** A case result in one line, for assertion messages. */
export const caseSummary = (c: CaseResult): string => JSON.stringify({ verdict: c.verdict, message: c.message, violations: c.violations?.map((v) => `${v.requirement}: ${v.message}`) });
