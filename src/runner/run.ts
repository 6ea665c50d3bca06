// runConformance: select cases, run each against the target under deadlines,
// turn what happened into verdicts, and keep a dead target from cascading
// into a page of unrelated failures. The CLI and the library both use this.
import { randomBytes } from 'node:crypto';
import { allCases } from '../../conformance/index.js';
import { compileProfile, loadProfile, type Dialect, type Profile } from '../profile/index.js';
import { startServer, type RunningServer } from '../reference-server/index.js';
import { packageVersion } from '../paths.js';
import { requirement, type Level } from '../spec/requirements.js';
import { preflightResult, reachable, runPreflight, SetupBreaker, type PreflightKind } from '../preflight/index.js';
import type { ConformanceCase, Feature } from './case.js';
import type { Target } from './client.js';
import { aborted, deadline, now } from './clock.js';
import { clipText, STORED_VALUE_MAX } from '../evidence/clip.js';
import { shareKeptTranscripts, TranscriptBudget } from '../evidence/budget.js';
import type { Gate } from '../report/gate.js';
import { CaseContext, TargetUnreachable, type RunSettings } from './context.js';
import { failureSignature } from './format.js';
import { RunMemory } from './memory.js';
import { CaseStop, ViolationStop, caseLevel, verdictOf, VERDICTS, type CaseResult, type NotRun, type Verdict } from './verdict.js';
import { accepts, pidProbe, ServerStartError, Supervisor, type SuperviseOptions } from '../supervise/index.js';
import { chargeIncident, type Incident, type TargetWatch } from '../supervise/watch.js';

export interface RunOptions {
  /** host:port (or {host, port}); absent: the embedded reference server for the profile. */
  readonly target?: string | Target;
  /** Start and watch the server under test (crashes charged to the case, then restarted). Excludes target. */
  readonly server?: SuperviseOptions;
  /** The pid of a local server started by hand: enables the resource cases. */
  readonly pid?: number;
  /** A built-in profile name, a profile file path, or a loaded profile. */
  readonly profile: string | Profile;
  /** Glob patterns over case IDs (`chat/*`); a case runs when it matches one (default: all). */
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
  readonly quick?: boolean;
  /** Runs per property case. Default 100 (20 with quick). */
  readonly runs?: number;
  readonly seed?: number;
  /** fast-check replay path of a property case's counterexample. */
  readonly path?: string;
  /** Deadline of one wait in ms. Default 2000. */
  readonly timeoutMs?: number;
  /** Scales every wait and deadline, for slow targets. Default 1. */
  readonly timeoutMultiplier?: number;
  /** The target's idle timeout when it differs from the profile's (null: it has none). */
  readonly idleTimeoutMs?: number | null;
  /** Deadline of the whole run in ms. Default 10 minutes times the multiplier. */
  readonly runDeadlineMs?: number;
  /** Re-run a failing case once to tell a reproducible failure from a flaky one. Default true. */
  readonly verifyFailures?: boolean;
  /** Stops the run (SIGINT, SIGTERM, SIGHUP), the running case included; the report covers what ran. */
  readonly signal?: AbortSignal;
  /** Ends the run after a case whose result satisfies this (e.g. the first fail, for --bail). */
  readonly stopWhen?: (result: CaseResult) => boolean;
  readonly onCaseStart?: (c: ConformanceCase, index: number, total: number) => void;
  readonly onCaseEnd?: (result: CaseResult, index: number, total: number) => void;
  /** Check the profile against the target before the first case (two members exchange a line). Default true. */
  readonly preflight?: boolean;
  /** Keep the transcripts of cases that did not fail too (for the HTML report's diagrams), within the run's transcript budget. Default false. */
  readonly keepTranscripts?: boolean;
}

export interface Report {
  readonly tool: 'chat-conformance';
  readonly version: string;
  readonly target: string;
  readonly profile: string;
  readonly seed: number;
  readonly verdict: Verdict;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: Readonly<Record<Verdict, number>>;
  /** Why the run ended early, if it did (interrupted, run deadline, target unreachable). */
  readonly stopped?: string;
  /** True when the target could not be reached at the start: nothing was judged. */
  readonly unreachable?: boolean;
  /** Set when the preflight failed: whose fault (profile, server, unreachable) and the diagnosis. */
  readonly preflight?: { readonly kind: PreflightKind; readonly summary: string; readonly details: readonly string[] };
  /** Each crash or dead room once, with the case it is charged to. */
  readonly incidents?: readonly Incident[];
  /** Times the supervised server was started again. */
  readonly restarts?: number;
  readonly cases: readonly CaseResult[];
  /** The level and text of every requirement the cases name, so a report reads without the spec at hand. */
  readonly requirements?: Readonly<Record<string, { readonly level: Level; readonly text: string }>>;
  /** What --strict and --baseline made of the run (set by the CLI after the run; src/report/gate.ts). */
  readonly gate?: Gate;
}

/** A usage problem found before anything ran (bad glob, no case selected, bad profile). */
export class RunOptionError extends Error {
  override readonly name = 'RunOptionError';
}

export const EMBEDDED_IDLE_TIMEOUT_MS = 1000;
/** Transcript entries a case keeps in the report: the end of the case, where it failed (entries are cut, so a case is at most ~100 KB). */
export const REPORT_TRANSCRIPT_ENTRIES = 200;
const DEFAULT_WAIT_MS = 2000;

export function selectCases(only: readonly string[] = [], skip: readonly string[] = []): ConformanceCase[] {
  const toRegex = (glob: string): RegExp => new RegExp('^' + glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  const onlyRe = only.map(toRegex);
  const skipRe = skip.map(toRegex);
  const selected = allCases.filter((c) => (onlyRe.length === 0 || onlyRe.some((r) => r.test(c.id))) && !skipRe.some((r) => r.test(c.id)));
  if (selected.length === 0) throw new RunOptionError(`no case matches --only ${only.join(',') || '*'}${skip.length ? ` --skip ${skip.join(',')}` : ''} (see --list)`);
  return selected;
}

export function parseTarget(text: string): Target {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new RunOptionError(`--target must be host:port (e.g. 127.0.0.1:8000), got ${JSON.stringify(text)}`);
  return { host: m[1] ?? m[2]!, port };
}

export function missingFeature(c: ConformanceCase, dialect: Dialect, idleTimeoutMs: number | null): string | undefined {
  for (const need of c.needs ?? []) {
    const reason = featureGap(need, dialect, idleTimeoutMs);
    if (reason) return reason;
  }
  return undefined;
}

function featureGap(need: Feature, dialect: Dialect, idleTimeoutMs: number | null): string | undefined {
  const p = dialect.profile;
  if (need.startsWith('notice:')) {
    const type = need.slice(7);
    return dialect.hasNotice(type as never) ? undefined : `profile ${p.name} has no ${type} notice`;
  }
  if (need.startsWith('command:')) {
    const type = need.slice(8);
    return dialect.hasCommand(type as never) ? undefined : `profile ${p.name} has no ${type} command`;
  }
  switch (need) {
    case 'idle':
      return idleTimeoutMs === null ? `profile ${p.name} has no idle timeout` : undefined;
    case 'deadline:join':
      if (p.joinTimeoutMs === null) return `profile ${p.name} declares no join deadline (joinTimeoutMs)`;
      return p.joinOn === 'connect' ? `profile ${p.name}: members join when they connect, so no join deadline applies` : undefined;
    case 'deadline:line':
      if (p.lineTimeoutMs === null) return `profile ${p.name} declares no line deadline (lineTimeoutMs)`;
      return p.framing === 'raw' ? 'raw relays bytes as they come, not lines: no line deadline applies' : undefined;
    case 'framing:nameop':
      return p.framing === 'nameop' ? undefined : `only for nameop framing (profile ${p.name} is ${p.framing})`;
    case 'framing:raw':
      return p.framing === 'raw' ? undefined : `only for raw framing (profile ${p.name} is ${p.framing})`;
    case 'framing:line-or-raw':
      return p.framing === 'nameop' ? `not for nameop framing` : undefined;
    case 'identity:addr':
    case 'identity:name':
      return p.identity === need.slice(9) ? undefined : `profile ${p.name} identifies members by ${p.identity}`;
    default:
      return undefined;
  }
}

export async function runConformance(options: RunOptions): Promise<Report> {
  const startedAt = new Date();
  const t0 = now();
  const profile = typeof options.profile === 'string' ? await loadProfile(options.profile) : options.profile;
  const dialect = compileProfile(profile);
  const cases = selectCases(options.only, options.skip);
  const multiplier = options.timeoutMultiplier ?? 1;
  if (!(multiplier > 0)) throw new RunOptionError('--timeout-multiplier must be a positive number');
  const seed = options.seed ?? randomBytes(4).readInt32LE(0);
  const quick = options.quick ?? false;

  let server: RunningServer | undefined;
  let supervisor: Supervisor | undefined;
  let target: Target;
  let idleTimeoutMs = options.idleTimeoutMs === undefined ? profile.idleTimeoutMs : options.idleTimeoutMs;
  if (options.server) {
    if (options.target !== undefined) throw new RunOptionError('--server-cmd starts the target itself: give it or --target, not both');
    try {
      supervisor = await Supervisor.start(options.server);
    } catch (err) {
      if (!(err instanceof ServerStartError)) throw err;
      const output = err.output.map((l) => `  ${l.text}`).slice(-20);
      return notStarted(options, profile.name, seed, startedAt, t0, `the server did not start: ${err.message}${output.length ? `\n${output.join('\n')}` : ''}`);
    }
    target = supervisor.target;
  } else if (options.target === undefined) {
    // Embedded: the kit controls the server, so it can shorten the idle timeout to keep the run fast.
    idleTimeoutMs = profile.idleTimeoutMs === null ? null : (options.idleTimeoutMs ?? (quick ? EMBEDDED_IDLE_TIMEOUT_MS / 2 : EMBEDDED_IDLE_TIMEOUT_MS));
    server = await startServer({ profile, host: '127.0.0.1', port: 0, idleTimeoutMs });
    target = server.address;
  } else {
    target = typeof options.target === 'string' ? parseTarget(options.target) : options.target;
  }
  const targetName = supervisor
    ? `${options.server!.label ?? options.server!.command ?? options.server!.file} (supervised, ${supervisor.current.url})`
    : options.target === undefined
      ? `embedded reference server (${server!.url})`
      : `${target.host}:${target.port}`;
  const resources = supervisor ? supervisor.probe() : options.pid !== undefined ? pidProbe(options.pid) : undefined;

  let settings: RunSettings = {
    target,
    dialect,
    seed,
    runs: options.runs ?? (quick ? 20 : 100),
    quick,
    waitMs: (options.timeoutMs ?? DEFAULT_WAIT_MS) * multiplier,
    multiplier,
    idleTimeoutMs,
    prefix: `cc${randomBytes(3).toString('hex')}`,
    ...(resources ? { resources } : {}),
    memory: new RunMemory(),
    replayBase: [
      'npx chat-conformance',
      ...(options.server?.command ? [`--server-cmd ${shellQuote(options.server.command)}`] : []),
      ...(options.target === undefined ? [] : [`--target ${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`]),
      `--profile ${typeof options.profile === 'string' ? options.profile : profile.name}`,
      ...(options.idleTimeoutMs !== undefined ? [`--idle-timeout ${options.idleTimeoutMs ?? 0}`] : []),
    ].join(' '),
    ...(options.path ? { path: options.path } : {}),
    ...(options.signal ? { abort: options.signal } : {}),
  };
  const results: CaseResult[] = [];
  let stopped: string | undefined;
  let unreachable = false;
  let preflight: Report['preflight'];
  const runDeadline = t0 + (options.runDeadlineMs ?? 600_000 * multiplier);

  const incidents: Incident[] = [];
  const watch: TargetWatch = {
    crashed: () => supervisor?.current.crashed ?? false,
    alive: () => probeAlive(settings),
  };
  try {
    const why = supervisor ? undefined : await reachable(target, settings.waitMs, options.signal);
    if (options.signal?.aborted) {
      stopped = 'interrupted';
    } else if (why) {
      unreachable = true;
      stopped = `cannot connect to ${target.host}:${target.port}: ${why}`;
    } else {
      const checked = options.preflight === false ? undefined : await runPreflight(settings);
      // A preflight cut short by a signal judged nothing: the run was interrupted.
      if (options.signal?.aborted) stopped = 'interrupted';
      else if (checked && !checked.ok) {
        preflight = { kind: checked.kind, summary: checked.summary, details: checked.details };
        stopped = `preflight: ${checked.summary}`;
        if (checked.kind === 'unreachable') unreachable = true;
        if (checked.kind === 'server') {
          const result = preflightResult(checked, settings.replayBase);
          results.push(result);
          options.onCaseEnd?.(result, 0, cases.length);
        }
      }
      const breaker = new SetupBreaker();
      const budget = new TranscriptBudget();
      const reproduced = new Map<string, string>();
      let targetDown: { readonly message: string; readonly notRun: NotRun } | undefined;
      for (const [index, c] of cases.entries()) {
        if (preflight) break;
        if (options.signal?.aborted) {
          stopped = 'interrupted';
          break;
        }
        options.onCaseStart?.(c, index, cases.length);
        let result: CaseResult;
        const gap = staticSkip(c, settings, quick);
        if (gap) {
          result = resultOf(c, 'skip', 0, gap);
        } else if (now() > runDeadline || stopped) {
          stopped ??= 'the run deadline passed';
          result = { ...resultOf(c, 'error', 0, `not run: ${stopped}`), notRun: 'stopped' };
        } else if (targetDown) {
          result = { ...resultOf(c, 'error', 0, targetDown.message), notRun: targetDown.notRun };
        } else {
          supervisor?.current.markCase(c.id);
          result = await runCase(c, index, settings, options, watch, reproduced);
          if (options.signal?.aborted) stopped = 'interrupted';
          else if (supervisor) {
            const after = await superviseAfterCase(supervisor, c, result, watch);
            result = after.result;
            if (after.incident) {
              incidents.push(after.incident);
              const why = await supervisor.restart(c.id);
              if (why) stopped = why;
              else {
                settings = { ...settings, target: supervisor.target };
                // A fresh server that cannot serve before any case touched it: that is a loop, not a finding.
                if (!(await watch.alive())) stopped = `crash loop: the server restarted after ${c.id} does not serve (two new members could not exchange a line)`;
              }
            } else supervisor.caseOk();
          } else if (result.verdict === 'fail' || result.verdict === 'error' || result.verdict === 'inconclusive') {
            const why = await reachable(target, settings.waitMs);
            if (why) {
              targetDown = { message: `target down (${why} after ${c.id})`, notRun: 'target-down' };
              result = killedBy(c, result, why);
              incidents.push({ case: c.id, kind: 'crash', status: `stopped accepting connections (${why})` });
            } else if (!(await watch.alive())) {
              targetDown = { message: `room stopped serving (after ${c.id})`, notRun: 'room-stopped' };
              result = chargeIncident(c, result, { kind: 'dead-room', status: 'still accepting connections', output: [] });
              incidents.push({ case: c.id, kind: 'dead-room', status: 'still accepting connections' });
            }
          }
        }
        result = budget.charge(result);
        results.push(result);
        options.onCaseEnd?.(result, index, cases.length);
        if (stopped === 'interrupted') break;
        if (options.stopWhen?.(result)) {
          stopped = `stopped after ${c.id}`;
          break;
        }
        const tripped = breaker.observe(result);
        if (tripped) {
          stopped = tripped;
          break;
        }
      }
    }
  } finally {
    await server?.close();
    await supervisor?.close();
  }

  const summary = Object.fromEntries(VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
  return {
    tool: 'chat-conformance',
    version: packageVersion(),
    target: targetName,
    profile: profile.name,
    seed,
    // A profile that does not describe the server is a usage problem: nothing was judged.
    verdict: preflight?.kind === 'profile' ? 'error' : overallVerdict(summary, unreachable || stopped !== undefined),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(now() - t0),
    summary,
    ...(stopped ? { stopped } : {}),
    ...(unreachable ? { unreachable } : {}),
    ...(preflight ? { preflight } : {}),
    ...(incidents.length ? { incidents } : {}),
    ...(supervisor ? { restarts: supervisor.restarts } : {}),
    cases: shareKeptTranscripts(results),
    requirements: requirementTexts(results),
  };
}

function requirementTexts(results: readonly CaseResult[]): Record<string, { level: Level; text: string }> {
  const ids = [...new Set(results.flatMap((r) => r.requirements))].sort();
  return Object.fromEntries(ids.map((id) => [id, { level: requirement(id).level, text: requirement(id).text }]));
}

/** The report of a run whose supervised server never became ready: nothing was judged. */
function notStarted(options: RunOptions, profile: string, seed: number, startedAt: Date, t0: number, why: string): Report {
  const summary = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  return {
    tool: 'chat-conformance',
    version: packageVersion(),
    target: `${options.server?.command ?? options.server?.file ?? ''} (supervised)`,
    profile,
    seed,
    verdict: 'inconclusive',
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(now() - t0),
    summary,
    stopped: why,
    unreachable: true,
    cases: [],
  };
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Why the profile (or --quick) cannot run this case; decided before the target is touched, so a skip stays a skip. */
function staticSkip(c: ConformanceCase, settings: RunSettings, quick: boolean): string | undefined {
  const gap = missingFeature(c, settings.dialect, settings.idleTimeoutMs);
  if (gap) return gap;
  if (quick && c.slow && c.needs?.includes('idle') && (settings.idleTimeoutMs ?? 0) > 2000) {
    return `the idle timeout (${settings.idleTimeoutMs} ms) is too long for --quick; pass --idle-timeout if the target is configured shorter`;
  }
  const timer = declaredTimerMs(c, settings);
  if (quick && c.slow && timer > 2000) return `the profile's deadline (${timer} ms) is too long for --quick`;
  return undefined;
}

/** The longest server timer (idle timeout, join or line deadline) the case waits for; 0 for none. */
function declaredTimerMs(c: ConformanceCase, s: RunSettings): number {
  const p = s.dialect.profile;
  const timers = (c.needs ?? []).map((need) =>
    need === 'idle' ? (s.idleTimeoutMs ?? 0) : need === 'deadline:join' ? (p.joinTimeoutMs ?? 0) : need === 'deadline:line' ? (p.lineTimeoutMs ?? 0) : 0,
  );
  return Math.max(0, ...timers);
}

/** Two fresh members exchange a line (alive() tries the line three times: one slow moment is not a dead room). */
async function probeAlive(settings: RunSettings): Promise<boolean> {
  const ctx = new CaseContext(settings, 'liveness/probe', -1);
  try {
    return (await ctx.alive()).ok;
  } catch {
    return false; // a connect error: not alive
  } finally {
    ctx.closeAll();
  }
}

/**
 * Supervised: did the server crash during this case, or does its room no
 * longer serve? Either is this case's failure, with the server's evidence.
 */
async function superviseAfterCase(supervisor: Supervisor, c: ConformanceCase, result: CaseResult, watch: TargetWatch): Promise<{ result: CaseResult; incident?: Incident }> {
  // An exit a moment after the case's last step is still this case's doing.
  let crashed = await supervisor.crashed(30);
  let serving = true;
  if (!crashed && result.verdict !== 'skip') {
    serving = await watch.alive();
    if (!serving) crashed = await supervisor.crashed(100);
  }
  if (!crashed && serving) return { result };
  const incident = crashed ? supervisor.crashIncident() : await supervisor.deadRoomIncident();
  return {
    result: chargeIncident(c, result, incident),
    incident: { case: c.id, kind: incident.kind, status: incident.status, ...(incident.headline ? { headline: incident.headline } : {}) },
  };
}

function overallVerdict(s: Record<Verdict, number>, incomplete: boolean): Verdict {
  if (s.fail > 0) return 'fail';
  if (s.error > 0) return 'error';
  if (incomplete || s.inconclusive > 0) return 'inconclusive';
  if (s.warn > 0) return 'warn';
  if (s.pass === 0) return 'inconclusive';
  return 'pass';
}

function resultOf(c: ConformanceCase, verdict: Verdict, durationMs: number, message?: string): CaseResult {
  return { id: c.id, title: c.title, requirements: c.requirements, level: caseLevel(c.requirements), verdict, durationMs: Math.round(durationMs), ...(message ? { message: clipText(message, STORED_VALUE_MAX * 4) } : {}) };
}

/** The target died during this case: that is this case's failure, reported once. */
function killedBy(c: ConformanceCase, result: CaseResult, why: string): CaseResult {
  if (result.verdict === 'fail') return { ...result, message: `${result.message ?? ''} — the target stopped accepting connections (${why})`.trim() };
  const sent = (result.counterexample?.transcript ?? []).filter((e) => e.kind === 'send').slice(-5);
  return {
    ...result,
    verdict: 'fail',
    message: `the target stopped accepting connections (${why}) during this case${sent.length ? `; last sent: ${sent.map((e) => (e.kind === 'send' ? `${e.client} ${e.text}` : '')).join('; ')}` : ''}`,
  };
}

function caseDeadlineMs(c: ConformanceCase, s: RunSettings): number {
  const base = 60_000 * s.multiplier;
  return base + declaredTimerMs(c, s) * 4;
}

/**
 * Failures reproduced on replay after which later fails are not replayed: the verdict is a
 * reproduced FAIL by then, and on a broken server each replay costs its waits again.
 */
const REPLAYED_FAILURES_ENOUGH = 2;

/**
 * Runs a case; a fail is replayed once (same seed, same counterexample path) to tell a
 * finding from a timing accident. A failure already reproduced by an earlier case of this
 * run (same signature: requirement and message, names and numbers aside) is not replayed:
 * the server has shown it, and a broken server's verdict should not cost every wait twice;
 * nor is any fail once REPLAYED_FAILURES_ENOUGH different failures have reproduced, nor one
 * whose MUST violations the case confirmed itself (Violation.confirmed).
 */
async function runCase(c: ConformanceCase, index: number, settings: RunSettings, options: RunOptions, watch: TargetWatch, reproduced: Map<string, string>): Promise<CaseResult> {
  const first = await attempt(c, index, settings, options.keepTranscripts === true);
  if (first.verdict !== 'fail' || options.verifyFailures === false || settings.abort?.aborted) return first;
  // A server that crashed is not replayed: the crash is the finding.
  if (watch.crashed()) return first;
  const signature = failureSignature(first);
  const earlier = reproduced.get(signature);
  if (earlier !== undefined) return { ...first, message: `${first.message ?? ''} (not replayed: the same failure reproduced in ${earlier})`.trim() };
  // A fail the case confirmed itself (Violation.confirmed) is as good as a reproduced one.
  const must = (first.violations ?? []).filter((v) => v.level === 'MUST');
  if (must.length > 0 && must.every((v) => v.confirmed !== undefined)) {
    reproduced.set(signature, c.id);
    return { ...first, message: `${first.message ?? ''} (not replayed: confirmed within the case)`.trim() };
  }
  if (reproduced.size >= REPLAYED_FAILURES_ENOUGH) {
    return { ...first, message: `${first.message ?? ''} (not replayed: ${reproduced.size} failures reproduced already; --only ${c.id} replays it)`.trim() };
  }
  // Replay once with the same seed (and, for properties, the counterexample's path).
  const path = first.counterexample?.replay.match(/--path=(\S+)/)?.[1];
  const again = await attempt(c, index, path ? { ...settings, path } : settings);
  // Flaky only when the replay passed against a room that still serves: a replay
  // against a target that is down or wedged proves nothing.
  if (again.verdict !== 'pass' || watch.crashed() || !(await watch.alive())) {
    if (again.verdict === 'fail' && failureSignature(again) === signature) reproduced.set(signature, c.id);
    return first;
  }
  return { ...first, message: `${first.message ?? ''} (flaky: did not fail again on replay)`.trim(), counterexample: first.counterexample ? { ...first.counterexample, flaky: true } : undefined };
}

async function attempt(c: ConformanceCase, index: number, settings: RunSettings, keepTranscript = false): Promise<CaseResult> {
  const ctx = new CaseContext(settings, c.id, index);
  const started = now();
  let stop: CaseStop | undefined;
  let crash: unknown;
  // Evidence found before an interrupt stands; what follows it (waits cut short) does not.
  let judged = Infinity;
  const interrupt = aborted(settings.abort, () => {
    judged = ctx.violations.length;
    return new CaseStop('inconclusive', 'interrupted during this case');
  });
  const work = c.run(ctx);
  work.catch(() => {}); // a case abandoned at its deadline must not surface as an unhandled rejection
  try {
    await deadline(Promise.race([work, interrupt.promise]), caseDeadlineMs(c, settings), () => new CaseStop('inconclusive', `case deadline of ${caseDeadlineMs(c, settings)} ms passed`));
    await ctx.auditNotices();
  } catch (err) {
    if (err instanceof ViolationStop) {
      // recorded in ctx.violations already
    } else if (err instanceof CaseStop) stop = err;
    else crash = err;
  } finally {
    interrupt.dispose();
    ctx.closeAll();
  }
  const durationMs = now() - started;
  if (settings.abort?.aborted && judged === Infinity) judged = 0; // aborted while the case was settling
  const violations = ctx.violations.slice(0, judged);
  if (settings.abort?.aborted && violations.length === 0) return resultOf(c, 'inconclusive', durationMs, 'interrupted during this case');
  if (violations.length > 0) {
    const verdict = verdictOf(violations);
    const worst = violations.find((v) => v.level === 'MUST') ?? violations[0]!;
    return {
      ...resultOf(c, verdict, durationMs, `${worst.requirement} (${worst.level}): ${worst.message}`),
      violations,
      counterexample: {
        transcript: ctx.transcript.slice(-REPORT_TRANSCRIPT_ENTRIES),
        replay: replayCommand(c, settings, ctx.scenario?.path),
        ...(ctx.scenario ? { scenario: clipText(ctx.scenario.text, STORED_VALUE_MAX * 4) } : {}),
      },
    };
  }
  if (crash instanceof TargetUnreachable) {
    // Keep what was sent: if the target died here, this is the evidence.
    return { ...resultOf(c, 'error', durationMs, crash.message), counterexample: { transcript: ctx.transcript.slice(-REPORT_TRANSCRIPT_ENTRIES), replay: replayCommand(c, settings) } };
  }
  if (crash) return resultOf(c, 'error', durationMs, `kit error: ${crash instanceof Error ? (crash.stack ?? crash.message) : String(crash)}`);
  // Asked for (an HTML report): the transcript of a case with no counterexample too.
  const kept = keepTranscript && ctx.transcript.length > 0 ? { transcript: { entries: ctx.transcript.slice(-REPORT_TRANSCRIPT_ENTRIES) } } : {};
  if (stop) return { ...resultOf(c, stop.verdict, durationMs, stop.message), ...kept };
  return { ...resultOf(c, 'pass', durationMs), ...kept };
}

function replayCommand(c: ConformanceCase, s: RunSettings, path?: string): string {
  const parts = [s.replayBase, `--only ${c.id}`, `--seed=${s.seed}`];
  if (path) parts.push(`--path=${path}`);
  if (s.multiplier !== 1) parts.push(`--timeout-multiplier ${s.multiplier}`);
  return parts.join(' ');
}
