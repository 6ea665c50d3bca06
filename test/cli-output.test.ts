// What a person (or a CI log) reads: failures cut to a width and grouped,
// at most 200 lines per failing case against a seed design; the CLI's own
// wording for mistakes, with "did you mean"; --list per profile; colours
// (FORCE_COLOR, NO_COLOR); reporters; GitHub annotations; baselines; --strict.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportSchema } from '../src/runner/report-schema.js';
import { formatFailure } from '../src/runner/format.js';
import { annotations } from '../src/report/annotations.js';
import type { CaseResult } from '../src/runner/verdict.js';
import { startSeedWhoRename } from './targets/seed-who-rename.js';
import type { RunningSeed } from './targets/blocking-fanout.js';
import { runCli } from './helpers/cli.js';
import { packagePath } from '../src/paths.js';
import { startServer, type RunningServer } from '../src/reference-server/index.js';

const VERDICT_LINE = /^\s+(PASS|FAIL|WARN|SKIP|INCONCLUSIVE|ERROR) +\S/;

describe('mistakes on the command line', () => {
  test('did you mean, for options, profiles and reporters; our own wording; --timeout 0', async () => {
    const cases: [string[], RegExp][] = [
      [['--profle', 'gopl-en'], /unknown option --profle \(did you mean --profile\?\)/],
      [['--profile', 'gopl-eng'], /unknown profile "gopl-eng" \(did you mean gopl-en\?\)/],
      [['--reporter', 'dots'], /did you mean dot\?/],
      [['--timeout', '0'], /--timeout takes the deadline of one wait in milliseconds, more than 0/],
      [['stray'], /unexpected argument "stray"/],
      [['--quick=yes'], /--quick takes no value/],
      [['--target'], /--target needs a value/],
      // The subcommands speak the same way.
      [['check', '--profle', 'gopl-en'], /^chat-conformance check: unknown option --profle \(did you mean --profile\?\)/],
      [['check', '--target', '127.0.0.1:1', '--profile', 'gopl-eng'], /unknown profile "gopl-eng" \(did you mean gopl-en\?\)/],
      [['check', 'stray'], /unexpected argument "stray"/],
      [['probe', '--target', '127.0.0.1:1', '--timeout', '0'], /^chat-conformance probe: --timeout takes a positive number of ms, got "0"/],
      [['probe', '--tagret', '127.0.0.1:1'], /unknown option --tagret \(did you mean --target\?\)/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { timeoutMs: 15_000 });
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
      assert.match(r.stderr, message, args.join(' '));
      // Node's argument-parser wording must not leak through.
      assert.doesNotMatch(r.stderr, /positional|after '--'|ERR_PARSE_ARGS/, args.join(' '));
    }
  });

  test('--seed takes a negative number without the = form', async () => {
    const r = await runCli(['--list', '--seed', '-42'], { timeoutMs: 15_000 });
    assert.equal(r.code, 0, r.stderr);
  });

  test('--list --profile says which cases would run and why the others skip', async () => {
    const r = await runCli(['--list', '--profile', 'nameop'], { timeoutMs: 15_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^RUN +ident\/taken-name/m);
    assert.match(r.stdout, /^SKIP +join\/welcome +skips: profile nameop has no welcome notice/m);
    assert.match(r.stdout, /\d+ of \d+ cases would run with profile nameop; \d+ skip/);
    const gopl = await runCli(['--list', '--profile', 'gopl-en'], { timeoutMs: 15_000 });
    assert.match(gopl.stdout, /^SKIP +ident\/taken-name +skips: /m);
  });
});

describe('a failing run against a seed design', () => {
  let seed: RunningSeed;
  before(async () => {
    seed = await startSeedWhoRename({ port: 0 });
  });
  after(() => seed.close());

  test('at most 200 lines per failing case, every line cut to a width, identical failures grouped, no glued verdict', async () => {
    const r = await runCli(['--target', `127.0.0.1:${seed.port}`, '--profile', 'who-rename', '--quick', '--no-verify', '--timeout', '500', '--only', 'frame/*,chat/*'], { timeoutMs: 120_000 });
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.split('\n');
    for (const l of lines) assert.ok(l.length <= 240, `a line of ${l.length} chars: ${l.slice(0, 100)}…`);
    // Lines from one FAIL to the next verdict line: one failing case's output.
    let current: { id: string; count: number } | undefined;
    const perCase: { id: string; count: number }[] = [];
    for (const l of lines) {
      if (VERDICT_LINE.test(l)) {
        current = /^\s+FAIL/.test(l) ? { id: l.trim().split(/\s+/)[1]!, count: 0 } : undefined;
        if (current) perCase.push(current);
      }
      if (current) current.count += 1;
    }
    assert.ok(perCase.length >= 2, r.stdout);
    for (const c of perCase) assert.ok(c.count <= 200, `${c.id}: ${c.count} lines`);
    assert.match(r.stdout, /the same failure as \S+ \(block above\)/);
    assert.match(r.stdout, /^the same failure in \d+ cases: /m);
    assert.doesNotMatch(r.stdout, /(PASS|FAIL|WARN|SKIP|INCONCLUSIVE|ERROR)[a-z]+\//); // INCONCLUSIVEcleanup/churn
  });
});

test('formatFailure: cut lines keep length and hash; a bounded transcript window; timing-dependent replays say so', () => {
  const transcript = Array.from({ length: 500 }, (_, i) => ({ at: i, client: i % 2 ? 'a' : 'b', kind: 'recv' as const, line: `line ${i} ${'z'.repeat(i === 499 ? 5000 : 10)}`, event: undefined }));
  const lines = formatFailure({
    id: 'isolation/slow-reader',
    title: 't',
    requirements: ['ISOLATION-1'],
    level: 'MUST',
    verdict: 'fail',
    durationMs: 1,
    message: 'm',
    violations: [
      { requirement: 'ISOLATION-1', level: 'MUST', message: 'slowed', actual: 'y'.repeat(3000) },
      { requirement: 'CHAT-1', level: 'MUST', message: 'a did not receive 2 line(s)', actual: 'x' },
      { requirement: 'CHAT-1', level: 'MUST', message: 'b did not receive 2 line(s)', actual: 'z' },
    ],
    counterexample: { transcript, replay: 'npx chat-conformance --only isolation/slow-reader --seed=1', flaky: true },
  });
  assert.ok(lines.length < 60, `${lines.length} lines`);
  for (const l of lines) assert.ok(l.length <= 260, `${l.length}`);
  assert.match(lines.join('\n'), /actual: +y+… \(\d+ chars, sha256 [0-9a-f]{12}\)/);
  assert.match(lines.join('\n'), /entries not shown \(\+4\.0 to \+\d+\.0 ms\): b received \d+ lines, a received \d+ lines/);
  assert.match(lines.join('\n'), /line 499/); // the end of the case, where it failed
  assert.match(lines.join('\n'), /depends on timing and may not reproduce/);
  // One finding for several clients is printed once.
  assert.equal(lines.filter((l) => l.startsWith('CHAT-1 (MUST)')).length, 1);
  assert.ok(lines.includes('  (the same for b)'), lines.join('\n'));
});

describe('CI conventions', () => {
  let failing: RunningSeed;
  let good: RunningServer;
  let dir: string;
  before(async () => {
    failing = await startSeedWhoRename({ port: 0 });
    good = await startServer({ profile: 'who-rename', port: 0 });
    dir = mkdtempSync(join(tmpdir(), 'cc-ci-'));
  });
  after(async () => {
    await failing.close();
    await good.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const args = (port: number, only: string): string[] => ['--target', `127.0.0.1:${port}`, '--profile', 'who-rename', '--quick', '--no-verify', '--timeout', '500', '--only', only];

  test('--write-baseline, then --baseline: known failures pass, new ones fail, fixed ones are listed', async () => {
    const file = join(dir, 'baseline.json');
    const first = await runCli([...args(failing.port, 'chat/exactly-once,frame/split-writes,join/*'), '--write-baseline', file], { timeoutMs: 60_000 });
    assert.equal(first.code, 1, first.stdout);
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as { cases: { id: string }[] };
    assert.deepEqual(recorded.cases.map((c) => c.id).sort(), ['chat/exactly-once', 'frame/split-writes']);
    // The same failures again: expected, exit 0.
    const junit = join(dir, 'known.xml');
    const known = await runCli([...args(failing.port, 'chat/exactly-once,frame/split-writes,join/*'), '--baseline', file, '--report', `junit=${junit}`], { timeoutMs: 60_000 });
    assert.equal(known.code, 0, known.stdout);
    assert.match(known.stdout, /Baseline .*: 2 known failures \(expected\), 0 new/);
    // Each known failure is one marked line, without its failure block.
    assert.match(known.stdout, /FAIL +chat\/exactly-once +\d+ ms  known failure \(baseline\): [A-Z]+-\d+ \(MUST\)/);
    assert.doesNotMatch(known.stdout, /transcript:|replay:/);
    // JUnit agrees with the exit code: no failure, the known ones skipped with the baseline named.
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuites [^>]* failures="0" errors="0"/);
    assert.equal((xml.match(/<skipped message="known failure \(baseline [^"]*baseline\.json\): fail: /g) ?? []).length, 2);
    // A new failure (frame/coalesced-writes) fails the run.
    const fresh = await runCli([...args(failing.port, 'chat/exactly-once,frame/split-writes,frame/coalesced-writes'), '--baseline', file], { timeoutMs: 60_000 });
    assert.equal(fresh.code, 1, fresh.stdout);
    assert.match(fresh.stdout, /new: FAIL frame\/coalesced-writes/);
    // Against a good server the known failures pass: listed so the file can shrink.
    const fixed = await runCli([...args(good.address.port, 'chat/exactly-once,frame/split-writes'), '--baseline', file], { timeoutMs: 60_000 });
    assert.equal(fixed.code, 0, fixed.stdout);
    assert.match(fixed.stdout, /now passing \(remove from the baseline\): (chat\/exactly-once, frame\/split-writes|frame\/split-writes, chat\/exactly-once)\n/);
    // A file that is not a baseline is a usage error before the run.
    writeFileSync(join(dir, 'bad.json'), '{"cases": 3}');
    const bad = await runCli([...args(good.address.port, 'chat/*'), '--baseline', join(dir, 'bad.json')], { timeoutMs: 15_000 });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not a chat-conformance baseline/);
  });

  test('--strict: a warn fails the run', async () => {
    const plain = await runCli(args(failing.port, 'frame/crlf'), { timeoutMs: 60_000 });
    assert.match(plain.stdout, /WARN +frame\/crlf/);
    assert.equal(plain.code, 0, plain.stdout);
    const junit = join(dir, 'strict.xml');
    const json = join(dir, 'strict.json');
    const strict = await runCli([...args(failing.port, 'frame/crlf'), '--strict', '--report', `junit=${junit}`, '--report', `json=${json}`], { timeoutMs: 60_000, env: { GITHUB_ACTIONS: 'true' } });
    assert.equal(strict.code, 1, strict.stdout);
    assert.match(strict.stdout, /--strict: warn and inconclusive cases fail the run/);
    // Every reporter says the same: JUnit has a failure, the JSON report's gate fails, the annotation is an error.
    assert.match(readFileSync(junit, 'utf8'), /<failure message="warn \(--strict\): /);
    const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    assert.deepEqual(report.gate, { strict: true, exitCode: 1, failing: ['frame/crlf'], known: [], fixed: [] });
    assert.match(strict.stdout, /^::error [^\n]*title=WARN frame\/crlf/m);
  });

  test('GitHub Actions annotations, FORCE_COLOR and NO_COLOR, --reporter dot and json', async () => {
    const gha = await runCli(args(failing.port, 'frame/split-writes,frame/coalesced-writes,join/welcome'), { timeoutMs: 60_000, env: { GITHUB_ACTIONS: 'true' } });
    assert.equal(gha.code, 1);
    const annotations = gha.stdout.split('\n').filter((l) => l.startsWith('::error '));
    assert.equal(annotations.length, 2, gha.stdout);
    assert.match(annotations[0]!, /^::error file=[^,]*spec\/line\.md,line=\d+,title=FAIL frame\/split-writes \(FRAME-1\)::FRAME-1 \(MUST\): .*%0Areplay: npx chat-conformance /);
    const plain = await runCli(args(failing.port, 'join/welcome'), { timeoutMs: 60_000 });
    assert.doesNotMatch(plain.stdout, /^::/m);

    const forced = await runCli(args(good.address.port, 'join/welcome'), { timeoutMs: 60_000, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    assert.match(forced.stdout, /\x1b\[3\dm/);
    const noColor = await runCli(args(good.address.port, 'join/welcome'), { timeoutMs: 60_000, env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    assert.doesNotMatch(noColor.stdout, /\x1b\[/);

    const dot = await runCli([...args(failing.port, 'frame/split-writes,join/*'), '--reporter', 'dot'], { timeoutMs: 60_000, env: { NO_COLOR: '1' } });
    assert.match(dot.stdout, /^F[.s]+$/m); // join/* has cases a profile may skip
    assert.match(dot.stdout, /FAIL +frame\/split-writes/);
    assert.match(dot.stdout, /Verdict: FAIL/);
    const json = await runCli([...args(good.address.port, 'join/*'), '--reporter', 'json'], { timeoutMs: 60_000 });
    assert.equal(json.code, 0, json.stderr);
    const report = ReportSchema.parse(JSON.parse(json.stdout));
    assert.equal(report.verdict, 'pass');
    // No HTML report asked for: passing cases keep no transcript (the JSON report does not grow).
    assert.ok(report.cases.every((c) => c.transcript === undefined));
  });
});

/** A failing case of CHAT-1 with one finding. */
const chatFailure = (id: string, message: string, finding: { message: string; expected?: string; actual?: string }): CaseResult => ({
  id,
  title: 't',
  requirements: ['CHAT-1'],
  level: 'MUST',
  verdict: 'fail',
  durationMs: 1,
  message,
  violations: [{ requirement: 'CHAT-1', level: 'MUST', ...finding }],
});

test('annotations: one per group of identical failures, escaped as workflow commands', () => {
  const failure = (id: string, port: number): CaseResult =>
    chatFailure(id, `CHAT-1 (MUST): b did not receive 3 line(s), 50% lost`, { message: `b (127.0.0.1:${port}) did not receive 3 line(s)`, actual: 'x\ny' });
  const lines = annotations([failure('chat/a', 1000), failure('chat/b', 2000), { ...failure('chat/c', 3), verdict: 'warn' }]);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^::error file=[^,]*spec\/core\.md,line=\d+,title=FAIL chat\/a and 1 more \(CHAT-1\)::CHAT-1 \(MUST\): b did not receive 3 line\(s\), 50%25 lost%0Aactual: x%0Ay%0Athe same failure in 2 cases: chat\/a, chat\/b$/);
  assert.match(lines[1]!, /^::warning /);
  // --strict: the warn fails the run, so it is an error; a known failure (baseline) is not annotated.
  const cases = [failure('chat/a', 1000), { ...failure('chat/c', 3), verdict: 'warn' as const }];
  const gate = { strict: true, exitCode: 1, failing: ['chat/c'], known: ['chat/a'], fixed: [], baseline: 'b.json' };
  const strict = annotations(cases, gate);
  assert.equal(strict.length, 1, strict.join('\n'));
  assert.match(strict[0]!, /^::error [^:]*title=WARN chat\/c /);
});

test('the README sample failure is the CLI output that npm run sample:failure writes between its markers', async () => {
  const { sampleFailure, replaceBlock, BEGIN, END } = await import('../scripts/sample-failure.js');
  const readme = readFileSync(packagePath('README.md'), 'utf8');
  const inReadme = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END) + END.length);
  assert.ok(inReadme.startsWith(BEGIN) && inReadme.endsWith(END), 'README.md has the markers');
  const { block, code } = await sampleFailure();
  assert.equal(code, 1);
  // The same run, bar ports, times and the order of findings: what failed in the README fails again, breaking the same requirements.
  const failed = (text: string): { cases: string[]; requirements: string[] } => {
    const lines = text.split('\n');
    return {
      cases: lines.flatMap((l) => /^\s+FAIL +(\S+)/.exec(l)?.[1] ?? []),
      requirements: [...new Set(lines.flatMap((l) => /^\s+([A-Z]+-\d+) \(MUST\) /.exec(l)?.[1] ?? []))].sort(),
    };
  };
  const was = failed(inReadme);
  const now = failed(block);
  assert.ok(was.cases.length > 0 && was.requirements.length > 0, 'the README block shows a failure');
  for (const id of was.cases) assert.ok(now.cases.includes(id), `${id} failed in the README, not now (run npm run sample:failure?)`);
  for (const id of was.requirements) assert.ok(now.requirements.includes(id), `${id} broken in the README, not now`);
  assert.match(inReadme, /^\$ npx chat-conformance --target 127\.0\.0\.1:\d+ /m);
  assert.match(inReadme, /^Verdict: FAIL$/m);
  assert.equal(replaceBlock(readme, block).split(BEGIN).length, 2);
  assert.throws(() => replaceBlock('no markers', block), /has no/);
});

test('reporters: a known failure (baseline) is one marked line, x in the dot reporter, and no failure block', async () => {
  const { makeReporter, makeStyle } = await import('../src/cli/reporters.js');
  const fail = (id: string): CaseResult => chatFailure(id, 'CHAT-1 (MUST): lost a line', { message: 'lost a line', expected: 'x', actual: 'y' });
  for (const name of ['dot', 'default'] as const) {
    let text = '';
    const reporter = makeReporter(name, { isTTY: false, write: (t) => void (text += t) }, makeStyle(false), false, (r) => r.id === 'chat/known');
    reporter.caseEnd(fail('chat/known'));
    reporter.caseEnd(fail('chat/fresh'));
    reporter.end({} as never, []);
    if (name === 'dot') assert.match(text, /^xF$/m);
    assert.match(text, /FAIL +chat\/known +(\d+ ms +)?known failure \(baseline\): CHAT-1/);
    assert.match(text, /FAIL +chat\/fresh +(\d+ ms +)?CHAT-1 \(MUST\): lost a line/);
    assert.equal(text.match(/expected: x/g)?.length, 1, `${name}: one failure block, the new failure's\n${text}`);
  }
});
