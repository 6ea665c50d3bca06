// The setup-failure breaker: when several cases in a row fail with the same
// message (the same join step failing the same way, or the same kit error),
// the rest would fail alike; the run stops and says so once.
import { AUDITED_AFTER_EVERY_CASE, type CaseResult } from '../runner/verdict.js';

/** Cases in a row with one message before the breaker trips. */
export const BREAKER_THRESHOLD = 3;

/** A message with what varies between cases (addresses, per-run names and texts, numbers) taken out. */
export function normaliseMessage(message: string): string {
  return message
    .replace(/\[[0-9A-Fa-f:.%]+\]:\d+|\b\d{1,3}(?:\.\d{1,3}){3}:\d+/g, 'ADDR')
    .replace(/\bcc[0-9a-f]{6}[^\s"',;:)]*/g, 'X')
    .replace(/\d+/g, 'N')
    .slice(0, 300);
}

/** What a result failed at, or undefined when it did not fail (or failed because the target died). */
function failureKey(result: CaseResult): string | undefined {
  if (result.verdict !== 'fail' && result.verdict !== 'error') return undefined;
  const message = result.message ?? '';
  if (result.notRun) return undefined;
  // A crash or dead room charged to this case: the supervisor restarts the server and has its own crash-loop limit.
  if (result.server) return undefined;
  // The check made after every case (NOTICE-1) repeats by nature: a server bug it finds is no setup problem.
  if (result.violations?.length && result.violations.every((v) => v.requirement === AUDITED_AFTER_EVERY_CASE)) return undefined;
  const first = result.violations?.[0];
  const what = first ? `${first.requirement}: ${first.message}` : message;
  return `${result.verdict} ${normaliseMessage(what)}`;
}

export class SetupBreaker {
  private key: string | undefined;
  private streak: string[] = [];

  constructor(private readonly threshold = BREAKER_THRESHOLD) {}

  /** Feeds one case's result; returns why the run should stop when it trips. */
  observe(result: CaseResult): string | undefined {
    const key = failureKey(result);
    if (key === undefined || key !== this.key) {
      this.key = key;
      this.streak = key === undefined ? [] : [result.id];
      return undefined;
    }
    this.streak.push(result.id);
    if (this.streak.length < this.threshold) return undefined;
    const first = result.violations?.[0];
    const what = first ? `${first.requirement}: ${first.message}` : (result.message ?? '');
    return `${this.streak.length} cases in a row (${this.streak.join(', ')}) failed the same way — ${what}; the rest would most likely fail alike: check the profile against the server with \`chat-conformance check\``;
  }
}
