// CMD-8: a reply to one member's command reaches that member only. The case
// cmd/reply-audience passes the reference server and the correct wild
// servers, and fails the planted fault that broadcasts its replies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { caseSummary as summary, referenceTarget, runCase, wildTarget } from './helpers/run-case.js';
import { startFaultServer } from './targets/fault-server.js';

const CASE = 'cmd/reply-audience';

describe(CASE, () => {
  for (const profile of ['nameop', 'who-rename']) {
    test(`the reference server (${profile}) passes`, { timeout: 30_000 }, async () => {
      const result = await runCase(CASE, await referenceTarget(profile));
      assert.equal(result.verdict, 'pass', summary(result));
    });
  }

  test('gopl-en answers no command to one member: skipped with the reason', { timeout: 30_000 }, async () => {
    const result = await runCase(CASE, await referenceTarget('gopl-en'));
    assert.equal(result.verdict, 'skip');
    assert.match(result.message ?? '', /no command answered to the requester alone/);
  });

  test('fault replies-to-room: the profile-update acknowledgement and the group list reach b and c, CMD-8 fails', { timeout: 30_000 }, async () => {
    const result = await runCase(CASE, { ...(await startFaultServer({ profile: 'nameop', fault: 'replies-to-room' })), profile: 'nameop' });
    assert.equal(result.verdict, 'fail', summary(result));
    const leaks = (result.violations ?? []).filter((v) => v.requirement === 'CMD-8').map((v) => v.message);
    assert.deepEqual(leaks, ['b received the group list, the profile-update acknowledgement meant for a', 'c received the group list, the profile-update acknowledgement meant for a']);
  });

  for (const name of ['wild:py-asyncio-guests', 'wild:node-login']) {
    test(`${name} (its errors to the requester) passes`, { timeout: 30_000 }, async (t) => {
      const target = await wildTarget(t, name);
      if (!target) return;
      const result = await runCase(CASE, target);
      assert.equal(result.verdict, 'pass', summary(result));
    });
  }
});
