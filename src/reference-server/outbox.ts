// A client's outbound queue. Bytes queued during one event-loop turn go out
// with one socket.write at the end of the turn (one setImmediate per server,
// not per client), or at once when a turn queues a lot: bytes are written as
// they are queued, so a burst (a whole second of input read after a stall)
// reaches the kernel, and a reader, instead of piling up. At most one write is
// in the socket at a time; the rest waits here, as shared Buffers (one per
// event, not one copy per member), and goes out as those same Buffers (one
// writev): only runs of short lines are copied, into a reused area. Whether a client falls behind for good is
// the OutboundBudget's call (eviction.ts), never one turn's.
import type { Socket } from 'node:net';
import type { EvictionReason } from './eviction.js';

/**
 * Collects the outboxes that got bytes and flushes them all once. Normally at
 * the end of the turn (setImmediate); but a flush that wrote to many sockets
 * (a join storm in a big room: every join goes to every member) is followed
 * by a pause as long as it took, so that at most half the time goes to
 * flushing and each write carries the events of many turns, not one.
 */
export class FlushScheduler {
  private dirty = new Set<Outbox>();
  private scheduled = false;
  /** When the next flush may run (performance.now()), and how long the last one took. */
  private notBefore = 0;

  /** Work that queues bytes (a room's events of the turn) runs first at the next flush. */
  private hooks: (() => void)[] = [];

  beforeFlush(hook: () => void): void {
    this.hooks.push(hook);
    this.schedule();
  }

  mark(outbox: Outbox): void {
    this.dirty.add(outbox);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.notBefore - performance.now();
    if (wait >= 1) setTimeout(this.run, Math.min(wait, MAX_FLUSH_PAUSE_MS));
    else setImmediate(this.run);
  }

  private readonly run = (): void => {
    // Hooks queue bytes: marked outboxes join this flush (still scheduled, so no second one).
    // A hook may set off another (an eviction's leave notice is a new room event): run them until none is left.
    while (this.hooks.length > 0) {
      const hooks = this.hooks;
      this.hooks = [];
      for (const hook of hooks) hook();
    }
    this.scheduled = false;
    const batch = this.dirty;
    this.dirty = new Set();
    const start = performance.now();
    for (const outbox of batch) outbox.flush();
    const end = performance.now();
    // Only a flush to many sockets pauses the next: a small room's latency is never traded.
    this.notBefore = batch.size >= PAUSING_FLUSH_SOCKETS && end - start >= 1 ? end + (end - start) : 0;
  };
}

/** A flush to at least this many sockets may pause the next one. */
const PAUSING_FLUSH_SOCKETS = 256;
/** The longest pause after a long flush, so that latency stays bounded whatever one flush cost. */
const MAX_FLUSH_PAUSE_MS = 50;

/** What an outbox reports to the policy that decides eviction. */
export interface OutboxObserver {
  /** Queued bytes changed by `delta` (positive: queued; negative: written out or dropped). */
  queued(outbox: Outbox, delta: number): void;
  /** The socket did not take a whole write: the kernel refuses bytes until the peer reads. */
  blocked(outbox: Outbox): void;
  /** A blocked write completed: the peer is reading. */
  drained(outbox: Outbox): void;
}

/** Queued bytes at which we write at once rather than at the end of the turn. */
export const EARLY_WRITE_BYTES = 64 * 1024;
/** Most bytes handed to the socket in one write (so one stuck write holds little, and progress shows often). */
export const WRITE_BATCH_BYTES = 256 * 1024;

export class Outbox {
  /** Queued Buffers not yet handed to the socket: chunks[head..]. */
  private chunks: Buffer[] = [];
  private head = 0;
  private pendingBytes = 0;
  /** Bytes of the one write the socket has not finished. */
  private inFlightBytes = 0;
  private closed = false;
  /** Time the budget has counted this outbox as blocked without progress (its business, kept here). */
  stalledMs = 0;
  /** The last write is not finished: the peer is not reading (fast enough). */
  blocked = false;

  constructor(
    private readonly socket: Socket,
    private readonly scheduler: FlushScheduler,
    private readonly observer: OutboxObserver,
    /** Called once when the budget evicts this client (after its queue is dropped). */
    private readonly onEvict: (reason: EvictionReason, queuedBytes: number) => void,
  ) {}

  /** Bytes waiting to reach the peer: ours plus the socket's. */
  get queuedBytes(): number {
    return this.pendingBytes + this.inFlightBytes;
  }

  /** Queues bytes for this turn's write; false when the connection can take no more (closing or evicted). */
  send(bytes: Buffer): boolean {
    if (this.closed || !this.socket.writable) return false;
    this.chunks.push(bytes);
    this.pendingBytes += bytes.length;
    this.observer.queued(this, bytes.length);
    if (this.closed) return false; // the budget evicted this very client
    if (this.pendingBytes >= EARLY_WRITE_BYTES && !this.blocked) this.flush();
    else this.scheduler.mark(this);
    return true;
  }

  /**
   * Writes what is queued, a batch at a time while the socket takes them
   * whole; `all` hands everything to the socket (before FIN: nothing may stay behind).
   */
  flush(all = false): void {
    while (this.pendingBytes > 0 && !this.closed && this.socket.writable && (all || !this.blocked)) {
      this.inFlightBytes += this.writeBatch(all ? Infinity : WRITE_BATCH_BYTES);
      // A write the kernel took whole is done synchronously (writableLength drops at once).
      if (this.socket.writableLength === 0) {
        copies.reuse();
        this.progress();
      } else {
        copies.surrender();
        if (!this.blocked) {
          this.blocked = true;
          this.observer.blocked(this);
        }
      }
    }
  }

  /** Drops what is queued and takes no more (the connection is being destroyed or was evicted). */
  discard(): void {
    if (this.closed) return;
    this.closed = true;
    const dropped = this.pendingBytes + this.inFlightBytes;
    this.chunks = [];
    this.head = 0;
    this.pendingBytes = 0;
    this.inFlightBytes = 0;
    if (this.blocked) {
      this.blocked = false;
      this.observer.drained(this);
    }
    if (dropped > 0) this.observer.queued(this, -dropped);
  }

  /** The budget's verdict: drop the queue, take nothing more, and tell the session. */
  evict(reason: EvictionReason, queuedBytes: number): void {
    if (this.closed) return;
    this.discard();
    this.onEvict(reason, queuedBytes);
  }

  /**
   * Hands up to `max` bytes of whole chunks (at least one) to the socket in
   * one write and removes them from the queue; returns the bytes written.
   * Chunks of SHARE_MIN_BYTES or more go by reference (the Buffer every
   * member shares: a member whose write waits holds no copy of its own);
   * runs of smaller ones are copied together into the shared copy area, so a
   * turn of short lines stays one write.
   */
  private writeBatch(max: number): number {
    const chunks = this.chunks;
    const start = this.head;
    let end = start;
    let bytes = 0;
    do bytes += chunks[end++]!.length;
    while (end < chunks.length && bytes + chunks[end]!.length <= max);
    const socket = this.socket;
    let shared = false;
    for (let i = start; i < end && !shared; i++) shared = chunks[i]!.length >= SHARE_MIN_BYTES;
    if (end - start === 1) socket.write(chunks[start]!, this.written);
    else if (!shared) socket.write(copies.join(chunks, start, end), this.written);
    else {
      socket.cork();
      let run = start; // the first small chunk not yet written
      for (let i = start; i < end; i++) {
        const chunk = chunks[i]!;
        if (chunk.length < SHARE_MIN_BYTES) continue;
        if (run < i) socket.write(copies.join(chunks, run, i));
        socket.write(chunk, i === end - 1 ? this.written : undefined);
        run = i + 1;
      }
      if (run < end) socket.write(copies.join(chunks, run, end), this.written);
      socket.uncork();
    }
    if (end === chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else {
      for (let i = start; i < end; i++) chunks[i] = EMPTY; // release the references now
      this.head = end;
      // Compact once the consumed prefix dominates, so the array stays proportional to what is queued.
      if (this.head > 1024 && this.head * 2 > chunks.length) {
        this.chunks = chunks.slice(this.head);
        this.head = 0;
      }
    }
    this.pendingBytes -= bytes;
    return bytes;
  }

  /** Every write handed to the socket is finished. */
  private progress(): void {
    const done = this.inFlightBytes;
    this.inFlightBytes = 0;
    this.stalledMs = 0;
    if (done > 0) this.observer.queued(this, -done);
    if (this.blocked) {
      this.blocked = false;
      this.observer.drained(this);
    }
  }

  /** The socket's write callback: the socket is empty once the last of our writes is done. */
  private readonly written = (err?: Error | null): void => {
    if (err || this.closed || this.socket.writableLength > 0) return;
    if (this.inFlightBytes === 0 && !this.blocked) return; // a synchronous write already counted
    this.progress();
    if (this.pendingBytes > 0) this.flush();
  };
}

const EMPTY = Buffer.alloc(0);

/** Chunks this long or longer are written by reference, never copied. */
export const SHARE_MIN_BYTES = 512;
/** The copy area: one allocation, reused while writes complete synchronously. */
const COPY_AREA_BYTES = 64 * 1024;

/**
 * Where runs of short chunks are copied to become one write. Copies are cut
 * from one area; a write the kernel took whole leaves it free again (reuse),
 * a write that waits keeps its copies (surrender: the next copy takes a new
 * area). A server that writes to readers thus copies into the same memory
 * over and over instead of allocating per write: the many short-lived
 * allocations of a busy room are what made the process keep its peak RSS
 * after the load (the C allocator does not return a fragmented heap).
 */
class CopyArea {
  private area = Buffer.allocUnsafeSlow(COPY_AREA_BYTES);
  private used = 0;

  /** chunks[from..to) as one Buffer. */
  join(chunks: readonly Buffer[], from: number, to: number): Buffer {
    let bytes = 0;
    for (let i = from; i < to; i++) bytes += chunks[i]!.length;
    let target: Buffer;
    if (bytes > COPY_AREA_BYTES - this.used) {
      if (bytes > COPY_AREA_BYTES) target = Buffer.allocUnsafeSlow(bytes);
      else {
        this.area = Buffer.allocUnsafeSlow(COPY_AREA_BYTES);
        this.used = 0;
        target = this.cut(bytes);
      }
    } else target = this.cut(bytes);
    let at = 0;
    for (let i = from; i < to; i++) at += chunks[i]!.copy(target, at);
    return target;
  }

  reuse(): void {
    this.used = 0;
  }

  surrender(): void {
    if (this.used === 0) return;
    this.area = Buffer.allocUnsafeSlow(COPY_AREA_BYTES);
    this.used = 0;
  }

  private cut(bytes: number): Buffer {
    const target = this.area.subarray(this.used, this.used + bytes);
    this.used += bytes;
    return target;
  }
}

const copies = new CopyArea();
