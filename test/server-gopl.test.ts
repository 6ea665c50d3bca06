// gopl-en and gopl-zh (seeds 004 and 002): the exact lines of join, chat and
// leave for three clients, as /work/shared/dialects.md states them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serverFixture } from './helpers/server-fixture.js';

const dialects = [
  {
    profile: 'gopl-en',
    welcome: (a: string) => `You are ${a}`,
    join: (a: string) => `${a} has joined us`,
    chat: (a: string, text: string) => `${a}: ${text}`,
    leave: (a: string) => `${a} has left `,
  },
  {
    profile: 'gopl-zh',
    welcome: (a: string) => `欢迎 ${a}`,
    join: (a: string) => `${a} 上线`,
    chat: (a: string, text: string) => `${a}: ${text}`,
    leave: (a: string) => `${a} 下线`,
  },
] as const;

for (const d of dialects) {
  describe(`reference server, ${d.profile}`, () => {
    test('welcome to the joiner, join to the others, chat echoed to all, one leave per remaining member', async (t) => {
      const { connect, server } = await serverFixture(t, { profile: d.profile });
      const a = await connect();
      await a.waitForLine(d.welcome(a.addr));
      const b = await connect();
      await a.waitForLine(d.join(b.addr));
      const c = await connect();
      await a.waitForLine(d.join(c.addr));
      await b.waitForLine(d.join(c.addr));

      c.send('hello, 世界 | ok');
      await a.waitForLine(d.chat(c.addr, 'hello, 世界 | ok'));
      await b.waitForLine(d.chat(c.addr, 'hello, 世界 | ok'));
      await c.waitForLine(d.chat(c.addr, 'hello, 世界 | ok'));

      b.end();
      await b.waitForClose();
      a.send('after');
      await a.waitForLine(d.chat(a.addr, 'after'));
      await c.waitForLine(d.chat(a.addr, 'after'));

      assert.deepEqual(a.lines, [
        d.welcome(a.addr),
        d.join(b.addr),
        d.join(c.addr),
        d.chat(c.addr, 'hello, 世界 | ok'),
        d.leave(b.addr),
        d.chat(a.addr, 'after'),
      ]);
      assert.deepEqual(b.lines, [d.welcome(b.addr), d.join(c.addr), d.chat(c.addr, 'hello, 世界 | ok')]);
      assert.deepEqual(c.lines, [
        d.welcome(c.addr),
        d.chat(c.addr, 'hello, 世界 | ok'),
        d.leave(b.addr),
        d.chat(a.addr, 'after'),
      ]);
      assert.equal(server.stats().members, 2);
    });

    test('a reset (RST) is announced like a FIN, and an empty line is a chat line', async (t) => {
      const { connect } = await serverFixture(t, { profile: d.profile });
      const a = await connect();
      await a.waitForLine(d.welcome(a.addr));
      const b = await connect();
      await a.waitForLine(d.join(b.addr));
      b.send('');
      await a.waitForLine(d.chat(b.addr, ''));
      b.socket.resetAndDestroy();
      await a.waitForLine(d.leave(b.addr));
      a.send('probe');
      await a.waitForLine(d.chat(a.addr, 'probe'));
      assert.equal(a.count(d.leave(b.addr)), 1);
    });
  });
}
