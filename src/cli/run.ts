// `chat-conformance [run]`: the conformance run as a CI gate. Parses the
// command line, prints one line per case and a summary, writes reports, and
// exits 0 (no fail), 1 (a fail), 2 (usage or kit error), 3 (unreachable or
// inconclusive).
import { allCases } from '../../conformance/index.js';
import { builtinProfileNames, compileProfile, loadProfile, ProfileError } from '../profile/index.js';
import { requirement } from '../spec/requirements.js';
import { clipText } from '../evidence/clip.js';
import { annotations, inGitHubActions } from '../report/annotations.js';
import { checkBaselineWritable, readBaseline, writeBaseline, type Baseline } from '../report/baseline.js';
import { baselineStatus, EXIT, exitCodeOf, standing, standingOf, withGate } from '../report/gate.js';
import { didYouMean, numberOption as number, parseCommandLine, UsageError, type OptionSpec, type OptionValues } from './args.js';
import { makeReporter, makeStyle, REPORTERS, useColor, type ReporterName, type Style } from './reporters.js';
import { checkWritable, parseReportSpec, writeReports, type ReportSpec } from '../report/index.js';
import { tolerantOutput, type Output } from './output.js';
import { onStopSignals } from './stop-signals.js';
import { missingFeature, parseTarget, runConformance, RunOptionError, selectCases, type Report } from '../runner/run.js';
import type { CaseResult, Verdict } from '../runner/verdict.js';
import { packageVersion } from '../paths.js';
import { formatPreflight as formatPreflightReport } from '../preflight/index.js';
import { dirname, join } from 'node:path';
import { constants as osConstants } from 'node:os';
import type { SuperviseOptions } from '../supervise/index.js';

export { EXIT, exitCodeOf as exitCode };

export const RUN_HELP = `Usage: chat-conformance [run] [options]

Runs the conformance suites against a chat server (or, with no --target, the
embedded reference server) and reports each case against the spec.

Options:
  --target host:port        the server to test (default: start the embedded reference server)
  --server-cmd 'CMD'        start the server under test yourself: a shell command, {port} replaced by a
                            free port; the kit watches it, charges a crash to the case that caused it,
                            restarts it and goes on (recommended in CI)
  --server-cwd DIR          its working directory
  --server-env K=V          an environment variable for it (repeatable)
  --server-ready REGEX      ready once it prints a matching line (default: once it accepts a connection)
  --server-start-timeout ms deadline to be ready (default 10000)
  --dump-signal SIG         sent to a server whose room stopped serving before it is killed
                            (QUIT: a Go server prints every goroutine's stack)
  --pid N                   the pid of a local server started by hand (enables the resource cases)
  --profile name|file       dialect: ${builtinProfileNames.join(', ')}, or a profile JSON file (default gopl-en)
  --list                    list every case with its ID, level and requirements, then exit;
                            with --profile, which cases would run and why the others skip
  --only glob               run only matching case IDs (repeatable, comma-separated; e.g. 'chat/*')
  --skip glob               skip matching case IDs (repeatable)
  --quick                   a small budget: fewer runs and lines (aims at under 5 s)
  --runs N                  runs per property case (default 100, 20 with --quick)
  --seed N                  seed for the random parts (negative seeds too: --seed -42)
  --path P                  fast-check replay path (printed with a failure)
  --timeout ms              deadline of one wait, more than 0 (default 2000)
  --timeout-multiplier x    scale every wait and deadline, for slow targets (default 1)
  --idle-timeout ms         the target's idle timeout if not the profile's (0: it has none)
  --report FORMAT=FILE      write a report: json=FILE, junit=FILE or html=FILE (repeatable); checked
                            for writability before the run
  --reporter NAME           what stdout shows: default (a line per case), dot (a character
                            per case, then the failures) or json (the JSON report alone)
  --write-baseline FILE     record the cases that did not pass as known failures
  --baseline FILE           known failures (from --write-baseline) do not fail the run; new
                            ones do; cases that now pass are listed so the file can shrink
  --strict                  warn and inconclusive cases fail the run too (exit 1)
  --bail                    stop at the first failing case
  --no-verify               do not replay a failing case to check it reproduces
  --no-preflight            skip the preflight (two members exchange a line before the first case)
  --no-color                plain output (NO_COLOR is respected; FORCE_COLOR=1 forces colour)
  -h, --help                this help
  -v, --version             the version

In GitHub Actions (GITHUB_ACTIONS=true) each distinct failure is also printed
as an ::error annotation pointing at its requirement in the spec.

Subcommands:
  serve                     run the reference server (chat-conformance serve --help)
  bench                     load benchmark against any server (chat-conformance bench --help)
  check                     only the preflight: does the profile describe the server? (check --help)
  probe                     draft a profile from a live server (probe --help)

Exit codes: 0 no case failed, 1 at least one failed (or, with --strict, warned or
            was inconclusive; a server that crashes or stops serving mid-run fails
            the case that caused it), 2 usage or kit error (a report that cannot be
            written included), 3 target unreachable (or --server-cmd never became
            ready), run inconclusive, or stopped by SIGINT, SIGTERM or SIGHUP (a
            second signal leaves at once).

Examples:
  npx chat-conformance                                   # embedded reference server, gopl-en
  npx chat-conformance --target 127.0.0.1:8000 --profile gopl-zh
  npx chat-conformance --target localhost:9000 --profile ./my-dialect.json --report junit=reports/chat.xml
  npx chat-conformance --only 'chat/*' --seed -42
  npx chat-conformance --target 127.0.0.1:8000 --write-baseline chat-baseline.json
  npx chat-conformance --target 127.0.0.1:8000 --baseline chat-baseline.json --strict
`;

const RUN_OPTIONS = {
  target: { type: 'string' },
  'server-cmd': { type: 'string' },
  'server-cwd': { type: 'string' },
  'server-env': { type: 'string', multiple: true },
  'server-ready': { type: 'string' },
  'server-start-timeout': { type: 'string' },
  'dump-signal': { type: 'string' },
  pid: { type: 'string' },
  profile: { type: 'string' },
  list: { type: 'boolean' },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  quick: { type: 'boolean' },
  runs: { type: 'string' },
  seed: { type: 'string' },
  path: { type: 'string' },
  timeout: { type: 'string' },
  'timeout-multiplier': { type: 'string' },
  'idle-timeout': { type: 'string' },
  report: { type: 'string', multiple: true },
  reporter: { type: 'string' },
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  strict: { type: 'boolean' },
  'no-verify': { type: 'boolean' },
  'no-preflight': { type: 'boolean' },
  bail: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies Record<string, OptionSpec>;

function splitList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** A profile given by name must be a built-in one; a near miss gets a "did you mean". */
export function checkProfileName(name: string): void {
  if (builtinProfileNames.includes(name) || /[/\\]|\.json$/i.test(name)) return;
  const guess = didYouMean(name, builtinProfileNames);
  throw new UsageError(`unknown profile ${JSON.stringify(name)}${guess ? ` (did you mean ${guess}?)` : ''}; built-in: ${builtinProfileNames.join(', ')}, or a path to a profile .json file`);
}

export async function runCommand(argv: string[], out: Output = tolerantOutput(process.stdout), err: Output = tolerantOutput(process.stderr)): Promise<number> {
  let values: OptionValues<typeof RUN_OPTIONS>;
  try {
    values = parseCommandLine(argv, RUN_OPTIONS);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err.write(`chat-conformance: ${e.message}\n(see chat-conformance --help)\n`);
    return EXIT.usage;
  }
  if (values.help) {
    out.write(RUN_HELP);
    return EXIT.ok;
  }
  if (values.version) {
    out.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const profileName = values.profile ?? 'gopl-en';
  const style = makeStyle(useColor(process.env, out.isTTY, values['no-color'] === true));

  let reports: ReportSpec[];
  let reporterName: ReporterName;
  let baseline: Baseline | undefined;
  let seed: number | undefined;
  let runs: number | undefined;
  let timeoutMs: number | undefined;
  let multiplier: number | undefined;
  let idle: number | undefined;
  let only: string[];
  let skip: string[];
  let server: SuperviseOptions | undefined;
  let pid: number | undefined;
  try {
    reports = (values.report ?? []).map(parseReportSpec);
    const reporter = values.reporter ?? 'default';
    if (!(REPORTERS as readonly string[]).includes(reporter)) {
      const guess = didYouMean(reporter, REPORTERS);
      throw new UsageError(`--reporter takes ${REPORTERS.join(', ')}, got ${JSON.stringify(reporter)}${guess ? ` (did you mean ${guess}?)` : ''}`);
    }
    reporterName = reporter as ReporterName;
    seed = number('--seed', values.seed, 'an integer between -2147483648 and 2147483648', (n) => Number.isSafeInteger(n) && Math.abs(n) <= 2 ** 31);
    runs = number('--runs', values.runs, 'a whole number of runs, 1 or more', (n) => Number.isSafeInteger(n) && n > 0);
    timeoutMs = number('--timeout', values.timeout, 'the deadline of one wait in milliseconds, more than 0 (there is no "no deadline"; for slow targets use --timeout-multiplier)', (n) => n > 0);
    multiplier = number('--timeout-multiplier', values['timeout-multiplier'], 'a factor more than 0 (e.g. 2 or 0.5)', (n) => n > 0);
    idle = number('--idle-timeout', values['idle-timeout'], 'milliseconds, 0 or more (0: the target has no idle timeout)', (n) => n >= 0);
    pid = number('--pid', values.pid, 'a process id, 1 or more', (n) => Number.isSafeInteger(n) && n > 0);
    server = serverOptions(values, reports);
    if (server && values.target !== undefined) throw new UsageError('--server-cmd starts the server itself: give --server-cmd or --target, not both');
    only = splitList(values.only);
    skip = splitList(values.skip);
    checkProfileName(profileName);
    if (values.target !== undefined) parseTarget(values.target);
    if (values.list) {
      await listCases(out, style, only, skip, values.profile, idle);
      return EXIT.ok;
    }
    for (const spec of reports) checkWritable(spec); // exit 2 now, not after the run
    if (values['write-baseline'] !== undefined) checkBaselineWritable(values['write-baseline']);
    if (values.baseline !== undefined) baseline = readBaseline(values.baseline);
    await loadProfile(profileName); // a bad profile is a usage error before anything starts
  } catch (e) {
    if (e instanceof Error) {
      err.write(`chat-conformance: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }

  const abort = new AbortController();
  const done: CaseResult[] = [];
  let partial: Report | undefined;
  const offSignals = onStopSignals({
    first: (signal) => {
      err.write(`\n${signal}: stopping the running case, then writing the reports (${signal} again to leave at once)\n`);
      abort.abort();
    },
    second: () => {
      if (partial === undefined) writePartial(reports, done, { profile: profileName, ...(values.target !== undefined ? { target: values.target } : {}) }, seed);
      process.exit(EXIT.unreachable);
    },
  });

  const sectionTotals = new Map<string, number>();
  let selected: string[] = [];
  try {
    selected = selectCases(only, skip).map((c) => c.id);
  } catch (e) {
    err.write(`chat-conformance: ${(e as Error).message}\n`);
    offSignals();
    return EXIT.usage;
  }
  for (const id of selected) sectionTotals.set(section(id), (sectionTotals.get(section(id)) ?? 0) + 1);
  const sectionDone = new Map<string, number>();
  // Known failures are known before the run (the baseline was read): the reporter marks them as they end.
  const inBaseline = new Set(baseline?.cases.map((c) => c.id) ?? []);
  const reporter = makeReporter(reporterName, out, style, out.isTTY, (r) => standingOf(r, values.strict === true, (id) => inBaseline.has(id)) === 'known');

  reporter.header(`chat-conformance ${packageVersion()}: profile ${profileName}, target ${values.target ?? (server ? `${values['server-cmd']} (supervised)` : 'embedded reference server')}`);
  let report: Report;
  try {
    report = await runConformance({
      profile: profileName,
      ...(values.target !== undefined ? { target: values.target } : {}),
      ...(server ? { server } : {}),
      ...(pid !== undefined ? { pid } : {}),
      only,
      skip,
      quick: values.quick ?? false,
      ...(runs !== undefined ? { runs } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(values.path !== undefined ? { path: values.path } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(multiplier !== undefined ? { timeoutMultiplier: multiplier } : {}),
      ...(idle !== undefined ? { idleTimeoutMs: idle === 0 ? null : idle } : {}),
      verifyFailures: !values['no-verify'],
      ...(values['no-preflight'] ? { preflight: false } : {}),
      // The HTML report draws every case's transcript: keep the passing ones' too (only then).
      ...(reports.some((r) => r.format === 'html') ? { keepTranscripts: true } : {}),
      ...(values.bail ? { stopWhen: (r: CaseResult) => r.verdict === 'fail' } : {}),
      signal: abort.signal,
      onCaseStart: (c) => {
        const s = section(c.id);
        reporter.caseStart(c, `${(sectionDone.get(s) ?? 0) + 1}/${sectionTotals.get(s)}`);
      },
      onCaseEnd: (r) => {
        done.push(r);
        const s = section(r.id);
        sectionDone.set(s, (sectionDone.get(s) ?? 0) + 1);
        reporter.caseEnd(r);
      },
    });
  } catch (e) {
    offSignals();
    if (e instanceof RunOptionError || e instanceof ProfileError) {
      err.write(`chat-conformance: ${e.message}\n`);
      return EXIT.usage;
    }
    err.write(`chat-conformance: kit error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.usage;
  }
  partial = report;
  // The gate (--strict, --baseline) goes into the report: every reporter reads the same verdicts.
  report = withGate(report, { strict: values.strict === true, ...(baseline && values.baseline !== undefined ? { baseline: { file: values.baseline, cases: baseline } } : {}) });
  const gate = report.gate!;

  const problems = writeReports(reports, report);
  if (values['write-baseline'] !== undefined) {
    try {
      writeBaseline(values['write-baseline'], report);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  for (const problem of problems) err.write(`chat-conformance: ${problem}\n`);
  offSignals();
  if (inGitHubActions()) {
    const target = reporterName === 'json' ? err : out;
    for (const line of annotations(report.cases, gate)) target.write(`${line}\n`);
  }
  if (report.preflight) for (const line of formatPreflightReport(report.preflight)) (reporterName === 'json' ? err : out).write(`${line}\n`);
  if (report.unreachable) {
    err.write(`chat-conformance: ${report.stopped}\n`);
    reporter.end(report, []);
    return problems.length ? EXIT.usage : EXIT.unreachable;
  }
  const s = report.summary;
  const summary = [
    `\n${style.bold('Summary')}: ${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.skip} skip, ${s.inconclusive} inconclusive, ${s.error} error` +
      ` in ${(report.durationMs / 1000).toFixed(1)} s (seed ${report.seed})${report.stopped ? ` — stopped: ${clipText(report.stopped, 80)}` : ''}`,
  ];
  const code = gate.exitCode;
  if (gate.baseline !== undefined) {
    const fresh = report.cases.filter((c) => baselineStatus(c, gate) === 'new');
    summary.push(`Baseline ${gate.baseline}: ${gate.known.length} known failure${gate.known.length === 1 ? '' : 's'} (expected), ${fresh.length} new`);
    for (const r of fresh.slice(0, 50)) summary.push(`  new: ${r.verdict.toUpperCase()} ${r.id}  ${clipText((r.message ?? '').split('\n')[0]!, 160)}`);
    if (gate.fixed.length) summary.push(`  now passing (remove from the baseline): ${gate.fixed.join(', ')}`);
  }
  if (gate.strict && code !== EXIT.ok && report.cases.every((c) => c.verdict !== 'fail' || standing(c, gate) === 'known') && report.cases.some((c) => standing(c, gate) === 'fails-run' && (c.verdict === 'warn' || c.verdict === 'inconclusive'))) {
    summary.push('--strict: warn and inconclusive cases fail the run');
  }
  summary.push(...incidentLines(report));
  summary.push(`Verdict: ${style.word(report.verdict)}${gate.baseline !== undefined && code === EXIT.ok && report.verdict !== 'pass' ? ' (only known failures: the run passes)' : ''}`);
  reporter.end(report, summary);
  // A report CI cannot read is a broken gate, whatever the verdict.
  return problems.length ? EXIT.usage : code;
}

/** `--list`: every selected case; with --profile, which would run and why the others skip. */
async function listCases(out: Output, style: Style, only: string[], skip: string[], profile: string | undefined, idle: number | undefined): Promise<void> {
  const dialect = profile === undefined ? undefined : compileProfile(await loadProfile(profile));
  const idleMs = dialect === undefined ? null : idle === undefined ? dialect.profile.idleTimeoutMs : idle === 0 ? null : idle;
  let runCount = 0;
  const cases = selectCases(only, skip);
  for (const c of cases) {
    const levels = c.requirements.map((id) => `${id} ${requirement(id).level}`).join(', ');
    if (dialect === undefined) {
      out.write(`${c.id.padEnd(34)} ${c.title}\n${' '.repeat(35)}${style.dim(levels)}\n`);
      continue;
    }
    const gap = missingFeature(c, dialect, idleMs);
    if (!gap) runCount += 1;
    const mark = gap ? style.word('skip').padEnd(4) : style.word('pass').replace('PASS', 'RUN ');
    out.write(`${mark} ${c.id.padEnd(34)} ${gap ? style.dim(`skips: ${gap}`) : c.title}\n${' '.repeat(40)}${style.dim(levels)}\n`);
  }
  if (dialect) out.write(`\n${runCount} of ${cases.length} cases would run with profile ${dialect.profile.name}; ${cases.length - runCount} skip\n`);
}

const section = (id: string): string => id.slice(0, id.indexOf('/'));

function writePartial(reports: ReportSpec[], done: CaseResult[], values: { profile?: string; target?: string }, seed: number | undefined): void {
  const summary = Object.fromEntries((['pass', 'fail', 'warn', 'skip', 'inconclusive', 'error'] as const).map((v) => [v, done.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
  const report: Report = {
    tool: 'chat-conformance',
    version: packageVersion(),
    target: values.target ?? 'embedded reference server',
    profile: values.profile ?? 'gopl-en',
    seed: seed ?? 0,
    verdict: summary.fail > 0 ? 'fail' : 'inconclusive',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    summary,
    stopped: 'interrupted',
    cases: done,
  };
  writeReports(reports, report); // leaving on a second signal: nothing more to do if one fails
}

export { allCases };

/** --server-* options as the supervisor takes them (undefined without --server-cmd). */
function serverOptions(values: Record<string, unknown>, reports: readonly ReportSpec[]): SuperviseOptions | undefined {
  const command = values['server-cmd'] as string | undefined;
  const others = ['server-cwd', 'server-env', 'server-ready', 'server-start-timeout', 'dump-signal'].filter((k) => values[k] !== undefined);
  if (command === undefined) {
    if (others.length) throw new UsageError(`--${others[0]} needs --server-cmd`);
    return undefined;
  }
  if (command.trim() === '') throw new UsageError('--server-cmd is empty');
  const env: Record<string, string> = {};
  for (const kv of (values['server-env'] as string[] | undefined) ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--server-env takes K=V, got ${JSON.stringify(kv)}`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  let ready: RegExp | undefined;
  if (values['server-ready'] !== undefined) {
    try {
      ready = new RegExp(values['server-ready'] as string);
    } catch (e) {
      throw new UsageError(`--server-ready is not a regular expression: ${(e as Error).message}`);
    }
  }
  const startTimeoutMs = number('--server-start-timeout', values['server-start-timeout'] as string | undefined, 'milliseconds, more than 0 and at most 600000', (n) => n > 0 && n <= 600_000);
  let dumpSignal: NodeJS.Signals | undefined;
  if (values['dump-signal'] !== undefined) {
    const raw = (values['dump-signal'] as string).toUpperCase();
    const name = (raw.startsWith('SIG') ? raw : `SIG${raw}`) as NodeJS.Signals;
    if (!(name in osConstants.signals)) throw new UsageError(`--dump-signal: unknown signal ${JSON.stringify(values['dump-signal'])}`);
    dumpSignal = name;
  }
  if (!command.includes('{port}') && ready === undefined)
    throw new UsageError("--server-cmd needs {port} in the command (the kit picks a free port), or --server-ready with a (?<port>\\d+) group");
  // The server's output goes to a log beside the first report, when reports are asked for.
  const logFile = reports.length > 0 ? join(dirname(reports[0]!.file), 'server.log') : undefined;
  return {
    command,
    ...(values['server-cwd'] !== undefined ? { cwd: values['server-cwd'] as string } : {}),
    ...(Object.keys(env).length ? { env } : {}),
    ...(ready ? { ready } : {}),
    ...(startTimeoutMs !== undefined ? { startTimeoutMs } : {}),
    ...(dumpSignal ? { dumpSignal } : {}),
    ...(logFile ? { output: { logFile } } : {}),
  };
}

/** Each crash and dead room once: case, status, first line of the trace. */
export function incidentLines(report: Report): string[] {
  const list = report.incidents ?? [];
  if (list.length === 0) return [];
  const head = `Server incidents (${list.length}${report.restarts !== undefined ? `, ${report.restarts} restart(s)` : ''}):`;
  return [head, ...list.map((i) => `  ${i.case}: ${i.kind === 'crash' ? 'crashed' : 'room stopped serving'}, ${i.status}${i.headline ? ` — ${i.headline}` : ''}`)];
}
