// The lifecycle every dialect shares: decode input through the codec, leave
// exactly once (FIN, RST, quit, eviction, idle timeout, over-long line), and
// never process input after leaving. Dialects fill in what a line means and
// what a leave announces.
import type { Decoded } from '../codec/index.js';
import type { Client } from './client.js';
import type { EvictionReason } from './eviction.js';
import type { LeaveReason } from './log.js';
import type { ServerContext, Session } from './session.js';

export interface StreamDecoder<F> {
  push(chunk: Uint8Array): Decoded<F>[];
  end(): Decoded<F>[];
  readonly bufferedBytes: number;
}

/** Shutdown ends every connection and destroys the stragglers this fast, so `serve` exits within 2 s. */
const SHUTDOWN_LINGER_MS = 500;

export abstract class BaseSession<F> implements Session {
  /** Input is processed only while true; it turns false for good at the first leave or close. */
  protected accepting = true;
  protected member = false;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Frames (lines or decoding errors) received so far: the door's line timeout watches it move. */
  private frames = 0;

  constructor(
    readonly client: Client,
    protected readonly ctx: ServerContext,
    protected readonly decoder: StreamDecoder<F>,
  ) {}

  get isMember(): boolean {
    return this.member;
  }

  get bufferedBytes(): number {
    return this.decoder.bufferedBytes;
  }

  get framesReceived(): number {
    return this.frames;
  }

  /** The display name for logs: the bound name, or ADDR. */
  protected abstract get logName(): string;
  /** One decoded line (or a decoding error) from this client. */
  protected abstract receive(item: Decoded<F>): void;
  /** Removes this member from the room (and any index) and tells the others, as the dialect says. */
  protected abstract depart(reason: LeaveReason, announce: boolean): void;

  start(): void {
    const ms = this.ctx.limits.idleTimeoutMs;
    if (ms !== null) {
      this.idleTimer = setTimeout(this.idle, ms);
      this.idleTimer.unref();
    }
  }

  data(chunk: Buffer): void {
    if (!this.accepting) return;
    this.each(this.decoder.push(chunk));
  }

  end(): void {
    // The last line may lack its LF; it still comes before the leave notice.
    if (this.accepting) this.each(this.decoder.end());
    this.disconnect('eof');
  }

  closed(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.accepting = false;
    this.leave('reset');
  }

  evicted(reason: EvictionReason, queuedBytes: number): void {
    if (!this.accepting && !this.member) return;
    this.accepting = false;
    this.ctx.counters.evicted++;
    const { id, addr } = this.client;
    this.ctx.log({ event: 'evict', id, addr, reason, queuedBytes, queueBytes: this.ctx.limits.queueBytes });
    // Announce after the fan-out in progress, so every member sees that event before the leave.
    queueMicrotask(() => {
      this.leave('evicted');
      this.client.destroy();
    });
  }

  expire(reason: 'lineTimeout'): void {
    if (!this.accepting) return;
    this.disconnect(reason);
  }

  shutdown(): void {
    this.accepting = false;
    if (this.member) {
      this.member = false;
      this.depart('shutdown', false);
      this.logLeave('shutdown');
    }
    this.client.end(SHUTDOWN_LINGER_MS);
  }

  protected each(items: readonly Decoded<F>[]): void {
    for (const item of items) {
      if (!this.accepting) return;
      this.frames++;
      this.idleTimer?.refresh();
      this.receive(item);
    }
  }

  protected joined(): void {
    this.member = true;
    const { id, addr } = this.client;
    this.ctx.log({ event: 'join', id, addr, name: this.logName });
  }

  /** Announces the leave once; a no-op for a connection that is not (or no longer) a member. */
  protected leave(reason: LeaveReason): void {
    if (!this.member) return;
    this.member = false;
    this.depart(reason, true);
    this.logLeave(reason);
  }

  /** Leaves, stops reading, flushes and ends our side of the connection. */
  protected disconnect(reason: LeaveReason): void {
    this.accepting = false;
    this.leave(reason);
    this.client.end();
  }

  private logLeave(reason: LeaveReason): void {
    const { id, addr } = this.client;
    this.ctx.log({ event: 'leave', id, addr, name: this.logName, reason });
  }

  private readonly idle = (): void => {
    if (!this.accepting) return;
    if (this.member) this.ctx.counters.timedOut++;
    this.disconnect('idle');
  };
}
