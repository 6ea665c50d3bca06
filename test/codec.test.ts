import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CODEC_ERROR_CODES,
  DEFAULT_MAX_FRAME_BYTES,
  LineDecoder,
  MAX_NAME_BYTES,
  NameopDecoder,
  decodeLines,
  decodeNameop,
  encodeLine,
  encodeNameop,
  parseNameop,
  type CodecErrorCode,
  type CrlfPolicy,
  type Decoded,
  type DecoderOptions,
  type EncodeResult,
  type LineFrame,
  type NameopFrame,
} from '../src/codec/index.js';

const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

/** Items without their human-readable messages, to compare with expectations. */
function plain(items: readonly Decoded<unknown>[]): unknown[] {
  return items.map((item) =>
    item.kind === 'frame' ? { frame: item.frame } : { error: { code: item.error.code, offset: item.error.offset } },
  );
}

const line = (text: string, offset: number, byteLength = Buffer.byteLength(text)) => ({ frame: { text, offset, byteLength } });
const nameop = (name: string, op: number, msg: string, offset: number, byteLength: number) => ({
  frame: { name, op, msg, offset, byteLength },
});
const err = (code: CodecErrorCode, offset: number) => ({ error: { code, offset } });

type Protocol = 'line' | 'nameop';
const decoderFor = (protocol: Protocol, options?: DecoderOptions): LineDecoder | NameopDecoder =>
  protocol === 'line' ? new LineDecoder(options) : new NameopDecoder(options);

function decodeChunks(protocol: Protocol, chunks: Uint8Array[], options?: DecoderOptions): Decoded<LineFrame | NameopFrame>[] {
  const decoder = decoderFor(protocol, options);
  const out: Decoded<LineFrame | NameopFrame>[] = [];
  for (const chunk of chunks) out.push(...decoder.push(chunk));
  out.push(...decoder.end());
  return out;
}

const decodeWhole = (protocol: Protocol, stream: Uint8Array, options?: DecoderOptions) =>
  protocol === 'line' ? decodeLines(stream, options) : decodeNameop(stream, options);

/** Cuts `stream` at the given points (any naturals, reduced modulo its length). */
function split(stream: Uint8Array, points: number[]): Uint8Array[] {
  const cuts = [...new Set(points.map((p) => p % (stream.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const cut of [...cuts, stream.length]) {
    chunks.push(stream.subarray(at, cut));
    at = cut;
  }
  return chunks;
}

const encoded = (result: EncodeResult): Buffer => {
  if (!result.ok) throw new Error(`encoder refused: ${result.error.message}`);
  return result.bytes;
};

describe('LineDecoder', () => {
  test('splits at LF with stream offsets and byte lengths', () => {
    assert.deepEqual(plain(decodeLines(bytes('hello\n\nwörld\n'))), [line('hello', 0), line('', 6), line('wörld', 7)]);
  });

  test('accepts a plain Uint8Array', () => {
    assert.deepEqual(plain(decodeLines(new Uint8Array([0x68, 0x69, 0x0a]))), [line('hi', 0)]);
  });

  test("crlf 'strip' (default) removes one CR before LF and keeps a bare CR", () => {
    assert.deepEqual(plain(decodeLines(bytes('a\r\nb\r\r\nc\rd\n'))), [
      line('a', 0, 1),
      line('b\r', 3, 2),
      line('c\rd', 7, 3),
    ]);
  });

  test("crlf 'keep' leaves the CR in the text", () => {
    assert.deepEqual(plain(decodeLines(bytes('a\r\nb\n'), { crlf: 'keep' })), [line('a\r', 0, 2), line('b', 3)]);
  });

  test("crlf 'strict' reports BARE_CR at the CR and goes on with the next frame", () => {
    assert.deepEqual(plain(decodeLines(bytes('ok\nab\r\nx\ry\n\r\nend\n'), { crlf: 'strict' })), [
      line('ok', 0),
      err('BARE_CR', 5),
      err('BARE_CR', 8),
      err('BARE_CR', 11),
      line('end', 13),
    ]);
  });

  test("crlf 'strict' finds the CR in a frame split across pushes and in non-ASCII frames", () => {
    const stream = bytes('é\rx\nok\n');
    for (let cut = 0; cut <= stream.length; cut++)
      assert.deepEqual(plain(decodeChunks('line', split(stream, [cut]), { crlf: 'strict' })), [
        err('BARE_CR', 2),
        line('ok', 5),
      ]);
  });

  test("end(): trailing 'frame' (default) emits the unterminated rest, after the same checks", () => {
    assert.deepEqual(plain(decodeLines(bytes('a\nbc'))), [line('a', 0), line('bc', 2)]);
    assert.deepEqual(plain(decodeLines(bytes('a\nbc\r'))), [line('a', 0), line('bc', 2, 2)]);
    assert.deepEqual(plain(decodeLines(bytes('a\nbc\r'), { crlf: 'keep' })), [line('a', 0), line('bc\r', 2, 3)]);
    assert.deepEqual(plain(decodeLines(bytes('a\n', [0xff]))), [line('a', 0), err('INVALID_UTF8', 2)]);
  });

  test("end(): trailing 'error' reports UNTERMINATED at the first unterminated byte; 'drop' discards", () => {
    assert.deepEqual(plain(decodeLines(bytes('a\nbc'), { trailing: 'error' })), [line('a', 0), err('UNTERMINATED', 2)]);
    assert.deepEqual(plain(decodeLines(bytes('a\nbc'), { trailing: 'drop' })), [line('a', 0)]);
    assert.deepEqual(plain(decodeLines(bytes('a\n'), { trailing: 'error' })), [line('a', 0)]);
  });

  test('end() resets the decoder for a new stream at offset 0', () => {
    const decoder = new LineDecoder();
    assert.deepEqual(plain(decoder.push(bytes('one\ntw'))), [line('one', 0)]);
    assert.deepEqual(plain(decoder.end()), [line('tw', 4)]);
    assert.equal(decoder.bufferedBytes, 0);
    assert.deepEqual(plain(decoder.push(bytes('x\n'))), [line('x', 0)]);
  });

  test('a frame of exactly maxFrameBytes passes; one byte more is FRAME_TOO_LONG at its first byte', () => {
    const max = 8;
    assert.deepEqual(plain(decodeLines(bytes('12345678\n'), { maxFrameBytes: max })), [line('12345678', 0)]);
    assert.deepEqual(plain(decodeLines(bytes('x\n123456789\ny\n'), { maxFrameBytes: max })), [
      line('x', 0),
      err('FRAME_TOO_LONG', 2),
      line('y', 12),
    ]);
    assert.equal(DEFAULT_MAX_FRAME_BYTES, 65536);
    const atDefault = Buffer.alloc(DEFAULT_MAX_FRAME_BYTES, 0x61);
    assert.equal(decodeLines(bytes(atDefault.toString(), '\n'))[0]?.kind, 'frame');
    assert.deepEqual(plain(decodeLines(bytes(atDefault.toString(), 'a\n'))), [err('FRAME_TOO_LONG', 0)]);
  });

  test('the CR of CR LF does not count toward the limit under strip, even when the LF comes in the next push', () => {
    const max = 4;
    for (const chunks of [[bytes('abcd\r\n')], [bytes('abcd\r'), bytes('\n')], [bytes('ab'), bytes('cd\r'), bytes('\nz\n')]]) {
      const items = plain(decodeChunks('line', chunks, { maxFrameBytes: max }));
      assert.deepEqual(items[0], line('abcd', 0, 4));
    }
    assert.deepEqual(plain(decodeChunks('line', [bytes('abcd\r'), bytes('x\n')], { maxFrameBytes: max })), [
      err('FRAME_TOO_LONG', 0),
    ]);
    assert.deepEqual(plain(decodeLines(bytes('abcd\r\n'), { maxFrameBytes: max, crlf: 'keep' })), [err('FRAME_TOO_LONG', 0)]);
    assert.deepEqual(plain(decodeLines(bytes('abcd\r\n'), { maxFrameBytes: max, crlf: 'strict' })), [
      err('FRAME_TOO_LONG', 0),
    ]);
  });

  test('FRAME_TOO_LONG is reported once, as soon as the limit is passed, and decoding resumes after the next LF', () => {
    const decoder = new LineDecoder({ maxFrameBytes: 4 });
    assert.deepEqual(plain(decoder.push(bytes('ok\nab'))), [line('ok', 0)]);
    assert.deepEqual(plain(decoder.push(bytes('cde'))), [err('FRAME_TOO_LONG', 3)]);
    assert.equal(decoder.bufferedBytes, 0);
    assert.deepEqual(plain(decoder.push(bytes('fghijklmnop'))), []);
    assert.deepEqual(plain(decoder.push(bytes('q\nnext\n'))), [line('next', 21)]);
    assert.deepEqual(plain(decoder.end()), []);
  });

  test('a stream with no LF holds at most maxFrameBytes + 1 bytes (1 MiB in 1000-byte pushes)', () => {
    const max = 4096;
    const decoder = new LineDecoder({ maxFrameBytes: max });
    const chunk = Buffer.alloc(1000, 0x61);
    const errors: string[] = [];
    for (let i = 0; i < 1049; i++) {
      for (const item of decoder.push(chunk)) errors.push(item.kind === 'error' ? item.error.code : 'frame');
      assert.ok(decoder.bufferedBytes <= max + 1, `holds ${decoder.bufferedBytes} bytes`);
    }
    assert.deepEqual(errors, ['FRAME_TOO_LONG']);
    assert.deepEqual(plain(decoder.push(bytes('tail\nok\n'))), [line('ok', 1049 * 1000 + 5)]);
  });

  test('INVALID_UTF8 points at the first byte of the first ill-formed character', () => {
    const cases: [string, number[], number][] = [
      ['overlong "/" C0 AF', [0x61, 0xc0, 0xaf], 1],
      ['overlong E0 80 AF', [0x61, 0x62, 0xe0, 0x80, 0xaf], 2],
      ['overlong F0 80 80 AF', [0xf0, 0x80, 0x80, 0xaf], 0],
      ['lone surrogate ED A0 80', [0x78, 0xed, 0xa0, 0x80], 1],
      ['truncated E4 BD', [0xc3, 0xa9, 0xe4, 0xbd], 2],
      ['above U+10FFFF F4 90 80 80', [0xf4, 0x90, 0x80, 0x80], 0],
      ['stray continuation 80', [0x61, 0x80], 1],
      ['F5 never starts a character', [0xf5, 0x80, 0x80, 0x80], 0],
      ['bad second byte after a good character', [0xe4, 0xbd, 0xa0, 0xe4, 0x41, 0x41], 3],
    ];
    for (const [what, frame, bad] of cases) {
      const stream = bytes('ok\n', frame, '\nafter\n');
      assert.deepEqual(
        plain(decodeLines(stream)),
        [line('ok', 0), err('INVALID_UTF8', 3 + bad), line('after', 4 + frame.length)],
        what,
      );
    }
  });

  test('a multi-byte character split at every point decodes intact', () => {
    const stream = bytes('你好😀é\nsecond 世界\n');
    const whole = plain(decodeLines(stream));
    assert.deepEqual(whole, [line('你好😀é', 0), line('second 世界', 13)]);
    for (let a = 0; a <= stream.length; a++)
      for (let b = a; b <= stream.length; b++) assert.deepEqual(plain(decodeChunks('line', split(stream, [a, b]))), whole);
    assert.deepEqual(plain(decodeChunks('line', split(stream, [...stream.keys()]))), whole);
  });

  test('does not keep a reference to a pushed chunk', () => {
    const decoder = new LineDecoder();
    const chunk = bytes('abc');
    decoder.push(chunk);
    chunk.fill(0x7a);
    assert.deepEqual(plain(decoder.push(bytes('d\n'))), [line('abcd', 0)]);
  });

  test('bad options are a RangeError at construction', () => {
    assert.throws(() => new LineDecoder({ maxFrameBytes: -1 }), RangeError);
    assert.throws(() => new LineDecoder({ maxFrameBytes: 1.5 }), RangeError);
    assert.throws(() => new LineDecoder({ crlf: 'lf' as never }), RangeError);
    assert.throws(() => new NameopDecoder({ trailing: 'keep' as never }), RangeError);
  });
});

describe('NameopDecoder and parseNameop', () => {
  test('Name|Op|Msg, Msg being the rest of the line with any "|" in it', () => {
    assert.deepEqual(plain(decodeNameop(bytes('alice|1|hello\nalice|5|bob|hi | there\n*|8|\n'))), [
      nameop('alice', 1, 'hello', 0, 13),
      nameop('alice', 5, 'bob|hi | there', 14, 22),
      nameop('*', 8, '', 37, 4),
    ]);
  });

  test('Op: 1 to 9 decimal digits (leading zeros allowed); anything else is BAD_OP at the Op field', () => {
    assert.deepEqual(plain(decodeNameop(bytes('a|007|x\na|999999999|\n'))), [
      nameop('a', 7, 'x', 0, 7),
      nameop('a', 999999999, '', 8, 12),
    ]);
    for (const op of ['', 'x', '1234567890', '-1', '+1', ' 1', '1.0', '1e3', '١'])
      assert.deepEqual(plain(decodeNameop(bytes(`alice|${op}|hi\n`))), [err('BAD_OP', 6)], JSON.stringify(op));
    assert.deepEqual(plain(decodeNameop(bytes('ok|1|\nélan|x|hi\n'))), [nameop('ok', 1, '', 0, 5), err('BAD_OP', 12)]);
  });

  test('Name: 1 to 64 bytes; empty or longer is BAD_NAME at the Name field', () => {
    const cases: [string, boolean][] = [
      ['a'.repeat(64), true],
      ['a'.repeat(65), false],
      ['é'.repeat(32), true], // 64 bytes
      ['é'.repeat(32) + 'a', false], // 65 bytes, 33 code units
      ['你'.repeat(21), true], // 63 bytes
      ['你'.repeat(21) + 'ab', false], // 65 bytes, 23 code units
      ['😀'.repeat(16), true], // 64 bytes
      ['😀'.repeat(16) + 'a', false],
    ];
    for (const [name, ok] of cases) {
      const items = plain(decodeNameop(bytes('x|1|\n', name, '|3|\n')));
      assert.deepEqual(items[1], ok ? nameop(name, 3, '', 5, Buffer.byteLength(name) + 3) : err('BAD_NAME', 5), name);
    }
    assert.equal(MAX_NAME_BYTES, 64);
    assert.deepEqual(plain(decodeNameop(bytes('|1|hi\n'))), [err('BAD_NAME', 0)]);
  });

  test('a CR left in the Name (crlf keep, or a bare CR under strip) is BAD_NAME', () => {
    assert.deepEqual(plain(decodeNameop(bytes('al\rice|1|x\n'))), [err('BAD_NAME', 0)]);
    assert.deepEqual(plain(decodeNameop(bytes('ok|1|\r\nal\rice|1|x\r\n'), { crlf: 'keep' })), [
      nameop('ok', 1, '\r', 0, 6),
      err('BAD_NAME', 7),
    ]);
  });

  test('MISSING_FIELD (fewer than two "|") points at the end of the frame, where a "|" was due', () => {
    assert.deepEqual(plain(decodeNameop(bytes('alice\nalice|1\n\n'))), [
      err('MISSING_FIELD', 5),
      err('MISSING_FIELD', 13),
      err('MISSING_FIELD', 14),
    ]);
  });

  test('byte-level checks come first: FRAME_TOO_LONG, BARE_CR, INVALID_UTF8', () => {
    const opts = { maxFrameBytes: 8, crlf: 'strict' as const };
    assert.deepEqual(plain(decodeNameop(bytes('alice|1|hello\n', 'a|1|\r\n', 'a|1|', [0xff], '\n'), opts)), [
      err('FRAME_TOO_LONG', 0),
      err('BARE_CR', 18),
      err('INVALID_UTF8', 24),
    ]);
  });

  test('many frames without "|" in one push take linear time', () => {
    // Measured against itself in the same run (no wall-clock bound: machines are shared): four times the
    // frames must take about four times as long, not sixteen (a per-frame scan to the end of the push).
    const fastest = (frames: number): number => {
      const stream = Buffer.alloc(frames * 2, 'a\n');
      let best = Infinity;
      for (let round = 0; round < 3; round += 1) {
        const started = process.hrtime.bigint();
        const items = decodeNameop(stream);
        best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
        assert.equal(items.length, frames);
        assert.ok(items.every((i) => i.kind === 'error' && i.error.code === 'MISSING_FIELD'));
      }
      return best;
    };
    const small = fastest(1 << 16);
    const large = fastest(1 << 18);
    assert.ok(large / small < 10, `4 x the frames took ${(large / small).toFixed(1)} x as long (${small.toFixed(1)} ms, ${large.toFixed(1)} ms)`);
  });

  test('parseNameop parses one line with stream offsets', () => {
    assert.deepEqual(plain([parseNameop('bob|6|g|hi')]), [nameop('bob', 6, 'g|hi', 0, 10)]);
    assert.deepEqual(plain([parseNameop('été|x|', 100)]), [err('BAD_OP', 106)]);
    assert.deepEqual(plain([parseNameop('ab', 7)]), [err('MISSING_FIELD', 9)]);
    assert.deepEqual(plain([parseNameop('a\nb|1|x')]), [err('BAD_NAME', 0)]);
    assert.deepEqual(plain([parseNameop('ab|1|x\ny', 10)]), [err('BAD_TEXT', 16)]);
  });
});

describe('encodeLine and encodeNameop', () => {
  test('encode to UTF-8 + LF', () => {
    assert.deepEqual(encodeLine('héllo'), { ok: true, bytes: bytes('héllo\n') });
    assert.deepEqual(encodeLine(''), { ok: true, bytes: bytes('\n') });
    assert.deepEqual(encodeNameop({ name: 'alice', op: 5, msg: 'bob|a|b' }), { ok: true, bytes: bytes('alice|5|bob|a|b\n') });
    assert.deepEqual(encodeNameop({ name: '*', op: 0, msg: '404|no such user' }), { ok: true, bytes: bytes('*|0|404|no such user\n') });
    assert.ok(Buffer.isBuffer(encoded(encodeLine('x'))));
  });

  const refusal = (result: EncodeResult) => (result.ok ? 'accepted' : { code: result.error.code, offset: result.error.offset });

  test('encodeLine refuses LF, CR and lone surrogates with BAD_TEXT at the byte offset', () => {
    assert.deepEqual(refusal(encodeLine('ab\ncd')), { code: 'BAD_TEXT', offset: 2 });
    assert.deepEqual(refusal(encodeLine('é\r')), { code: 'BAD_TEXT', offset: 2 });
    assert.deepEqual(refusal(encodeLine('x\r\n')), { code: 'BAD_TEXT', offset: 1 });
    assert.deepEqual(refusal(encodeLine('😀\ud800')), { code: 'BAD_TEXT', offset: 4 });
  });

  test('encodeNameop refuses a bad Name, Op or Msg', () => {
    const cases: [{ name: string; op: number; msg: string }, CodecErrorCode, number][] = [
      [{ name: '', op: 1, msg: '' }, 'BAD_NAME', 0],
      [{ name: 'a'.repeat(65), op: 1, msg: '' }, 'BAD_NAME', 64],
      [{ name: 'é'.repeat(33), op: 1, msg: '' }, 'BAD_NAME', 64],
      [{ name: 'a|b', op: 1, msg: '' }, 'BAD_NAME', 1],
      [{ name: 'ab\r', op: 1, msg: '' }, 'BAD_NAME', 2],
      [{ name: 'é\n', op: 1, msg: '' }, 'BAD_NAME', 2],
      [{ name: 'alice', op: -1, msg: '' }, 'BAD_OP', 6],
      [{ name: 'alice', op: 1.5, msg: '' }, 'BAD_OP', 6],
      [{ name: 'alice', op: 1_000_000_000, msg: '' }, 'BAD_OP', 6],
      [{ name: 'alice', op: Number.NaN, msg: '' }, 'BAD_OP', 6],
      [{ name: 'alice', op: 12, msg: 'a|b\nc' }, 'BAD_TEXT', 12],
      [{ name: 'alice', op: 1, msg: 'é\r' }, 'BAD_TEXT', 10],
    ];
    for (const [frame, code, offset] of cases)
      assert.deepEqual(refusal(encodeNameop(frame)), { code, offset }, JSON.stringify(frame));
    assert.equal(refusal(encodeNameop({ name: 'a'.repeat(64), op: 999_999_999, msg: '' })), 'accepted');
    assert.equal(refusal(encodeNameop({ name: 'é'.repeat(32), op: 0, msg: '' })), 'accepted');
  });
});

// Generators: text with multi-byte characters, "|" and CR mixed in.
const unit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('a', '|', ' ', 'é', '你', '😀', '1') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const lineText = fc.string({ unit, maxLength: 24 }).filter((s) => !/[\r\n]/.test(s));
const nameText = fc
  .oneof(fc.string({ unit, minLength: 1, maxLength: 12 }), fc.integer({ min: 60, max: 64 }).map((n) => 'n'.repeat(n)))
  .filter((s) => !/[|\r\n]/.test(s) && Buffer.byteLength(s) <= MAX_NAME_BYTES);
const nameopValue = fc.record({ name: nameText, op: fc.integer({ min: 0, max: 999_999_999 }), msg: lineText });

/** Stream pieces: valid frames of both kinds and the byte sequences that break them. */
const piece = fc.oneof(
  lineText.map((t) => encoded(encodeLine(t))),
  nameopValue.map((v) => encoded(encodeNameop(v))),
  fc.constantFrom(
    [0x0a],
    [0x0d],
    [0x0d, 0x0a],
    [0x7c],
    [0xc0, 0xaf],
    [0xed, 0xa0, 0x80],
    [0xe4, 0xbd],
    [0xf0, 0x9f, 0x98, 0x80],
    [0xff],
  ).map((b) => Buffer.from(b)),
  fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b)),
);
const stream = fc.array(piece, { maxLength: 10 }).map((pieces) => Buffer.concat(pieces));
const options: fc.Arbitrary<DecoderOptions> = fc.record(
  {
    maxFrameBytes: fc.integer({ min: 0, max: 48 }),
    crlf: fc.constantFrom('strip', 'keep', 'strict'),
    trailing: fc.constantFrom('frame', 'error', 'drop'),
  },
  { requiredKeys: [] },
);
const protocol = fc.constantFrom<Protocol>('line', 'nameop');
const cuts = fc.array(fc.nat(), { maxLength: 12 });

const CODES: ReadonlySet<CodecErrorCode> = new Set(CODEC_ERROR_CODES);

describe('properties', () => {
  test('chunking invariance: any split gives the frames and errors of the whole stream', () => {
    fc.assert(
      fc.property(protocol, stream, cuts, options, (p, s, points, opts) => {
        assert.deepEqual(plain(decodeChunks(p, split(s, points), opts)), plain(decodeWhole(p, s, opts)));
      }),
      { numRuns: 1000 },
    );
  });

  test('byte by byte gives the frames and errors of the whole stream', () => {
    fc.assert(
      fc.property(protocol, stream, options, (p, s, opts) => {
        assert.deepEqual(plain(decodeChunks(p, split(s, [...s.keys()]), opts)), plain(decodeWhole(p, s, opts)));
      }),
      { numRuns: 300 },
    );
  });

  test('coalescing streams: decoding A+B is decoding A, then B shifted by A.length (A ends with LF)', () => {
    fc.assert(
      fc.property(protocol, stream, stream, cuts, options, (p, a0, b, points, opts) => {
        const a = Buffer.concat([a0, Buffer.from([0x0a])]);
        const shifted = plain(decodeWhole(p, b, opts)).map((item) => {
          const { frame, error } = item as { frame?: { offset: number }; error?: { offset: number } };
          return frame ? { frame: { ...frame, offset: frame.offset + a.length } } : { error: { ...error!, offset: error!.offset + a.length } };
        });
        const both = Buffer.concat([a, b]);
        assert.deepEqual(plain(decodeChunks(p, split(both, points), opts)), [...plain(decodeWhole(p, a, opts)), ...shifted]);
      }),
      { numRuns: 1000 },
    );
  });

  test('round trip: encodeLine then decode, in any chunks, gives the lines back', () => {
    fc.assert(
      fc.property(fc.array(lineText, { maxLength: 8 }), cuts, (texts, points) => {
        const s = Buffer.concat(texts.map((t) => encoded(encodeLine(t))));
        const got = decodeChunks('line', split(s, points)) as Decoded<LineFrame>[];
        assert.deepEqual(
          got.map((item) => (item.kind === 'frame' ? item.frame.text : item.error)),
          texts,
        );
      }),
      { numRuns: 1000 },
    );
  });

  test('round trip: encodeNameop then decode, in any chunks, gives the frames back', () => {
    fc.assert(
      fc.property(fc.array(nameopValue, { maxLength: 8 }), cuts, (values, points) => {
        const s = Buffer.concat(values.map((v) => encoded(encodeNameop(v))));
        const got = decodeChunks('nameop', split(s, points)) as Decoded<NameopFrame>[];
        assert.deepEqual(
          got.map((item) => (item.kind === 'frame' ? { name: item.frame.name, op: item.frame.op, msg: item.frame.msg } : item.error)),
          values.map((v) => ({ ...v })), // fc.record builds null-prototype objects
        );
      }),
      { numRuns: 1000 },
    );
  });

  test('fuzz: arbitrary bytes in arbitrary chunks never throw and give only frames or typed errors', () => {
    fc.assert(
      fc.property(protocol, fc.uint8Array({ maxLength: 300 }), cuts, options, (p, raw, points, opts) => {
        const decoder = decoderFor(p, opts);
        const items: Decoded<LineFrame | NameopFrame>[] = [];
        const max = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
        for (const chunk of split(raw, points)) {
          items.push(...decoder.push(chunk));
          assert.ok(decoder.bufferedBytes <= max + 1);
        }
        items.push(...decoder.end());
        for (const item of items) {
          if (item.kind === 'frame') {
            assert.ok(item.frame.offset >= 0 && item.frame.offset + item.frame.byteLength <= raw.length);
            assert.ok(item.frame.byteLength <= max);
            if ('text' in item.frame) assert.equal(Buffer.byteLength(item.frame.text), item.frame.byteLength);
          } else {
            assert.equal(item.kind, 'error');
            assert.ok(CODES.has(item.error.code), item.error.code);
            assert.ok(Number.isSafeInteger(item.error.offset) && item.error.offset >= 0 && item.error.offset <= raw.length);
            assert.equal(typeof item.error.message, 'string');
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('bound: a stream without LF never holds more than max + one push; one FRAME_TOO_LONG; resumes after LF', () => {
    // At least 8 bytes, so the frame that follows the LF fits.
    const boundOptions = fc.record(
      { maxFrameBytes: fc.integer({ min: 8, max: 48 }), crlf: fc.constantFrom<CrlfPolicy>('strip', 'keep', 'strict') },
      { requiredKeys: [] },
    );
    const noLf = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => Buffer.from(b.map((x) => (x === 0x0a ? 0x41 : x))));
    fc.assert(
      fc.property(protocol, fc.array(noLf, { minLength: 1, maxLength: 12 }), boundOptions, (p, chunks, opts) => {
        const max = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
        const decoder = decoderFor(p, opts);
        const codes: string[] = [];
        let total = 0;
        for (const chunk of chunks) {
          for (const item of decoder.push(chunk)) codes.push(item.kind === 'error' ? item.error.code : 'frame');
          total += chunk.length;
          assert.ok(decoder.bufferedBytes <= max + chunk.length, `${decoder.bufferedBytes} > ${max} + ${chunk.length}`);
        }
        const last = chunks.at(-1)!.at(-1);
        const frameLength = total - ((opts.crlf ?? 'strip') === 'strip' && last === 0x0d ? 1 : 0);
        const after = decoder.push(bytes('\nok|1|ok\n'));
        for (const item of after) codes.push(item.kind === 'error' ? item.error.code : 'frame');
        assert.equal(codes.filter((c) => c === 'FRAME_TOO_LONG').length, frameLength > max ? 1 : 0);
        if (frameLength > max) assert.deepEqual(codes, ['FRAME_TOO_LONG', 'frame']);
        const resumed = after.at(-1);
        assert.equal(resumed?.kind === 'frame' && resumed.frame.offset, total + 1);
      }),
      { numRuns: 500 },
    );
  });
});
