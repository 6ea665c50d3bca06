// nameop (the canonical Name|Op|Msg protocol): every op, and every error code
// sent to the offending connection only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverFixture } from './helpers/server-fixture.js';
import type { TestClient } from './helpers/server-client.js';
import { eventually } from './helpers/server-wait.js';

const profile = 'nameop';

/** The codes of the error frames a client received, in order. */
const errorCodes = (c: TestClient): number[] =>
  c.lines.filter((l) => l.startsWith('*|0|')).map((l) => Number(l.split('|')[2]));

async function login(c: TestClient, name: string): Promise<void> {
  c.send(`${name}|3|`);
  await c.waitForLine(`${name}|3|`);
}

test('nameop: login, say, profile, private, groups, lists and quit', async (t) => {
  const { connect } = await serverFixture(t, { profile });
  const a = await connect();
  await login(a, 'alice');
  const b = await connect();
  await login(b, 'bob');
  await a.waitForLine('bob|3|');

  a.send('alice|1|hi|there|');
  a.send('alice|4|my status');
  a.send('alice|5|bob|psst|x');
  a.send('alice|7|g1');
  await b.waitForLine('alice|5|bob|psst|x');
  b.send('bob|7|g1');
  await a.waitForLine('bob|7|g1');
  a.send('alice|7|g2');
  a.send('alice|7|g2'); // joining again: acknowledged to the joiner alone
  a.send('alice|9|');
  await a.waitForLine('*|9|alice|bob');
  b.send('bob|8|');
  await b.waitForLine('*|8|g1|g2');

  const c = await connect();
  c.send('carol|8|');
  await login(c, 'carol');
  a.send('alice|6|g1|to g1 | all');
  await b.waitForLine('alice|6|g1|to g1 | all');
  b.send('bob|2|');
  await b.waitForClose();
  await c.waitForLine('bob|2|');
  a.send('alice|9|');
  await a.waitForLine('*|9|alice|carol');
  // A name released by a leave can be taken again.
  const d = await connect();
  await login(d, 'bob');
  await c.waitForLine('bob|3|');
  c.send('carol|1|probe');
  await a.waitForLine('carol|1|probe');
  await d.waitForLine('carol|1|probe');

  assert.deepEqual(a.lines, [
    'alice|3|',
    'bob|3|',
    'alice|1|hi|there|',
    'alice|4|my status',
    'alice|7|g1',
    'bob|7|g1',
    'alice|7|g2',
    'alice|7|g2',
    '*|9|alice|bob',
    'carol|3|',
    'alice|6|g1|to g1 | all',
    'bob|2|',
    '*|9|alice|carol',
    'bob|3|',
    'carol|1|probe',
  ]);
  assert.deepEqual(b.lines, [
    'bob|3|',
    'alice|1|hi|there|',
    'alice|5|bob|psst|x',
    'bob|7|g1',
    '*|8|g1|g2',
    'carol|3|',
    'alice|6|g1|to g1 | all',
  ]);
  assert.deepEqual(c.lines, ['*|0|401|login required', 'carol|3|', 'bob|2|', 'bob|3|', 'carol|1|probe']);
  assert.deepEqual(d.lines, ['bob|3|', 'carol|1|probe']);
});

test('nameop: an empty group list, and groups that die with their last member', async (t) => {
  const { connect } = await serverFixture(t, { profile });
  const a = await connect();
  await login(a, 'alice');
  a.send('alice|8|');
  await a.waitForLine('*|8|');
  const b = await connect();
  await login(b, 'bob');
  b.send('bob|7|solo');
  await b.waitForLine('bob|7|solo');
  b.destroy();
  await a.waitForLine('bob|2|');
  a.send('alice|8|');
  await a.waitForLine('*|8|', 2);
});

test('nameop: 400, 401, 403, 404 and 409 go to the offender only and nothing is relayed', async (t) => {
  const { connect } = await serverFixture(t, { profile });
  const a = await connect();
  // Before login: 401 for anything but login and quit; malformed frames are 400.
  a.send('alice|1|too early');
  a.send('alice|5|bob|too early');
  a.send('no bar at all');
  a.send('one|bar');
  a.send('alice|x|bad op');
  a.send('alice|0|op zero');
  a.send('alice|10|unknown op');
  a.send('|1|empty name');
  a.send(`${'n'.repeat(65)}|3|`);
  a.write(Buffer.from([0x61, 0x7c, 0x31, 0x7c, 0xff, 0xfe, 0x0a])); // a|1|<invalid UTF-8>
  a.send('*|3|');
  a.send('*root|3|');
  await login(a, 'alice');
  assert.deepEqual(errorCodes(a), [401, 401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]);

  const b = await connect();
  b.send('alice|3|');
  await b.waitFor((l) => l.some((x) => x.startsWith('*|0|409|')), '409');
  await login(b, 'bob');
  await a.waitForLine('bob|3|');

  b.send('bob|3|');
  b.send('alice|1|spoofed');
  b.send('alice|2|');
  b.send('bob|5|nobody|hello');
  b.send('bob|5|no-target-separator');
  b.send('bob|6|nogroup|hello');
  a.send('alice|7|club');
  await a.waitForLine('alice|7|club');
  b.send('bob|6|club|not a member');
  b.send('bob|6|club');
  b.send('bob|7|');
  b.send(`bob|7|${'g'.repeat(65)}`);
  b.send('bob|7|a|b');
  b.send('bob|1|a\rb');
  b.send('bob|9|');
  await b.waitForLine('*|9|alice|bob');
  assert.deepEqual(errorCodes(b), [409, 400, 403, 403, 404, 400, 404, 403, 400, 400, 400, 400, 400]);

  a.send('alice|1|probe');
  await b.waitForLine('alice|1|probe');
  assert.deepEqual(a.lines.slice(a.lines.indexOf('alice|3|')), ['alice|3|', 'bob|3|', 'alice|7|club', 'alice|1|probe']);
  assert.ok(b.lines.every((l) => !l.includes('spoofed')), 'a spoofed frame is not relayed');
});

test('nameop: 413 for an over-long frame, then the connection is closed and the leave announced', async (t) => {
  const { connect } = await serverFixture(t, { profile, maxLineBytes: 1024 });
  const a = await connect();
  await login(a, 'alice');
  const b = await connect();
  await login(b, 'bob');
  b.send(`bob|1|${'x'.repeat(2000)}`);
  await b.waitForClose();
  assert.ok(b.lines.some((l) => l.startsWith('*|0|413|')), 'the offender hears 413');
  await a.waitForLine('bob|2|');
  a.send('alice|1|probe');
  await a.waitForLine('alice|1|probe');
  assert.ok(a.lines.every((l) => !l.startsWith('bob|1|')), 'nothing of the long frame is relayed');
});

test('nameop: 503 when the server is full, then closed; quit before login just closes', async (t) => {
  const { connect, server } = await serverFixture(t, { profile, maxClients: 2 });
  const a = await connect();
  await login(a, 'alice');
  const b = await connect();
  await login(b, 'bob');
  const c = await connect();
  await c.waitForClose();
  assert.deepEqual(errorCodes(c), [503]);
  b.send('bob|2|');
  await a.waitForLine('bob|2|');
  await b.waitForClose();
  await eventually(() => server.stats().clients === 1, 'the server to see b and c closed');
  const d = await connect();
  d.send('dave|2|');
  await d.waitForClose();
  assert.deepEqual(d.lines, []);
  assert.equal(server.stats().rejected, 1);
  a.send('alice|9|');
  await a.waitForLine('*|9|alice');
});
