// A client's bounded outbound queue. Bytes queued during one event-loop turn
// are written with one socket.write at the end of the turn (one setImmediate
// per server, not per client); a client whose backlog would exceed its limit
// is reported once as overflowing, so a reader that stalls never slows the room.
import type { Socket } from 'node:net';

/** Collects the outboxes that got bytes this turn and flushes them all once. */
export class FlushScheduler {
  private dirty = new Set<Outbox>();
  private scheduled = false;

  mark(outbox: Outbox): void {
    this.dirty.add(outbox);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const batch = this.dirty;
    this.dirty = new Set();
    for (const outbox of batch) outbox.flush();
  };
}

export class Outbox {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;

  constructor(
    private readonly socket: Socket,
    private readonly limit: number,
    private readonly scheduler: FlushScheduler,
    /** Called once, synchronously, when a send would exceed the limit. */
    private readonly onOverflow: (queuedBytes: number) => void,
  ) {}

  /** Bytes waiting to reach the peer: ours plus the socket's own buffer. */
  get queuedBytes(): number {
    return this.pendingBytes + this.socket.writableLength;
  }

  /** Queues bytes for this turn's flush; false when they would exceed the limit (the client is then overflowing and gets nothing more). */
  send(bytes: Buffer): boolean {
    if (this.overflowed || !this.socket.writable) return false;
    const queued = this.queuedBytes + bytes.length;
    if (queued > this.limit) {
      this.overflowed = true;
      this.pending = [];
      this.pendingBytes = 0;
      this.onOverflow(queued);
      return false;
    }
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.scheduler.mark(this);
    return true;
  }

  /** Writes what is queued now; the scheduler calls it once per turn, close paths call it directly. */
  flush(): void {
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (this.socket.writable) this.socket.write(data);
  }

  /** Drops what is queued (the connection is being destroyed). */
  discard(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.overflowed = true;
  }
}
