// Protection at the door: one address cannot take every slot (127.0.0.2 is
// loopback too on Linux: a second host), a connection that never joins or
// drips a line a byte at a time is closed, and refusals are logged at a
// bounded rate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LogEvent, startServer } from '../src/reference-server/index.js';
import { connectClient, type TestClient } from './helpers/server-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('door: one address at its limit is refused with an error line; another address still gets in', async (t) => {
  const events: LogEvent[] = [];
  const server = await startServer({ profile: 'nameop', maxClientsPerAddress: 3, log: (e) => events.push(e) });
  const clients: TestClient[] = [];
  t.after(async () => {
    for (const c of clients) c.destroy();
    await server.close();
  });
  const port = server.address.port;
  const open = async (local: string): Promise<TestClient> => {
    const c = await connectClient(port, '127.0.0.1', local);
    clients.push(c);
    return c;
  };
  const first = [await open('127.0.0.1'), await open('127.0.0.1'), await open('127.0.0.1')];
  const refused = await open('127.0.0.1');
  await refused.waitForClose();
  assert.deepEqual(refused.lines, ['*|0|503|server full: too many connections from your address']);

  const other = await open('127.0.0.2');
  other.send('other|3|');
  other.send('other|1|hello');
  await other.waitForLine('other|1|hello');
  assert.equal(other.closed(), false, 'another host gets in while the first is at its limit');

  // A slot freed is a slot back.
  first[0]!.destroy();
  await sleep(100);
  const again = await open('127.0.0.1');
  again.send('again|3|');
  again.send('again|1|back');
  await again.waitForLine('again|1|back');
  assert.deepEqual(
    events.filter((e) => e.event === 'reject').map((e) => (e as { reason: string }).reason),
    ['addressFull'],
  );
});

test('door: refusals are logged one line each up to a rate, then counted', async (t) => {
  const events: LogEvent[] = [];
  const server = await startServer({ profile: 'gopl-en', maxClientsPerAddress: 1, log: (e) => events.push(e) });
  const clients: TestClient[] = [];
  t.after(async () => {
    for (const c of clients) c.destroy();
  });
  const port = server.address.port;
  clients.push(await connectClient(port));
  for (let i = 0; i < 25; i++) {
    const c = await connectClient(port);
    clients.push(c);
    await c.waitForClose();
  }
  await server.close();
  const rejects = events.filter((e) => e.event === 'reject');
  const suppressed = events.filter((e) => e.event === 'rejectsSuppressed');
  assert.ok(rejects.length >= 10 && rejects.length < 25, `${rejects.length} reject lines: at most 10 a second`);
  assert.equal(rejects.length + suppressed.reduce((n, e) => n + (e as { count: number }).count, 0), 25, 'every refusal is logged or counted');
  assert.equal(server.stats().rejected, 25);
});

test('door: a connection that has not logged in by the join timeout is closed, bytes or not; one that logged in stays', async (t) => {
  const server = await startServer({ profile: 'nameop', joinTimeoutMs: 300 });
  const clients: TestClient[] = [];
  t.after(async () => {
    for (const c of clients) c.destroy();
    await server.close();
  });
  const port = server.address.port;
  const member = await connectClient(port);
  const drip = await connectClient(port);
  clients.push(member, drip);
  member.send('member|3|');
  const timer = setInterval(() => drip.write('x'), 50);
  try {
    await drip.waitForClose(5_000);
  } finally {
    clearInterval(timer);
  }
  await sleep(100);
  member.send('member|1|still here');
  await member.waitForLine('member|1|still here');
  assert.equal(server.stats().rejected, 1);
});

test('door: a line dripped a byte at a time is cut at the line timeout and announced as a leave; slow whole lines are fine', async (t) => {
  const server = await startServer({ profile: 'gopl-en', lineTimeoutMs: 400 });
  const clients: TestClient[] = [];
  t.after(async () => {
    for (const c of clients) c.destroy();
    await server.close();
  });
  const port = server.address.port;
  const a = await connectClient(port);
  clients.push(a);
  await a.waitForLine(`You are ${a.addr}`);
  const drip = await connectClient(port);
  const steady = await connectClient(port);
  clients.push(drip, steady);
  await a.waitForLine(`${steady.addr} has joined us`);
  let i = 0;
  const dripping = setInterval(() => drip.write('y'), 50);
  // steady writes each line in two halves 150 ms apart: every line ends well within the timeout.
  const halves = setInterval(() => steady.write(i++ % 2 === 0 ? 'half' : ' line\n'), 150);
  try {
    await drip.waitForClose(5_000);
    await a.waitForLine(`${drip.addr} has left `);
    await sleep(600);
  } finally {
    clearInterval(dripping);
    clearInterval(halves);
  }
  assert.equal(steady.closed(), false, 'whole lines, slowly, are not a drip');
  assert.ok(a.count(`${steady.addr}: half line`) >= 3);
  assert.equal(a.count(`${steady.addr} has left `), 0);
});
