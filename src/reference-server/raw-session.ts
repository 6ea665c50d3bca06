// raw (seed 000 fixed): every line goes, whole, to every connection (the
// sender included); no notices. Bytes after the last LF wait for their LF, or
// for RAW_TAIL_FLUSH_MS of silence (the seed's client never writes an LF),
// and are then relayed as a line of their own, so two senders never share one.
import { encodeLine } from '../codec/index.js';
import type { Client } from './client.js';
import type { LeaveReason } from './log.js';
import { BaseSession, LINE_TOO_LONG, type LineItem, scannerInput } from './base-session.js';
import { RAW_TAIL_FLUSH_MS } from './options.js';
import { Room } from './room.js';
import type { ServerContext, SessionFactory } from './session.js';

export function rawSessions(ctx: ServerContext): SessionFactory {
  const room = new Room<RawSession>(ctx.scheduler);
  return (client) => new RawSession(client, ctx, room);
}

class RawSession extends BaseSession<LineItem> {
  private tailTimer: NodeJS.Timeout | undefined;

  constructor(
    client: Client,
    ctx: ServerContext,
    private readonly room: Room<RawSession>,
  ) {
    super(client, ctx, (deliver) => scannerInput(ctx.limits.maxLineBytes, deliver));
  }

  protected get logName(): string {
    return this.client.addr;
  }

  override start(): void {
    super.start();
    this.room.add(this);
    this.joined();
  }

  override data(chunk: Buffer): void {
    super.data(chunk);
    if (!this.accepting || this.input.bufferedBytes === 0) return this.stopTail();
    if (this.tailTimer) this.tailTimer.refresh();
    else this.tailTimer = setTimeout(this.flushTail, RAW_TAIL_FLUSH_MS);
  }

  override closed(): void {
    this.stopTail();
    super.closed();
  }

  protected receive(text: LineItem): void {
    if (typeof text !== 'string') {
      if (text === LINE_TOO_LONG) this.disconnect('tooLong');
      return; // invalid UTF-8 is not relayed
    }
    const encoded = encodeLine(text);
    if (encoded.ok) this.room.broadcast(encoded.bytes, this.ctx.dialect.profile.echo ? undefined : this);
  }

  protected depart(_reason: LeaveReason, _announce: boolean): void {
    this.stopTail();
    this.room.remove(this);
  }

  /** The sender went quiet mid-line: end the input's stream (it starts a new one) to relay the tail. */
  private readonly flushTail = (): void => {
    this.tailTimer = undefined;
    if (this.accepting) this.input.end();
  };

  private stopTail(): void {
    if (this.tailTimer) clearTimeout(this.tailTimer);
    this.tailTimer = undefined;
  }
}
