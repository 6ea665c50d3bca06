// Framing goes through the codec: TCP segmentation, several lines per write,
// CRLF and a last line without LF do not change what members receive.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverFixture } from './helpers/server-fixture.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function goplPair(t: Parameters<typeof serverFixture>[0]) {
  const { connect } = await serverFixture(t, { profile: 'gopl-en' });
  const a = await connect();
  await a.waitForLine(`You are ${a.addr}`);
  const b = await connect();
  await a.waitForLine(`${b.addr} has joined us`);
  return { a, b };
}

test('framing: a line split across many writes with delays, a UTF-8 character split in two', async (t) => {
  const { a, b } = await goplPair(t);
  const bytes = Buffer.from('split 世界 line\n');
  const cuts = [0, 3, 7, 8, 10, 11, bytes.length]; // 7 and 10 fall inside 世 and 界
  for (let i = 1; i < cuts.length; i++) {
    b.write(bytes.subarray(cuts[i - 1], cuts[i]));
    await pause(15);
  }
  await a.waitForLine(`${b.addr}: split 世界 line`);
  b.send('probe');
  await a.waitForLine(`${b.addr}: probe`);
  assert.deepEqual(a.lines.slice(2), [`${b.addr}: split 世界 line`, `${b.addr}: probe`]);
});

test('framing: many lines in one write arrive as separate lines, in order; CRLF ends a line like LF', async (t) => {
  const { a, b } = await goplPair(t);
  const texts = Array.from({ length: 200 }, (_, i) => `line ${i}`);
  b.write(`${texts.join('\n')}\nwith crlf\r\nlast\n`);
  await a.waitForLine(`${b.addr}: last`);
  assert.deepEqual(a.lines.slice(2), [...texts, 'with crlf', 'last'].map((x) => `${b.addr}: ${x}`));
});

test('framing: a last line without LF before FIN is delivered, before the leave notice', async (t) => {
  const { a, b } = await goplPair(t);
  b.write('first\nno newline at the end');
  b.end();
  await a.waitForLine(`${b.addr} has left `);
  assert.deepEqual(a.lines.slice(2), [`${b.addr}: first`, `${b.addr}: no newline at the end`, `${b.addr} has left `]);
});

test('framing: nameop frames split byte by byte and batched in one write', async (t) => {
  const { connect } = await serverFixture(t, { profile: 'nameop' });
  const a = await connect();
  const frames = Buffer.from('alice|3|\nalice|1|one\r\nalice|1|two|with|bars\n');
  for (const byte of frames) a.write(Buffer.from([byte]));
  await a.waitForLine('alice|1|two|with|bars');
  assert.deepEqual(a.lines, ['alice|3|', 'alice|1|one', 'alice|1|two|with|bars']);
});
