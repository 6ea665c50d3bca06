// `chat-conformance [run]`: the conformance run as a CI gate. Parses the
// command line, prints one line per case and a summary, writes reports, and
// exits 0 (no fail), 1 (a fail), 2 (usage or kit error), 3 (unreachable or
// inconclusive).
import { parseArgs, styleText } from 'node:util';
import { allCases } from '../../conformance/index.js';
import { builtinProfileNames, loadProfile, ProfileError } from '../profile/index.js';
import { requirement } from '../spec/requirements.js';
import { formatFailure } from '../runner/format.js';
import { checkWritable, parseReportSpec, ReportError, writeReports, type ReportSpec } from '../report/index.js';
import { tolerantOutput, type Output } from './output.js';
import { onStopSignals } from './stop-signals.js';
import { runConformance, RunOptionError, selectCases, type Report } from '../runner/run.js';
import type { CaseResult, Verdict } from '../runner/verdict.js';
import { packageVersion } from '../paths.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

export const RUN_HELP = `Usage: chat-conformance [run] [options]

Runs the conformance suites against a chat server (or, with no --target, the
embedded reference server) and reports each case against the spec.

Options:
  --target host:port        the server to test (default: start the embedded reference server)
  --profile name|file       dialect: ${builtinProfileNames.join(', ')}, or a profile JSON file (default gopl-en)
  --list                    list every case with its ID, level and requirements, then exit
  --only glob               run only matching case IDs (repeatable, comma-separated; e.g. 'chat/*')
  --skip glob               skip matching case IDs (repeatable)
  --quick                   a small budget: fewer runs and lines (aims at under 5 s)
  --runs N                  runs per property case (default 100, 20 with --quick)
  --seed=N                  seed for the random parts (negative seeds need the = form)
  --path=P                  fast-check replay path (printed with a failure)
  --timeout ms              deadline of one wait (default 2000)
  --timeout-multiplier x    scale every wait and deadline, for slow targets (default 1)
  --idle-timeout ms         the target's idle timeout if not the profile's (0: it has none)
  --report json=FILE        write a JSON report (repeatable; also junit=FILE, html=FILE); checked before the run
  --bail                    stop at the first failing case
  --no-verify               do not replay a failing case to check it reproduces
  --no-color                plain output (NO_COLOR is respected too)
  -h, --help                this help
  -v, --version             the version

Subcommands:
  serve                     run the reference server (chat-conformance serve --help)
  bench                     load benchmark against any server (chat-conformance bench --help)

Exit codes: 0 no case failed, 1 at least one failed, 2 usage or kit error
            (a report that cannot be written included), 3 target unreachable,
            run inconclusive, or stopped by SIGINT, SIGTERM or SIGHUP (a second
            signal leaves at once).

Examples:
  npx chat-conformance                                   # embedded reference server, gopl-en
  npx chat-conformance --target 127.0.0.1:8000 --profile gopl-zh
  npx chat-conformance --target localhost:9000 --profile ./my-dialect.json --report junit=reports/chat.xml
  npx chat-conformance --only 'chat/*' --seed=-42
`;

interface Style {
  /** The verdict word padded to a column. */
  verdict(v: Verdict): string;
  /** The verdict word alone. */
  word(v: Verdict): string;
  dim(s: string): string;
  bold(s: string): string;
}

function makeStyle(color: boolean): Style {
  const paint = (format: Parameters<typeof styleText>[0], s: string): string => (color ? styleText(format, s) : s);
  const colors: Record<Verdict, Parameters<typeof styleText>[0]> = {
    pass: 'green',
    fail: 'red',
    warn: 'yellow',
    skip: 'gray',
    inconclusive: 'magenta',
    error: 'red',
  };
  return {
    verdict: (v) => paint(colors[v], v.toUpperCase().padEnd(12)),
    word: (v) => paint(colors[v], v.toUpperCase()),
    dim: (s) => paint('gray', s),
    bold: (s) => paint('bold', s),
  };
}

function splitList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function number(name: string, text: string | undefined, check: (n: number) => boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !check(n)) throw new RunOptionError(`${name} takes a number, got ${JSON.stringify(text)}`);
  return n;
}

export async function runCommand(argv: string[], out: Output = tolerantOutput(process.stdout), err: Output = tolerantOutput(process.stderr)): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        target: { type: 'string' },
        profile: { type: 'string', default: 'gopl-en' },
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
        'no-verify': { type: 'boolean' },
        bail: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (e) {
    err.write(`chat-conformance: ${(e as Error).message}\n(see chat-conformance --help)\n`);
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
  const color = !values['no-color'] && !process.env.NO_COLOR && out.isTTY === true;
  const style = makeStyle(color);

  let reports: ReportSpec[];
  let seed: number | undefined;
  let runs: number | undefined;
  let timeoutMs: number | undefined;
  let multiplier: number | undefined;
  let idle: number | undefined;
  let only: string[];
  let skip: string[];
  try {
    reports = (values.report ?? []).map(parseReportSpec);
    if (!values.list) for (const spec of reports) checkWritable(spec); // exit 2 now, not after the run
    seed = number('--seed', values.seed, (n) => Number.isSafeInteger(n) && Math.abs(n) <= 2 ** 31);
    runs = number('--runs', values.runs, (n) => Number.isSafeInteger(n) && n > 0);
    timeoutMs = number('--timeout', values.timeout, (n) => n > 0);
    multiplier = number('--timeout-multiplier', values['timeout-multiplier'], (n) => n > 0);
    idle = number('--idle-timeout', values['idle-timeout'], (n) => n >= 0);
    only = splitList(values.only);
    skip = splitList(values.skip);
    if (values.list) {
      for (const c of selectCases(only, skip)) {
        const levels = c.requirements.map((id) => `${id} ${requirement(id).level}`).join(', ');
        out.write(`${c.id.padEnd(34)} ${c.title}\n${' '.repeat(35)}${style.dim(levels)}\n`);
      }
      return EXIT.ok;
    }
    await loadProfile(values.profile!); // a bad profile is a usage error before anything starts
  } catch (e) {
    if (e instanceof RunOptionError || e instanceof ProfileError || e instanceof ReportError || e instanceof Error) {
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
      if (partial === undefined) writePartial(reports, done, values, seed);
      process.exit(EXIT.unreachable);
    },
  });

  const progress = out.isTTY === true;
  let lastSection = '';
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

  out.write(style.bold(`chat-conformance ${packageVersion()}: profile ${values.profile}, target ${values.target ?? 'embedded reference server'}\n`));
  let report: Report;
  try {
    report = await runConformance({
      profile: values.profile!,
      ...(values.target !== undefined ? { target: values.target } : {}),
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
      ...(values.bail ? { stopWhen: (r: CaseResult) => r.verdict === 'fail' } : {}),
      signal: abort.signal,
      onCaseStart: (c) => {
        const s = section(c.id);
        if (s !== lastSection) {
          lastSection = s;
          out.write(style.bold(`${s}\n`));
        }
        if (progress) out.write(style.dim(`  … ${c.id} (${(sectionDone.get(s) ?? 0) + 1}/${sectionTotals.get(s)})`));
      },
      onCaseEnd: (r) => {
        done.push(r);
        const s = section(r.id);
        sectionDone.set(s, (sectionDone.get(s) ?? 0) + 1);
        if (progress) out.write('\r\x1b[2K');
        const note = r.verdict === 'pass' ? '' : `  ${r.message ?? ''}`;
        out.write(`  ${style.verdict(r.verdict)}${r.id.padEnd(34)} ${style.dim(`${r.durationMs} ms`)}${note ? style.dim(note.split('\n')[0]!) : ''}\n`);
        if (r.verdict === 'fail' || r.verdict === 'warn') {
          for (const line of formatFailure(r)) out.write(`      ${line}\n`);
        }
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

  const unwritten = writeReports(reports, report);
  for (const problem of unwritten) err.write(`chat-conformance: ${problem}\n`);
  offSignals();
  if (report.unreachable) {
    err.write(`chat-conformance: ${report.stopped}\n`);
    return unwritten.length ? EXIT.usage : EXIT.unreachable;
  }
  const s = report.summary;
  out.write(
    `\n${style.bold('Summary')}: ${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.skip} skip, ${s.inconclusive} inconclusive, ${s.error} error` +
      ` in ${(report.durationMs / 1000).toFixed(1)} s (seed ${report.seed})${report.stopped ? ` — stopped: ${report.stopped}` : ''}\n`,
  );
  out.write(`Verdict: ${style.word(report.verdict)}\n`);
  // A report CI cannot read is a broken gate, whatever the verdict.
  return unwritten.length ? EXIT.usage : exitCode(report);
}

export function exitCode(report: Report): number {
  if (report.unreachable || report.stopped === 'interrupted') return EXIT.unreachable;
  if (report.summary.fail > 0) return EXIT.failed;
  const downOrInconclusive = report.cases.some((c) => (c.verdict === 'error' && /target down|cannot connect|not run/.test(c.message ?? '')) || c.verdict === 'inconclusive');
  if (report.stopped || downOrInconclusive) return EXIT.unreachable;
  if (report.summary.error > 0) return EXIT.usage;
  return EXIT.ok;
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
