// The JUnit XML report: one testsuite per spec section, one testcase per case,
// valid against the Jenkins JUnit schema (test/fixtures/jenkins-junit-10.xsd)
// that GitHub, GitLab and Jenkins render. A JUnit-only CI view must show
// everything that is not a pass: inconclusive cases are errors, never
// skipped, and a run that judged nothing carries one errored testcase. The
// run's gate (src/report/gate.ts) decides the rest as the exit code does: with
// --strict a warn is a failure; a known failure (--baseline) is skipped, as
// pytest reports an expected failure, with the baseline named.
import { formatFailure } from '../runner/format.js';
import type { Report } from '../runner/run.js';
import type { CaseResult } from '../runner/verdict.js';
import { standing, type Gate } from './gate.js';

const xml = (s: string): string =>
  s
    // XML 1.0 cannot carry most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

interface Suite {
  readonly name: string;
  readonly cases: { readonly name: string; readonly classname: string; readonly ms: number; readonly body: string[]; readonly kind: 'pass' | 'failure' | 'error' | 'skipped' }[];
}

function testcaseOf(c: CaseResult, classname: string, gate: Gate | undefined): Suite['cases'][number] {
  const detail = xml(formatFailure(c).join('\n'));
  const message = xml(c.message ?? c.verdict);
  const name = `${c.id} [${c.requirements.join(', ')}]`;
  const base = { name, classname, ms: c.durationMs };
  const where = standing(c, gate);
  if (where === 'known') {
    return { ...base, kind: 'skipped', body: [`<skipped message="${xml(`known failure (baseline ${gate?.baseline ?? ''}): ${c.verdict}: ${c.message ?? ''}`)}"/>`, `<system-out>${detail}</system-out>`] };
  }
  if (c.verdict === 'warn' && where === 'fails-run') {
    return { ...base, kind: 'failure', body: [`<failure message="${xml(`warn (--strict): ${c.message ?? ''}`)}" type="${xml(c.violations?.[0]?.requirement ?? 'warn')}">${detail}</failure>`] };
  }
  switch (c.verdict) {
    case 'fail':
      return { ...base, kind: 'failure', body: [`<failure message="${message}" type="${xml(c.violations?.[0]?.requirement ?? 'fail')}">${detail}</failure>`] };
    case 'error':
      return { ...base, kind: 'error', body: [`<error message="${message}" type="error">${detail}</error>`] };
    case 'inconclusive':
      // Not skipped: nothing was judged, and a CI view must say so.
      return { ...base, kind: 'error', body: [`<error message="${xml(`inconclusive: ${c.message ?? ''}`)}" type="inconclusive">${detail}</error>`] };
    case 'skip':
      return { ...base, kind: 'skipped', body: [`<skipped message="${message}"/>`] };
    case 'warn':
      return { ...base, kind: 'pass', body: [`<system-out>${xml(`warn: ${c.message ?? ''}\n`)}${detail}</system-out>`] };
    case 'pass':
      return { ...base, kind: 'pass', body: [] };
  }
}

export function toJUnit(report: Report): string {
  const suites = new Map<string, Suite>();
  const suite = (section: string): Suite => {
    const name = `${report.profile}.${section}`;
    let s = suites.get(name);
    if (!s) suites.set(name, (s = { name, cases: [] }));
    return s;
  };
  for (const c of report.cases) {
    const s = suite(c.id.slice(0, c.id.indexOf('/')));
    s.cases.push(testcaseOf(c, s.name, report.gate));
  }
  // A run that stopped before judging everything says why, as a testcase a CI view shows.
  if (report.unreachable || (report.stopped !== undefined && !report.stopped.startsWith('stopped after'))) {
    const s = suite('run');
    const what = report.unreachable ? 'target reachable' : 'run completed';
    s.cases.push({
      name: what,
      classname: s.name,
      ms: 0,
      kind: 'error',
      body: [`<error message="${xml(report.stopped ?? 'the run stopped')}" type="${report.unreachable ? 'unreachable' : 'stopped'}">${xml(`target ${report.target}: ${report.stopped ?? ''}`)}</error>`],
    });
  }

  const count = (s: Suite, kind: Suite['cases'][number]['kind']): number => s.cases.filter((c) => c.kind === kind).length;
  const all = [...suites.values()];
  const total = (kind: Suite['cases'][number]['kind']): number => all.reduce((n, s) => n + count(s, kind), 0);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  // <testsuites> takes name, time, tests, failures and errors only (the Jenkins schema).
  lines.push(
    `<testsuites name="chat-conformance" tests="${all.reduce((n, s) => n + s.cases.length, 0)}" failures="${total('failure')}" errors="${total('error')}" time="${seconds(report.durationMs)}">`,
  );
  for (const s of all) {
    lines.push(
      `  <testsuite name="${xml(s.name)}" tests="${s.cases.length}" failures="${count(s, 'failure')}" errors="${count(s, 'error')}" skipped="${count(s, 'skipped')}" time="${seconds(s.cases.reduce((t, c) => t + c.ms, 0))}" timestamp="${xml(report.startedAt)}">`,
    );
    for (const c of s.cases) {
      lines.push(`    <testcase classname="${xml(c.classname)}" name="${xml(c.name)}" time="${seconds(c.ms)}">`);
      for (const b of c.body) lines.push(`      ${b}`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
