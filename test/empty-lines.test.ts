// CHAT-5: an empty line, or an empty chat text, reaches every member alike
// and leaves the next line alone. The case chat/empty-lines passes servers
// that relay it and servers that drop it, and fails the planted fault whose
// parser ends the session on an empty line.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startServer } from '../src/reference-server/index.js';
import { caseSummary as summary, runCase as runOne } from './helpers/run-case.js';
import { startFaultServer } from './targets/fault-server.js';
import { wildCorpus } from './wild/corpus.js';

const CASE = 'chat/empty-lines';
const runCase = (target: string, profile: string) => runOne(CASE, target, profile);

describe(CASE, () => {
  for (const profile of ['gopl-en', 'nameop', 'raw', 'who-rename']) {
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

  for (const [name, how] of [['wild:py-asyncio-guests', 'drops empty lines'], ['wild:node-login', 'relays them']] as const) {
    test(`${name} (${how}) passes`, { timeout: 30_000 }, async (t) => {
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

  test('fault empty-line-ends-session: the line after the empty one is lost, CHAT-5 fails', { timeout: 30_000 }, async () => {
    const server = await startFaultServer({ profile: 'gopl-en', fault: 'empty-line-ends-session' });
    try {
      const result = await runCase(server.url, 'gopl-en');
      assert.equal(result.verdict, 'fail', summary(result));
      assert.ok(result.violations?.some((v) => v.requirement === 'CHAT-5' && /did not receive/.test(v.message)), summary(result));
    } finally {
      await server.close();
    }
  });
});
