// Waiting with deadlines: every wait in the load generator ends by a deadline
// on the performance.now() clock, so a server that stops answering yields a
// report, never a hang.
import { performance } from 'node:perf_hooks';

/** A condition's owner calls notify() when the condition may have changed. */
export class Wakeup {
  private readonly waiters = new Set<() => void>();

  notify(): void {
    if (this.waiters.size === 0) return;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves at the next notify() or at deadlineMs, whichever comes first. */
  wait(deadlineMs: number): Promise<void> {
    const delay = deadlineMs - performance.now();
    if (delay <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.ceil(delay));
      this.waiters.add(wake);
    });
  }
}

/** Waits until cond() holds (true) or the deadline passes (false). */
export async function waitUntil(cond: () => boolean, wakeup: Wakeup, deadlineMs: number): Promise<boolean> {
  while (!cond()) {
    if (performance.now() >= deadlineMs) return false;
    await wakeup.wait(deadlineMs);
  }
  return true;
}

export const sleepUntil = (deadlineMs: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.ceil(deadlineMs - performance.now()))));
