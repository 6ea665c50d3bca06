// Memory back after load. Under a burst (a join storm, a room full of members
// that do not read) V8 doubles its young generation up to 32 MiB and promotes
// what the queues held into the old one; it gives the young generation back
// only at a collection that follows a stretch of low allocation, and the old
// one's garbage only at a full collection. A server that goes quiet allocates
// nothing, so no collection comes and the process keeps its peak RSS for good
// (measured: 2.5x its baseline after 1,000 non-readers had left). So when the
// event loop has gone quiet after load, this asks for a full collection (a
// few ms on a quiet server), and again on the next quiet ticks while the young
// generation is still large (V8 shrinks it once the low allocation rate shows),
// at most MAX_QUIET_COLLECTIONS times until load comes back. Under load it
// does nothing: V8 collects on its own then.
import v8 from 'node:v8';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import vm from 'node:vm';

/** How often the event loop's load is looked at. */
export const RELIEF_TICK_MS = 2_000;
/** A tick whose event loop was busy less than this fraction of the time is quiet. */
export const QUIET_UTILIZATION = 0.05;
/** A young generation above this (both semispaces) is still to be given back. V8 starts at 1-2 MiB and doubles under load. */
export const RELIEF_NEW_SPACE_BYTES = 4 * 1024 * 1024;
/**
 * Collections asked for in a row on quiet ticks, before load is seen again.
 * V8 measures the allocation rate over several seconds: on an idle process
 * the young generation came back at the 3rd to 5th collection 2 s apart
 * (node --expose-gc, 32 MiB of new space, gc() every 2 s: still 32 MiB at
 * 6 s, 1 MiB at 8 s), so three were sometimes too few.
 */
export const MAX_QUIET_COLLECTIONS = 8;

export interface HeapProbe {
  /** The fraction of time the event loop was busy since the last call (0..1). */
  utilization(): number;
  /** Bytes the young generation holds (committed), or undefined when V8 does not say. */
  newSpaceBytes(): number | undefined;
  /** One full collection; false when this process cannot ask for one. */
  collect(): boolean;
}

/** The real process: its event-loop utilization, V8's young generation, and gc() from a fresh context. */
export function v8Probe(): HeapProbe {
  let last: EventLoopUtilization | undefined;
  return {
    utilization: () => {
      const now = performance.eventLoopUtilization();
      const delta = last === undefined ? now : performance.eventLoopUtilization(now, last);
      last = now;
      return delta.utilization;
    },
    newSpaceBytes: () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size,
    collect: () => {
      const gc = collector();
      gc?.();
      return gc !== undefined;
    },
  };
}

let cachedCollector: (() => void) | null | undefined;

/**
 * The gc function, taken once from a context created while --expose-gc is on
 * (the flag is switched back off at once, so no other context gets it).
 * Undefined when this V8 refuses: relief is then a no-op, never an error.
 */
function collector(): (() => void) | undefined {
  if (cachedCollector === undefined) {
    cachedCollector = null;
    try {
      const exposed = typeof (globalThis as { gc?: unknown }).gc === 'function';
      if (!exposed) v8.setFlagsFromString('--expose-gc');
      const gc: unknown = vm.runInNewContext('typeof gc === "function" ? gc : undefined');
      if (!exposed) v8.setFlagsFromString('--no-expose-gc');
      if (typeof gc === 'function') cachedCollector = () => void (gc as () => void)();
    } catch {
      cachedCollector = null;
    }
  }
  return cachedCollector ?? undefined;
}

/**
 * One timer per process however many servers run in it (tests start many):
 * started with the first server, stopped with the last.
 */
export class HeapRelief {
  private users = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Collections asked for so far. */
  collections = 0;
  /** A busy tick came since the last collection. */
  private loaded = false;
  private quietCollections = 0;

  constructor(
    private readonly probe: HeapProbe,
    private readonly tickMs = RELIEF_TICK_MS,
  ) {}

  /** Is the tick timer running? */
  get running(): boolean {
    return this.timer !== undefined;
  }

  acquire(): void {
    if (this.users++ > 0) return;
    this.timer = setInterval(this.tick, this.tickMs);
    this.timer.unref();
  }

  release(): void {
    if (this.users === 0 || --this.users > 0) return;
    this.stop();
  }

  /** The interval calls it; tests may too. */
  readonly tick = (): void => {
    if (this.probe.utilization() > QUIET_UTILIZATION) {
      this.loaded = true;
      this.quietCollections = 0;
      return;
    }
    const large = (this.probe.newSpaceBytes() ?? 0) > RELIEF_NEW_SPACE_BYTES;
    if ((!this.loaded && !large) || this.quietCollections >= MAX_QUIET_COLLECTIONS) return;
    this.loaded = false;
    if (!this.probe.collect()) return this.stop(); // this V8 cannot: nothing to do, ever
    this.collections++;
    this.quietCollections++;
  };

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** The process's relief, shared by every server in it. */
export const heapRelief = new HeapRelief(v8Probe());
