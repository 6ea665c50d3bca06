// Report files: JSON (schema in spec/schema/report.schema.json) and JUnit XML
// (one testcase per case, as GitHub, GitLab and Jenkins render it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatFailure } from './format.js';
import type { Report } from './run.js';

export type ReportFormat = 'json' | 'junit';

export interface ReportSpec {
  readonly format: ReportFormat;
  readonly file: string;
}

export function parseReportSpec(text: string): ReportSpec {
  const m = /^(json|junit)=(.+)$/.exec(text);
  if (!m) throw new Error(`--report takes json=FILE or junit=FILE, got ${JSON.stringify(text)}`);
  return { format: m[1] as ReportFormat, file: m[2]! };
}

export function writeReport(spec: ReportSpec, report: Report): void {
  mkdirSync(dirname(spec.file), { recursive: true });
  writeFileSync(spec.file, spec.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : toJUnit(report));
}

const xml = (s: string): string =>
  s
    // XML 1.0 cannot carry most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

export function toJUnit(report: Report): string {
  const bySection = new Map<string, Report['cases'][number][]>();
  for (const c of report.cases) {
    const section = c.id.slice(0, c.id.indexOf('/'));
    bySection.set(section, [...(bySection.get(section) ?? []), c]);
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const s = report.summary;
  lines.push(
    `<testsuites name="chat-conformance" tests="${report.cases.length}" failures="${s.fail}" errors="${s.error}" skipped="${s.skip}" time="${(report.durationMs / 1000).toFixed(3)}" timestamp="${report.startedAt}">`,
  );
  for (const [section, cases] of bySection) {
    const count = (v: string): number => cases.filter((c) => c.verdict === v).length;
    lines.push(
      `  <testsuite name="${xml(`${report.profile}.${section}`)}" tests="${cases.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip') + count('inconclusive')}" time="${(cases.reduce((t, c) => t + c.durationMs, 0) / 1000).toFixed(3)}">`,
    );
    for (const c of cases) {
      lines.push(`    <testcase classname="${xml(`${report.profile}.${section}`)}" name="${xml(`${c.id} [${c.requirements.join(', ')}]`)}" time="${(c.durationMs / 1000).toFixed(3)}">`);
      const detail = xml(formatFailure(c).join('\n'));
      const message = xml(c.message ?? c.verdict);
      switch (c.verdict) {
        case 'fail':
          lines.push(`      <failure message="${message}" type="${xml(c.violations?.[0]?.requirement ?? 'fail')}">${detail}</failure>`);
          break;
        case 'error':
          lines.push(`      <error message="${message}" type="error"/>`);
          break;
        case 'skip':
        case 'inconclusive':
          lines.push(`      <skipped message="${xml(`${c.verdict}: ${c.message ?? ''}`)}"/>`);
          break;
        case 'warn':
          lines.push(`      <system-out>${xml(`warn: ${c.message ?? ''}\n`)}${detail}</system-out>`);
          break;
        case 'pass':
          break;
      }
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
