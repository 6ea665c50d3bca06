// Hostile input: after each, the server is still up and two other members
// still exchange a line exactly once (the liveness probe).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type TestContext, describe, test } from 'node:test';
import { type ServerFixture, serverFixture } from './helpers/server-fixture.js';
import type { TestClient } from './helpers/server-client.js';

interface Room {
  readonly fixture: ServerFixture;
  /** The two bystanders whose exchange proves the server is still serving. */
  readonly x: TestClient;
  readonly y: TestClient;
}

let probes = 0;

/** x says two lines; y must get the first exactly once, before the second. */
async function probe(room: Room, chat: (from: TestClient, text: string) => string): Promise<void> {
  const { x, y } = room;
  const first = `probe ${++probes}`;
  const second = `probe ${++probes}`;
  x.send(room.fixture.server.profile.framing === 'nameop' ? `x|1|${first}` : first);
  x.send(room.fixture.server.profile.framing === 'nameop' ? `x|1|${second}` : second);
  await y.waitForLine(chat(x, second));
  assert.equal(y.count(chat(x, first)), 1, 'the probe line arrived exactly once');
}

const gopl = {
  chat: (c: TestClient, text: string) => `${c.addr}: ${text}`,
  join: (c: TestClient) => `${c.addr} has joined us`,
  leave: (c: TestClient) => `${c.addr} has left `,
};

async function goplRoom(t: TestContext, options: { maxLineBytes?: number } = {}): Promise<Room> {
  const fixture = await serverFixture(t, { profile: 'gopl-en', ...options });
  const x = await fixture.connect();
  await x.waitForLine(`You are ${x.addr}`);
  const y = await fixture.connect();
  await x.waitForLine(gopl.join(y));
  return { fixture, x, y };
}

async function goplOffender(room: Room): Promise<TestClient> {
  const o = await room.fixture.connect();
  await room.y.waitForLine(gopl.join(o));
  return o;
}

describe('hostile input, line dialects', () => {
  test('an over-long line: the offender is disconnected and announced, nothing of it relayed', async (t) => {
    const room = await goplRoom(t, { maxLineBytes: 1024 });
    const o = await goplOffender(room);
    o.write(`${'x'.repeat(5000)}\n`);
    await o.waitForClose();
    await room.y.waitForLine(gopl.leave(o));
    await probe(room, gopl.chat);
    assert.ok(room.y.lines.every((l) => !l.includes('xxxx')));
  });

  test('an over-long line of the default limit (64 KiB) without any LF', async (t) => {
    const room = await goplRoom(t);
    const o = await goplOffender(room);
    o.write(Buffer.alloc(200_000, 0x41));
    await room.y.waitForLine(gopl.leave(o));
    await o.waitForClose();
    await probe(room, gopl.chat);
  });

  test('an invalid UTF-8 line is ignored; the sender stays a member', async (t) => {
    const room = await goplRoom(t);
    const o = await goplOffender(room);
    o.write(Buffer.from([0x62, 0x61, 0x64, 0xc3, 0x28, 0x0a, 0xed, 0xa0, 0x80, 0x0a])); // bad 2-byte seq; a surrogate
    o.send('still here');
    await room.y.waitForLine(gopl.chat(o, 'still here'));
    assert.equal(room.y.lines.filter((l) => l.startsWith(`${o.addr}: `)).length, 1);
    await probe(room, gopl.chat);
  });

  test('binary garbage, NULs and bare CRs', async (t) => {
    const room = await goplRoom(t);
    const o = await goplOffender(room);
    for (let i = 0; i < 20; i++) o.write(randomBytes(4096));
    o.write('\0\0\r\r\n\r\n\ra\rb\n');
    o.end();
    await room.y.waitForLine(gopl.leave(o));
    await probe(room, gopl.chat);
    assert.ok(room.y.lines.every((l) => !l.includes('\r')), 'no CR reaches a member');
  });

  test('one byte per write', async (t) => {
    const room = await goplRoom(t);
    const o = await goplOffender(room);
    for (const byte of Buffer.from('slow 世界 drip\n')) {
      o.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await room.y.waitForLine(gopl.chat(o, 'slow 世界 drip'));
    await probe(room, gopl.chat);
  });

  test('half-close: lines first, then one leave, then the server ends the socket; the offender still reads its echo', async (t) => {
    const room = await goplRoom(t);
    const o = await goplOffender(room);
    o.send('before fin');
    o.end();
    await o.waitForClose();
    await room.y.waitForLine(gopl.leave(o));
    assert.ok(room.y.lines.indexOf(gopl.chat(o, 'before fin')) < room.y.lines.indexOf(gopl.leave(o)));
    assert.equal(o.count(gopl.chat(o, 'before fin')), 1, 'the half-closed client got its echo');
    await probe(room, gopl.chat);
    assert.equal(room.y.count(gopl.leave(o)), 1);
  });

  test('RST right after a line', async (t) => {
    const room = await goplRoom(t);
    const o = await goplOffender(room);
    o.send('then reset');
    await room.y.waitForLine(gopl.chat(o, 'then reset'));
    o.socket.resetAndDestroy();
    await room.y.waitForLine(gopl.leave(o));
    await probe(room, gopl.chat);
    assert.equal(room.y.count(gopl.leave(o)), 1);
  });

  test('who-rename: "rename" followed by characters but no "|" (crashes the seed) is a chat line', async (t) => {
    const fixture = await serverFixture(t, { profile: 'who-rename' });
    const chat = (c: TestClient, text: string) => `[${c.addr}]${c.addr}:${text}`;
    const x = await fixture.connect();
    const y = await fixture.connect();
    await x.waitForLine(`[${y.addr}]${y.addr}:login`);
    const o = await fixture.connect();
    await y.waitForLine(`[${o.addr}]${o.addr}:login`);
    o.send('renameXY');
    o.send('rename');
    o.send(`rename|${'n'.repeat(70_000)}`);
    await o.waitForClose();
    await y.waitForLine(`[${o.addr}]${o.addr}:login out`);
    assert.deepEqual(
      y.lines.filter((l) => l.startsWith(`[${o.addr}]`)),
      [`[${o.addr}]${o.addr}:login`, chat(o, 'renameXY'), chat(o, 'rename'), `[${o.addr}]${o.addr}:login out`],
    );
    await probe({ fixture, x, y }, chat);
  });
});

describe('hostile input, nameop', () => {
  async function nameopRoom(t: TestContext): Promise<Room> {
    const fixture = await serverFixture(t, { profile: 'nameop' });
    const x = await fixture.connect();
    x.send('x|3|');
    const y = await fixture.connect();
    y.send('y|3|');
    await x.waitForLine('y|3|');
    return { fixture, x, y };
  }
  // probe() speaks as x, the name x logged in with.
  const chat = (_from: TestClient, text: string) => `x|1|${text}`;

  test('frames without "|", unknown ops, empty and over-long names, garbage: errors to the offender only', async (t) => {
    const room = await nameopRoom(t);
    const o = await room.fixture.connect();
    o.send('o|3|');
    await room.y.waitForLine('o|3|');
    const bad = ['no bar', 'o|77|unknown', '|1|empty name', `${'n'.repeat(65)}|1|long`, 'o|-1|neg', 'o||', 'o|1'];
    for (const line of bad) o.send(line);
    o.write(randomBytes(8192));
    o.write('\n');
    o.send('o|1|still here');
    await room.y.waitForLine('o|1|still here');
    assert.ok(o.lines.filter((l) => l.startsWith('*|0|400|')).length >= bad.length);
    assert.deepEqual(room.y.lines.filter((l) => l.startsWith('o|')), ['o|3|', 'o|1|still here']);
    assert.ok(room.y.lines.every((l) => !l.startsWith('*|0|')), 'errors go to the offender only');
    await probe(room, chat);
  });

  test('invalid UTF-8 (400), then an over-long frame (413, closed, announced once)', async (t) => {
    const fixture = await serverFixture(t, { profile: 'nameop', maxLineBytes: 2048 });
    const x = await fixture.connect();
    x.send('x|3|');
    const y = await fixture.connect();
    y.send('y|3|');
    await x.waitForLine('y|3|');
    const room = { fixture, x, y };
    const o = await fixture.connect();
    o.send('o|3|');
    await y.waitForLine('o|3|');
    o.write(Buffer.concat([Buffer.from('o|1|bad '), Buffer.from([0xc0, 0xaf]), Buffer.from('\n')]));
    o.write(`o|1|${'z'.repeat(10_000)}\n`);
    await o.waitForClose();
    assert.deepEqual(
      o.lines.filter((l) => l.startsWith('*|0|')).map((l) => l.slice(0, 8)),
      ['*|0|400|', '*|0|413|'],
    );
    await probe(room, chat);
    for (const member of [x, y]) {
      assert.equal(member.count('o|2|'), 1, 'one leave notice');
      assert.ok(member.lines.every((l) => !l.startsWith('o|1|')), 'nothing of the bad frames relayed');
    }
  });
});
