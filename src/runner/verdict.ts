// Verdicts and the evidence behind them. A case never decides its verdict by
// itself: it records violations (of requirement IDs) and the level of each
// requirement decides, so a broken SHOULD warns and a broken MUST fails.
import { requirement, type Level } from '../spec/requirements.js';
import type { TranscriptEntry } from './client.js';
import { clipText, STORED_VALUE_MAX } from '../evidence/clip.js';
import type { ServerIncident } from '../supervise/supervisor.js';

export type Verdict = 'pass' | 'fail' | 'warn' | 'skip' | 'inconclusive' | 'error';

export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'warn', 'skip', 'inconclusive', 'error'];

export interface Violation {
  readonly requirement: string;
  readonly level: Level;
  readonly message: string;
  readonly expected?: string;
  readonly actual?: string;
  /**
   * How the case itself ruled out a timing accident (a stall that ended the moment the stopped
   * reader read again): a fail whose MUST violations all say so is not replayed.
   */
  readonly confirmed?: string;
}

export interface Counterexample {
  /** Per-client transcript of the (smallest) failing scenario. */
  readonly transcript: readonly TranscriptEntry[];
  /** A command line that replays it. */
  readonly replay: string;
  /** The failing scenario as data, for property cases. */
  readonly scenario?: string;
  /** Set when the replay did not fail again. */
  readonly flaky?: boolean;
}

/** The transcript of a case with no counterexample (a pass), kept only when asked for (an HTML report draws it). */
export interface KeptTranscript {
  readonly entries: readonly TranscriptEntry[];
  /** Earlier entries not kept: the run's transcript budget was short (src/evidence/budget.ts); all of them when `entries` is empty. */
  readonly cut?: number;
}

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  readonly requirements: readonly string[];
  readonly level: Level;
  readonly verdict: Verdict;
  readonly durationMs: number;
  readonly message?: string;
  readonly violations?: readonly Violation[];
  readonly counterexample?: Counterexample;
  /** A passing (or skipped, inconclusive) case's transcript, with RunOptions.keepTranscripts. */
  readonly transcript?: KeptTranscript;
  /** The server crashed, or its room stopped serving, during this case. */
  readonly server?: ServerIncident;
  /** The case was not run: the run had stopped (deadline, interrupt, crash loop), or an earlier case left the target down or its room not serving. */
  readonly notRun?: NotRun;
}

export type NotRun = 'stopped' | 'target-down' | 'room-stopped';

export interface ViolationDetail {
  readonly expected?: string;
  readonly actual?: string;
  readonly confirmed?: string;
}

export function violation(id: string, message: string, detail?: ViolationDetail): Violation {
  const req = requirement(id);
  // Stored bounded: an "actual" may quote whole lines of a target that sends megabytes.
  return {
    requirement: id,
    level: req.level,
    message: clipText(message, STORED_VALUE_MAX),
    ...(detail?.expected !== undefined ? { expected: clipText(detail.expected, STORED_VALUE_MAX) } : {}),
    ...(detail?.actual !== undefined ? { actual: clipText(detail.actual, STORED_VALUE_MAX) } : {}),
    ...(detail?.confirmed !== undefined ? { confirmed: clipText(detail.confirmed, STORED_VALUE_MAX) } : {}),
  };
}

/** The strongest level among a case's requirements: the level the case reports. */
export function caseLevel(ids: readonly string[]): Level {
  const levels = ids.map((id) => requirement(id).level);
  if (levels.includes('MUST')) return 'MUST';
  if (levels.includes('SHOULD')) return 'SHOULD';
  return 'MAY';
}

export function verdictOf(violations: readonly Violation[]): Verdict {
  if (violations.some((v) => v.level === 'MUST')) return 'fail';
  if (violations.some((v) => v.level === 'SHOULD')) return 'warn';
  return 'pass';
}

/** Thrown inside a case to stop it with a verdict other than pass/fail/warn. */
export class CaseStop extends Error {
  constructor(
    readonly verdict: 'skip' | 'inconclusive' | 'error',
    message: string,
  ) {
    super(message);
  }
}

/** Thrown inside a case to stop at the first MUST violation (the evidence is recorded first). */
export class ViolationStop extends Error {
  constructor(readonly violation: Violation) {
    super(`${violation.requirement}: ${violation.message}`);
  }
}

/** The requirement the runner checks after every case, whatever the case is about (CaseContext.auditNotices). */
export const AUDITED_AFTER_EVERY_CASE = 'NOTICE-1';
