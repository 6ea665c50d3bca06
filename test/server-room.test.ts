// The room's turn batch: events broadcast in one turn reach each member as
// one Buffer (the same one for every member present all turn and left out of
// none), in the order they happened for that member, replies and welcomes
// included; a member that joins mid-turn gets only what follows its join.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { Client } from '../src/reference-server/client.js';
import { EARLY_WRITE_BYTES, FlushScheduler, type OutboxObserver } from '../src/reference-server/outbox.js';
import { Room } from '../src/reference-server/room.js';
import { FakeSocket } from './helpers/fake-socket.js';

const quiet: OutboxObserver = { queued: () => {}, blocked: () => {}, drained: () => {} };
const turn = () => new Promise((resolve) => setImmediate(resolve));

interface Member {
  readonly client: Client;
  readonly socket: FakeSocket;
}

function rig(): { scheduler: FlushScheduler; room: Room<Member>; member: (id: number) => Member } {
  const scheduler = new FlushScheduler();
  const room = new Room<Member>(scheduler);
  const member = (id: number): Member => {
    const socket = new FakeSocket();
    const client = new Client(id, socket as unknown as Socket, `127.0.0.1:${id}`, scheduler, quiet, () => assert.fail('no eviction expected'));
    return { client, socket };
  };
  return { scheduler, room, member };
}

const wire = (m: Member): string => m.socket.wire;

test('room: a turn of events reaches each member as one Buffer, the same for every member present all turn', async () => {
  const { room, member } = rig();
  const [a, b, c] = [member(1), member(2), member(3)];
  for (const m of [a, b, c]) room.add(m);
  room.broadcast(Buffer.from('j1\n'));
  room.broadcast(Buffer.from('j2\n'));
  room.broadcast(Buffer.from('j3\n'));
  assert.equal(a.socket.writes.length, 0, 'nothing is written before the turn ends');
  await turn();
  for (const m of [a, b, c]) {
    assert.equal(m.socket.writes.length, 1, 'one write per member');
    assert.equal(wire(m), 'j1\nj2\nj3\n');
  }
  assert.equal(a.socket.writes[0], b.socket.writes[0], 'one Buffer shared by the members');
});

test('room: a member left out of an event gets the rest in order; a joiner mid-turn gets only what follows its join', async () => {
  const { room, member } = rig();
  const [a, b, late] = [member(1), member(2), member(3)];
  room.add(a);
  room.add(b);
  room.broadcast(Buffer.from('x from a\n'), a);
  room.broadcast(Buffer.from('y\n'));
  room.add(late);
  room.broadcast(Buffer.from('late has joined\n'), late);
  room.broadcast(Buffer.from('z\n'));
  await turn();
  assert.equal(wire(a), 'y\nlate has joined\nz\n');
  assert.equal(wire(b), 'x from a\ny\nlate has joined\nz\n');
  assert.equal(wire(late), 'z\n');
});

test('room: a line sent to one member keeps its place among the turn\'s events (reply, welcome, leave, FIN)', async () => {
  const { room, member } = rig();
  const [a, b] = [member(1), member(2)];
  room.add(a);
  room.add(b);
  room.broadcast(Buffer.from('before\n'));
  a.client.send(Buffer.from('reply to a\n'));
  room.broadcast(Buffer.from('after\n'));
  room.broadcast(Buffer.from('b leaves\n'));
  room.remove(b);
  b.client.send(Buffer.from('bye b\n'));
  room.broadcast(Buffer.from('after b left\n'));
  await turn();
  assert.equal(wire(a), 'before\nreply to a\nafter\nb leaves\nafter b left\n');
  assert.equal(wire(b), 'before\nafter\nb leaves\nbye b\n');

  const c = member(3);
  room.add(c);
  room.broadcast(Buffer.from('last words\n'));
  c.client.end();
  assert.equal(wire(c), 'last words\n', 'a connection that ends first gets its share of the turn');
  assert.ok(c.socket.ended);
  c.client.dispose();
});

test('room: a turn whose events reach EARLY_WRITE_BYTES is delivered at once (a burst is not held to the end of the turn)', () => {
  const { room, member } = rig();
  const a = member(1);
  room.add(a);
  const line = Buffer.alloc(1024, 0x61);
  line[line.length - 1] = 0x0a;
  for (let i = 0; i < EARLY_WRITE_BYTES / line.length; i++) room.broadcast(line);
  assert.ok(a.socket.writes.length >= 1, 'written before the turn ended');
  assert.equal(a.socket.wire.length, EARLY_WRITE_BYTES);
});

test('room: what a delivery sets off (an eviction\'s leave notice) is delivered in the same flush', async () => {
  const scheduler = new FlushScheduler();
  const room = new Room<Member>(scheduler);
  const sockets: FakeSocket[] = [];
  let evicted: Member | undefined;
  const member = (id: number, onQueue?: () => void): Member => {
    const socket = new FakeSocket();
    sockets.push(socket);
    const observer: OutboxObserver = { ...quiet, queued: (_, delta) => (delta > 0 ? onQueue?.() : undefined) };
    return { client: new Client(id, socket as unknown as Socket, `127.0.0.1:${id}`, scheduler, observer, () => {}), socket };
  };
  const a = member(1);
  const b: Member = member(2, () => {
    if (evicted) return;
    evicted = b;
    room.remove(b);
    room.broadcast(Buffer.from('b was evicted\n'));
  });
  room.add(b);
  room.add(a);
  room.broadcast(Buffer.from('e\n'));
  await turn();
  await turn();
  assert.equal(wire(a), 'e\nb was evicted\n');
});
