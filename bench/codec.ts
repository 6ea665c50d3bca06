// Decoding speed of the codec against the naive splitter the seeds' readers
// amount to. Run: npm run bench:codec [-- --frames N --runs R]
import { performance } from 'node:perf_hooks';
import { LineDecoder, NameopDecoder } from '../src/codec/index.js';

const CHUNK_BYTES = 64 * 1024;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} needs a positive integer`);
  return value;
}

const frames = option('--frames', 1_000_000);
const runs = option('--runs', 5);

/** ~25-30 byte frames like `user417|1|hello world 12345`, as 64 KiB chunks. */
function makeStream(count: number): Buffer[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`user${i % 1000}|1|hello world ${i}\n`);
  const bytes = Buffer.from(lines.join(''), 'utf8');
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) chunks.push(bytes.subarray(at, at + CHUNK_BYTES));
  return chunks;
}

type Decode = (chunks: Buffer[]) => number;

const codecLines: Decode = (chunks) => {
  const decoder = new LineDecoder();
  let n = 0;
  for (const chunk of chunks) for (const item of decoder.push(chunk)) if (item.kind === 'frame') n++;
  for (const item of decoder.end()) if (item.kind === 'frame') n++;
  return n;
};

const codecNameop: Decode = (chunks) => {
  const decoder = new NameopDecoder();
  let n = 0;
  for (const chunk of chunks) for (const item of decoder.push(chunk)) if (item.kind === 'frame') n++;
  for (const item of decoder.end()) if (item.kind === 'frame') n++;
  return n;
};

// The naive reader: decode each chunk on its own (which also breaks characters
// split across chunks), split on LF, carry the unfinished last piece.
const naiveLines: Decode = (chunks) => {
  let partial = '';
  let n = 0;
  for (const chunk of chunks) {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    n += lines.length;
  }
  return partial === '' ? n : n + 1;
};

const naiveNameop: Decode = (chunks) => {
  let partial = '';
  let n = 0;
  for (const chunk of chunks) {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const parts = line.split('|');
      if (parts.length < 3) continue;
      const op = Number(parts[1]);
      // Msg is the rest of the line: put back any "|" it held.
      const msg = parts.length === 3 ? parts[2]! : parts.slice(2).join('|');
      if (parts[0] !== '' && Number.isInteger(op) && msg.length >= 0) n++;
    }
  }
  return n;
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Measured {
  readonly ms: number;
  readonly mbPerS: number;
  readonly framesPerS: number;
}

function measure(decode: Decode, chunks: Buffer[], bytes: number): Measured {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    const got = decode(chunks);
    times.push(performance.now() - start);
    if (got !== frames) throw new Error(`decoded ${got} frames, expected ${frames}`);
  }
  const ms = median(times);
  return { ms, mbPerS: bytes / 1e6 / (ms / 1e3), framesPerS: frames / (ms / 1e3) };
}

const chunks = makeStream(frames);
const bytes = chunks.reduce((sum, c) => sum + c.length, 0);
const warmup = makeStream(Math.min(frames, 200_000));
for (const decode of [codecLines, naiveLines, codecNameop, naiveNameop]) for (let i = 0; i < 3; i++) decode(warmup);

const fmt = (m: Measured): string =>
  `${m.mbPerS.toFixed(0).padStart(5)} MB/s ${(m.framesPerS / 1e6).toFixed(2).padStart(6)} M frames/s ${m.ms.toFixed(1).padStart(8)} ms`;

console.log(
  `codec bench: ${frames} frames, ${(bytes / 1e6).toFixed(1)} MB in ${CHUNK_BYTES / 1024} KiB chunks, median of ${runs} runs, node ${process.version}`,
);
for (const [label, codec, naive] of [
  ['line  ', codecLines, naiveLines],
  ['nameop', codecNameop, naiveNameop],
] as const) {
  const c = measure(codec, chunks, bytes);
  const b = measure(naive, chunks, bytes);
  console.log(`${label} codec   ${fmt(c)}`);
  console.log(`${label} naive   ${fmt(b)}`);
  console.log(`${label} ratio codec/naive ${(c.mbPerS / b.mbPerS).toFixed(2)}x`);
}
