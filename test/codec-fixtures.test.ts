// Checks the decoders against the language-neutral vectors in fixtures/codec/
// (format: fixtures/README.md, "Codec vectors"), whole and byte by byte.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { readFileSync, readdirSync } from 'node:fs';
import { z } from 'zod';
import {
  CODEC_ERROR_CODES,
  LineDecoder,
  NameopDecoder,
  decodeLines,
  decodeNameop,
  type CodecErrorCode,
  type Decoded,
  type DecoderOptions,
} from '../src/codec/index.js';
import { packagePath } from '../src/paths.js';

const CODES = CODEC_ERROR_CODES;

const count = z.number().int().nonnegative();
const hex = z.string().regex(/^(?:[0-9a-f]{2})*$/, 'lower-case hex, two digits a byte');
const Options = z
  .object({
    maxFrameBytes: count.optional(),
    crlf: z.enum(['strip', 'keep', 'strict']).optional(),
    trailing: z.enum(['frame', 'error', 'drop']).optional(),
  })
  .strict();
const ErrorItem = z.object({ error: z.object({ code: z.enum(CODES), offset: count }).strict() }).strict();
const LineItem = z.object({ frame: z.object({ text: z.string(), offset: count, byteLength: count }).strict() }).strict();
const NameopItem = z
  .object({
    frame: z.object({ name: z.string(), op: count, msg: z.string(), offset: count, byteLength: count }).strict(),
  })
  .strict();
const Protocol = z.enum(['line', 'nameop']);
type Protocol = z.infer<typeof Protocol>;
const itemsOf = (protocol: Protocol) => z.array(z.union([protocol === 'line' ? LineItem : NameopItem, ErrorItem]));

const VectorFile = z
  .object({
    description: z.string().min(1),
    protocol: Protocol,
    vectors: z.array(
      z
        .object({
          description: z.string().min(1),
          inputHex: hex,
          input: z.string().optional(),
          options: Options.optional(),
          expect: z.array(z.unknown()),
        })
        .strict(),
    ),
  })
  .strict();

const ChunkingFile = z
  .object({
    description: z.string().min(1),
    vectors: z.array(
      z
        .object({
          description: z.string().min(1),
          protocol: Protocol,
          chunksHex: z.array(hex).min(1),
          options: Options.optional(),
          expect: z.array(z.unknown()),
        })
        .strict(),
    ),
  })
  .strict();

/** Items without their messages, in the fixtures' shape. */
const plain = (items: readonly Decoded<unknown>[]): unknown[] =>
  items.map((item) =>
    item.kind === 'frame' ? { frame: item.frame } : { error: { code: item.error.code, offset: item.error.offset } },
  );

function decodeChunks(protocol: Protocol, chunks: Uint8Array[], options?: DecoderOptions): unknown[] {
  const decoder = protocol === 'line' ? new LineDecoder(options) : new NameopDecoder(options);
  const out: Decoded<unknown>[] = [];
  for (const chunk of chunks) out.push(...decoder.push(chunk));
  out.push(...decoder.end());
  return plain(out);
}

const decodeWhole = (protocol: Protocol, bytes: Uint8Array, options?: DecoderOptions): unknown[] =>
  plain(protocol === 'line' ? decodeLines(bytes, options) : decodeNameop(bytes, options));

const byteByByte = (bytes: Buffer): Buffer[] => [...bytes.keys()].map((i) => bytes.subarray(i, i + 1));

const dir = packagePath('fixtures', 'codec');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string): unknown => JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));

describe('codec fixtures', () => {
  test('the five vector files are there, with at least 15 vectors for each protocol and kind', () => {
    assert.deepEqual(files, ['chunkings.json', 'line-invalid.json', 'line-valid.json', 'nameop-invalid.json', 'nameop-valid.json']);
    for (const file of files.filter((f) => f !== 'chunkings.json'))
      assert.ok(VectorFile.parse(load(file)).vectors.length >= 15, file);
    assert.ok(ChunkingFile.parse(load('chunkings.json')).vectors.length >= 10);
  });

  for (const file of files.filter((f) => f !== 'chunkings.json')) {
    const doc = VectorFile.parse(load(file));
    const valid = file.endsWith('-valid.json');
    describe(file, () => {
      for (const vector of doc.vectors)
        test(vector.description, () => {
          const bytes = Buffer.from(vector.inputHex, 'hex');
          const expect = itemsOf(doc.protocol).parse(vector.expect);
          // "input" is there exactly when the bytes are UTF-8, and spells the same bytes.
          if (vector.input === undefined) assert.equal(isUtf8(bytes), false, 'valid UTF-8 input needs "input"');
          else assert.deepEqual(Buffer.from(vector.input, 'utf8'), bytes, '"input" and "inputHex" differ');
          // A -valid file holds only frames; an -invalid file at least one error.
          assert.equal(expect.some((item) => 'error' in item), !valid, valid ? 'error in a valid vector' : 'no error expected');
          assert.deepEqual(decodeWhole(doc.protocol, bytes, vector.options), expect, 'whole');
          assert.deepEqual(decodeChunks(doc.protocol, byteByByte(bytes), vector.options), expect, 'byte by byte');
        });
    });
  }

  describe('chunkings.json', () => {
    for (const vector of ChunkingFile.parse(load('chunkings.json')).vectors)
      test(vector.description, () => {
        const chunks = vector.chunksHex.map((h) => Buffer.from(h, 'hex'));
        const expect = itemsOf(vector.protocol).parse(vector.expect);
        assert.deepEqual(decodeChunks(vector.protocol, chunks, vector.options), expect, 'in the given chunks');
        assert.deepEqual(decodeWhole(vector.protocol, Buffer.concat(chunks), vector.options), expect, 'whole');
      });
  });
});
