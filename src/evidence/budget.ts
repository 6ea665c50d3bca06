// A run-wide bound on the evidence a report carries: each failing case keeps
// up to REPORT_TRANSCRIPT_ENTRIES transcript entries, and the run as a whole
// at most RUN_TRANSCRIPT_ENTRIES, so the JSON report of any run (every case
// failing, every line cut) stays a few MB. Past the budget a case keeps only
// the last few entries, the ones at its failure. The transcripts of passing
// cases (kept for an HTML report) are shared out at the end of the run from
// what the failures left, at most half the budget: evenly, each keeping its
// last entries, so that every passing case has some diagram to show.
import type { CaseResult } from '../runner/verdict.js';

/** Entries the run's report may hold in all (about 700 bytes each, cut and pretty-printed: under 3 MB). */
export const RUN_TRANSCRIPT_ENTRIES = 4000;
/** Entries a case keeps once the run's budget is spent. */
export const MIN_CASE_ENTRIES = 12;
/** At most this much of the budget goes to passing cases' transcripts. */
export const PASSING_SHARE = RUN_TRANSCRIPT_ENTRIES / 2;

export class TranscriptBudget {
  constructor(private left = RUN_TRANSCRIPT_ENTRIES) {}

  /** The result with its transcript cut to what the budget still allows (the same object when nothing is cut). */
  charge(result: CaseResult): CaseResult {
    const cx = result.counterexample;
    if (!cx) return result;
    const allowed = Math.max(MIN_CASE_ENTRIES, this.left);
    this.left = Math.max(0, this.left - Math.min(cx.transcript.length, allowed));
    if (cx.transcript.length <= allowed) return result;
    return { ...result, counterexample: { ...cx, transcript: cx.transcript.slice(-allowed) } };
  }
}

/**
 * The run's results with the kept transcripts (cases without a counterexample)
 * cut to one share: what the counterexamples left of the budget, at most
 * PASSING_SHARE. Each keeps its last `cap` entries, `cap` the largest that
 * fits; when even MIN_CASE_ENTRIES each does not fit, the later ones keep none.
 */
export function shareKeptTranscripts(results: readonly CaseResult[]): CaseResult[] {
  const used = results.reduce((n, r) => n + (r.counterexample?.transcript.length ?? 0), 0);
  let share = Math.min(PASSING_SHARE, Math.max(0, RUN_TRANSCRIPT_ENTRIES - used));
  const lengths = results.flatMap((r) => (r.transcript && r.transcript.cut === undefined ? [r.transcript.entries.length] : []));
  const total = lengths.reduce((a, b) => a + b, 0);
  if (total <= share) return [...results];
  // The largest cap with sum(min(length, cap)) <= share.
  let cap = 0;
  for (let hi = Math.max(0, ...lengths), lo = 0; lo <= hi; ) {
    const mid = (lo + hi) >> 1;
    if (lengths.reduce((n, l) => n + Math.min(l, mid), 0) <= share) {
      cap = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  cap = Math.max(cap, MIN_CASE_ENTRIES);
  return results.map((r) => {
    const kept = r.transcript;
    if (!kept || kept.cut !== undefined) return r;
    const n = kept.entries.length;
    const keep = share >= Math.min(n, cap) ? Math.min(n, cap) : 0;
    share -= keep;
    if (keep === n) return r;
    return { ...r, transcript: { entries: keep > 0 ? kept.entries.slice(-keep) : [], cut: n - keep } };
  });
}
