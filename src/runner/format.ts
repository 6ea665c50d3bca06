// Human-readable evidence: the failure block the CLI prints and the JUnit
// report embeds — requirement, expected vs actual, transcript, replay line.
import { requirement } from '../spec/requirements.js';
import type { TranscriptEntry } from './client.js';
import type { CaseResult } from './verdict.js';

const MAX_TRANSCRIPT_LINES = 60;

export function formatTranscript(entries: readonly TranscriptEntry[], max = MAX_TRANSCRIPT_LINES): string[] {
  const width = Math.max(2, ...entries.map((e) => e.client.length));
  const line = (e: TranscriptEntry): string => {
    const head = `+${e.at.toFixed(1).padStart(8)} ms  ${e.client.padEnd(width)}`;
    switch (e.kind) {
      case 'connect':
        return `${head}  connected from ${e.addr}`;
      case 'send':
        return `${head}  → ${clip(e.text)}${e.writes > 1 ? `  (${e.writes} writes)` : ''}`;
      case 'recv':
        return `${head}  ← ${clip(JSON.stringify(e.line))}${e.event ? '' : '  (unrecognised)'}`;
      case 'garbage':
        return `${head}  ← undecodable: ${e.detail}`;
      case 'fin':
        return `${head}  closes (FIN)`;
      case 'rst':
        return `${head}  resets (RST)`;
      case 'closed-by-server':
        return `${head}  connection closed by the server`;
      case 'pause':
        return `${head}  stops reading`;
      case 'resume':
        return `${head}  reads again`;
    }
  };
  if (entries.length <= max) return entries.map(line);
  const head = entries.slice(0, max / 2).map(line);
  const tail = entries.slice(-max / 2).map(line);
  return [...head, `… ${entries.length - max} more entries …`, ...tail];
}

function clip(s: string, max = 160): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

/** The failure block: one requirement per violation, then the scenario, transcript and replay line. */
export function formatFailure(r: CaseResult): string[] {
  const out: string[] = [];
  for (const v of r.violations ?? []) {
    const req = requirement(v.requirement);
    out.push(`${v.requirement} (${v.level}) ${req.text}`);
    out.push(`  ${v.message}`);
    if (v.expected !== undefined) out.push(`  expected: ${v.expected}`);
    if (v.actual !== undefined) out.push(`  actual:   ${v.actual}`);
  }
  const cx = r.counterexample;
  if (cx) {
    if (cx.scenario) out.push(`scenario (smallest found): ${cx.scenario}`);
    if (cx.transcript.length) {
      out.push('transcript:');
      for (const l of formatTranscript(cx.transcript)) out.push(`  ${l}`);
    }
    out.push(`replay: ${cx.replay}`);
    if (cx.flaky) out.push('flaky: the replay did not fail again');
  }
  return out;
}
