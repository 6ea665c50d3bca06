// A member that never reads must not delay the others: it is evicted once its
// queue (ours plus the socket's) passes queueBytes, and announced as a leave.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverFixture } from './helpers/server-fixture.js';

const WINDOW_LINES = 256;
const PAYLOAD = 'x'.repeat(1000);
/** Far beyond loopback socket buffers plus 1 MiB: if nobody is evicted by then, the test fails. */
const MAX_BYTES = 48 * 1024 * 1024;

test('isolation: a paused reader is evicted and announced; the others get every line exactly once, in order', async (t) => {
  const { connect, server } = await serverFixture(t, { profile: 'gopl-en' });
  const a = await connect();
  await a.waitForLine(`You are ${a.addr}`);
  const b = await connect();
  await a.waitForLine(`${b.addr} has joined us`);
  const p = await connect();
  await b.waitForLine(`${p.addr} has joined us`);
  p.socket.pause();

  const leave = `${p.addr} has left `;
  const chat = (seq: number) => `${a.addr}: ${seq} ${PAYLOAD}`;
  let sent = 0;
  let windowsAfterEviction = 0;
  // a sends in windows acknowledged by b, so a and b never hold a large backlog themselves.
  while (windowsAfterEviction < 4) {
    assert.ok(sent * PAYLOAD.length < MAX_BYTES, `the paused member was not evicted after ${sent} lines`);
    for (let i = 0; i < WINDOW_LINES; i++) a.send(`${sent++} ${PAYLOAD}`);
    const last = chat(sent - 1);
    await b.waitFor((lines) => lines.at(-1) === last || (lines.at(-1) === leave && lines.at(-2) === last), `line ${sent - 1}`);
    if (b.count(leave) > 0) windowsAfterEviction++;
  }
  await a.waitForLine(chat(sent - 1));

  for (const member of [a, b]) {
    const chats = member.lines.filter((l) => l.startsWith(`${a.addr}: `));
    assert.equal(chats.length, sent, 'every line once');
    assert.ok(
      chats.every((l, i) => l === chat(i)),
      'in order, byte for byte',
    );
    assert.equal(member.count(leave), 1, 'one leave notice for the evicted member');
  }
  // One total order: both saw the leave after the same chat line.
  const before = (lines: readonly string[]) => lines[lines.indexOf(leave) - 1];
  assert.equal(before(a.lines), before(b.lines));
  assert.equal(server.stats().evicted, 1);
  assert.ok(b.lines.indexOf(leave) > 2, 'the eviction came after some traffic');

  // The evicted client, once it reads again, finds its connection closed.
  p.socket.resume();
  await p.waitForClose(10_000);
  assert.ok(p.lines.length < a.lines.length, 'the evicted member missed lines');
});
