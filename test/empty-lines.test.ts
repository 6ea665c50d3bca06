// CHAT-5: an empty line, or an empty chat text, reaches every member alike
// and leaves the next line alone. The case chat/empty-lines passes servers
// that relay it and servers that drop it, and fails the planted fault whose
// parser ends the session on an empty line.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { caseSummary as summary, referenceTarget, runCase, wildTarget } from './helpers/run-case.js';
import { startFaultServer } from './targets/fault-server.js';

const CASE = 'chat/empty-lines';

describe(CASE, () => {
  for (const profile of ['gopl-en', 'nameop', 'raw', 'who-rename']) {
    test(`the reference server (${profile}) passes`, { timeout: 30_000 }, async () => {
      const result = await runCase(CASE, await referenceTarget(profile));
      assert.equal(result.verdict, 'pass', summary(result));
    });
  }

  for (const [name, how] of [['wild:py-asyncio-guests', 'drops empty lines'], ['wild:node-login', 'relays them']] as const) {
    test(`${name} (${how}) passes`, { timeout: 30_000 }, async (t) => {
      const target = await wildTarget(t, name);
      if (!target) return;
      const result = await runCase(CASE, target);
      assert.equal(result.verdict, 'pass', summary(result));
    });
  }

  test('a server that drops empty lines and tells the sender alone, in words no notice reads, passes', { timeout: 30_000 }, async () => {
    const server = await startFaultServer({ profile: 'gopl-en', fault: 'none', emptyLineAnswer: '(empty line ignored)' });
    const result = await runCase(CASE, { ...server, profile: 'gopl-en' });
    assert.equal(result.verdict, 'pass', summary(result));
  });

  test('fault empty-line-ends-session: the line after the empty one is lost, CHAT-5 fails', { timeout: 30_000 }, async () => {
    const result = await runCase(CASE, { ...(await startFaultServer({ profile: 'gopl-en', fault: 'empty-line-ends-session' })), profile: 'gopl-en' });
    assert.equal(result.verdict, 'fail', summary(result));
    assert.ok(result.violations?.some((v) => v.requirement === 'CHAT-5' && /did not receive/.test(v.message)), summary(result));
  });
});
