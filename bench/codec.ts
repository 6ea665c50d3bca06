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

/** The stream of `count` frames made by `frame`, cut into 64 KiB chunks as a socket would deliver them. */
function makeStream(count: number, frame: (i: number) => string): Buffer[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`${frame(i)}\n`);
  const bytes = Buffer.from(lines.join(''), 'utf8');
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) chunks.push(bytes.subarray(at, at + CHUNK_BYTES));
  return chunks;
}

/** Decodes a stream and returns how many frames came out (so nothing is optimised away and counts are checked). */
type Decode = (chunks: Buffer[]) => number;

function codec(make: () => LineDecoder | NameopDecoder): Decode {
  return (chunks) => {
    const decoder = make();
    let n = 0;
    for (const chunk of chunks) for (const item of decoder.push(chunk)) if (item.kind === 'frame') n++;
    for (const item of decoder.end()) if (item.kind === 'frame') n++;
    return n;
  };
}

// The naive reader: decode each chunk on its own (which also breaks characters
// split across chunks), split on LF, carry the unfinished last piece. No
// validation, no offsets, no limit.
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

interface Timing {
  /** Median wall-clock milliseconds. */
  readonly ms: number;
  /** Median CPU milliseconds of the process (GC threads included): steadier than wall time on a shared machine. */
  readonly cpuMs: number;
}

/** Times each decoder; runs alternate so load from other processes hits both alike. */
function measure(decoders: Decode[], chunks: Buffer[]): Timing[] {
  const wall: number[][] = decoders.map(() => []);
  const cpu: number[][] = decoders.map(() => []);
  for (let r = 0; r < runs; r++)
    decoders.forEach((decode, d) => {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      const got = decode(chunks);
      wall[d]!.push(performance.now() - start);
      const used = process.cpuUsage(cpuStart);
      cpu[d]!.push((used.user + used.system) / 1e3);
      if (got !== frames) throw new Error(`decoded ${got} frames, expected ${frames}`);
    });
  return decoders.map((_, d) => ({ ms: median(wall[d]!), cpuMs: median(cpu[d]!) }));
}

const workloads = [
  {
    label: 'nameop, ASCII',
    frame: (i: number) => `user${i % 1000}|1|hello world ${i}`,
    codec: codec(() => new NameopDecoder()),
    naive: naiveNameop,
  },
  {
    label: 'line, ASCII',
    frame: (i: number) => `user${i % 1000}|1|hello world ${i}`,
    codec: codec(() => new LineDecoder()),
    naive: naiveLines,
  },
  {
    label: 'line, UTF-8 (gopl-zh style)',
    frame: (i: number) => `127.0.0.1:${40000 + (i % 1000)}: 你好 ${i}`,
    codec: codec(() => new LineDecoder()),
    naive: naiveLines,
  },
];

console.log(`codec bench: ${frames} frames a workload in ${CHUNK_BYTES / 1024} KiB chunks, median of ${runs} runs, node ${process.version}`);
for (const { label, frame, codec: decodeCodec, naive } of workloads) {
  const warmup = makeStream(Math.min(frames, 100_000), frame);
  for (let i = 0; i < 3; i++) [decodeCodec, naive].forEach((decode) => decode(warmup));
  const chunks = makeStream(frames, frame);
  const bytes = chunks.reduce((sum, c) => sum + c.length, 0);
  const [c, n] = measure([decodeCodec, naive], chunks) as [Timing, Timing];
  const row = (name: string, { ms, cpuMs }: Timing): string =>
    `  ${name.padEnd(6)} ${(bytes / 1e6 / (ms / 1e3)).toFixed(0).padStart(5)} MB/s ${(frames / 1e3 / ms).toFixed(2).padStart(6)} M frames/s ` +
    `${ms.toFixed(1).padStart(7)} ms (cpu ${cpuMs.toFixed(1)} ms)`;
  console.log(`${label}: ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / frames).toFixed(1)} bytes a frame`);
  console.log(row('codec', c));
  console.log(row('naive', n));
  console.log(`  codec/naive ${(n.ms / c.ms).toFixed(2)}x wall, ${(n.cpuMs / c.cpuMs).toFixed(2)}x cpu`);
}
