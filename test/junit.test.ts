// The JUnit report as CI servers read it: valid against the Jenkins JUnit
// schema (xmllint --schema), totals that add up, nothing hidden as skipped,
// and an unreachable target shown as an error, not an empty suite.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../src/paths.js';
import { toJUnit } from '../src/report/index.js';
import { runConformance, type Report } from '../src/runner/run.js';
import type { CaseResult } from '../src/runner/verdict.js';
import { silentTarget } from './helpers/cli.js';
import { gateOf } from '../src/report/gate.js';

const XSD = packagePath('test/fixtures/jenkins-junit-10.xsd');
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;

function validate(xml: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cc-junit-'));
  try {
    const file = join(dir, 'junit.xml');
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8', timeout: 20_000 });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const base = { title: 't', requirements: ['CHAT-1'], level: 'MUST' as const, durationMs: 12 };
const every: CaseResult[] = [
  { ...base, id: 'chat/a', verdict: 'pass' },
  {
    ...base,
    id: 'chat/b',
    verdict: 'fail',
    message: 'CHAT-1 (MUST): lost <a> & "b"',
    violations: [{ requirement: 'CHAT-1', level: 'MUST', message: 'lost \u0001 \ud800 line', expected: 'x', actual: 'y\u001b[31m' }],
    counterexample: { transcript: [{ at: 1, client: 'a', kind: 'recv', line: 'bad \u0000 byte', event: undefined }], replay: 'npx chat-conformance --only chat/b' },
  },
  { ...base, id: 'join/c', verdict: 'warn', message: 'slow' },
  { ...base, id: 'join/d', verdict: 'skip', message: 'profile has no who command' },
  { ...base, id: 'leave/e', verdict: 'inconclusive', message: 'the barrier timed out' },
  { ...base, id: 'leave/f', verdict: 'error', message: 'target down' },
];
const report = (cases: CaseResult[], extra: Partial<Report> = {}): Report => ({
  tool: 'chat-conformance',
  version: '0.0.0',
  target: '127.0.0.1:1',
  profile: 'gopl-en',
  seed: 1,
  verdict: 'fail',
  startedAt: new Date(0).toISOString(),
  durationMs: 1234,
  summary: { pass: 1, fail: 1, warn: 1, skip: 1, inconclusive: 1, error: 1 },
  cases,
  ...extra,
});

const attr = (tag: string, name: string): number => Number(new RegExp(`${name}="(\\d+)"`).exec(tag)?.[1] ?? NaN);

describe('JUnit report', () => {
  test('every verdict: inconclusive is an error (never skipped) and the totals are the sums of the suites', () => {
    const xml = toJUnit(report(every));
    assert.match(xml, /<error message="inconclusive: the barrier timed out" type="inconclusive">/);
    assert.equal((xml.match(/<skipped /g) ?? []).length, 1); // only the real skip
    const top = /<testsuites [^>]*>/.exec(xml)![0];
    const suites = xml.match(/<testsuite [^>]*>/g)!;
    for (const name of ['tests', 'failures', 'errors']) {
      assert.equal(attr(top, name), suites.reduce((n, s) => n + attr(s, name), 0), name);
    }
    assert.equal(attr(top, 'tests'), 6);
    assert.equal(attr(top, 'failures'), 1);
    assert.equal(attr(top, 'errors'), 2);
    assert.doesNotMatch(top, /skipped=|timestamp=/); // the two attributes Jenkins' schema rejects there
  });

  test('the gate reaches JUnit: with --strict a warn is a failure; a known failure (--baseline) is skipped and says so', () => {
    const r = report(every);
    const plain = toJUnit({ ...r, gate: gateOf(r) });
    assert.equal(plain, toJUnit(r), 'no --strict, no baseline: the report as without a gate');
    assert.match(plain, /name="join\/c \[CHAT-1\]" time="0\.012">\n      <system-out>warn: slow/);
    const strict = toJUnit({ ...r, gate: gateOf(r, { strict: true }) });
    assert.match(strict, /name="join\/c \[CHAT-1\]" time="0\.012">\n      <failure message="warn \(--strict\): slow" type="warn">/);
    assert.match(strict, /<testsuites [^>]*tests="6" failures="2" errors="2"/);
    const baseline = { tool: 'chat-conformance', kind: 'baseline', profile: 'gopl-en', target: 'x', createdAt: 'x', cases: [{ id: 'chat/b', verdict: 'fail' }] } as const;
    const known = toJUnit({ ...r, gate: gateOf(r, { strict: true, baseline: { file: 'chat-baseline.json', cases: { ...baseline, cases: [...baseline.cases] } } }) });
    assert.match(known, /name="chat\/b \[CHAT-1\]" time="0\.012">\n      <skipped message="known failure \(baseline chat-baseline\.json\): fail: CHAT-1 \(MUST\): lost &lt;a&gt;/);
    assert.match(known, /<testsuites [^>]*tests="6" failures="1" errors="2"/);
    assert.equal((known.match(/<skipped /g) ?? []).length, 2);
    if (hasXmllint) for (const xml of [strict, known]) assert.ok(validate(xml).ok, validate(xml).output);
  });

  test('an unreachable target is one errored testcase that says so', () => {
    const xml = toJUnit(report([], { unreachable: true, stopped: 'cannot connect to 127.0.0.1:1: ECONNREFUSED', verdict: 'inconclusive' }));
    assert.equal((xml.match(/<testcase /g) ?? []).length, 1);
    assert.match(xml, /<testsuites [^>]*tests="1" failures="0" errors="1"/);
    assert.match(xml, /<error message="cannot connect to 127\.0\.0\.1:1: ECONNREFUSED" type="unreachable">/);
  });

  test('the CLI against a dead target writes that JUnit file', async () => {
    const target = await silentTarget();
    const port = target.port;
    await target.close();
    const dir = mkdtempSync(join(tmpdir(), 'cc-junit-dead-'));
    try {
      const { runCli } = await import('./helpers/cli.js');
      const r = await runCli(['--target', `127.0.0.1:${port}`, '--report', `junit=${join(dir, 'j.xml')}`], { timeoutMs: 20_000 });
      assert.equal(r.code, 3);
      const xml = readFileSync(join(dir, 'j.xml'), 'utf8');
      assert.match(xml, /errors="1"/);
      assert.match(xml, /ECONNREFUSED/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('valid against the Jenkins JUnit XSD (xmllint --schema)', { skip: hasXmllint ? false : 'xmllint not installed (Debian libxml2-utils; .ci/run installs it)' }, async () => {
    const dead = await silentTarget();
    const port = dead.port;
    await dead.close();
    const unreachable = await runConformance({ target: `127.0.0.1:${port}`, profile: 'gopl-en', quick: true });
    const live = await runConformance({ profile: 'gopl-en', quick: true, only: ['chat/*', 'join/*'] });
    for (const [what, r] of [
      ['every verdict', report(every)],
      ['an interrupted run', report(every.slice(0, 2), { stopped: 'interrupted' })],
      ['an unreachable target', unreachable],
      ['a real run', live],
    ] as const) {
      const v = validate(toJUnit(r));
      assert.ok(v.ok, `${what}: ${v.output}`);
    }
    // The schema check itself can fail: the old <testsuites skipped= timestamp=> is rejected.
    const old = toJUnit(report(every)).replace('<testsuites name="chat-conformance"', '<testsuites name="chat-conformance" skipped="1" timestamp="x"');
    assert.equal(validate(old).ok, false);
  });
});
