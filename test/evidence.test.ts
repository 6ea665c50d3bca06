// Bounded evidence: cut strings keep their length and hash, events are cut
// field by field, and a report where every case fails with a long transcript
// of long lines stays a few MB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { clipEvent, clipText, clipToWidth, STORED_LINE_MAX } from '../src/evidence/clip.js';
import { TranscriptBudget, RUN_TRANSCRIPT_ENTRIES, MIN_CASE_ENTRIES, PASSING_SHARE, shareKeptTranscripts } from '../src/evidence/budget.js';
import { toJson } from '../src/report/json.js';
import { REPORT_TRANSCRIPT_ENTRIES, type Report } from '../src/runner/run.js';
import type { CaseResult } from '../src/runner/verdict.js';
import type { TranscriptEntry } from '../src/runner/client.js';

test('clipText: short text as is; long text cut with its length and sha256; no half surrogate pair', () => {
  assert.equal(clipText('hello'), 'hello');
  const long = 'x'.repeat(1024 * 1024);
  const cut = clipText(long);
  assert.equal(cut, `${'x'.repeat(STORED_LINE_MAX)}… (1048576 chars, sha256 ${createHash('sha256').update(long).digest('hex').slice(0, 12)})`);
  const emoji = 'a'.repeat(STORED_LINE_MAX - 1) + '😀'.repeat(10);
  assert.doesNotMatch(clipText(emoji), /[\ud800-\udbff](?![\udc00-\udfff])/);
});

test('clipEvent: long fields cut, short events untouched', () => {
  const short = { type: 'chat' as const, who: { addr: '1.2.3.4:5' }, text: 'hi' };
  assert.equal(clipEvent(short), short);
  const long = clipEvent({ type: 'chat' as const, who: { name: 'n'.repeat(5000) }, text: 't'.repeat(5000) });
  assert.ok(long.text.length < 400 && long.who.name!.length < 400);
});

test('a run where every case fails with long transcripts of 1 MiB lines: the JSON report stays under 4 MB', () => {
  const line = clipText('z'.repeat(1024 * 1024));
  const transcript: TranscriptEntry[] = Array.from({ length: 400 }, (_, i) => ({ at: i, client: 'a', kind: 'recv', line, event: clipEvent({ type: 'chat', who: { addr: '127.0.0.1:40000' }, text: 'z'.repeat(1024 * 1024) }) }));
  const budget = new TranscriptBudget();
  const cases: CaseResult[] = Array.from({ length: 60 }, (_, i) =>
    budget.charge({
      id: `chat/c${i}`,
      title: 't',
      requirements: ['CHAT-1'],
      level: 'MUST',
      verdict: 'fail',
      durationMs: 1,
      message: clipText('m'.repeat(10_000), 1024),
      violations: [{ requirement: 'CHAT-1', level: 'MUST', message: 'm', actual: clipText('a'.repeat(100_000), 1024) }],
      counterexample: { transcript: transcript.slice(-REPORT_TRANSCRIPT_ENTRIES), replay: 'r' },
    }),
  );
  const total = cases.reduce((n, c) => n + c.counterexample!.transcript.length, 0);
  assert.ok(total <= RUN_TRANSCRIPT_ENTRIES + 60 * MIN_CASE_ENTRIES, `${total} entries`);
  assert.ok(cases.at(-1)!.counterexample!.transcript.length >= MIN_CASE_ENTRIES);
  const report: Report = { tool: 'chat-conformance', version: '0', target: 't', profile: 'gopl-en', seed: 1, verdict: 'fail', startedAt: new Date(0).toISOString(), durationMs: 1, summary: { pass: 0, fail: 60, warn: 0, skip: 0, inconclusive: 0, error: 0 }, cases };
  const size = Buffer.byteLength(toJson(report));
  assert.ok(size < 4 * 1024 * 1024, `${size} bytes`);
});

test('passing cases’ transcripts share what failures leave of the run’s budget, at most half, evenly, each keeping its last entries', () => {
  const entries = (n: number): TranscriptEntry[] => Array.from({ length: n }, (_, i) => ({ at: i, client: 'a', kind: 'send', text: `line ${i}`, writes: 1 }));
  const base = { title: 't', requirements: ['CHAT-1'], level: 'MUST' as const, durationMs: 1 };
  const pass = (i: number, n: number): CaseResult => ({ ...base, id: `chat/p${i}`, verdict: 'pass', transcript: { entries: entries(n) } });
  const fail = (i: number, n: number): CaseResult => ({ ...base, id: `chat/f${i}`, verdict: 'fail', counterexample: { transcript: entries(n), replay: 'r' } });
  const kept = (cases: CaseResult[]): number => cases.reduce((n, c) => n + (c.transcript?.entries.length ?? 0), 0);
  // Within the share: untouched.
  const few = [pass(0, 30), fail(1, 200), pass(2, 40)];
  assert.deepEqual(shareKeptTranscripts(few), few);
  // 40 passing cases of 200 entries: PASSING_SHARE split evenly, each its last entries, the cut said.
  const many = shareKeptTranscripts(Array.from({ length: 40 }, (_, i) => pass(i, REPORT_TRANSCRIPT_ENTRIES)));
  assert.equal(kept(many), PASSING_SHARE);
  for (const c of many) {
    assert.equal(c.transcript!.entries.length, PASSING_SHARE / 40);
    assert.equal(c.transcript!.cut, REPORT_TRANSCRIPT_ENTRIES - PASSING_SHARE / 40);
    assert.equal((c.transcript!.entries.at(-1) as { text: string }).text, `line ${REPORT_TRANSCRIPT_ENTRIES - 1}`);
  }
  // Short transcripts stay whole; the long ones share the rest.
  const mixed = shareKeptTranscripts([pass(0, 10), ...Array.from({ length: 20 }, (_, i) => pass(i + 1, REPORT_TRANSCRIPT_ENTRIES))]);
  assert.equal(mixed[0]!.transcript!.cut, undefined);
  assert.ok(kept(mixed) <= PASSING_SHARE && kept(mixed) > PASSING_SHARE - 20, `${kept(mixed)}`);
  // Failures first: passing cases get what they left (here nothing), and say so.
  const spent = shareKeptTranscripts([...Array.from({ length: 20 }, (_, i) => fail(i, REPORT_TRANSCRIPT_ENTRIES)), pass(99, 50)]);
  assert.deepEqual(spent.at(-1)!.transcript, { entries: [], cut: 50 });
  // So many passing cases that MIN_CASE_ENTRIES each does not fit: the later ones keep none; the share holds.
  const crowd = shareKeptTranscripts(Array.from({ length: 400 }, (_, i) => pass(i, 100)));
  assert.ok(kept(crowd) <= PASSING_SHARE);
  assert.equal(crowd[0]!.transcript!.entries.length, MIN_CASE_ENTRIES);
  assert.deepEqual(crowd.at(-1)!.transcript, { entries: [], cut: 100 });
});

test('clipToWidth: a printed line, head, length and hash together, never wider than the width', () => {
  assert.equal(clipToWidth('short', 200), 'short');
  for (const n of [201, 4097, 1024 * 1024]) {
    const cut = clipToWidth('L'.repeat(n), 200);
    assert.ok(cut.length <= 200, `${cut.length} chars`);
    assert.match(cut, new RegExp(`\\(${n} chars, sha256 [0-9a-f]{12}\\)$`));
  }
});
