// Eviction on the wire: a stall of the whole server (SIGSTOP/SIGCONT) loses
// nothing for members that read; members that never read are evicted while
// the chatters lose nothing and all queues stay within the global budget.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { startServerProcess } from '../src/supervise/index.js';
import { packagePath } from '../src/paths.js';
import { startServer } from '../src/reference-server/index.js';

const MAIN = packagePath('dist/src/cli/main.js');
const LF = 0x0a;

/** A member that reads as fast as it can and only counts chat lines after the sync line. */
interface Counter {
  readonly socket: Socket;
  synced: boolean;
  lines: number;
  closed: boolean;
}

function counter(port: number, host = '127.0.0.1'): Promise<Counter> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    const c: Counter = { socket, synced: false, lines: 0, closed: false };
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      if (!c.synced) {
        // Before the sync line: joins and welcomes, a few short lines; keep the text to find it.
        head += chunk.toString('latin1');
        const at = head.indexOf(': sync\n');
        if (at < 0) return;
        c.synced = true;
        chunk = Buffer.from(head.slice(at + ': sync\n'.length), 'latin1');
        head = '';
      }
      for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) c.lines++;
    });
    socket.on('error', () => {});
    socket.once('close', () => (c.closed = true));
    socket.once('connect', () => resolve(c));
    socket.once('error', reject);
  });
}

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Joins `n` counters, then one of them says "sync" and every one sees it. */
async function joinAll(port: number, n: number, host?: string): Promise<Counter[]> {
  const members: Counter[] = [];
  for (let i = 0; i < n; i++) members.push(await counter(port, host));
  // A member that joined is sent its welcome; wait until the last one got it, then sync.
  await sleep(100);
  members[0]!.socket.write('sync\n');
  assert.ok(await until(() => members.every((m) => m.synced), 10_000), 'every member saw the sync line');
  return members;
}

/** Sends `count` lines of ~`size` bytes from `from`, `perTick` lines every 10 ms, honouring backpressure. */
async function paced(from: Socket, tag: string, count: number, perTick: number, size: number): Promise<void> {
  const pad = 'x'.repeat(size);
  for (let seq = 0; seq < count; ) {
    const lines: string[] = [];
    for (let k = 0; k < perTick && seq < count; k++) lines.push(`${tag} ${seq++} ${pad}\n`);
    if (from.destroyed || from.writableEnded) return; // evicted: the count shows it
    if (!from.write(lines.join(''))) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          from.off('drain', done);
          from.off('close', done);
          resolve();
        };
        from.once('drain', done);
        from.once('close', done);
      });
    }
    await sleep(10);
  }
}

test('eviction: a 1 s SIGSTOP of the reference server loses no delivery to members that read', { timeout: 60_000 }, async () => {
  const server = await startServerProcess({ file: process.execPath, args: [MAIN, 'serve', '--profile', 'gopl-en', '--host', '127.0.0.1', '--port', '0'], label: 'reference server' });
  const members: Counter[] = [];
  try {
    members.push(...(await joinAll(server.port, 9)));
    // Everyone sends, ~1 MB/s each: what the stop holds back in nine sockets lands on the
    // server at once after SIGCONT, over a MiB for each member in one turn.
    const senders = members;
    const lines = 5_000;
    const sending = Promise.all(senders.map((s, i) => paced(s.socket, `s${i}`, lines, 50, 200)));
    await sleep(300);
    process.kill(server.pid, 'SIGSTOP');
    await sleep(1_000);
    process.kill(server.pid, 'SIGCONT');
    await sending;
    const expected = senders.length * lines; // gopl-en echoes: senders receive their own lines too
    const done = await until(() => members.every((m) => m.lines >= expected || m.closed), 30_000);
    assert.ok(done, `deliveries stalled: ${members.map((m) => m.lines).join(', ')} of ${expected}`);
    assert.deepEqual(
      members.map((m) => (m.closed ? 'evicted' : m.lines)),
      members.map(() => expected),
      'every member got every line, none was evicted',
    );
  } finally {
    for (const m of members) m.socket.destroy();
    await server.close();
  }
});

test('eviction: members that never read are evicted; the chatters lose nothing; all queues stay within the global budget', { timeout: 60_000 }, async (t) => {
  const outboundBudgetBytes = 8 * 1024 * 1024;
  const server = await startServer({
    profile: 'gopl-en',
    host: '127.0.0.1',
    port: 0,
    queueBytes: 256 * 1024,
    outboundBudgetBytes,
    evictAfterMs: 60_000, // only the budget evicts here
  });
  const members: Counter[] = [];
  t.after(async () => {
    for (const m of members) m.socket.destroy();
    await server.close();
  });
  const port = server.address.port;
  members.push(...(await joinAll(port, 24)));
  const chatters = members.slice(0, 4);
  const idle = members.slice(4);
  for (const m of idle) m.socket.pause();
  const lines = 4_000;
  await Promise.all(chatters.map((s, i) => paced(s.socket, `c${i}`, lines, 200, 1_000)));
  const expected = chatters.length * lines;
  assert.ok(await until(() => chatters.every((m) => m.lines >= expected || m.closed), 30_000), 'the chatters got their lines');
  await sleep(200); // the last leave notices
  const stats = server.stats();
  assert.ok(stats.evicted > 0, 'some non-readers were evicted');
  assert.deepEqual(
    chatters.map((m) => (m.closed ? 'evicted' : m.lines)),
    chatters.map(() => expected + stats.evicted),
    'every chatter got every line, and one leave notice per evicted member',
  );
  assert.ok(stats.outboundPeakBytes <= outboundBudgetBytes, `outbound peak ${stats.outboundPeakBytes} within the budget ${outboundBudgetBytes}`);
});
