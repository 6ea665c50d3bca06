// What a server process uses, read from Linux /proc: CPU time, open file
// descriptors, threads and resident memory, summed over the process and its
// descendants (a shell command's server is the shell's child).
import { readdirSync, readFileSync } from 'node:fs';

export interface ResourceSample {
  /** user + system CPU time, ms. */
  readonly cpuMs: number;
  readonly fds: number;
  readonly threads: number;
  readonly rssBytes: number;
  readonly processes: number;
  /** Threads ready to run or running at the moment of the sample (state R): a spin shows here even when a loaded machine starves it of CPU. */
  readonly runnable: number;
}

/** How the cases reach the numbers: a probe the runner hands them when a pid is known. */
export interface ResourceProbe {
  /** Which process, for messages ("pid 1234, supervised"). */
  readonly what: string;
  /** undefined when the process is gone or /proc cannot be read. */
  sample(): ResourceSample | undefined;
}

// Linux reports stat times in clock ticks of USER_HZ, 100 on every Linux ABI Node runs on.
const TICK_MS = 10;
const PAGE_BYTES = 4096;

interface Stat {
  readonly ppid: number;
  readonly cpuTicks: number;
  readonly threads: number;
  readonly rssPages: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): field n is f[n - 3].
    return { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]), threads: Number(f[17]), rssPages: Number(f[21]) };
  } catch {
    return undefined;
  }
}

/** Threads of pid in state R (running or ready to run). */
function countRunnable(pid: number): number {
  let n = 0;
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tasks.slice(0, 10_000)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      if (text.charAt(text.lastIndexOf(')') + 2) === 'R') n += 1;
    } catch {
      // the thread ended
    }
  }
  return n;
}

function countFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** The pid and every descendant, found by parent pid (bounded by the number of processes). */
function family(root: number): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  let pids: number[] = [];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return stats;
  }
  const all = new Map<number, Stat>();
  for (const pid of pids.slice(0, 100_000)) {
    const s = readStat(pid);
    if (s) all.set(pid, s);
  }
  const rootStat = all.get(root);
  if (!rootStat) return stats;
  stats.set(root, rootStat);
  let frontier = [root];
  for (let depth = 0; depth < 16 && frontier.length > 0; depth += 1) {
    const next: number[] = [];
    for (const [pid, s] of all) if (frontier.includes(s.ppid) && !stats.has(pid)) (stats.set(pid, s), next.push(pid));
    frontier = next;
  }
  return stats;
}

export function sampleProcessTree(root: number): ResourceSample | undefined {
  const fam = family(root);
  if (fam.size === 0) return undefined;
  let cpuTicks = 0;
  let threads = 0;
  let rssPages = 0;
  let fds = 0;
  let runnable = 0;
  for (const [pid, s] of fam) {
    cpuTicks += s.cpuTicks;
    threads += s.threads;
    rssPages += s.rssPages;
    fds += countFds(pid);
    runnable += countRunnable(pid);
  }
  return { cpuMs: cpuTicks * TICK_MS, fds, threads, rssBytes: rssPages * PAGE_BYTES, processes: fam.size, runnable };
}

/** Whether this platform lets the kit read a process's resources. */
export function procAvailable(): boolean {
  return process.platform === 'linux' && readStat(process.pid) !== undefined;
}

/** A probe of a fixed pid (`--pid N`, a server started by hand). */
export function pidProbe(pid: number): ResourceProbe {
  return { what: `pid ${pid}`, sample: () => sampleProcessTree(pid) };
}

export const formatBytes = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.round(n / 1024)} KiB`);

export const formatSample = (s: ResourceSample): string => `${s.fds} fds, ${s.threads} threads, RSS ${formatBytes(s.rssBytes)}, CPU ${s.cpuMs} ms`;
