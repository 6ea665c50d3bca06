// Charging a crash or a dead room to the case that caused it. The case's
// first MUST requirement is the one its input was testing (or PROC-1, the
// process must keep serving, for a case whose requirements are all SHOULD).
import { requirement } from '../spec/requirements.js';
import type { ConformanceCase } from '../runner/case.js';
import { violation, type CaseResult } from '../runner/verdict.js';
import type { ServerIncident } from './supervisor.js';

/** One line of the run's incident list: each crash or dead room once. */
export interface Incident {
  readonly case: string;
  readonly kind: ServerIncident['kind'];
  readonly status: string;
  readonly headline?: string;
}

/** What the runner knows about the target between cases. */
export interface TargetWatch {
  /** The supervised server exited on its own (always false without supervision). */
  crashed(): boolean;
  /** Two fresh members can exchange a line. */
  alive(): Promise<boolean>;
}

export const KEEP_SERVING = 'PROC-1';

/** The requirement a crash during this case is charged to. */
export function chargedRequirement(c: ConformanceCase): string {
  return c.requirements.find((id) => requirement(id).level === 'MUST') ?? KEEP_SERVING;
}

export function chargeIncident(c: ConformanceCase, result: CaseResult, incident: ServerIncident): CaseResult {
  const id = chargedRequirement(c);
  const what =
    incident.kind === 'crash'
      ? `the server ${incident.status} during this case${incident.headline ? `: ${incident.headline}` : ''}`
      : `the room stopped serving during this case: two new members could not exchange a line (${incident.status})${incident.headline ? `; ${incident.headline}` : ''}`;
  const v = violation(id, what, { expected: 'the server keeps serving the room', actual: incident.output.slice(-12).join('\n') || '(it printed nothing)' });
  const before = result.verdict === 'fail' || result.verdict === 'warn' ? ` (the case had found: ${result.message ?? ''})` : '';
  return {
    ...result,
    verdict: 'fail',
    level: 'MUST',
    message: `${id} (MUST): ${what}${before}`.slice(0, 4000),
    violations: [v, ...(result.violations ?? [])],
    server: incident,
  };
}
