// npm run probe:wild: for every correct server of the wild corpus and each
// of 5 seeds, probe it, then run the kit (a full run, not --quick) with the drafted profile;
// every run must end with no fail and no error.
//   node dist/bench/probewild.js [--only SUBSTRING]
import { parseArgs } from 'node:util';
import { wildServers } from '../test/wild/corpus.js';
import { describeProbeRun, probeThenRun } from '../test/wild/probe-run.js';

const SEEDS = [1, 2, 3, 4, 5];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const servers = wildServers.filter((s) => s.kind === 'correct' && (!values.only || s.name.includes(values.only)));
  let bad = 0;
  for (const server of servers) {
    const missing = await server.unavailable?.();
    if (missing) {
      console.log(`${server.name}: skipped: ${missing}`);
      continue;
    }
    for (const seed of SEEDS) {
      const r = await probeThenRun(server, seed);
      if (r.problem || r.bad.length > 0 || r.preflight) bad += 1;
      console.log(describeProbeRun(server.name, r));
    }
  }
  console.log(`\n${bad === 0 ? 'every' : `${bad} of the`} probe-then-run(s) ${bad === 0 ? 'ended with no fail and no error' : 'had a fail, an error or no draft'}`);
  process.exitCode = bad ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(`probe:wild: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
