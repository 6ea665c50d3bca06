// The README's library example, as this project's own test: a user's server
// (here the reference server) checked by runConformance inside a test, and the
// same assertion against a dead target, where it must fail.
// test/package.test.ts runs the README's text itself from the installed tarball.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { runConformance, startServer, type RunningServer, type Report, ReportSchema } from '../src/index.js';

let server: RunningServer;
before(async () => {
  server = await startServer({ profile: 'gopl-en', port: 0 });
});
after(() => server.close());

/** The README's assertion. */
function assertConforms(report: Report): void {
  const notPassing = report.cases.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skip');
  assert.equal(report.verdict, 'pass', report.stopped ?? notPassing.map((c) => `${c.verdict} ${c.id}: ${c.message}`).join('\n'));
}

test('my server conforms to gopl-en', async () => {
  const report = await runConformance({ target: `127.0.0.1:${server.address.port}`, profile: 'gopl-en', quick: true });
  assertConforms(report);
  assert.equal(report.target, `127.0.0.1:${server.address.port}`);
  // The same object the JSON report holds.
  ReportSchema.parse(JSON.parse(JSON.stringify(report)));
});

test('the same assertion fails against a dead target (inconclusive is not a pass)', async () => {
  const dead = createServer();
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', () => resolve()));
  const { port } = dead.address() as { port: number };
  await new Promise<void>((resolve) => dead.close(() => resolve()));
  const report = await runConformance({ target: `127.0.0.1:${port}`, profile: 'gopl-en', quick: true });
  assert.equal(report.verdict, 'inconclusive');
  assert.equal(report.cases.filter((c) => c.verdict === 'fail').length, 0); // why filtering for fail alone passed
  assert.throws(() => assertConforms(report), /cannot connect/);
});

// The README's claim, as stated: two runs against one long-lived server do not interfere, except
// the isolation floods (isolation/slow-reader, isolation/paused-reader), whose stopped reader and megabytes of chat are the other run's too.
test('two concurrent runs against one server do not interfere (isolation/*-reader skipped)', async () => {
  const target = `127.0.0.1:${server.address.port}`;
  const run = (seed: number): ReturnType<typeof runConformance> => runConformance({ target, profile: 'gopl-en', quick: true, seed, skip: ['isolation/*-reader'], verifyFailures: false });
  const reports = await Promise.all([run(11), run(12)]);
  for (const report of reports) {
    const failed = report.cases.filter((c) => c.verdict === 'fail' || c.verdict === 'error');
    assert.deepEqual(failed.map((c) => `seed ${report.seed} ${c.id}: ${c.message}`), []);
    assert.ok(report.summary.pass > 20, `seed ${report.seed}: ${report.summary.pass} cases passed`);
  }
});
