// Probe a wild server, then run the kit with the draft: the path a new user
// takes. Shared by test/wild.test.ts (one seed) and `npm run probe:wild`
// (bench/probewild.ts, five seeds).
import { parseProfile } from '../../src/profile/index.js';
import { probeServer } from '../../src/probe/index.js';
import { parseTarget, runConformance } from '../../src/runner/run.js';
import type { CaseResult } from '../../src/runner/verdict.js';
import type { wildServers } from './corpus.js';

export interface ProbeRun {
  readonly seed: number;
  /** Why there was no draft, or the draft did not load. */
  readonly problem?: string;
  /** Cases that failed (not flaky) or errored with the draft. */
  readonly bad: readonly CaseResult[];
  readonly pass: number;
  readonly preflight?: string;
  readonly durationMs: number;
}

export async function probeThenRun(server: (typeof wildServers)[number], seed: number, options: { skip?: readonly string[]; quick?: boolean } = {}): Promise<ProbeRun> {
  const t0 = performance.now();
  const running = await server.start();
  try {
    const target = parseTarget(running.url);
    const drafted = await probeServer({ target });
    if (!drafted.profile) return { seed, problem: drafted.problem ?? 'no draft', bad: [], pass: 0, durationMs: performance.now() - t0 };
    const profile = parseProfile(drafted.profile, 'draft');
    const report = await runConformance({ target, profile, quick: options.quick ?? false, seed, runDeadlineMs: 300_000, skip: options.skip ?? [] });
    const bad = report.cases.filter((c) => (c.verdict === 'fail' && !c.counterexample?.flaky) || c.verdict === 'error');
    return {
      seed,
      bad,
      pass: report.summary.pass,
      ...(report.preflight ? { preflight: `${report.preflight.kind}: ${report.preflight.summary}` } : {}),
      durationMs: performance.now() - t0,
    };
  } finally {
    await running.close();
  }
}

export function describeProbeRun(name: string, r: ProbeRun): string {
  if (r.problem) return `${name} seed ${r.seed}: no draft: ${r.problem}`;
  const bad = r.bad.map((c) => `${c.id} ${c.verdict}: ${(c.message ?? '').slice(0, 200)}`);
  return `${name} seed ${r.seed}: ${r.pass} pass, ${r.bad.length} fail/error${r.preflight ? `; preflight ${r.preflight}` : ''}${bad.length ? `\n    ${bad.join('\n    ')}` : ''} (${(r.durationMs / 1000).toFixed(1)} s)`;
}
