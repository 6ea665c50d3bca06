// Who is evicted for not reading, and when. A member is evicted for a
// sustained lack of progress, never for one turn's burst: its queue must be
// over queueBytes AND the kernel must have refused its writes for evictAfterMs
// of the server's own running time. A stall of the whole process (a GC pause,
// SIGSTOP/SIGCONT, a busy host) counts as at most two sweeps, because during
// it nobody could be served: readers are not blamed for the server's pause.
// All outbound queues together stay under a global budget: over it, the
// largest queues that are not draining go first.
import type { Outbox, OutboxObserver } from './outbox.js';

/** How often blocked queues are checked. */
export const SWEEP_MS = 100;
/** At most this much of one sweep's interval counts as a stall (the rest was the server's own pause). */
const MAX_STALL_PER_SWEEP_MS = 2 * SWEEP_MS;
/** The budget evicts a queue that has stalled this long before any that has just blocked. */
const BUDGET_STALL_MS = 500;

export type EvictionReason = 'stalled' | 'budget' | 'ceiling';

/**
 * A queue this many times queueBytes is evicted at once, drained or not: the
 * stall window must not let one member that stopped reading hold seconds of
 * a fast room (PROC-4: 64 MiB past a stopped reader may not grow the server
 * by 48 MiB). A 1 s stall of a busy room stays far below it.
 */
export const QUEUE_CEILING_FACTOR = 16;

export interface BudgetLimits {
  /** A queue over this many bytes that does not drain for evictAfterMs is evicted. */
  readonly queueBytes: number;
  readonly evictAfterMs: number;
  /** All queues together. */
  readonly outboundBudgetBytes: number;
}

export class OutboundBudget implements OutboxObserver {
  private total = 0;
  private peak = 0;
  /** Outboxes whose last write the socket has not finished. */
  private readonly blockedSet = new Set<Outbox>();
  private timer: NodeJS.Timeout | undefined;
  private lastSweep = 0;
  /** Set when a reclaim found nobody to evict; cleared at the next sweep, so hopeless scans do not repeat every send. */
  private nothingToReclaim = false;

  constructor(
    private readonly limits: BudgetLimits,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Bytes in all outbound queues now, and the most there ever were. */
  get outboundBytes(): number {
    return this.total;
  }

  get outboundPeakBytes(): number {
    return this.peak;
  }

  queued(outbox: Outbox, delta: number): void {
    this.total += delta;
    if (delta > 0 && outbox.queuedBytes > this.limits.queueBytes * QUEUE_CEILING_FACTOR) {
      this.evictOne(outbox, 'ceiling');
      return;
    }
    if (delta > 0 && this.total > this.limits.outboundBudgetBytes && !this.nothingToReclaim) this.reclaim();
    if (this.total > this.peak) this.peak = this.total;
  }

  blocked(outbox: Outbox): void {
    outbox.stalledMs = 0;
    this.nothingToReclaim = false;
    this.blockedSet.add(outbox);
    if (!this.timer) {
      this.lastSweep = this.now();
      this.timer = setInterval(this.sweep, SWEEP_MS);
      this.timer.unref();
    }
  }

  drained(outbox: Outbox): void {
    this.blockedSet.delete(outbox);
  }

  /** Stops the sweep (the server is closing). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Charges blocked queues for the time since the last sweep; the interval calls it, tests may too. */
  readonly sweep = (): void => {
    const now = this.now();
    const elapsed = Math.min(now - this.lastSweep, MAX_STALL_PER_SWEEP_MS);
    this.lastSweep = now;
    this.nothingToReclaim = false;
    const { queueBytes, evictAfterMs } = this.limits;
    for (const outbox of [...this.blockedSet]) {
      outbox.stalledMs += elapsed;
      if (outbox.stalledMs >= evictAfterMs && outbox.queuedBytes > queueBytes) this.evictOne(outbox, 'stalled');
    }
    if (this.total > this.limits.outboundBudgetBytes) this.reclaim();
    if (this.blockedSet.size === 0) this.stop();
  };

  /**
   * Over the budget: evicts blocked queues, those stalled for a while first,
   * largest first, until the total fits. A queue that drains is never taken:
   * queues that are not blocked hold less than a turn's early-write threshold.
   */
  private reclaim(): void {
    const budget = this.limits.outboundBudgetBytes;
    while (this.total > budget) {
      let victim: Outbox | undefined;
      let victimStalled = false;
      for (const outbox of this.blockedSet) {
        const stalled = outbox.stalledMs >= BUDGET_STALL_MS;
        if (victim === undefined || (stalled && !victimStalled) || (stalled === victimStalled && outbox.queuedBytes > victim.queuedBytes)) {
          victim = outbox;
          victimStalled = stalled;
        }
      }
      if (!victim) {
        this.nothingToReclaim = true;
        return;
      }
      this.evictOne(victim, 'budget');
    }
  }

  private evictOne(outbox: Outbox, reason: EvictionReason): void {
    const queued = outbox.queuedBytes;
    this.blockedSet.delete(outbox);
    outbox.evict(reason, queued);
  }
}
