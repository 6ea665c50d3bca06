// CMD-8: a reply to one member's command reaches that member only. The case
// cmd/reply-audience passes the reference server and the correct wild
// servers, and fails the planted fault that broadcasts its replies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startServer } from '../src/reference-server/index.js';
import { caseSummary as summary, runCase as runOne } from './helpers/run-case.js';
import { startFaultServer } from './targets/fault-server.js';
import { wildCorpus } from './wild/corpus.js';

const CASE = 'cmd/reply-audience';
const runCase = (target: string, profile: string) => runOne(CASE, target, profile);


describe(CASE, () => {
  for (const profile of ['nameop', 'who-rename']) {
    test(`the reference server (${profile}) passes`, { timeout: 30_000 }, async () => {
      const server = await startServer({ profile, port: 0 });
      try {
        const result = await runCase(`127.0.0.1:${server.address.port}`, profile);
        assert.equal(result.verdict, 'pass', summary(result));
      } finally {
        await server.close();
      }
    });
  }

  test('gopl-en answers no command to one member: skipped with the reason', { timeout: 30_000 }, async () => {
    const server = await startServer({ profile: 'gopl-en', port: 0 });
    try {
      const result = await runCase(`127.0.0.1:${server.address.port}`, 'gopl-en');
      assert.equal(result.verdict, 'skip');
      assert.match(result.message ?? '', /no command answered to the requester alone/);
    } finally {
      await server.close();
    }
  });

  test('fault replies-to-room: the profile-update acknowledgement and the group list reach b and c, CMD-8 fails', { timeout: 30_000 }, async () => {
    const server = await startFaultServer({ profile: 'nameop', fault: 'replies-to-room' });
    try {
      const result = await runCase(server.url, 'nameop');
      assert.equal(result.verdict, 'fail', summary(result));
      const leaks = (result.violations ?? []).filter((v) => v.requirement === 'CMD-8').map((v) => v.message);
      assert.deepEqual(leaks, ['b received the group list, the profile-update acknowledgement meant for a', 'c received the group list, the profile-update acknowledgement meant for a']);
    } finally {
      await server.close();
    }
  });

  for (const name of ['wild:py-asyncio-guests', 'wild:node-login']) {
    test(`${name} (its errors to the requester) passes`, { timeout: 30_000 }, async (t) => {
      const entry = wildCorpus.find((e) => e.name === name);
      assert.ok(entry);
      const missing = await entry.unavailable?.();
      if (missing) return t.skip(missing);
      const server = await entry.start();
      try {
        const result = await runCase(server.url, entry.profile);
        assert.equal(result.verdict, 'pass', summary(result));
      } finally {
        await server.close();
      }
    });
  }
});
