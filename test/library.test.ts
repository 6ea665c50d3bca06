// The README's library example, as this project's own test: a user's server
// (here the reference server) checked by runConformance inside a test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runConformance, startServer, type RunningServer, ReportSchema } from '../src/index.js';

let server: RunningServer;
before(async () => {
  server = await startServer({ profile: 'gopl-en', port: 0 });
});
after(() => server.close());

test('my server conforms to gopl-en', async () => {
  const report = await runConformance({ target: `127.0.0.1:${server.address.port}`, profile: 'gopl-en', quick: true });
  const failed = report.cases.filter((c) => c.verdict === 'fail');
  assert.deepEqual(failed.map((c) => `${c.id}: ${c.message}`), []);
  assert.equal(report.target, `127.0.0.1:${server.address.port}`);
  // The same object the JSON report holds.
  ReportSchema.parse(JSON.parse(JSON.stringify(report)));
});
