// Monotonic milliseconds and deadline-bounded waiting. Every wait in the kit
// goes through waitUntil: it re-checks its condition whenever something is
// received (a Signal fires) and gives up at its deadline, never sleeping blind.

export const now = (): number => performance.now();

/** Wakes every waiter when something happened (a line received, a socket closed). */
export class Signal {
  private waiters = new Set<() => void>();

  private readonly onAbort = (): void => this.notify();

  /**
   * With an abort signal (the run interrupted), every wait ends at once with its condition's value.
   * The signal is listened to only while a wait is pending: a run makes hundreds of Signals, one per
   * case context, and must not leave a listener on the run's AbortSignal for each.
   */
  constructor(private readonly abort?: AbortSignal) {}

  get aborted(): boolean {
    return this.abort?.aborted === true;
  }

  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves true once cond() holds, false at the deadline. */
  waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    if (this.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (this.waiters.size === 0) this.abort?.removeEventListener('abort', this.onAbort);
        resolve(ok);
      };
      const check = (): void => {
        if (cond()) finish(true);
        else if (this.aborted) finish(false);
      };
      const timer = setTimeout(() => finish(cond()), Math.max(0, timeoutMs));
      if (this.waiters.size === 0) this.abort?.addEventListener('abort', this.onAbort);
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

/** Rejects with onAbort() once the signal aborts (never, without a signal); for racing a case against ^C. */
export function aborted(signal: AbortSignal | undefined, onAbort: () => Error): { promise: Promise<never>; dispose: () => void } {
  let listener: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    if (!signal) return;
    if (signal.aborted) return reject(onAbort());
    listener = () => reject(onAbort());
    signal.addEventListener('abort', listener, { once: true });
  });
  promise.catch(() => {});
  return { promise, dispose: () => listener && signal?.removeEventListener('abort', listener) };
}
