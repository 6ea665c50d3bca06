// CPU use of the load client and of the server under test, over the same
// interval, so a figure that measures the client (a client near one core)
// says so.
import { readFileSync } from 'node:fs';

/** The client counts as saturated above this share of one core: its own pace, not the server's, may set the figures. */
export const SATURATED_CORE_SHARE = 0.9;
const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

/** utime + stime of a process in seconds (/proc/PID/stat), or undefined where that cannot be read. */
export function processCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / CLOCK_TICKS_PER_SECOND : undefined;
}

/** Measures both processes from now until stop(). */
export class CpuMeter {
  private readonly client = process.cpuUsage();
  private readonly server: number | undefined;
  private readonly start = performance.now();

  constructor(private readonly serverPid?: number) {
    this.server = serverPid === undefined ? undefined : processCpuSeconds(serverPid);
  }

  /** Shares of one core (1 = a full core) over the interval. */
  stop(): { readonly clientCores: number; readonly serverCores: number | null } {
    const seconds = Math.max(1e-3, (performance.now() - this.start) / 1e3);
    const used = process.cpuUsage(this.client);
    const serverNow = this.serverPid === undefined ? undefined : processCpuSeconds(this.serverPid);
    return {
      clientCores: (used.user + used.system) / 1e6 / seconds,
      serverCores: this.server === undefined || serverNow === undefined ? null : (serverNow - this.server) / seconds,
    };
  }
}
