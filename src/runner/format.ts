// Human-readable evidence: the failure block the CLI prints and the JUnit
// report embeds — requirement, expected vs actual, transcript, replay line.
// Bounded for a reader: every line is cut to a width (with its full length
// and a hash), and a transcript shows a window at the failure (the end of the
// case, where it stopped) with the rest summarised.
import { clipToWidth } from '../evidence/clip.js';
import { requirement } from '../spec/requirements.js';
import type { TranscriptEntry } from './client.js';
import type { CaseResult } from './verdict.js';

/** Characters of one printed line. */
export const PRINT_WIDTH = 200;
/** Transcript entries shown: the first few (who connected) and the last ones (the failure). */
const TRANSCRIPT_HEAD = 4;
const TRANSCRIPT_TAIL = 36;
/** Sections whose verdicts rest on timing (rates, timeouts): a replay may not reproduce them. */
const TIMING_SECTIONS = new Set(['isolation', 'idle']);

export function formatTranscript(entries: readonly TranscriptEntry[], head = TRANSCRIPT_HEAD, tail = TRANSCRIPT_TAIL): string[] {
  const width = Math.min(16, Math.max(2, ...entries.map((e) => e.client.length)));
  const line = (e: TranscriptEntry): string => {
    const prefix = `+${e.at.toFixed(1).padStart(8)} ms  ${e.client.padEnd(width)}`;
    switch (e.kind) {
      case 'connect':
        return `${prefix}  connected from ${e.addr}`;
      case 'send':
        return `${prefix}  → ${e.text}${e.writes > 1 ? `  (${e.writes} writes)` : ''}`;
      case 'recv':
        return `${prefix}  ← ${JSON.stringify(e.line)}${e.event ? '' : e.note ? `  (${e.note})` : '  (unrecognised)'}`;
      case 'garbage':
        return `${prefix}  ← undecodable: ${e.detail}`;
      case 'fin':
        return `${prefix}  closes (FIN)`;
      case 'rst':
        return `${prefix}  resets (RST)`;
      case 'closed-by-server':
        return `${prefix}  connection closed by the server`;
      case 'pause':
        return `${prefix}  stops reading`;
      case 'resume':
        return `${prefix}  reads again`;
    }
  };
  const clipped = (e: TranscriptEntry): string => clipToWidth(line(e), PRINT_WIDTH);
  if (entries.length <= head + tail + 1) return entries.map(clipped);
  const hidden = entries.slice(head, entries.length - tail);
  return [...entries.slice(0, head).map(clipped), `… ${summarise(hidden)} …`, ...entries.slice(-tail).map(clipped)];
}

/** "120 entries not shown (+12.0 to +840.3 ms): a sent 40 lines, b received 80 lines" */
function summarise(hidden: readonly TranscriptEntry[]): string {
  const counts = new Map<string, number>();
  for (const e of hidden) {
    const what = e.kind === 'send' ? 'sent' : e.kind === 'recv' ? 'received' : e.kind;
    const key = `${e.client}\u0000${what}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const parts = [...counts].slice(0, 8).map(([key, n]) => {
    const [client, what] = key.split('\u0000');
    return what === 'sent' || what === 'received' ? `${client} ${what} ${n} line${n === 1 ? '' : 's'}` : `${client} ${what} ×${n}`;
  });
  const more = counts.size > 8 ? `, and ${counts.size - 8} more kinds` : '';
  return `${hidden.length} entries not shown (+${hidden[0]!.at.toFixed(1)} to +${hidden.at(-1)!.at.toFixed(1)} ms): ${parts.join(', ')}${more}`;
}

/** Whether a failure rests on timing, so that its replay line may not reproduce it. */
export function timingDependent(r: CaseResult): boolean {
  return r.counterexample?.flaky === true || TIMING_SECTIONS.has(r.id.slice(0, r.id.indexOf('/')));
}

/** The failure block: one requirement per violation, then the scenario, transcript and replay line; every line at most PRINT_WIDTH. */
export function formatFailure(r: CaseResult): string[] {
  const placeholders: [number, string[]][] = [];
  const out: string[] = [];
  // The same finding for several clients (a and b both missed a line) is printed once.
  const shown = new Map<string, string[]>();
  for (const v of r.violations ?? []) {
    const subject = /^(\S+) /.exec(v.message)?.[1] ?? '';
    const key = `${v.requirement}\u0000${v.message.slice(subject.length)}`;
    const others = shown.get(key);
    if (others) {
      others.push(subject);
      continue;
    }
    const req = requirement(v.requirement);
    out.push(`${v.requirement} (${v.level}) ${req.text}`);
    out.push(`  ${v.message}`);
    if (v.expected !== undefined) out.push(`  expected: ${v.expected}`);
    if (v.actual !== undefined) out.push(`  actual:   ${v.actual}`);
    if (v.confirmed !== undefined) out.push(`  confirmed: ${v.confirmed}`);
    const also: string[] = [];
    shown.set(key, also);
    out.push(''); // placeholder, filled below when others share this finding
    placeholders.push([out.length - 1, also]);
  }
  for (const [at, also] of placeholders) out[at] = also.length ? `  (the same for ${also.slice(0, 8).join(', ')}${also.length > 8 ? `, and ${also.length - 8} more` : ''})` : '\u0000';
  const cx = r.counterexample;
  if (cx) {
    if (cx.scenario) out.push(`scenario (smallest found): ${cx.scenario}`);
    if (cx.transcript.length) {
      out.push('transcript:');
      for (const l of formatTranscript(cx.transcript)) out.push(`  ${l}`);
    }
    out.push(`replay: ${cx.replay}`);
    if (cx.flaky) out.push('flaky: the replay did not fail again; this failure depends on timing and may not reproduce');
    else if (timingDependent(r)) out.push('note: this case measures timing; the replay may not reproduce the failure on a less (or more) loaded machine');
  }
  return out.filter((l) => l !== '\u0000').flatMap((l) => l.split('\n')).map((l) => clipToWidth(l, PRINT_WIDTH));
}

/**
 * What makes two failures "the same": the requirement and the message with
 * the run's particulars (addresses, numbers, quoted lines, generated names)
 * blanked out. A target that breaks joins fails every case the same way.
 */
export function failureSignature(r: CaseResult): string {
  const v = r.violations?.find((x) => x.level === 'MUST') ?? r.violations?.[0];
  const [head, text] = v ? [v.requirement, v.message] : [r.verdict, (r.message ?? '').split('\n')[0]!];
  return `${head}: ${text
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\bcc[0-9a-f]{6}\S*/g, '…')
    .replace(/\[[0-9a-f:]+\]:\d+|\d+\.\d+\.\d+\.\d+(:\d+)?/g, 'ADDR')
    .replace(/\d+(\.\d+)?/g, 'N')
    .replace(/\b(a|b|c|d|u\d+|slow|probe-[ab]|m\d+)\b/g, 'X')}`;
}
