// What a run prints on stdout, in vitest's manner: `default` (a line per case,
// failure blocks, identical failures grouped), `dot` (a character per case,
// then the failures) and `json` (the JSON report alone, for piping to jq).
import { styleText } from 'node:util';
import { failureSignature, formatFailure, PRINT_WIDTH } from '../runner/format.js';
import { toJson } from '../report/json.js';
import { clipText } from '../evidence/clip.js';
import type { ConformanceCase } from '../runner/case.js';
import type { Report } from '../runner/run.js';
import type { CaseResult, Verdict } from '../runner/verdict.js';
import type { Output } from './output.js';

export const REPORTERS = ['default', 'dot', 'json'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export interface Style {
  /** The verdict word in a column, always followed by a space (INCONCLUSIVE is 12 characters). */
  verdict(v: Verdict): string;
  word(v: Verdict): string;
  dim(s: string): string;
  bold(s: string): string;
}

/**
 * Colour when stdout is a terminal, or when FORCE_COLOR asks for it (GitHub
 * Actions logs are not terminals but render colour); never with NO_COLOR or
 * --no-color. https://no-color.org, https://force-color.org
 */
export function useColor(env: NodeJS.ProcessEnv, isTTY: boolean, noColorFlag: boolean): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY;
}

export function makeStyle(color: boolean): Style {
  const paint = (format: Parameters<typeof styleText>[0], s: string): string => (color ? styleText(format, s, { validateStream: false }) : s);
  const colors: Record<Verdict, Parameters<typeof styleText>[0]> = {
    pass: 'green',
    fail: 'red',
    warn: 'yellow',
    skip: 'gray',
    inconclusive: 'magenta',
    error: 'red',
  };
  return {
    verdict: (v) => paint(colors[v], v.toUpperCase().padEnd(12)) + ' ',
    word: (v) => paint(colors[v], v.toUpperCase()),
    dim: (s) => paint('gray', s),
    bold: (s) => paint('bold', s),
  };
}

export interface Reporter {
  header(text: string): void;
  caseStart(c: ConformanceCase, progress: string): void;
  caseEnd(r: CaseResult): void;
  /** After the run: the summary lines (and, for json, the report). */
  end(report: Report, summary: readonly string[]): void;
}

/** Failures seen so far, by signature: the first case prints the block, the others point at it. */
class FailureGroups {
  readonly groups = new Map<string, { first: CaseResult; ids: string[] }>();
  /** The first case with the same failure, if this one repeats it. */
  add(r: CaseResult): CaseResult | undefined {
    const key = `${r.verdict}\u0000${failureSignature(r)}`;
    const g = this.groups.get(key);
    if (g) {
      g.ids.push(r.id);
      return g.first;
    }
    this.groups.set(key, { first: r, ids: [r.id] });
    return undefined;
  }
  lines(): string[] {
    const out: string[] = [];
    for (const { first, ids } of this.groups.values()) {
      if (ids.length < 2) continue;
      const shown = ids.slice(0, 12).join(', ') + (ids.length > 12 ? `, and ${ids.length - 12} more` : '');
      out.push(clipText(`the same failure in ${ids.length} cases: ${headline(first)} (${shown})`, PRINT_WIDTH));
    }
    return out;
  }
}

/** The line a case ends with: its verdict's cause, first line only, cut to the width. */
const headline = (r: CaseResult): string => clipText((r.message ?? '').split('\n')[0]!, PRINT_WIDTH - 70);

const needsBlock = (r: CaseResult): boolean => r.verdict === 'fail' || r.verdict === 'warn';

/**
 * `known` says whether a case is a known failure (--baseline; src/report/gate.ts
 * decides): it prints one line, marked, and no failure block — as pytest shows
 * an expected failure (`x` in the dot reporter).
 */
export function makeReporter(name: ReporterName, out: Output, style: Style, showProgress: boolean, known: (r: CaseResult) => boolean = () => false): Reporter {
  const groups = new FailureGroups();
  const note = (r: CaseResult): string => (known(r) ? `known failure (baseline): ${headline(r)}` : headline(r));
  const block = (r: CaseResult): void => {
    const same = groups.add(r);
    if (same) out.write(`      ${style.dim(`the same failure as ${same.id} (block above)`)}\n`);
    else for (const line of formatFailure(r)) out.write(`      ${line}\n`);
  };
  switch (name) {
    case 'json':
      return {
        header: () => {},
        caseStart: () => {},
        caseEnd: () => {},
        end: (report) => out.write(toJson(report)),
      };
    case 'dot': {
      const chars: Record<Verdict, string> = { pass: '.', fail: 'F', warn: 'W', skip: 's', inconclusive: '?', error: 'E' };
      let column = 0;
      const failed: CaseResult[] = [];
      return {
        header: (text) => out.write(style.bold(`${text}\n`)),
        caseStart: () => {},
        caseEnd: (r) => {
          if (known(r)) out.write(style.dim('x'));
          else out.write(r.verdict === 'pass' || r.verdict === 'skip' ? chars[r.verdict] : style.word(r.verdict).replace(r.verdict.toUpperCase(), chars[r.verdict]));
          if (++column % 60 === 0) out.write('\n');
          if (r.verdict !== 'pass' && r.verdict !== 'skip') failed.push(r);
        },
        end: (_report, summary) => {
          if (column % 60 !== 0) out.write('\n');
          for (const r of failed) {
            out.write(`\n  ${style.verdict(r.verdict)}${r.id}  ${style.dim(note(r))}\n`);
            if (needsBlock(r) && !known(r)) block(r);
          }
          for (const line of groups.lines()) out.write(`\n${line}`);
          for (const line of summary) out.write(`${line}\n`);
        },
      };
    }
    case 'default': {
      let lastSection = '';
      return {
        header: (text) => out.write(style.bold(`${text}\n`)),
        caseStart: (c, progress) => {
          const s = c.id.slice(0, c.id.indexOf('/'));
          if (s !== lastSection) {
            lastSection = s;
            out.write(style.bold(`${s}\n`));
          }
          if (showProgress) out.write(style.dim(`  … ${c.id} (${progress})`));
        },
        caseEnd: (r) => {
          if (showProgress) out.write('\r\x1b[2K');
          const words = r.verdict === 'pass' ? '' : `  ${note(r)}`;
          out.write(`  ${style.verdict(r.verdict)}${r.id.padEnd(34)} ${style.dim(`${r.durationMs} ms`)}${words ? style.dim(words) : ''}\n`);
          if (needsBlock(r) && !known(r)) block(r);
        },
        end: (_report, summary) => {
          const grouped = groups.lines();
          if (grouped.length) out.write('\n' + grouped.join('\n') + '\n');
          for (const line of summary) out.write(`${line}\n`);
        },
      };
    }
  }
}
