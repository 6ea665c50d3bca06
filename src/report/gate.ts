// The run as a CI gate: which cases fail it. A fail, an error or an
// inconclusive case fails the run; a warn only with --strict (h2spec's strict
// mode); a case a baseline expects to fail (--baseline) fails nothing. One
// rule, used by the exit code, the console summary, the JSON, JUnit and HTML
// reports and the GitHub annotations, so that no two of them disagree.
import type { Report } from '../runner/run.js';
import type { CaseResult } from '../runner/verdict.js';
import { compareWithBaseline, NOT_PASSING, type Baseline } from './baseline.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

/** What --strict and --baseline made of a run; carried in the report (Report.gate) so every reporter reads the same. */
export interface Gate {
  readonly strict: boolean;
  /** The --baseline file, when one was given. */
  readonly baseline?: string;
  /** The run's exit code: 0 passes CI. */
  readonly exitCode: number;
  /** Cases that fail the run (not excused by the baseline). */
  readonly failing: readonly string[];
  /** Not passing, and expected to (in the baseline): they fail nothing. */
  readonly known: readonly string[];
  /** In the baseline, and passed this time: the baseline can shrink. */
  readonly fixed: readonly string[];
}

export interface GateOptions {
  readonly strict?: boolean;
  readonly baseline?: { readonly file: string; readonly cases: Baseline };
}

/** Where a case stands in the gate. */
export type Standing =
  /** passed or skipped */
  | 'ok'
  /** fails the run */
  | 'fails-run'
  /** a warn without --strict: shown, fails nothing */
  | 'noted'
  /** not passing, and the baseline expects it: fails nothing */
  | 'known';

/** The one rule: how a case counts, given --strict and the baseline's known failures. */
export function standingOf(c: CaseResult, strict: boolean, known: (id: string) => boolean): Standing {
  if (c.verdict === 'pass' || c.verdict === 'skip') return 'ok';
  if (known(c.id)) return 'known';
  if (c.verdict === 'warn' && !strict) return 'noted';
  return 'fails-run';
}

/** A case's standing in a report's gate; a report without one (a library run) is judged without --strict or a baseline. */
export function standing(c: CaseResult, gate: Gate | undefined): Standing {
  return standingOf(c, gate?.strict === true, (id) => gate?.known.includes(id) === true);
}

/** Against the baseline: a known failure, a new one, or fixed since; undefined without a baseline (or for a pass not in it). */
export type BaselineStatus = 'known' | 'new' | 'fixed';

export function baselineStatus(c: CaseResult, gate: Gate | undefined): BaselineStatus | undefined {
  if (gate?.baseline === undefined) return undefined;
  if (gate.known.includes(c.id)) return 'known';
  if (gate.fixed.includes(c.id)) return 'fixed';
  return NOT_PASSING.includes(c.verdict) ? 'new' : undefined;
}

/** The exit code of a finished run; `known` are the baseline's known failures, `strict` makes warn and inconclusive fail. */
export function exitCodeOf(report: Report, strict = false, known: ReadonlySet<string> = new Set()): number {
  if (report.unreachable || report.stopped === 'interrupted') return EXIT.unreachable;
  if (report.preflight?.kind === 'profile') return EXIT.usage;
  const counted = report.cases.filter((c) => standingOf(c, strict, (id) => known.has(id)) !== 'known');
  if (counted.some((c) => c.verdict === 'fail')) return EXIT.failed;
  if (strict && counted.some((c) => c.verdict === 'warn' || c.verdict === 'inconclusive')) return EXIT.failed;
  const downOrInconclusive = counted.some((c) => c.notRun !== undefined || (c.verdict === 'error' && /cannot connect/.test(c.message ?? '')) || c.verdict === 'inconclusive');
  if ((report.stopped && !report.stopped.startsWith('stopped after')) || downOrInconclusive) return EXIT.unreachable;
  if (counted.some((c) => c.verdict === 'error')) return EXIT.usage;
  return EXIT.ok;
}

/** The gate of a finished run: computed once, after the run, and put in the report every reporter gets. */
export function gateOf(report: Report, options: GateOptions = {}): Gate {
  const strict = options.strict === true;
  const cmp = options.baseline ? compareWithBaseline(report, options.baseline.cases) : undefined;
  const known = new Set((cmp?.known ?? []).map((c) => c.id));
  return {
    strict,
    ...(options.baseline ? { baseline: options.baseline.file } : {}),
    exitCode: exitCodeOf(report, strict, known),
    failing: report.cases.filter((c) => standingOf(c, strict, (id) => known.has(id)) === 'fails-run').map((c) => c.id),
    known: [...known],
    fixed: [...(cmp?.nowPassing ?? [])],
  };
}

/** The report with its gate: what the reporters and report files get. */
export function withGate(report: Report, options: GateOptions = {}): Report {
  return { ...report, gate: gateOf(report, options) };
}
