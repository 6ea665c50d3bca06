// Monotonic milliseconds and deadline-bounded waiting. Every wait in the kit
// goes through waitUntil: it re-checks its condition whenever something is
// received (a Signal fires) and gives up at its deadline, never sleeping blind.

export const now = (): number => performance.now();

/** Wakes every waiter when something happened (a line received, a socket closed). */
export class Signal {
  private waiters = new Set<() => void>();

  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves true once cond() holds, false at the deadline. */
  waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(ok);
      };
      const check = (): void => {
        if (cond()) finish(true);
      };
      const timer = setTimeout(() => finish(cond()), Math.max(0, timeoutMs));
      this.waiters.add(check);
    });
  }
}

/** A promise that rejects after ms, for racing whole cases and runs against their deadlines. */
export function deadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
