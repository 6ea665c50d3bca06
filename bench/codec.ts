// Decoding speed of the codec (frame objects, and the zero-object
// LineScanner) against node:readline and the naive splitter the seeds'
// readers amount to, each reading every frame's text (a decoder whose text is
// never read hides costs: the codec's old "slow mode" showed only then).
// Run: npm run bench:codec [-- --frames N --runs R] [--launches L]
// --launches runs the whole bench in L fresh processes and prints each
// decoder's spread across them (JIT decisions differ from launch to launch).
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { LineDecoder, LineScanner, NameopDecoder } from '../src/codec/index.js';

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
const launches = process.argv.includes('--launches') ? option('--launches', 10) : 0;
/** A child of --launches: print one JSON line of MB/s per workload and decoder, nothing else. */
const child = process.argv.includes('--child');

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
type Decode = (chunks: Buffer[]) => number | Promise<number>;

/** Reads every character of a frame's text, as a consumer would; the sum keeps it from being optimised away. */
let textSum = 0;
const readText = (text: string): void => {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum += text.charCodeAt(i);
  textSum += sum;
};

const lineCodec: Decode = (chunks) => {
  const decoder = new LineDecoder();
  let n = 0;
  for (const chunk of chunks) for (const item of decoder.push(chunk)) if (item.kind === 'frame') (n++, readText(item.frame.text));
  for (const item of decoder.end()) if (item.kind === 'frame') (n++, readText(item.frame.text));
  return n;
};

const nameopCodec: Decode = (chunks) => {
  const decoder = new NameopDecoder();
  let n = 0;
  for (const chunk of chunks) for (const item of decoder.push(chunk)) if (item.kind === 'frame') (n++, readText(item.frame.name), readText(item.frame.msg));
  for (const item of decoder.end()) if (item.kind === 'frame') (n++, readText(item.frame.msg));
  return n;
};

/** The zero-object API: the text is made (utf8, validated by nobody) only to be read. */
const scanner: Decode = (chunks) => {
  let n = 0;
  const s = new LineScanner({
    line: (buf, start, end) => {
      n++;
      readText(buf.toString('utf8', start, end));
    },
    tooLong: () => {},
  });
  for (const chunk of chunks) s.push(chunk);
  s.end();
  return n;
};

const readline: Decode = async (chunks) => {
  let n = 0;
  const rl = createInterface({ input: Readable.from(chunks), crlfDelay: Infinity });
  rl.on('line', (line: string) => {
    n++;
    readText(line);
  });
  await once(rl, 'close');
  return n;
};

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
    for (const line of lines) readText(line);
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
      if (parts[0] !== '' && Number.isInteger(op)) (n++, readText(parts[0]!), readText(msg));
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

/** Times each decoder; runs alternate so load from other processes hits all alike. */
async function measure(decoders: Decode[], chunks: Buffer[]): Promise<Timing[]> {
  const wall: number[][] = decoders.map(() => []);
  const cpu: number[][] = decoders.map(() => []);
  for (let r = 0; r < runs; r++)
    for (const [d, decode] of decoders.entries()) {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      const got = await decode(chunks);
      wall[d]!.push(performance.now() - start);
      const used = process.cpuUsage(cpuStart);
      cpu[d]!.push((used.user + used.system) / 1e3);
      if (got !== frames) throw new Error(`decoded ${got} frames, expected ${frames}`);
    }
  return decoders.map((_, d) => ({ ms: median(wall[d]!), cpuMs: median(cpu[d]!) }));
}

const DECODERS = ['codec', 'scanner', 'readline', 'naive'] as const;

const workloads = [
  {
    label: 'nameop, ASCII',
    frame: (i: number) => `user${i % 1000}|1|hello world ${i}`,
    decoders: { codec: nameopCodec, scanner, readline, naive: naiveNameop },
  },
  {
    label: 'line, ASCII',
    frame: (i: number) => `user${i % 1000}|1|hello world ${i}`,
    decoders: { codec: lineCodec, scanner, readline, naive: naiveLines },
  },
  {
    label: 'line, UTF-8 (gopl-zh style)',
    frame: (i: number) => `127.0.0.1:${40000 + (i % 1000)}: 你好 ${i}`,
    decoders: { codec: lineCodec, scanner, readline, naive: naiveLines },
  },
];

type Figures = Record<string, Record<string, number>>;

async function bench(): Promise<Figures> {
  const figures: Figures = {};
  if (!child) console.log(`codec bench: ${frames} frames a workload in ${CHUNK_BYTES / 1024} KiB chunks, every frame's text read, median of ${runs} runs, node ${process.version}`);
  for (const { label, frame, decoders } of workloads) {
    const list = DECODERS.map((name) => decoders[name]);
    const warmup = makeStream(Math.min(frames, 100_000), frame);
    for (let i = 0; i < 3; i++) for (const decode of list) await decode(warmup);
    const chunks = makeStream(frames, frame);
    const bytes = chunks.reduce((sum, c) => sum + c.length, 0);
    const timings = await measure(list, chunks);
    const mbps = (t: Timing): number => bytes / 1e6 / (t.ms / 1e3);
    // Across launches, MB per CPU second: a shared machine steals wall time, not CPU time.
    const cpuMbps = (t: Timing): number => bytes / 1e6 / (t.cpuMs / 1e3);
    figures[label] = Object.fromEntries(DECODERS.map((name, i) => [name, cpuMbps(timings[i]!)]));
    if (child) continue;
    console.log(`${label}: ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / frames).toFixed(1)} bytes a frame`);
    for (const [i, name] of DECODERS.entries()) {
      const { ms, cpuMs } = timings[i]!;
      console.log(
        `  ${name.padEnd(8)} ${mbps(timings[i]!).toFixed(0).padStart(5)} MB/s ${(frames / 1e3 / ms).toFixed(2).padStart(6)} M frames/s ` +
          `${ms.toFixed(1).padStart(7)} ms (cpu ${cpuMs.toFixed(1)} ms)  ${(timings[3]!.ms / ms).toFixed(2)}x naive`,
      );
    }
  }
  return figures;
}

if (launches > 0) {
  // Fresh processes, one after the other; each prints its figures as one JSON line.
  const script = fileURLToPath(import.meta.url);
  const all: Figures[] = [];
  console.log(`codec bench: ${launches} launches, ${frames} frames a workload, every frame's text read, median of ${runs} runs each, node ${process.version}`);
  for (let l = 0; l < launches; l++) {
    const run = spawnSync(process.execPath, [script, '--child', '--frames', String(frames), '--runs', String(runs)], { encoding: 'utf8', timeout: 600_000 });
    const last = run.stdout.trim().split('\n').at(-1) ?? '';
    if (run.status !== 0 || !last.startsWith('{')) throw new Error(`launch ${l + 1} failed: ${run.stderr.slice(-500)}`);
    all.push(JSON.parse(last) as Figures);
    process.stderr.write(`  ... launch ${l + 1}/${launches}\n`);
  }
  for (const { label } of workloads) {
    console.log(`${label}: MB per CPU second over ${launches} launches (min / median / max, max/min)`);
    for (const name of DECODERS) {
      const v = all.map((f) => f[label]![name]!).sort((a, b) => a - b);
      const med = v[Math.floor(v.length / 2)]!;
      console.log(`  ${name.padEnd(8)} ${v[0]!.toFixed(0).padStart(5)} / ${med.toFixed(0).padStart(5)} / ${v.at(-1)!.toFixed(0).padStart(5)}   ${(v.at(-1)! / v[0]!).toFixed(2)}x`);
    }
  }
} else {
  const figures = await bench();
  if (child) console.log(JSON.stringify(figures));
  if (textSum === -1) console.log('unreachable'); // keeps textSum observable
}
