// Protection at the door: how many connections one address may hold, and a
// log of refusals that cannot itself be flooded (one line per refusal up to a
// rate, then a count of those left out).
import { isIPv4 } from 'node:net';
import type { Logger, RejectReason } from './log.js';

/** Open connections per remote IP address. */
export class AddressCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Takes a slot for `ip`; false when it already holds `limit` connections. */
  acquire(ip: string): boolean {
    const n = this.counts.get(ip) ?? 0;
    if (n >= this.limit) return false;
    this.counts.set(ip, n + 1);
    return true;
  }

  release(ip: string): void {
    const n = this.counts.get(ip) ?? 0;
    if (n <= 1) this.counts.delete(ip);
    else this.counts.set(ip, n - 1);
  }

  count(ip: string): number {
    return this.counts.get(ip) ?? 0;
  }
}

/** The IP as one key per host: a dual-stack listener's ::ffff:a.b.c.d is a.b.c.d. */
export function addressKey(ip: string): string {
  const mapped = ip.toLowerCase().startsWith('::ffff:') ? ip.slice(7) : '';
  return isIPv4(mapped) ? mapped : ip;
}

/** Refusals logged one line each, at most `perWindow` a window; the rest are counted in one line when the window ends. */
export class RefusalLog {
  private windowStart = -Infinity;
  private logged = 0;
  private readonly suppressed = new Map<RejectReason, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly perWindow = 10,
    private readonly windowMs = 1_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  refused(id: number, addr: string, reason: RejectReason): void {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.logged = 0;
    }
    if (this.logged < this.perWindow) {
      this.logged++;
      this.log({ event: 'reject', id, addr, reason });
      return;
    }
    this.suppressed.set(reason, (this.suppressed.get(reason) ?? 0) + 1);
    this.timer ??= setTimeout(this.summarise, Math.max(1, this.windowStart + this.windowMs - now));
    this.timer.unref();
  }

  /** Logs what was left out now (the server is closing, or the window ended). */
  readonly summarise = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [reason, count] of this.suppressed) this.log({ event: 'rejectsSuppressed', reason, count });
    this.suppressed.clear();
  };
}
