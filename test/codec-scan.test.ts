// The zero-object LineScanner frames exactly as LineDecoder does (same lines,
// same too-long offsets) for any bytes and any chunking; it only skips the
// UTF-8 check, so valid frames are compared by their bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LineDecoder, LineScanner, lineText } from '../src/codec/index.js';

type Item = { line: string } | { tooLong: number };

function viaScanner(chunks: Buffer[], max: number, crlf: 'strip' | 'keep'): Item[] {
  const out: Item[] = [];
  const scanner = new LineScanner(
    { line: (buf, start, end) => out.push({ line: buf.toString('latin1', start, end) }), tooLong: (offset) => out.push({ tooLong: offset }) },
    { maxFrameBytes: max, crlf },
  );
  for (const c of chunks) scanner.push(c);
  scanner.end();
  return out;
}

function viaDecoder(chunks: Buffer[], max: number, crlf: 'strip' | 'keep'): Item[] {
  const decoder = new LineDecoder({ maxFrameBytes: max, crlf, trailing: 'frame' });
  const items = chunks.flatMap((c) => decoder.push(c)).concat(decoder.end());
  // latin1 of the frame's bytes, to compare byte for byte with the scanner (no UTF-8 there).
  const stream = Buffer.concat(chunks);
  return items.flatMap((item): Item[] => {
    if (item.kind === 'frame') return [{ line: stream.toString('latin1', item.frame.offset, item.frame.offset + item.frame.byteLength) }];
    if (item.error.code === 'FRAME_TOO_LONG') return [{ tooLong: item.error.offset }];
    // INVALID_UTF8: the scanner still delivers the bytes; find them from the offset to the LF.
    const start = lineStart(stream, item.error.offset);
    let end = stream.indexOf(0x0a, start);
    if (end < 0) end = stream.length;
    if (crlf === 'strip' && end > start && stream[end - 1] === 0x0d) end--;
    return [{ line: stream.toString('latin1', start, end) }];
  });
}

/** The stream cut into chunks of the given sizes, repeated. */
function chunked(stream: Buffer, cuts: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < stream.length; i++) {
    const n = cuts[i % cuts.length]!;
    chunks.push(stream.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

const lineStart = (stream: Buffer, at: number): number => (at === 0 ? 0 : stream.lastIndexOf(0x0a, at - 1) + 1);

const byte = fc.constantFrom(0x61, 0x62, 0x0a, 0x0d, 0xc3, 0xa9, 0xff, 0x7c);

test('LineScanner: same lines and too-long offsets as LineDecoder, any chunking', () => {
  fc.assert(
    fc.property(
      fc.array(byte, { maxLength: 200 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
      fc.integer({ min: 0, max: 12 }),
      fc.constantFrom('strip' as const, 'keep' as const),
      (bytes, cuts, max, crlf) => {
        const chunks = chunked(Buffer.from(bytes), cuts);
        assert.deepEqual(viaScanner(chunks, max, crlf), viaDecoder(chunks, max, crlf));
      },
    ),
    { numRuns: 2000 },
  );
});

test('lineText over LineScanner: the same texts and the same rejected lines as LineDecoder (the reference server reads lines this way)', () => {
  type Read = { text: string } | { error: string };
  // Bytes that make ill-formed UTF-8, well-formed multi-byte characters, and U+FFFD itself (EF BF BD) written by the client.
  const utf8Byte = fc.constantFrom(0x61, 0x0a, 0x0d, 0xc3, 0xa9, 0xff, 0xef, 0xbf, 0xbd, 0xe2, 0x82, 0xac, 0xed, 0xa0, 0x80);
  fc.assert(
    fc.property(
      fc.array(utf8Byte, { maxLength: 200 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
      fc.integer({ min: 0, max: 16 }),
      (bytes, cuts, max) => {
        const chunks = chunked(Buffer.from(bytes), cuts);
        const scanned: Read[] = [];
        const scanner = new LineScanner(
          {
            line: (buf, start, end) => {
              const text = lineText(buf, start, end);
              scanned.push(text === undefined ? { error: 'INVALID_UTF8' } : { text });
            },
            tooLong: () => scanned.push({ error: 'FRAME_TOO_LONG' }),
          },
          { maxFrameBytes: max, crlf: 'strip' },
        );
        for (const c of chunks) scanner.push(c);
        scanner.end();
        const decoder = new LineDecoder({ maxFrameBytes: max, crlf: 'strip', trailing: 'frame' });
        const decoded = chunks
          .flatMap((c) => decoder.push(c))
          .concat(decoder.end())
          .map((item): Read => (item.kind === 'frame' ? { text: item.frame.text } : { error: item.error.code }));
        assert.deepEqual(scanned, decoded);
      },
    ),
    { numRuns: 2000 },
  );
  assert.equal(lineText(Buffer.from('a \uFFFD b'), 0, 9), 'a \uFFFD b', 'a U+FFFD the client sent is text');
  assert.equal(lineText(Buffer.from([0x61, 0xff, 0x62]), 0, 3), undefined);
});

test('LineScanner: no object per line: the handler gets the chunk itself and offsets', () => {
  const chunk = Buffer.from('one\r\ntwo\nthr');
  const seen: [Buffer, number, number][] = [];
  const scanner = new LineScanner({ line: (buf, s, e) => seen.push([buf, s, e]), tooLong: () => assert.fail('no long line') });
  scanner.push(chunk);
  assert.deepEqual(seen.map(([b, s, e]) => [b === chunk, s, e]), [
    [true, 0, 3],
    [true, 5, 8],
  ]);
  scanner.push(Buffer.from('ee\n'));
  assert.equal(seen.length, 3);
  assert.equal(seen[2]![0].toString('latin1', seen[2]![1], seen[2]![2]), 'three');
});
