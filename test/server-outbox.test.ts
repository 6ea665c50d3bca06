// The outbound queue: one write per client per event-loop turn, and an
// overflow (counting the socket's own buffer too) reported exactly once.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { FlushScheduler, Outbox } from '../src/reference-server/outbox.js';

class FakeSocket {
  writable = true;
  writableLength = 0;
  readonly writes: Buffer[] = [];
  write(data: Buffer): boolean {
    this.writes.push(data);
    this.writableLength += data.length;
    return true;
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('outbox: buffers sent in one turn go out in one write, in order, the same Buffer shared', async () => {
  const scheduler = new FlushScheduler();
  const one = new FakeSocket();
  const two = new FakeSocket();
  const a = new Outbox(one as unknown as Socket, 1000, scheduler, () => assert.fail('no overflow'));
  const b = new Outbox(two as unknown as Socket, 1000, scheduler, () => assert.fail('no overflow'));
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

test('outbox: the limit counts pending bytes plus the socket buffer; overflow is reported once and drops the queue', async () => {
  const scheduler = new FlushScheduler();
  const socket = new FakeSocket();
  const overflows: number[] = [];
  const box = new Outbox(socket as unknown as Socket, 100, scheduler, (queued) => overflows.push(queued));
  assert.equal(box.send(Buffer.alloc(60)), true);
  await turn();
  assert.equal(box.queuedBytes, 60, 'the socket still holds what was written');
  assert.equal(box.send(Buffer.alloc(40)), true, 'exactly at the limit is fine');
  assert.equal(box.send(Buffer.alloc(1)), false);
  assert.deepEqual(overflows, [101]);
  assert.equal(box.send(Buffer.alloc(1)), false, 'an overflowing client gets nothing more');
  assert.deepEqual(overflows, [101], 'reported once');
  await turn();
  assert.equal(socket.writes.length, 1, 'the queue of an overflowing client is not flushed');
  socket.writableLength = 0;
  assert.equal(box.send(Buffer.alloc(1)), false, 'even once its socket drains');
});
