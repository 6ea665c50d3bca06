// A run-wide bound on the evidence a report carries: each failing case keeps
// up to REPORT_TRANSCRIPT_ENTRIES transcript entries, and the run as a whole
// at most RUN_TRANSCRIPT_ENTRIES, so the JSON report of any run (every case
// failing, every line cut) stays a few MB. Past the budget a case keeps only
// the last few entries, the ones at its failure. The transcripts of passing
// cases (kept for an HTML report) draw on the same budget, but only on its
// first half: the other half is for failures, and a passing case whose
// transcript does not fit keeps none of it (the page says so).
import type { CaseResult } from '../runner/verdict.js';

/** Entries the run's report may hold in all (about 700 bytes each, cut and pretty-printed: under 3 MB). */
export const RUN_TRANSCRIPT_ENTRIES = 4000;
/** Entries a case keeps once the run's budget is spent. */
export const MIN_CASE_ENTRIES = 12;
/** The budget passing cases' transcripts leave for failures: they are kept while this much would remain. */
export const RESERVED_FOR_FAILURES = RUN_TRANSCRIPT_ENTRIES / 2;

export class TranscriptBudget {
  constructor(private left = RUN_TRANSCRIPT_ENTRIES) {}

  /** The result with its transcript cut to what the budget still allows (the same object when nothing is cut). */
  charge(result: CaseResult): CaseResult {
    const kept = result.transcript;
    if (kept && kept.dropped === undefined) {
      const n = kept.entries.length;
      if (this.left - n >= RESERVED_FOR_FAILURES) {
        this.left -= n;
        return result;
      }
      return { ...result, transcript: { entries: [], dropped: n } };
    }
    const cx = result.counterexample;
    if (!cx) return result;
    const allowed = Math.max(MIN_CASE_ENTRIES, this.left);
    this.left = Math.max(0, this.left - Math.min(cx.transcript.length, allowed));
    if (cx.transcript.length <= allowed) return result;
    return { ...result, counterexample: { ...cx, transcript: cx.transcript.slice(-allowed) } };
  }
}
