// The lifecycle every dialect shares: decode input through the codec, leave
// exactly once (FIN, RST, quit, eviction, idle timeout, over-long line), and
// never process input after leaving. Dialects fill in what a line means and
// what a leave announces.
import { type Decoded, type FrameSplitter, LineScanner, lineText } from '../codec/index.js';
import type { Client } from './client.js';
import type { EvictionReason } from './eviction.js';
import type { LeaveReason } from './log.js';
import type { ServerContext, Session } from './session.js';

/** Bytes in, items out through the session's deliver(): how a session reads its socket. */
export interface SessionInput {
  push(chunk: Buffer): void;
  /** The stream ended: the last line may lack its LF. */
  end(): void;
  /** Bytes of a line whose LF has not arrived. */
  readonly bufferedBytes: number;
}

/** What a line scanner delivers besides a line's text. */
export const LINE_TOO_LONG = Symbol('line too long');
export const LINE_NOT_UTF8 = Symbol('line not UTF-8');
export type LineItem = string | typeof LINE_TOO_LONG | typeof LINE_NOT_UTF8;

/** Line input through the codec's LineScanner: each line's text (or why there is none), no object per line. */
export function scannerInput(maxLineBytes: number, deliver: (item: LineItem) => void): SessionInput {
  return new LineScanner(
    { line: (buf, start, end) => deliver(lineText(buf, start, end) ?? LINE_NOT_UTF8), tooLong: () => deliver(LINE_TOO_LONG) },
    { maxFrameBytes: maxLineBytes, crlf: 'strip' },
  );
}

/** Input through a decoder that returns its frames as an array (nameop). */
export function decoderInput<F>(decoder: FrameSplitter<F>, deliver: (item: Decoded<F>) => void): SessionInput {
  return {
    push: (chunk) => {
      for (const item of decoder.push(chunk)) deliver(item);
    },
    end: () => {
      for (const item of decoder.end()) deliver(item);
    },
    get bufferedBytes() {
      return decoder.bufferedBytes;
    },
  };
}

/** Shutdown ends every connection and destroys the stragglers this fast, so `serve` exits within 2 s. */
const SHUTDOWN_LINGER_MS = 500;

export abstract class BaseSession<I> implements Session {
  /** Input is processed only while true; it turns false for good at the first leave or close. */
  protected accepting = true;
  protected member = false;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Frames (lines or decoding errors) received so far: the door's line timeout watches it move. */
  private frames = 0;
  protected readonly input: SessionInput;

  constructor(
    readonly client: Client,
    protected readonly ctx: ServerContext,
    input: (deliver: (item: I) => void) => SessionInput,
  ) {
    this.input = input(this.deliver);
  }

  get isMember(): boolean {
    return this.member;
  }

  get bufferedBytes(): number {
    return this.input.bufferedBytes;
  }

  get framesReceived(): number {
    return this.frames;
  }

  /** The display name for logs: the bound name, or ADDR. */
  protected abstract get logName(): string;
  /** One line (or why a line could not be read) from this client. */
  protected abstract receive(item: I): void;
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
    this.input.push(chunk);
  }

  end(): void {
    // The last line may lack its LF; it still comes before the leave notice.
    if (this.accepting) this.input.end();
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

  /** Each item the input reads; none once the session has stopped accepting (the rest of the chunk is dropped). */
  protected readonly deliver = (item: I): void => {
    if (!this.accepting) return;
    this.frames++;
    this.idleTimer?.refresh();
    this.receive(item);
  };

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
