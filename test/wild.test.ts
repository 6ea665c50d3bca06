// The wild corpus (test/wild/), each server run once, quick, with its
// hand-written profile: a correct server gets no fail and no error, a buggy
// one fails one of its labelled requirements. Servers whose interpreter or
// toolchain is missing are skipped with the reason. isolation/slow-reader is
// left out for the correct servers: its latency bound (p99 250 ms) is a timing
// measure that the parallel test files of `npm test` on 2 cores disturb; a
// buggy server labelled ISOLATION runs it (a room that stalls is no matter of
// timing). `npm run killmatrix` and `npm run probe:wild` run every case.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { wildCorpus, wildServers } from './wild/corpus.js';
import { failedRequirements } from './targets/matrix.js';
import { runConformance } from '../src/runner/run.js';

const TIMING_CASES = ['isolation/slow-reader'];

describe('wild corpus: one quick run each with its hand-written profile', { concurrency: 2 }, () => {
  for (const entry of wildCorpus) {
    const what = entry.kind === 'correct' ? 'no fail, no error' : `fails ${entry.labels.join(' or ')}`;
    test(`${entry.name}: ${what}`, { timeout: 120_000 }, async (t) => {
      const missing = await entry.unavailable?.();
      if (missing) return t.skip(missing);
      const server = await entry.start();
      try {
        const labels = new Set(entry.labels);
        const report = await runConformance({
          target: server.url,
          profile: entry.profile,
          quick: true,
          seed: 1,
          verifyFailures: entry.kind === 'correct',
          runDeadlineMs: 90_000,
          skip: entry.kind === 'correct' ? TIMING_CASES : [],
          // A buggy server: its first labelled fail is the verdict.
          ...(entry.kind === 'correct' ? {} : { stopWhen: (r) => failedRequirements(r).some((id) => labels.has(id)) }),
        });
        const bad = report.cases.filter((c) => (c.verdict === 'fail' && !c.counterexample?.flaky) || c.verdict === 'error');
        const shown = bad.map((c) => `${c.id}: ${c.verdict} ${c.message ?? ''}`.slice(0, 400)).join('\n');
        assert.equal(report.preflight?.kind === 'profile' ? report.preflight.summary : undefined, undefined, 'the hand-written profile must fit its server');
        if (entry.kind === 'correct') {
          assert.equal(report.unreachable, undefined);
          assert.deepEqual(shown, '', `${entry.name} is correct`);
          assert.ok(report.summary.pass > 0);
        } else {
          const failed = new Set(report.cases.flatMap((c) => failedRequirements(c)));
          assert.ok([...labels].some((id) => failed.has(id)), `${entry.name}: no fail on ${entry.labels.join('/')}\n${shown}`);
        }
      } finally {
        await server.close();
      }
    });
  }
});

// Probe then run with the draft: test/probe.test.ts (quick, one seed, CI) and npm run probe:wild (full, 5 seeds).
