// npm run killmatrix: the kill matrix (test/targets/matrix.ts) measured and
// printed, server × requirement, with the median time from the start of a
// run to its first failing case; then the README's table between the
// killmatrix markers is rewritten with what was measured here.
// Then one full run per server (the kit's defaults), timed, for the
// full-run and model-shrink columns.
//   node dist/bench/killmatrix.js [--only SUBSTRING] [--no-readme] [--full-only]
// --full-only skips the matrix and makes the full runs alone (the README is
// then left as it is) and prints each run's slowest cases; otherwise a full
// run over its goal prints them.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { packagePath } from '../src/paths.js';
import { corpus, type CorpusEntry } from '../test/targets/corpus.js';
import { entryVerdict, explainFalseAlarms, formatEntryLine, formatGrid, formatReadmeTable, FULL_RUN_SEED, MATRIX_SEEDS, medianMsToCatch, runFullRuns, runMatrix, type EntryResult, type SeedRun } from '../test/targets/matrix.js';

const START = '<!-- killmatrix:start -->';
const END = '<!-- killmatrix:end -->';
const HEADING = '## Detection power (kill matrix)';
/** The goal for a planted bug: the kit's first fail on it within this many ms (median over seeds). */
const GOAL_MS = 10_000;
/** Goals for a user's full run (the kit's defaults) against any corpus server, and for the model case's shrunk counterexample. */
const FULL_GOAL_MS = 20_000;
const MODEL_GOAL_MS = 10_000;
/** Full runs are made one at a time: a user runs one kit against one server, and two runs on two cores time each other's contention. */
const FULL_RUN_CONCURRENCY = 1;

function readmeSection(results: readonly EntryResult[], full: ReadonlyMap<string, SeedRun>, totalMs: number): string {
  const slow = results.filter((r) => r.entry.kind !== 'correct' && (medianMsToCatch(r) ?? 0) > GOAL_MS).map((r) => r.entry.name);
  const slowFull = [...full].filter(([, run]) => !run.ran || run.durationMs > FULL_GOAL_MS).map(([name]) => name);
  const slowModel = [...full].filter(([, run]) => (run.modelFailMs ?? 0) > MODEL_GOAL_MS).map(([name]) => name);
  return [
    START,
    `Measured by \`npm run killmatrix\` (bench/killmatrix.ts; test/killmatrix.test.ts makes the same runs and asserts them) on ${process.platform}, Node ${process.versions.node}, ${(totalMs / 1000).toFixed(0)} s in all (the matrix 2 runs at a time, the full runs one at a time). The corpus is in test/targets/: one planted-bug server with a fault switch (each fault one small deviation from a server that passes), the seeds' designs as written, and correct servers. Each server runs in its own process and is started afresh for each of the seeds ${MATRIX_SEEDS.join(', ')}; the kit runs in --quick mode in a worker thread of its own. A bugged server is *caught* in a run when the kit fails one of its labelled requirements; the run stops there, and the time is from the server's start to the end of that case (goal: under ${GOAL_MS / 1000} s). A server that crashes is started again and the kit resumes at the next case, so a crash does not hide the bugs behind it. A correct server must get no fail in any run; its fails are replayed once, as the kit does by default, and one that does not fail again is counted as flaky, not as a fail. "Other requirements failed" are fails off the labels (with the number of runs when not all).`,
    '',
    `"Full run" is one more run per server as a user makes it (the kit's defaults, not --quick; every case; a fail replayed once, as the kit does, unless the same failure or two others already reproduced, or the case confirmed it itself; seed ${FULL_RUN_SEED}; one run at a time, after the matrix), from the server's start to the verdict (goal: under ${FULL_GOAL_MS / 1000} s); "model case, shrunk" is how long model/random-scenarios took where it failed, its shrinking included (goal: under ${MODEL_GOAL_MS / 1000} s).`,
    '',
    formatReadmeTable(results, full),
    '',
    slow.length ? `Over the ${GOAL_MS / 1000} s goal: ${slow.join(', ')}.` : `Every planted and seed bug is caught within the ${GOAL_MS / 1000} s goal (median).`,
    slowFull.length ? `Full runs over the ${FULL_GOAL_MS / 1000} s goal: ${slowFull.join(', ')}.` : `Every full run ends within the ${FULL_GOAL_MS / 1000} s goal.`,
    slowModel.length ? `Model-case counterexamples over the ${MODEL_GOAL_MS / 1000} s goal: ${slowModel.join(', ')}.` : `Every model-case counterexample is shrunk within the ${MODEL_GOAL_MS / 1000} s goal.`,
    END,
  ].join('\n');
}

function rewriteReadme(section: string): string {
  const path = packagePath('README.md');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start
      ? text.slice(0, start) + section + text.slice(end + END.length)
      : `${text.replace(/\n*$/, '')}${text ? '\n\n' : ''}${HEADING}\n\n${section}\n`;
  writeFileSync(path, next);
  return path;
}

/** One full run's line; a run over its goal also names its slowest cases, where the time went. */
function printFullRun(entry: CorpusEntry, run: SeedRun, always = false): void {
  const over = run.durationMs > FULL_GOAL_MS;
  console.log(
    `${entry.name.padEnd(34)} ${run.ran ? `${(run.durationMs / 1000).toFixed(1)} s` : `not run: ${run.note ?? ''}`}${run.modelFailMs !== undefined ? `; model case (failed, shrunk) ${(run.modelFailMs / 1000).toFixed(1)} s` : ''}${over ? `  OVER the ${FULL_GOAL_MS / 1000} s goal` : ''}`,
  );
  if (over || always) console.log(`    slowest cases: ${run.slowest.map((c) => `${c.id} ${(c.ms / 1000).toFixed(1)} s`).join(', ')}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, 'no-readme': { type: 'boolean' }, 'full-only': { type: 'boolean' } } });
  const entries = values.only ? corpus.filter((e) => e.name.includes(values.only!)) : corpus;
  if (entries.length === 0) throw new Error(`no corpus entry matches --only ${values.only}`);
  const t0 = performance.now();
  if (values['full-only']) {
    console.log(`full runs only (the kit's defaults, seed ${FULL_RUN_SEED}), ${entries.length} servers, one at a time:`);
    const full = await runFullRuns(entries, { concurrency: FULL_RUN_CONCURRENCY, onRun: (entry, run) => printFullRun(entry, run, true) });
    const over = [...full].filter(([, run]) => !run.ran || run.durationMs > FULL_GOAL_MS).map(([name]) => name);
    console.log(`\n${full.size - over.length}/${full.size} full runs within the ${FULL_GOAL_MS / 1000} s goal in ${((performance.now() - t0) / 1000).toFixed(0)} s${over.length ? `; over: ${over.join(', ')}` : ''}`);
    return;
  }
  console.log(`kill matrix: ${entries.length} servers × ${MATRIX_SEEDS.length} seeds, 2 runs at a time`);
  const results = await runMatrix(entries, {
    concurrency: 2,
    onEntry: (r) => {
      console.log(formatEntryLine(r));
      for (const why of explainFalseAlarms(r)) console.log(`    ${why}`);
    },
  });
  console.log(`\nfull runs (the kit's defaults, seed ${FULL_RUN_SEED}), one at a time:`);
  const full = await runFullRuns(entries, { concurrency: FULL_RUN_CONCURRENCY, onRun: printFullRun });
  const totalMs = performance.now() - t0;
  console.log(`\nserver × requirement (n = runs that failed it on a label, xn = off the labels, - = label never failed):\n`);
  console.log(formatGrid(results));
  const bad = results.filter((r) => !['ok', 'skipped'].includes(entryVerdict(r)));
  console.log(`\n${results.length - bad.length}/${results.length} entries as expected in ${(totalMs / 1000).toFixed(0)} s${bad.length ? `; not as expected: ${bad.map((r) => `${r.entry.name} (${entryVerdict(r)})`).join(', ')}` : ''}`);
  if (!values['no-readme'] && !values.only) console.log(`README table rewritten: ${rewriteReadme(readmeSection(results, full, totalMs))}`);
  process.exitCode = bad.length ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(`killmatrix: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
