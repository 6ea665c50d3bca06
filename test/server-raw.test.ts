// raw (seed 000, fixed): whole lines to every connection, the sender
// included; no notices; a tail without LF goes out after 500 ms of silence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverFixture } from './helpers/server-fixture.js';
import { eventually } from './helpers/server-wait.js';

const profile = 'raw';

test('raw: lines go to everyone, sender included, never two senders inside one line, no notices', async (t) => {
  const { connect, server } = await serverFixture(t, { profile });
  const a = await connect();
  const b = await connect();
  const c = await connect();
  await eventually(() => server.stats().members === 3, 'three members');

  a.send(`${a.addr} say:hello`);
  await c.waitForLine(`${a.addr} say:hello`);
  // a's line is half written when b's whole line arrives: b's goes first, a's stays whole.
  a.write(`${a.addr} say:part one, `);
  b.send(`${b.addr} say:from b`);
  await a.waitForLine(`${b.addr} say:from b`);
  a.write('part two\n');
  for (const client of [a, b, c]) await client.waitForLine(`${a.addr} say:part one, part two`);
  c.end();
  await c.waitForClose();
  b.send('after');
  await a.waitForLine('after');

  const expected = [`${a.addr} say:hello`, `${b.addr} say:from b`, `${a.addr} say:part one, part two`];
  assert.deepEqual(a.lines, [...expected, 'after']);
  assert.deepEqual(b.lines.slice(0, 3), expected);
  assert.deepEqual(c.lines, expected);
});

test('raw: bytes after the last LF are relayed as a line after 500 ms of silence (the seed client writes no LF)', async (t) => {
  const { connect, server } = await serverFixture(t, { profile });
  const a = await connect();
  const b = await connect();
  await eventually(() => server.stats().members === 2, 'two members');
  const started = Date.now();
  a.write(`${a.addr} say:no newline`);
  await b.waitForLine(`${a.addr} say:no newline`);
  assert.ok(Date.now() - started >= 450, 'the tail waited for the sender to go quiet');
  a.write(`${a.addr} say:second`);
  await b.waitForLine(`${a.addr} say:second`);
  assert.deepEqual(b.lines, [`${a.addr} say:no newline`, `${a.addr} say:second`]);
  assert.deepEqual(a.lines, b.lines);
});
