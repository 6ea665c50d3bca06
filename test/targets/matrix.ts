// The kill matrix: the kit against every corpus server, for a few fixed
// seeds, each run on a freshly started server. A planted or seed bug is
// caught when the kit fails one of its labelled requirements; a correct
// server must get no fail at all. Shared by test/killmatrix.test.ts and
// `npm run killmatrix` (bench/killmatrix.ts), so both measure the same thing.
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { buildGoPeers } from '../../bench/peers/build.js';
import { runConformance, selectCases } from '../../src/runner/run.js';
import type { CaseResult } from '../../src/runner/verdict.js';
import { requirement } from '../../src/spec/requirements.js';
import type { CorpusEntry } from './corpus.js';

export const MATRIX_SEEDS: readonly number[] = [1, 2, 3, 4, 5];

/** One kit run against one fresh server. */
export interface SeedRun {
  readonly seed: number;
  /** The server started and the kit judged it (false: did not start, unreachable, kit error). */
  readonly ran: boolean;
  /** A labelled requirement failed. */
  readonly caught: boolean;
  /** ms from the first start of the server to the end of the first case that failed a labelled requirement. */
  readonly msToCatch?: number;
  /** Requirements with a MUST fail in this run, with the first case that failed it and why. */
  readonly failed: ReadonlyMap<string, string>;
  /** SHOULD requirements that warned. */
  readonly warned: ReadonlySet<string>;
  /** Fails that did not reproduce on the kit's replay (correct servers only): reported, not counted. */
  readonly flaky: ReadonlySet<string>;
  readonly cases: number;
  /** Times the server died and was started again. */
  readonly restarts: number;
  readonly durationMs: number;
  /** Why the run ended early, or the error that kept it from running. */
  readonly note?: string;
  /** Full runs: how long the model-based case took when it failed (its shrinking included). */
  readonly modelFailMs?: number;
  /** The run's slowest cases, slowest first (at most SLOWEST_KEPT): where a full run's time went. */
  readonly slowest: readonly { readonly id: string; readonly ms: number }[];
}

/** How many of a run's slowest cases a SeedRun keeps. */
export const SLOWEST_KEPT = 6;

/** Keeps the `SLOWEST_KEPT` longest of the case durations it is given. */
function slowestCases(): { note: (id: string, ms: number) => void; list: () => { id: string; ms: number }[] } {
  const all: { id: string; ms: number }[] = [];
  return {
    note: (id, ms) => {
      all.push({ id, ms: Math.round(ms) });
      all.sort((a, b) => b.ms - a.ms);
      all.length = Math.min(all.length, SLOWEST_KEPT);
    },
    list: () => [...all],
  };
}

/** quick: the kill matrix's --quick runs that stop at the first labelled fail; full: the kit's defaults, every case, fails replayed. */
export type RunMode = 'quick' | 'full';

export interface EntryResult {
  readonly entry: CorpusEntry;
  readonly runs: readonly SeedRun[];
  /** Set when the entry could not run here (Go missing). */
  readonly skipped?: string;
}

/** A fail the kit's own replay did not reproduce (only correct servers are replayed). */
const isFlaky = (result: CaseResult): boolean => result.counterexample?.flaky === true;

/** The requirements a case result fails: its MUST violations, or (target killed, no evidence) the case's own MUST requirements. */
export function failedRequirements(result: CaseResult): string[] {
  if (result.verdict !== 'fail' || isFlaky(result)) return [];
  const fromViolations = (result.violations ?? []).filter((v) => v.level === 'MUST').map((v) => v.requirement);
  if (fromViolations.length > 0) return [...new Set(fromViolations)];
  return result.requirements.filter((id) => requirement(id).level === 'MUST');
}

function warnedRequirements(result: CaseResult): string[] {
  return (result.violations ?? []).filter((v) => v.level === 'SHOULD').map((v) => v.requirement);
}

/** A crashed server is restarted this many times per run, so bugs behind the crash are still measured. */
export const MAX_RESTARTS = 5;

// A crash can also show as a room that stopped serving: the liveness check that follows a fail may reach the
// process while it exits (its socket still accepts). Either way the server is restarted and the run resumes.
const targetDown = (result: CaseResult): boolean => result.notRun === 'target-down' || result.notRun === 'room-stopped';

/**
 * One seed against one entry. When the server dies (a planted crash, or a
 * seed's), the run so far keeps its verdicts, the server is started afresh and
 * the kit resumes at the next case: so a crash early in the run does not hide
 * the bugs the later cases look for.
 */
export async function runEntry(entry: CorpusEntry, seed: number, mode: RunMode = 'quick'): Promise<SeedRun> {
  if (entry.supervised) return runSupervised(entry, seed, mode);
  const started = performance.now();
  const labels = new Set(entry.labels);
  const failed = new Map<string, string>();
  const warned = new Set<string>();
  const flaky = new Set<string>();
  const done = new Set<string>();
  let msToCatch: number | undefined;
  let cases = 0;
  let modelFailMs: number | undefined;
  const slowest = slowestCases();
  let restarts = 0;
  let note: string | undefined;
  let ran = true;
  for (;;) {
    let target;
    try {
      target = await entry.start();
    } catch (err) {
      ran = ran && restarts > 0;
      note = `did not start${restarts ? ` after ${restarts} restart(s)` : ''}: ${(err as Error).message}`;
      break;
    }
    let down = false;
    try {
      const remaining = restarts === 0 ? undefined : selectCases().map((c) => c.id).filter((id) => !done.has(id));
      if (remaining?.length === 0) break;
      const report = await runConformance({
        target: target.url,
        profile: entry.profile,
        seed,
        quick: mode === 'quick',
        // A correct server's fail is replayed once, as the kit does by default, to tell a real fail from a
        // timing accident of a loaded machine; a bugged server stops at its first fail, unreplayed.
        // A full run is the kit as a user runs it: every fail replayed.
        verifyFailures: mode === 'full' || entry.kind === 'correct',
        runDeadlineMs: mode === 'full' ? 140_000 : 90_000,
        ...(remaining ? { only: remaining } : {}),
        ...(entry.idleTimeoutMs !== undefined ? { idleTimeoutMs: entry.idleTimeoutMs } : {}),
        onCaseEnd: (result) => {
          if (targetDown(result)) return void (down = true);
          done.add(result.id);
          cases += 1;
          slowest.note(result.id, result.durationMs);
          if (result.id.startsWith('model/') && result.verdict === 'fail') modelFailMs = (modelFailMs ?? 0) + result.durationMs;
          for (const id of failedRequirements(result)) {
            const v = result.violations?.find((x) => x.requirement === id);
            const why = v ? `${v.message}${v.expected ? `; expected ${v.expected}` : ''}${v.actual ? `; actual ${v.actual}` : ''}` : (result.message ?? '');
            if (!failed.has(id)) failed.set(id, `${result.id}: ${why}`);
            if (labels.has(id) && msToCatch === undefined) msToCatch = Math.round(performance.now() - started);
          }
          for (const id of warnedRequirements(result)) warned.add(id);
          if (isFlaky(result)) flaky.add(`${result.id} (${result.message ?? ''})`.slice(0, 300));
        },
        // A bugged server: stop at the first fail on one of its labels. A correct one runs in full.
        stopWhen: (result) => targetDown(result) || (mode === 'quick' && failedRequirements(result).some((id) => labels.has(id))),
      });
      if (report.unreachable) {
        ran = ran && restarts > 0;
        note = report.stopped;
        break;
      }
      if ((mode === 'quick' && msToCatch !== undefined) || !down) {
        if (report.stopped && msToCatch === undefined) note = report.stopped;
        break;
      }
      if (restarts >= MAX_RESTARTS) {
        note = `the server died ${restarts + 1} times`;
        break;
      }
      restarts += 1;
    } catch (err) {
      ran = false;
      note = `kit error: ${(err as Error).message}`;
      break;
    } finally {
      await target.close();
    }
  }
  return {
    seed,
    ran: ran && cases > 0,
    caught: msToCatch !== undefined,
    ...(msToCatch !== undefined ? { msToCatch } : {}),
    failed,
    warned,
    flaky,
    cases,
    restarts,
    durationMs: Math.round(performance.now() - started),
    ...(note ? { note } : {}),
    ...(modelFailMs !== undefined ? { modelFailMs } : {}),
    slowest: slowest.list(),
  };
}

/**
 * One seed against one entry under the kit's supervision (--server-cmd): the
 * kit starts the server, charges a crash or a dead room to the case that
 * caused it, restarts it and judges every later case; the resource cases
 * know its pid.
 */
async function runSupervised(entry: CorpusEntry, seed: number, mode: RunMode): Promise<SeedRun> {
  const started = performance.now();
  const labels = new Set(entry.labels);
  const failed = new Map<string, string>();
  const warned = new Set<string>();
  const flaky = new Set<string>();
  let msToCatch: number | undefined;
  let cases = 0;
  const slowest = slowestCases();
  try {
    const server = await entry.command();
    const report = await runConformance({
      server: { startTimeoutMs: 20_000, ...server },
      profile: entry.profile,
      seed,
      quick: mode === 'quick',
      verifyFailures: mode === 'full' || entry.kind === 'correct',
      // A spinning crasher takes a core from the kit for the whole run: give it time to reach the resource cases.
      runDeadlineMs: mode === 'full' ? 140_000 : 200_000,
      ...(entry.idleTimeoutMs !== undefined ? { idleTimeoutMs: entry.idleTimeoutMs } : {}),
      onCaseEnd: (result) => {
        cases += 1;
        slowest.note(result.id, result.durationMs);
        for (const id of failedRequirements(result)) {
          const v = result.violations?.find((x) => x.requirement === id);
          const why = v ? `${v.message}${v.expected ? `; expected ${v.expected}` : ''}` : (result.message ?? '');
          if (!failed.has(id)) failed.set(id, `${result.id}: ${why}`.slice(0, 600));
          if (labels.has(id) && msToCatch === undefined) msToCatch = Math.round(performance.now() - started);
        }
        for (const id of warnedRequirements(result)) warned.add(id);
        if (isFlaky(result)) flaky.add(`${result.id} (${result.message ?? ''})`.slice(0, 300));
      },
      stopWhen: (result) => mode === 'quick' && failedRequirements(result).some((id) => labels.has(id)),
    });
    const note = report.unreachable ? report.stopped : msToCatch === undefined ? report.stopped : undefined;
    return {
      seed,
      ran: !report.unreachable && cases > 0,
      caught: msToCatch !== undefined,
      ...(msToCatch !== undefined ? { msToCatch } : {}),
      failed,
      warned,
      flaky,
      cases,
      restarts: report.restarts ?? 0,
      durationMs: Math.round(performance.now() - started),
      ...(note ? { note } : {}),
      slowest: slowest.list(),
    };
  } catch (err) {
    return { seed, ran: false, caught: false, failed, warned, flaky, cases, restarts: 0, durationMs: Math.round(performance.now() - started), note: `kit error: ${(err as Error).message}`, slowest: slowest.list() };
  }
}

/** Why Go entries cannot run here, or undefined when they can. A Go build failure is not a skip: it throws. */
export async function goUnavailable(): Promise<string | undefined> {
  const built = await buildGoPeers();
  if (built.ok) return undefined;
  if (built.missingGo) return built.reason;
  throw new Error(built.reason);
}

/** A run's hard deadline: past it the worker is stopped and the run counts as not judged. */
const WORKER_DEADLINE_MS = 180_000;
/** A supervised entry may spin a core away from the kit for its whole run (crash:go-spin on a loaded machine). */
const SUPERVISED_WORKER_DEADLINE_MS = 240_000;

/** runEntry in a worker thread of its own (see matrix-worker.ts). */
export function runInWorker(entry: CorpusEntry, seed: number, mode: RunMode = 'quick'): Promise<SeedRun> {
  const deadline = entry.supervised ? SUPERVISED_WORKER_DEADLINE_MS : WORKER_DEADLINE_MS;
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./matrix-worker.js', import.meta.url), { workerData: { name: entry.name, seed, mode } });
    let settled = false;
    const settle = (run: SeedRun): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(run);
    };
    const notRun = (note: string): SeedRun => ({ seed, ran: false, caught: false, failed: new Map(), warned: new Set(), flaky: new Set(), cases: 0, restarts: 0, durationMs: 0, note, slowest: [] });
    const timer = setTimeout(() => {
      settle(notRun(`no result within ${deadline / 1000} s`));
      void worker.terminate();
    }, deadline);
    worker.once('message', (run: SeedRun) => settle(run));
    worker.once('error', (err) => settle(notRun(`worker error: ${err.message}`)));
    worker.once('exit', (code) => settle(notRun(`worker exited (code ${code}) without a result`)));
  });
}

/**
 * Runs every entry for every seed, `concurrency` runs at a time (the kit and
 * its server share the machine's cores), and reports each entry when its last
 * seed is done.
 */
export async function runMatrix(
  entries: readonly CorpusEntry[],
  options: { seeds?: readonly number[]; concurrency?: number; onEntry?: (result: EntryResult) => void } = {},
): Promise<EntryResult[]> {
  const seeds = options.seeds ?? MATRIX_SEEDS;
  const noGo = entries.some((e) => e.needsGo) ? await goUnavailable() : undefined;
  const results = new Map<CorpusEntry, SeedRun[]>();
  const out: EntryResult[] = [];
  const jobs: { entry: CorpusEntry; seed: number }[] = [];
  for (const entry of entries) {
    const missing = entry.needsGo && noGo ? `Go is not available: ${noGo}` : await entry.unavailable?.();
    if (missing) {
      const skipped: EntryResult = { entry, runs: [], skipped: missing };
      out.push(skipped);
      options.onEntry?.(skipped);
      continue;
    }
    results.set(entry, []);
    for (const seed of seeds) jobs.push({ entry, seed });
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const { entry, seed } = jobs[next++]!;
      const runs = results.get(entry)!;
      runs.push(await runInWorker(entry, seed));
      if (runs.length === seeds.length) {
        const done: EntryResult = { entry, runs: [...runs].sort((a, b) => a.seed - b.seed) };
        out.push(done);
        options.onEntry?.(done);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  const order = new Map(entries.map((e, i) => [e, i] as const));
  return out.sort((a, b) => order.get(a.entry)! - order.get(b.entry)!);
}

/** One full run (the kit's defaults, seed FULL_RUN_SEED) per entry, `concurrency` at a time: the time a user waits for a verdict. */
export const FULL_RUN_SEED = 1;

export async function runFullRuns(entries: readonly CorpusEntry[], options: { concurrency?: number; onRun?: (entry: CorpusEntry, run: SeedRun) => void } = {}): Promise<Map<string, SeedRun>> {
  const noGo = entries.some((e) => e.needsGo) ? await goUnavailable() : undefined;
  const jobs = entries.filter((e) => !(e.needsGo && noGo));
  const out = new Map<string, SeedRun>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const entry = jobs[next++]!;
      const run = await runInWorker(entry, FULL_RUN_SEED, 'full');
      out.set(entry.name, run);
      options.onRun?.(entry, run);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  return out;
}

// ---- judging and printing ----------------------------------------------------------

export const median = (xs: readonly number[]): number | undefined => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export function medianMsToCatch(result: EntryResult): number | undefined {
  return median(result.runs.flatMap((r) => (r.msToCatch !== undefined ? [r.msToCatch] : [])));
}

/** Requirements a correct server (or a seed, in its noFailIn sections) failed: false alarms. */
export function falseAlarms(result: EntryResult): string[] {
  const { entry } = result;
  const all = new Set(result.runs.flatMap((r) => [...r.failed.keys()]));
  if (entry.kind === 'correct') return [...all];
  const sections = entry.noFailIn ?? [];
  return [...all].filter((id) => !entry.labels.includes(id) && sections.some((s) => id.startsWith(`${s}-`)));
}

/** Seeds whose run caught the bug (planted and seed entries). */
export const seedsCaught = (result: EntryResult): number => result.runs.filter((r) => r.caught).length;

/** The verdict of an entry: what the kill matrix asserts. */
export function entryVerdict(result: EntryResult): 'ok' | 'missed' | 'false alarm' | 'not run' | 'skipped' {
  if (result.skipped) return 'skipped';
  if (result.runs.some((r) => !r.ran)) return 'not run';
  if (falseAlarms(result).length > 0) return 'false alarm';
  if (result.entry.kind !== 'correct' && seedsCaught(result) < result.runs.length) return 'missed';
  return 'ok';
}

const seconds = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

/** Collateral: requirements failed that are not labels, with the number of runs. */
function otherFails(result: EntryResult): string {
  const counts = new Map<string, number>();
  for (const run of result.runs) for (const id of run.failed.keys()) if (!result.entry.labels.includes(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([id, n]) => (n === result.runs.length ? id : `${id} (${n}/${result.runs.length})`)).join(', ');
}

/** Where and why each false alarm failed (the first run that had it), for the log. */
export function explainFalseAlarms(result: EntryResult): string[] {
  return falseAlarms(result).map((id) => {
    const run = result.runs.find((r) => r.failed.has(id))!;
    return `${id} (seed ${run.seed}) in ${run.failed.get(id)!.slice(0, 400)}`;
  });
}

/** One compact line per entry, for the test log. */
export function formatEntryLine(result: EntryResult): string {
  const { entry } = result;
  if (result.skipped) return `${entry.name.padEnd(34)} skipped: ${result.skipped}`;
  const verdict = entryVerdict(result);
  const n = result.runs.length;
  const slowest = Math.max(...result.runs.map((r) => r.durationMs));
  if (entry.kind === 'correct') {
    const alarms = falseAlarms(result);
    const notRun = result.runs.filter((r) => !r.ran).map((r) => `seed ${r.seed}: ${r.note ?? 'not judged'}`);
    const status = verdict === 'ok' ? `no fail in ${n} seeds` : verdict === 'not run' ? `NOT RUN (${notRun.join('; ')})` : `FAILED ${alarms.join(', ')}`;
    const flaky = result.runs.flatMap((r) => [...r.flaky].map((f) => `seed ${r.seed}: ${f}`));
    return `${entry.name.padEnd(34)} ${status}  (slowest run ${seconds(slowest)})${flaky.length ? `; flaky, not reproduced on replay: ${flaky.join('; ')}` : ''}`;
  }
  const caught = seedsCaught(result);
  const labels = entry.labels.join(',');
  const notes = result.runs.filter((r) => !r.caught).map((r) => `seed ${r.seed}: ${r.note ?? 'no labelled fail'}`);
  const alarms = falseAlarms(result);
  return [
    `${entry.name.padEnd(34)} caught ${caught}/${n} on ${labels}, median ${seconds(medianMsToCatch(result))} to first fail`,
    alarms.length ? `; unexpected fail on ${alarms.join(', ')}` : '',
    notes.length ? `; ${notes.join('; ')}` : '',
  ].join('');
}

/** Every requirement that is a label or failed anywhere, in registry order. */
function columns(results: readonly EntryResult[]): string[] {
  const ids = new Set<string>();
  for (const r of results) {
    for (const id of r.entry.labels) ids.add(id);
    for (const run of r.runs) for (const id of run.failed.keys()) ids.add(id);
  }
  const order = (id: string): [string, number] => [id.slice(0, id.indexOf('-')), Number(id.slice(id.indexOf('-') + 1))];
  return [...ids].sort((a, b) => {
    const [sa, na] = order(a);
    const [sb, nb] = order(b);
    return sa === sb ? na - nb : sa.localeCompare(sb);
  });
}

/**
 * The grid, server × requirement: `5` = failed in 5 runs on a label (caught),
 * `x5` = failed in 5 runs off the labels, `-` = a label never failed, blank = no fail.
 */
export function formatGrid(results: readonly EntryResult[]): string {
  const ran = results.filter((r) => !r.skipped);
  const cols = columns(ran);
  const width = Math.max(...ran.map((r) => r.entry.name.length), 6);
  const lines = [`${'server'.padEnd(width)}  ${cols.map((c) => c.padStart(Math.max(c.length, 3))).join(' ')}`];
  for (const r of ran) {
    const cells = cols.map((id) => {
      const n = r.runs.filter((run) => run.failed.has(id)).length;
      const label = r.entry.labels.includes(id);
      const cell = label ? (n > 0 ? String(n) : '-') : n > 0 ? `x${n}` : '';
      return cell.padStart(Math.max(id.length, 3));
    });
    lines.push(`${r.entry.name.padEnd(width)}  ${cells.join(' ')}`);
  }
  for (const r of results.filter((x) => x.skipped)) lines.push(`${r.entry.name.padEnd(width)}  skipped: ${r.skipped}`);
  return lines.join('\n');
}

/** The README table: one row per server, measured. */
export function formatReadmeTable(results: readonly EntryResult[], full: ReadonlyMap<string, SeedRun> = new Map()): string {
  const rows = [
    '| server | profile | what is wrong with it | labels | caught | median time to first fail | full run | model case, shrunk | other requirements failed |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const fullCells = (name: string): string => {
    const run = full.get(name);
    if (!run) return ' | ';
    const time = run.ran ? seconds(run.durationMs) : `not run (${run.note ?? ''})`;
    return `${time} | ${run.modelFailMs !== undefined ? seconds(run.modelFailMs) : ''}`;
  };
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  for (const r of results) {
    const { entry } = r;
    const head = `| ${entry.name} | ${entry.profile.includes('/') ? basename(entry.profile) : entry.profile} | ${cell(entry.description)} | ${entry.labels.join(', ') || '(correct)'}`;
    if (r.skipped) {
      rows.push(`${head} | skipped | | | | ${cell(r.skipped)} |`);
      continue;
    }
    const n = r.runs.length;
    const caught = entry.kind === 'correct' ? (falseAlarms(r).length ? 'FAILED' : `no fail (${n} seeds)`) : `${seedsCaught(r)}/${n}`;
    const time = entry.kind === 'correct' ? '' : seconds(medianMsToCatch(r));
    const flaky = r.runs.reduce((k, run) => k + run.flaky.size, 0);
    const restarted = r.runs.filter((run) => run.restarts > 0);
    const other = [
      otherFails(r),
      flaky ? `${flaky} flaky fail(s), not reproduced on replay` : '',
      restarted.length ? `crashed and restarted in ${restarted.length}/${n} runs (${restarted.reduce((k, run) => k + run.restarts, 0)} restarts)` : '',
    ].filter(Boolean);
    rows.push(`${head} | ${caught} | ${time} | ${fullCells(entry.name)} | ${cell(other.join('; '))} |`);
  }
  return rows.join('\n');
}
