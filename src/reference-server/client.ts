// One accepted connection: its address, its outbound queue and the two ways
// it can end (a graceful FIN after a final flush, or destroy).
import type { Socket } from 'node:net';
import { LINGER_MS } from './options.js';
import type { EvictionReason } from './eviction.js';
import { type FlushScheduler, Outbox, type OutboxObserver } from './outbox.js';
import type { PendingShare } from './room.js';

export class Client {
  readonly outbox: Outbox;
  /** The room whose events of this turn this client has not been given yet: they go before anything else it is sent. */
  share: PendingShare | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    /** ADDR: the peer's address as this server sees it. */
    readonly addr: string,
    scheduler: FlushScheduler,
    budget: OutboxObserver,
    onEvict: (reason: EvictionReason, queuedBytes: number) => void,
  ) {
    this.outbox = new Outbox(socket, scheduler, budget, onEvict);
  }

  /** Queues bytes for this turn's batched write; false when the connection takes no more (ending or evicted). */
  send(bytes: Buffer): boolean {
    this.share?.deliverTo(this);
    return this.outbox.send(bytes);
  }

  /** Queues bytes as they are, after what is queued already (the room's delivery of its share). */
  queue(bytes: Buffer): boolean {
    return this.outbox.send(bytes);
  }

  /** Flushes what is queued, sends FIN, and destroys the socket if the peer has not closed within lingerMs. */
  end(lingerMs = LINGER_MS): void {
    if (this.lingerTimer || this.socket.destroyed) return;
    this.share?.deliverTo(this);
    this.outbox.flush(true);
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), lingerMs);
    this.lingerTimer.unref();
  }

  destroy(): void {
    this.outbox.discard();
    this.socket.destroy();
  }

  /** The socket closed: release the timer so nothing outlives the connection. */
  dispose(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.outbox.discard();
  }
}
