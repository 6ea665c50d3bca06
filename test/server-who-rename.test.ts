// who-rename (seed 003, fixed): [ADDR]NAME:TEXT lines, who and rename to the
// requester only, and an idle timeout that really disconnects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverFixture } from './helpers/server-fixture.js';
import type { TestClient } from './helpers/server-client.js';

const profile = 'who-rename';
const welcome = (c: TestClient, name = c.addr) => `[${c.addr}]${name}:I am here`;
const login = (c: TestClient, name = c.addr) => `[${c.addr}]${name}:login`;
const chat = (c: TestClient, text: string, name = c.addr) => `[${c.addr}]${name}:${text}`;
const loginOut = (c: TestClient, name = c.addr) => `[${c.addr}]${name}:login out`;
const timeOut = (c: TestClient, name = c.addr) => `[${c.addr}]${name}:time out leave out`;

test('who-rename: join (self included), chat, who, rename, leave', async (t) => {
  const { connect } = await serverFixture(t, { profile });
  const a = await connect();
  await a.waitForLine(login(a));
  const b = await connect();
  await a.waitForLine(login(b));
  await b.waitForLine(login(b));

  a.send('who');
  await a.waitForLine(`${b.addr}:${b.addr}`);
  a.send('rename|alice');
  await a.waitForLine('rename ok');
  a.send('hi there');
  await b.waitForLine(chat(a, 'hi there', 'alice'));
  b.send('who');
  await b.waitForLine(`${b.addr}:${b.addr}`);
  // "rename" without "|", or with a NEW the profile cannot read back, is a chat line.
  b.send('rename');
  b.send('renamebob');
  b.send('rename|');
  b.send('rename|x:y');
  await a.waitForLine(chat(b, 'rename|x:y'));
  b.end();
  await a.waitForLine(loginOut(b));
  a.send('probe');
  await a.waitForLine(chat(a, 'probe', 'alice'));

  assert.deepEqual(a.lines, [
    welcome(a),
    login(a),
    login(b),
    'user list:',
    `${a.addr}:${a.addr}`,
    `${b.addr}:${b.addr}`,
    'rename ok',
    chat(a, 'hi there', 'alice'),
    chat(b, 'rename'),
    chat(b, 'renamebob'),
    chat(b, 'rename|'),
    chat(b, 'rename|x:y'),
    loginOut(b),
    chat(a, 'probe', 'alice'),
  ]);
  assert.deepEqual(b.lines, [
    welcome(b),
    login(b),
    chat(a, 'hi there', 'alice'),
    'user list:',
    `${a.addr}:alice`,
    `${b.addr}:${b.addr}`,
    chat(b, 'rename'),
    chat(b, 'renamebob'),
    chat(b, 'rename|'),
    chat(b, 'rename|x:y'),
  ]);
});

test('who-rename: an idle member is announced once with "time out leave out" and disconnected; activity resets the timer', async (t) => {
  const idleTimeoutMs = 400;
  const { connect, server } = await serverFixture(t, { profile, idleTimeoutMs });
  const busy = await connect();
  await busy.waitForLine(login(busy));
  const connecting = Date.now();
  const quiet = await connect();
  // Armed before busy talks: resolves the moment the notice arrives, for the upper bound below.
  const announcedAt = busy.waitForLine(timeOut(quiet), 1, 5_000).then(() => Date.now());
  await busy.waitForLine(login(quiet));

  // busy talks every 60 ms for well over one timeout; quiet says nothing.
  const started = Date.now();
  for (let i = 0; i < 10; i++) {
    busy.send(`tick ${i}`);
    await busy.waitForLine(chat(busy, `tick ${i}`));
    await new Promise((r) => setTimeout(r, 60));
  }
  await busy.waitForLine(timeOut(quiet));
  await quiet.waitForClose();
  assert.ok(Date.now() - started >= idleTimeoutMs, 'the quiet member outlived its timeout');
  // Upper bound too: a timer that fires far too late is as wrong as one that never fires.
  const after = (await announcedAt) - connecting;
  assert.ok(after >= idleTimeoutMs - 20 && after <= idleTimeoutMs * 1.5 + 200, `timed out ${after} ms after connecting, timeout ${idleTimeoutMs} ms`);
  assert.equal(busy.count(loginOut(busy)) + busy.count(timeOut(busy)), 0, 'busy was never timed out');
  assert.equal(busy.count(timeOut(quiet)), 1);
  assert.equal(busy.count(loginOut(quiet)), 0, 'one leave notice, the idle one');
  assert.equal(server.stats().timedOut, 1);
});

test('who-rename: a timed-out member cannot speak afterwards', async (t) => {
  const { connect } = await serverFixture(t, { profile, idleTimeoutMs: 300 });
  const a = await connect();
  await a.waitForLine(login(a));
  const b = await connect();
  // b keeps talking so that only a times out, however slow the machine.
  let talking = true;
  const keepAlive = (async () => {
    for (let i = 0; talking; i++) {
      b.send(`keepalive ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    await b.waitForLine(timeOut(a));
    // The server has ended a's session; anything a still manages to write must go nowhere.
    if (!a.ended()) a.write('ghost\n');
    await a.waitForClose();
    const c = await connect();
    await b.waitForLine(login(c));
    c.send('probe');
    await b.waitForLine(chat(c, 'probe'));
  } finally {
    talking = false;
    await keepAlive;
  }
  assert.equal(b.count(chat(a, 'ghost')), 0);
  assert.equal(b.count(timeOut(b)), 0);
});
