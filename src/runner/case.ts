// What a conformance case is: an ID, a title, the requirements it checks, the
// profile features it needs, and a run function over a CaseContext.
import type { ClientCommandType, ServerEventType } from '../profile/types.js';
import type { CaseContext } from './context.js';

export type Feature =
  | `notice:${ServerEventType}`
  | `command:${ClientCommandType}`
  /** The profile has an idle timeout. */
  | 'idle'
  /** The profile declares the server's join deadline (joinTimeoutMs) and members join after connecting (login, prompt). */
  | 'deadline:join'
  /** The profile declares the server's line deadline (lineTimeoutMs). */
  | 'deadline:line'
  /** Members are identified by address (gopl, who-rename, raw). */
  | 'identity:addr'
  | 'identity:name'
  | 'framing:nameop'
  | 'framing:raw'
  | 'framing:line-or-raw';

export interface ConformanceCase {
  /** Stable ID: section/name, e.g. chat/exactly-once. */
  readonly id: string;
  readonly title: string;
  readonly requirements: readonly string[];
  readonly needs?: readonly Feature[];
  /** Long-running (idle timeouts, churn): scaled down or skipped by --quick. */
  readonly slow?: boolean;
  /** A fast-check property: honours --runs, --seed and --path. */
  readonly property?: boolean;
  run(ctx: CaseContext): Promise<void>;
}

export function defineCase(c: ConformanceCase): ConformanceCase {
  return c;
}
