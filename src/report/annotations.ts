// GitHub Actions workflow commands: one `::error` (a case that fails the run)
// or `::warning` (a warn without --strict) annotation per distinct failure,
// pointing at the requirement in the spec, so a pull request shows what broke
// without opening the log. Known failures (a baseline) are not annotated.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { packagePath } from '../paths.js';
import { requirement } from '../spec/requirements.js';
import { failureSignature, PRINT_WIDTH } from '../runner/format.js';
import { clipText } from '../evidence/clip.js';
import type { CaseResult } from '../runner/verdict.js';
import { standing, type Gate } from './gate.js';

/** GitHub Actions sets GITHUB_ACTIONS=true in every step. */
export const inGitHubActions = (env: NodeJS.ProcessEnv = process.env): boolean => env.GITHUB_ACTIONS === 'true';

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

const lineCache = new Map<string, string[]>();
function specLocation(id: string): { file: string; line: number } | undefined {
  try {
    const req = requirement(id);
    const path = packagePath('spec', req.doc);
    let lines = lineCache.get(path);
    if (!lines) lineCache.set(path, (lines = readFileSync(path, 'utf8').split('\n')));
    const at = lines.findIndex((l) => l.includes(`**${id}**`));
    return { file: relative(process.cwd(), path) || path, line: at >= 0 ? at + 1 : 1 };
  } catch {
    return undefined;
  }
}

/** An error for what fails the run, and a warning for a warn or an inconclusive case (--strict makes these errors too). */
const commandOf = (r: CaseResult, gate: Gate | undefined): 'error' | 'warning' =>
  r.verdict === 'fail' || r.verdict === 'error' || (gate?.strict === true && standing(r, gate) === 'fails-run') ? 'error' : 'warning';

/**
 * One annotation per group of identical failures, at most `max`: an error for a
 * fail or error, and for a warn or inconclusive case that fails the run
 * (--strict); a warning for the others. Known failures are left out.
 */
export function annotations(results: readonly CaseResult[], gate?: Gate, max = 50): string[] {
  const groups = new Map<string, CaseResult[]>();
  for (const r of results) {
    const where = standing(r, gate);
    if (where === 'ok' || where === 'known') continue;
    const key = `${r.verdict}\u0000${failureSignature(r)}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: string[] = [];
  for (const cases of [...groups.values()].slice(0, max)) {
    const first = cases[0]!;
    const v = first.violations?.find((x) => x.level === 'MUST') ?? first.violations?.[0];
    const where = v ? specLocation(v.requirement) : undefined;
    const command = commandOf(first, gate);
    const title = `${first.verdict.toUpperCase()} ${first.id}${cases.length > 1 ? ` and ${cases.length - 1} more` : ''}${v ? ` (${v.requirement})` : ''}`;
    const body = [
      clipText((first.message ?? first.verdict).split('\n')[0]!, PRINT_WIDTH),
      ...(v?.expected !== undefined ? [`expected: ${clipText(v.expected, PRINT_WIDTH)}`] : []),
      ...(v?.actual !== undefined ? [`actual: ${clipText(v.actual, PRINT_WIDTH)}`] : []),
      ...(cases.length > 1 ? [`the same failure in ${cases.length} cases: ${cases.slice(0, 20).map((c) => c.id).join(', ')}${cases.length > 20 ? ', …' : ''}`] : []),
      ...(first.counterexample ? [`replay: ${first.counterexample.replay}`] : []),
    ].join('\n');
    const props = [...(where ? [`file=${escapeProperty(where.file)}`, `line=${where.line}`] : []), `title=${escapeProperty(title)}`].join(',');
    out.push(`::${command} ${props}::${escapeData(body)}`);
  }
  return out;
}
