// Server memory, sampled from /proc/PID/status (Linux): VmRSS now and VmHWM
// (the kernel's own peak, which catches spikes between samples).
import { readFileSync } from 'node:fs';

export interface RssSample {
  readonly rssBytes: number;
  readonly hwmBytes: number;
}

export type RssReading = { readonly ok: true; readonly sample: RssSample } | { readonly ok: false; readonly reason: string };

export function readRss(pid: number): RssReading {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (err) {
    return { ok: false, reason: `cannot read /proc/${pid}/status (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  const kb = (field: string): number | undefined => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const rssBytes = kb('VmRSS');
  const hwmBytes = kb('VmHWM');
  if (rssBytes === undefined || hwmBytes === undefined) return { ok: false, reason: `no VmRSS/VmHWM in /proc/${pid}/status` };
  return { ok: true, sample: { rssBytes, hwmBytes } };
}

export interface RssSummary {
  readonly pid: number;
  /** Largest VmRSS sampled during the run. */
  readonly peakRssBytes: number;
  /** VmHWM at the last sample: the process's lifetime peak. */
  readonly hwmBytes: number;
  readonly lastRssBytes: number;
  readonly samples: number;
}

/** Samples a process's RSS every intervalMs until stop(). */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  private hwm = 0;
  private last = 0;
  private samples = 0;
  private failure: string | undefined;

  constructor(
    readonly pid: number,
    intervalMs = 50,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const reading = readRss(this.pid);
    if (!reading.ok) {
      // A process that exited keeps its last numbers; only a never-read one fails.
      if (this.samples === 0) this.failure = reading.reason;
      return;
    }
    this.samples += 1;
    this.last = reading.sample.rssBytes;
    this.peak = Math.max(this.peak, reading.sample.rssBytes);
    this.hwm = Math.max(this.hwm, reading.sample.hwmBytes);
  }

  stop(): { ok: true; summary: RssSummary } | { ok: false; reason: string } {
    this.sample();
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.samples === 0) return { ok: false, reason: this.failure ?? `no sample of process ${this.pid}` };
    return {
      ok: true,
      summary: { pid: this.pid, peakRssBytes: this.peak, hwmBytes: this.hwm, lastRssBytes: this.last, samples: this.samples },
    };
  }
}
