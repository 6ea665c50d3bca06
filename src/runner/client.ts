// One test client: a TCP connection to the target that records everything it
// sends and receives (with times) and reads the server's lines as dialect
// events. Framing goes through the codec; this file never splits bytes.
import { connect, type Socket } from 'node:net';
import { LineDecoder } from '../codec/index.js';
import type { ClientCommand, ServerEvent } from '../profile/types.js';
import type { Dialect } from '../profile/index.js';
import { delay, now, type Signal } from './clock.js';
import { clipEvent, clipText, STORED_LINE_MAX } from '../evidence/clip.js';

/** Large enough for the 1 MiB lines the robustness suite sends and a server may echo. */
const RECEIVE_MAX_LINE = 4 * 1024 * 1024;
/** A flooding target must not make the kit grow without bound: past this, lines are counted, not kept. */

/** Writes longer than this are not scanned for a rename command (floods of long chat lines). */
const RENAME_SCAN_BYTES = 64 * 1024;
export const MAX_KEPT_LINES = 200_000;
/**
 * Characters of received lines a client keeps whole: twice the largest volume
 * a case sends through one member (the isolation flood, 24 MiB). Past it,
 * lines are kept cut (clipText), so counting events and sync barriers still work.
 */
export const MAX_KEPT_CHARS = 48 * 1024 * 1024;
/** How many of the first bytes received a client keeps verbatim. */
const HEAD_BYTES = 512;

export interface Target {
  readonly host: string;
  readonly port: number;
}

export type TranscriptEntry =
  | { readonly at: number; readonly client: string; readonly kind: 'connect'; readonly addr: string }
  | { readonly at: number; readonly client: string; readonly kind: 'send'; readonly text: string; readonly writes: number }
  | { readonly at: number; readonly client: string; readonly kind: 'recv'; readonly line: string; readonly event: ServerEvent | undefined; readonly note?: LineNote }
  | { readonly at: number; readonly client: string; readonly kind: 'garbage'; readonly detail: string }
  | { readonly at: number; readonly client: string; readonly kind: 'fin' | 'rst' | 'closed-by-server' | 'pause' | 'resume' };

/**
 * Why a line that is no room event is still a recognised line: a banner or
 * ignored line of the profile, or the name prompt taken from a partial line
 * (no LF) the server left waiting.
 */
export type LineNote = 'banner' | 'ignored' | 'partial-prompt';

/** Longest partial line the client compares with the prompt: prompts are short, and this bounds the work per chunk. */
const MAX_PROMPT_BYTES = 1024;

export interface Received {
  readonly at: number;
  /** The line without its LF and without one CR before the LF (spec/line.md). */
  readonly line: string;
  readonly event: ServerEvent | undefined;
  /** Set when the line is not a room event but one the profile describes (banner, ignore, prompt). */
  readonly note?: LineNote;
  /** True when the server ended this line with CR LF (FRAME-4 compares it with a line sent with LF alone). */
  readonly cr?: boolean;
}

/** Where a client's records go: shared by every client of one case. */
export interface Recorder {
  readonly epoch: number;
  readonly signal: Signal;
  record(entry: TranscriptEntry): void;
}

export interface ConnectOptions {
  readonly timeoutMs: number;
}

export class ConnectError extends Error {
  constructor(
    readonly target: Target,
    readonly code: string,
  ) {
    super(`cannot connect to ${target.host}:${target.port}: ${code}`);
  }
}

export class TestClient {
  readonly received: Received[] = [];
  /** Lines the codec could not decode (invalid UTF-8, over-long). */
  readonly garbage: string[] = [];
  /** Lines received but not kept, past MAX_KEPT_LINES. */
  dropped = 0;
  /** Characters of received lines kept so far (a cut line counts its cut length). */
  private keptChars = 0;
  /** Set when the server ended or reset the connection. */
  closedAt: number | undefined;
  /** Bytes the server left without LF when it closed the connection (FRAME-3), as text. */
  cutAtClose: string | undefined;
  /** The bound name, for dialects that identify members by name. */
  name: string | undefined;
  /** Bytes received in all, and the first of them as they came (for the preflight's diagnosis). */
  bytesReceived = 0;
  readonly head: Buffer = Buffer.alloc(HEAD_BYTES);
  headLength = 0;
  /** The last bytes received, recent[0, recentLength). */
  private readonly recent: Buffer = Buffer.alloc(HEAD_BYTES);
  private recentLength = 0;
  private readonly decoder = new LineDecoder({ maxFrameBytes: RECEIVE_MAX_LINE, crlf: 'keep', trailing: 'frame' });
  private ended = false;
  /** Whether this client sent a line the dialect reads as a rename (a renamed notice about it is then true). */
  renameSent = false;
  private pausedOnce = false;
  private sending: Promise<void> = Promise.resolve();

  private constructor(
    readonly label: string,
    private readonly socket: Socket,
    /** The client's own address as the server sees it: ip:port, IPv6 in brackets. */
    readonly addr: string,
    private readonly dialect: Dialect,
    private readonly recorder: Recorder,
  ) {
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('end', () => this.onClosed());
    socket.on('close', () => this.onClosed());
    // Errors (ECONNRESET, EPIPE) are how hostile servers behave; they end the client, never the kit.
    socket.on('error', () => this.onClosed());
  }

  static connect(label: string, target: Target, dialect: Dialect, recorder: Recorder, options: ConnectOptions): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.host, port: target.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectError(target, 'ETIMEDOUT'));
      }, options.timeoutMs);
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new ConnectError(target, err.code ?? err.message));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        const addr = formatAddr(socket.localAddress ?? '', socket.localPort ?? 0);
        const client = new TestClient(label, socket, addr, dialect, recorder);
        recorder.record({ at: now() - recorder.epoch, client: label, kind: 'connect', addr });
        resolve(client);
      });
    });
  }

  /** The kit closed its side (FIN, RST or destroy): what the server says of its leaving is expected. */
  get hasEnded(): boolean {
    return this.ended;
  }

  get isClosed(): boolean {
    return this.closedAt !== undefined;
  }

  /** Bytes the server sent after its last LF (a prompt or a line still coming), shown up to `max` bytes, and their count. */
  unterminated(max = 120): { readonly bytes: number; readonly text: string } {
    const pending = this.decoder.peekPending();
    const head = Buffer.from(pending.buffer, pending.byteOffset, Math.min(pending.byteLength, max));
    return { bytes: pending.byteLength, text: head.toString('utf8') };
  }

  /** Whether the line is neither a room event nor a line the profile describes. */
  static unrecognised(r: Received): boolean {
    return r.event === undefined && r.note === undefined;
  }

  get events(): ServerEvent[] {
    return this.received.flatMap((r) => (r.event ? [r.event] : []));
  }

  /** Sends one line (the profile's clientLineEnding appended, unless eol says otherwise) in the given write sizes, pausing delayMs between writes. */
  async sendLine(text: string, split?: { readonly sizes?: readonly number[]; readonly delayMs?: number; readonly eol?: string }): Promise<void> {
    const bytes = Buffer.from(text + (split?.eol ?? this.dialect.lineEnding), 'utf8');
    await this.sendBytes(bytes, split?.sizes, split?.delayMs, text);
  }

  /**
   * Writes raw bytes, optionally cut into writes of the given sizes (the last
   * size repeats). Sends on one client are queued: a line cut into delayed
   * writes is never interleaved with another send (a keepalive, say).
   */
  sendBytes(bytes: Uint8Array, sizes?: readonly number[], delayMs = 0, shown?: string): Promise<void> {
    const next = this.sending.then(() => this.writeNow(bytes, sizes, delayMs, shown));
    this.sending = next.catch(() => {});
    return next;
  }

  private async writeNow(bytes: Uint8Array, sizes: readonly number[] | undefined, delayMs: number, shown?: string): Promise<void> {
    const writes = cut(bytes, sizes);
    if (!this.renameSent && bytes.byteLength <= RENAME_SCAN_BYTES) {
      this.renameSent = Buffer.from(bytes).toString('utf8').split('\n').some((line) => this.dialect.parseCommand(line.replace(/\r$/, ''))?.type === 'rename');
    }
    this.recorder.record({
      at: now() - this.recorder.epoch,
      client: this.label,
      kind: 'send',
      text: shown ?? describeBytes(bytes),
      writes: writes.length,
    });
    for (const [i, part] of writes.entries()) {
      if (this.isClosed || this.socket.destroyed) return;
      const flushed = this.socket.write(part);
      if (!flushed) await this.drained();
      if (delayMs > 0 && i < writes.length - 1) await delay(delayMs);
    }
  }

  command(cmd: ClientCommand, split?: { readonly sizes?: readonly number[]; readonly delayMs?: number }): Promise<void> {
    return this.sendLine(this.dialect.renderCommand(cmd), split);
  }

  /** Close our side with FIN; we keep reading until the server closes. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.recorder.record({ at: now() - this.recorder.epoch, client: this.label, kind: 'fin' });
    this.socket.end();
  }

  /** Abort the connection with RST. */
  reset(): void {
    this.recorder.record({ at: now() - this.recorder.epoch, client: this.label, kind: 'rst' });
    this.ended = true;
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
    this.onClosed();
  }

  /** Stop reading: the kernel buffers fill and the server sees a slow consumer. */
  pause(): void {
    this.pausedOnce = true;
    this.recorder.record({ at: now() - this.recorder.epoch, client: this.label, kind: 'pause' });
    this.socket.pause();
  }

  /** Reads again after pause(); a client that is not paused is left as it is. */
  resume(): void {
    if (!this.socket.isPaused()) return;
    this.recorder.record({ at: now() - this.recorder.epoch, client: this.label, kind: 'resume' });
    this.socket.resume();
  }

  destroy(): void {
    this.ended = true;
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /**
   * Closes politely: FIN, then reads (and drops) what is still in flight for
   * lingerMs before letting go. Closing with unread data makes the kernel
   * answer with RST, and a fragile server must not die of a reset the kit
   * never meant to send: the kit resets only where a case says so.
   */
  close(lingerMs = 250): void {
    if (this.socket.destroyed) return;
    if (!this.ended) {
      this.ended = true;
      this.socket.end();
    }
    setTimeout(() => this.socket.destroy(), lingerMs).unref();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /** Bytes received that no LF has ended yet (a prompt, or a server that never ends its lines). */
  get unframedBytes(): number {
    return this.decoder.bufferedBytes;
  }

  /** The bytes no LF has ended yet (their last HEAD_BYTES at most). */
  unframedTail(): Buffer {
    const n = Math.min(this.decoder.bufferedBytes, this.recentLength);
    return Buffer.from(this.recent.subarray(this.recentLength - n, this.recentLength));
  }

  private onBytes(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    if (this.headLength < HEAD_BYTES) this.headLength += chunk.copy(this.head, this.headLength, 0, HEAD_BYTES - this.headLength);
    this.keepRecent(chunk);
    this.accept(this.decoder.push(chunk));
    this.takePrompt();
  }

  /** A prompt the server leaves waiting without LF is a line of its own: taken out of the decoder whole. */
  private takePrompt(): void {
    const held = this.decoder.bufferedBytes;
    if (held === 0 || held > MAX_PROMPT_BYTES || !this.dialect.hasNotice('prompt')) return;
    const pending = this.decoder.peekPending();
    const text = Buffer.from(pending.buffer, pending.byteOffset, pending.byteLength).toString('utf8');
    if (!this.dialect.isPrompt(text)) return;
    this.decoder.dropPending();
    this.keep(now() - this.recorder.epoch, text, { type: 'prompt' }, 'partial-prompt', false);
    this.recorder.signal.notify();
  }

  private keep(at: number, line: string, event: ServerEvent | undefined, note: LineNote | undefined, cr: boolean): void {
    const r: Received = { at, line, event, ...(note ? { note } : {}), ...(cr ? { cr } : {}) };
    this.received.push(r);
    this.recorder.record({ at, client: this.label, kind: 'recv', line, event, ...(note ? { note } : {}) });
  }

  private keepRecent(chunk: Buffer): void {
    if (chunk.length >= HEAD_BYTES) {
      chunk.copy(this.recent, 0, chunk.length - HEAD_BYTES);
      this.recentLength = HEAD_BYTES;
      return;
    }
    const keep = Math.min(this.recentLength, HEAD_BYTES - chunk.length);
    this.recent.copy(this.recent, 0, this.recentLength - keep, this.recentLength);
    chunk.copy(this.recent, keep);
    this.recentLength = keep + chunk.length;
  }

  private accept(items: ReturnType<LineDecoder['push']>): void {
    const at = now() - this.recorder.epoch;
    for (const item of items) {
      if (this.received.length + this.garbage.length >= MAX_KEPT_LINES) {
        this.dropped += 1;
        continue;
      }
      if (item.kind === 'frame') {
        // The decoder keeps a CR before LF so that FRAME-4 can see a server that keeps the client's CR in the text.
        const cr = item.frame.text.endsWith('\r');
        const full = cr ? item.frame.text.slice(0, -1) : item.frame.text;
        const whole = this.keptChars + full.length <= MAX_KEPT_CHARS;
        const noise = this.dialect.noise(full);
        const matched = noise ? undefined : this.dialect.match(full);
        const line = whole ? full : clipText(full);
        const event = whole ? matched : clipEvent(matched);
        this.keptChars += whole ? full.length : Math.min(full.length, STORED_LINE_MAX + 64);
        this.keep(at, line, event, noise === 'banner' ? 'banner' : noise ? 'ignored' : undefined, cr);
      } else {
        const detail = `${item.error.code} at byte ${item.error.offset}`;
        this.garbage.push(detail);
        this.recorder.record({ at, client: this.label, kind: 'garbage', detail });
      }
    }
    if (items.length > 0) this.recorder.signal.notify();
  }

  private onClosed(): void {
    if (this.closedAt !== undefined) return;
    const rest = this.decoder.end();
    // Bytes without LF at a close the server made: not a line (FRAME-3). At our own close they are ours to cut.
    // A client the kit paused may be evicted mid-line: its stream is cut, not framed, so it is exempt.
    if (!this.ended && !this.pausedOnce) for (const item of rest) if (item.kind === 'frame') this.cutAtClose = item.frame.text.slice(0, 200);
    this.accept(rest);
    this.closedAt = now() - this.recorder.epoch;
    if (!this.ended) this.recorder.record({ at: this.closedAt, client: this.label, kind: 'closed-by-server' });
    this.recorder.signal.notify();
  }
}

/**
 * Reads what a client received from where the last read stopped. The kit's waits test their
 * condition on every arrival, and a flood brings thousands of long lines: reading them all again
 * each time would be quadratic. A client's `received` only grows, so a position is enough.
 */
export class ReceivedCursor {
  private position = 0;
  constructor(readonly client: TestClient) {}

  /** The lines received since the last call, each once. */
  next(): readonly Received[] {
    const received = this.client.received;
    const fresh = received.slice(this.position);
    this.position = received.length;
    return fresh;
  }
}

export function formatAddr(host: string, port: number): string {
  const ip = host.startsWith('::ffff:') ? host.slice(7) : host;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function cut(bytes: Uint8Array, sizes?: readonly number[]): Uint8Array[] {
  if (!sizes || sizes.length === 0) return [bytes];
  const out: Uint8Array[] = [];
  let offset = 0;
  let i = 0;
  while (offset < bytes.length) {
    const size = Math.max(1, sizes[Math.min(i, sizes.length - 1)] ?? 1);
    out.push(bytes.subarray(offset, offset + size));
    offset += size;
    i += 1;
  }
  return out;
}

/** A short printable form of bytes for transcripts: text when it is text, hex otherwise. */
export function describeBytes(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = buf.subarray(0, 64);
  const printable = head.every((b) => b === 0x0a || b === 0x0d || b === 0x09 || (b >= 0x20 && b < 0x7f));
  const shown = printable ? JSON.stringify(head.toString('latin1')) : `hex ${head.toString('hex')}`;
  return buf.length > 64 ? `${shown}… (${buf.length} bytes)` : shown;
}
