// npm run soak: for every built-in profile, N full runs in a row with
// different seeds against the embedded reference server. Any fail is a bug
// in the kit or the server; it is printed with its replay line. Exit 1 on a fail.
import { parseArgs } from 'node:util';
import { builtinProfileNames } from '../src/profile/index.js';
import { runConformance } from '../src/runner/run.js';
import { formatFailure } from '../src/runner/format.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, profile: { type: 'string', multiple: true }, quick: { type: 'boolean' } },
});
const runs = Number(values.runs);
const profiles = values.profile ?? [...builtinProfileNames];
let failed = 0;
console.log(`soak: ${runs} ${values.quick ? 'quick' : 'full'} runs per profile against the embedded reference server`);
for (const profile of profiles) {
  const times: number[] = [];
  const verdicts = new Map<string, number>();
  for (let i = 0; i < runs; i += 1) {
    const seed = (Date.now() ^ (i * 0x9e3779b1)) | 0;
    const report = await runConformance({ profile, seed, quick: values.quick ?? false });
    times.push(report.durationMs);
    verdicts.set(report.verdict, (verdicts.get(report.verdict) ?? 0) + 1);
    for (const c of report.cases.filter((c) => c.verdict === 'fail' || c.verdict === 'error' || c.verdict === 'inconclusive')) {
      if (c.verdict === 'fail') failed += 1;
      console.log(`  ${profile} seed ${seed}: ${c.verdict.toUpperCase()} ${c.id}: ${c.message ?? ''}`);
      if (c.verdict === 'fail') for (const line of formatFailure(c).slice(0, 12)) console.log(`      ${line}`);
    }
  }
  times.sort((a, b) => a - b);
  const summary = [...verdicts].map(([v, n]) => `${n} ${v}`).join(', ');
  console.log(`${profile.padEnd(11)} ${summary}; run time median ${(times[Math.floor(times.length / 2)]! / 1000).toFixed(1)} s, max ${(times.at(-1)! / 1000).toFixed(1)} s`);
}
console.log(failed === 0 ? 'soak: no fail' : `soak: ${failed} failing case(s)`);
process.exitCode = failed === 0 ? 0 : 1;
