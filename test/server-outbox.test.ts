// The outbound queue and the eviction policy: one write per client per turn,
// an early write when a turn queues a lot, at most one write in the socket,
// and eviction only for a queue over its limit that has not drained for
// evictAfterMs of the server's own time, or by the global budget.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { OutboundBudget, SWEEP_MS } from '../src/reference-server/eviction.js';
import { FakeSocket } from './helpers/fake-socket.js';
import { EARLY_WRITE_BYTES, FlushScheduler, Outbox, type OutboxObserver, SHARE_MIN_BYTES, WRITE_BATCH_BYTES } from '../src/reference-server/outbox.js';

const quiet: OutboxObserver = { queued: () => {}, blocked: () => {}, drained: () => {} };
const noEviction = (): void => assert.fail('no eviction expected');
const turn = () => new Promise((resolve) => setImmediate(resolve));

test('outbox: buffers sent in one turn go out in one write, in order, the same Buffer shared', async () => {
  const scheduler = new FlushScheduler();
  const one = new FakeSocket();
  const two = new FakeSocket();
  const a = new Outbox(one as unknown as Socket, scheduler, quiet, noEviction);
  const b = new Outbox(two as unknown as Socket, scheduler, quiet, noEviction);
  const shared = Buffer.from('join\n');
  a.send(shared);
  b.send(shared);
  a.send(Buffer.from('chat 1\n'));
  a.send(Buffer.from('chat 2\n'));
  assert.equal(one.writes.length, 0, 'nothing is written before the end of the turn');
  await turn();
  assert.deepEqual(one.writes.map(String), ['join\nchat 1\nchat 2\n']);
  assert.equal(two.writes.length, 1);
  assert.equal(two.writes[0], shared, 'a lone buffer is written as is, not copied');
  b.send(Buffer.from('next\n'));
  await turn();
  assert.deepEqual(two.writes.map(String), ['join\n', 'next\n']);
});

test('outbox: long lines go to the socket as the shared Buffers themselves (one writev), short runs between them as one copy', async () => {
  const socket = new FakeSocket();
  const box = new Outbox(socket as unknown as Socket, new FlushScheduler(), quiet, noEviction);
  const long1 = Buffer.alloc(SHARE_MIN_BYTES, 0x61);
  const long2 = Buffer.alloc(SHARE_MIN_BYTES + 100, 0x62);
  box.send(Buffer.from('join a\n'));
  box.send(Buffer.from('join b\n'));
  box.send(long1);
  box.send(long2);
  box.send(Buffer.from('leave a\n'));
  await turn();
  assert.equal(socket.writevs.length, 1, 'one writev');
  const [first, l1, l2, last] = socket.writevs[0]!;
  assert.equal(String(first), 'join a\njoin b\n');
  assert.equal(l1, long1, 'a long line is not copied');
  assert.equal(l2, long2);
  assert.equal(String(last), 'leave a\n');
  assert.equal(box.queuedBytes, 0);
});

test('outbox: the copy of a write that waits is never reused for another write (the copy area is given up)', async () => {
  const scheduler = new FlushScheduler();
  const stuck = new FakeSocket();
  stuck.accept = 0;
  const reader = new FakeSocket();
  const a = new Outbox(stuck as unknown as Socket, scheduler, quiet, noEviction);
  const b = new Outbox(reader as unknown as Socket, scheduler, quiet, noEviction);
  a.send(Buffer.from('for a 1\n'));
  a.send(Buffer.from('for a 2\n'));
  await turn();
  assert.equal(stuck.writableLength, 16, 'the write waits in the socket');
  for (let i = 0; i < 50; i++) {
    b.send(Buffer.from(`for b ${i}\n`));
    b.send(Buffer.from('x'.repeat(100) + '\n'));
    await turn();
  }
  assert.equal(reader.writes.length, 50);
  assert.equal(String(stuck.writes[0]), 'for a 1\nfor a 2\n', 'the waiting bytes are intact');
  assert.equal(String(reader.writes[49]), `for b 49\n${'x'.repeat(100)}\n`);
});

test('outbox: a turn that queues a lot writes at once, so a burst reaches the kernel instead of piling up', () => {
  const socket = new FakeSocket();
  const box = new Outbox(socket as unknown as Socket, new FlushScheduler(), quiet, noEviction);
  const line = Buffer.alloc(1024, 0x61);
  for (let i = 0; i < (4 * EARLY_WRITE_BYTES) / line.length; i++) box.send(line);
  assert.equal(socket.writes.length, 4, 'one write per early-write threshold, within the turn');
  assert.equal(box.queuedBytes, 0, 'the kernel took them all');
});

test('outbox: one write in the socket at a time; the rest waits here and follows as the peer reads', async () => {
  const socket = new FakeSocket();
  socket.accept = 0; // the peer does not read
  const events: string[] = [];
  const observer: OutboxObserver = { queued: () => {}, blocked: () => events.push('blocked'), drained: () => events.push('drained') };
  const box = new Outbox(socket as unknown as Socket, new FlushScheduler(), observer, noEviction);
  const chunk = Buffer.alloc(EARLY_WRITE_BYTES);
  for (let i = 0; i < 10; i++) box.send(chunk);
  assert.equal(socket.writes.length, 1, 'nothing more is handed to a socket that has not finished its write');
  assert.equal(box.queuedBytes, 10 * EARLY_WRITE_BYTES, 'queued = ours + the socket');
  assert.deepEqual(events, ['blocked']);
  socket.drain();
  assert.deepEqual(events, ['blocked', 'drained', 'blocked']);
  assert.equal(socket.writes.length, 2);
  assert.ok(socket.writes[1]!.length <= WRITE_BATCH_BYTES, 'a batch at a time');
  socket.accept = Infinity;
  socket.drain();
  await turn();
  assert.equal(box.queuedBytes, 0);
  assert.equal(socket.writes.reduce((n, w) => n + w.length, 0), 10 * EARLY_WRITE_BYTES, 'every byte written once');
});

test('outbox: flush(all) hands everything to the socket (before FIN), even when blocked', () => {
  const socket = new FakeSocket();
  socket.accept = 0;
  const box = new Outbox(socket as unknown as Socket, new FlushScheduler(), quiet, noEviction);
  for (let i = 0; i < 10; i++) box.send(Buffer.alloc(EARLY_WRITE_BYTES));
  box.flush(true);
  assert.equal(socket.writableLength, 10 * EARLY_WRITE_BYTES);
});

interface Rig {
  readonly budget: OutboundBudget;
  readonly clock: { now: number };
  readonly evicted: string[];
  box(name: string, socket: FakeSocket): Outbox;
}

function rig(limits: { queueBytes: number; evictAfterMs: number; outboundBudgetBytes: number }): Rig {
  const clock = { now: 0 };
  const budget = new OutboundBudget(limits, () => clock.now);
  const scheduler = new FlushScheduler();
  const evicted: string[] = [];
  return {
    budget,
    clock,
    evicted,
    box: (name, socket) => new Outbox(socket as unknown as Socket, scheduler, budget, (reason) => evicted.push(`${name}:${reason}`)),
  };
}

/** Moves the fake clock one sweep interval (or `ms`) and sweeps. */
const sweep = (r: Rig, ms = SWEEP_MS): void => {
  r.clock.now += ms;
  r.budget.sweep();
};

test('eviction: over the limit and not draining for evictAfterMs evicts; a reader over the limit that drains is kept', () => {
  const r = rig({ queueBytes: 256 * 1024, evictAfterMs: 1000, outboundBudgetBytes: 64 * 1024 * 1024 });
  try {
    const stuck = new FakeSocket();
    stuck.accept = 0;
    const slow = new FakeSocket();
    slow.accept = 0;
    const s = r.box('stuck', stuck);
    const d = r.box('slow', slow);
    for (let i = 0; i < 8; i++) s.send(Buffer.alloc(EARLY_WRITE_BYTES));
    // Far over its limit too, but it drains a batch a sweep: still over the limit at the end.
    for (let i = 0; i < 48; i++) d.send(Buffer.alloc(EARLY_WRITE_BYTES));
    for (let i = 0; i < 9; i++) {
      sweep(r);
      slow.drain(); // it reads, slowly: one batch per sweep
    }
    assert.deepEqual(r.evicted, [], 'not before evictAfterMs');
    sweep(r);
    assert.deepEqual(r.evicted, ['stuck:stalled']);
    assert.equal(s.send(Buffer.from('x')), false, 'an evicted client takes nothing more');
    assert.ok(d.queuedBytes > 256 * 1024, 'the slow reader is still over its limit, and kept');
  } finally {
    r.budget.stop();
  }
});

test('eviction: a stall of the whole process (a 1 s gap between sweeps) counts as two sweeps, not a second', () => {
  const r = rig({ queueBytes: 256 * 1024, evictAfterMs: 500, outboundBudgetBytes: 64 * 1024 * 1024 });
  try {
    const socket = new FakeSocket();
    socket.accept = 0;
    const box = r.box('reader', socket);
    for (let i = 0; i < 8; i++) box.send(Buffer.alloc(EARLY_WRITE_BYTES));
    sweep(r, 1000); // SIGSTOP for a second
    sweep(r, 1000); // and again
    assert.equal(box.stalledMs, 4 * SWEEP_MS);
    assert.deepEqual(r.evicted, []);
    sweep(r);
    assert.deepEqual(r.evicted, ['reader:stalled']);
  } finally {
    r.budget.stop();
  }
});

test('eviction: over the global budget, the largest stalled queues go first; readers that drain stay; the total stays within the budget', () => {
  const budgetBytes = 2 * 1024 * 1024;
  const r = rig({ queueBytes: 256 * 1024, evictAfterMs: 60_000, outboundBudgetBytes: budgetBytes });
  try {
    const sockets = Array.from({ length: 6 }, () => new FakeSocket());
    const boxes = sockets.map((s, i) => r.box(`m${i}`, s));
    for (const s of sockets.slice(0, 4)) s.accept = 0; // m0..m3 never read; m4, m5 read at once
    const chunk = Buffer.alloc(16 * 1024);
    // m0 is stuck longer than the others: it should go first.
    for (let i = 0; i < 10; i++) boxes[0]!.send(chunk);
    for (let i = 0; i < 6; i++) sweep(r);
    for (let round = 0; round < 200; round++) for (const box of boxes) box.send(chunk);
    assert.equal(r.evicted[0], 'm0:budget', 'the stalled one first');
    assert.ok(r.evicted.every((e) => /^m[0-3]:budget$/.test(e)), `only non-readers: ${r.evicted.join(', ')}`);
    assert.ok(r.budget.outboundPeakBytes <= budgetBytes + chunk.length, `peak ${r.budget.outboundPeakBytes} within the budget`);
    assert.ok(r.budget.outboundBytes <= budgetBytes);
    assert.equal(boxes[4]!.send(chunk), true);
    assert.equal(boxes[5]!.send(chunk), true);
  } finally {
    r.budget.stop();
  }
});

test('flush scheduler: a flush to many sockets that took a while pauses the next one (a join storm batches), a small one does not', async () => {
  const scheduler = new FlushScheduler();
  const slowSocket = (): FakeSocket => {
    const s = new FakeSocket();
    const write = s.write.bind(s);
    s.write = (data, cb) => {
      // 300 of these: a flush of ~40 ms, so the pause after it outlasts two turns even on a loaded machine.
      const until = performance.now() + 0.13;
      while (performance.now() < until);
      return write(data, cb);
    };
    return s;
  };
  const many = Array.from({ length: 300 }, () => new Outbox(slowSocket() as unknown as Socket, scheduler, quiet, noEviction));
  for (const box of many) box.send(Buffer.from('join\n'));
  await turn();
  many[0]!.send(Buffer.from('next\n'));
  await turn();
  await turn();
  assert.equal(many[0]!.queuedBytes, 5, 'the next flush waits (a timer), it is not the next turn');
  const deadline = performance.now() + 2_000; // the pause is at most 50 ms; a loaded machine may fire the timer late
  while (many[0]!.queuedBytes > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(many[0]!.queuedBytes, 0, 'and comes after the pause');

  const small = new FlushScheduler();
  const few = Array.from({ length: 3 }, () => new Outbox(slowSocket() as unknown as Socket, small, quiet, noEviction));
  for (const box of few) box.send(Buffer.from('join\n'));
  await turn();
  few[0]!.send(Buffer.from('next\n'));
  await turn();
  assert.equal(few[0]!.queuedBytes, 0, 'a small room flushes every turn');
});

test('eviction: a queue past 16 x queueBytes is evicted at once, whatever the stall window (PROC-4 bounds the growth)', () => {
  const r = rig({ queueBytes: 256 * 1024, evictAfterMs: 60_000, outboundBudgetBytes: 1024 * 1024 * 1024 });
  try {
    const socket = new FakeSocket();
    socket.accept = 0;
    const box = r.box('stopped', socket);
    let sent = 0;
    while (box.send(Buffer.alloc(EARLY_WRITE_BYTES))) sent += EARLY_WRITE_BYTES;
    assert.deepEqual(r.evicted, ['stopped:ceiling']);
    assert.ok(sent <= 16 * 256 * 1024, `${sent} bytes queued at most`);
    assert.equal(r.budget.outboundBytes, 0, 'its bytes released');
  } finally {
    r.budget.stop();
  }
});
