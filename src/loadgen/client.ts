// One load-generator connection: a socket, a codec LineDecoder, and the
// dialect's matcher. It knows nothing of the run; it reports each server line
// as the event the profile reads in it.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { isUtf8 } from 'node:buffer';
import { LineScanner, encodeLine } from '../codec/index.js';
import { type MutablePayload, parsePayloadBytes } from './payload.js';
import type { Dialect } from '../profile/index.js';
import type { ClientCommand, ServerEvent } from '../profile/types.js';

const LF = 0x0a;

export type ConnectOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface BenchClientHooks {
  /** A server line; event is undefined when the profile matches nothing in it. */
  readonly onLine: (client: BenchClient, event: ServerEvent | undefined, text: string) => void;
  /**
   * A line carrying a bench payload, recognised from its bytes before any
   * string or pattern is tried (the payload object is reused: copy what you keep).
   * Without it, such lines go through onLine like any other.
   */
  readonly onPayload?: (client: BenchClient, payload: Readonly<MutablePayload>) => void;
  readonly onClose: (client: BenchClient) => void;
}

export class BenchClient {
  private socket: net.Socket | undefined;
  private readonly scanner: LineScanner;
  private readonly payload: MutablePayload = { sender: 0, seq: 0, sentNs: 0 };
  /** host:port of this end, as the server sees it (the identity in addr dialects). */
  addr = '';
  closed = false;
  decodeErrors = 0;
  lines = 0;
  /**
   * While true, complete lines are dropped unread (only the unfinished tail
   * is kept): for a member that has nothing to wait for while the room fills,
   * so a connect storm's join notices (n²/2 lines) cost a search for the
   * chunk's last LF instead of a match each.
   */
  skipping = false;
  /** Chunks whose complete lines were dropped unread. */
  skippedChunks = 0;

  constructor(
    readonly index: number,
    /** The login name in name dialects (unique per run). */
    readonly name: string,
    private readonly dialect: Dialect,
    private readonly hooks: BenchClientHooks,
  ) {
    this.scanner = new LineScanner(
      { line: (buf, start, end) => this.onScanned(buf, start, end), tooLong: () => void (this.decodeErrors += 1) },
      { maxFrameBytes: dialect.profile.maxLineBytes ?? 65536 },
    );
  }

  /** The value notices carry for this client: its name or its address. */
  get identity(): string {
    return this.dialect.profile.identity === 'name' ? this.name : this.addr;
  }

  connect(host: string, port: number, deadlineMs: number): Promise<ConnectOutcome> {
    return new Promise((resolve) => {
      const socket = net.connect({ host, port });
      this.socket = socket;
      let settled = false;
      const settle = (outcome: ConnectOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(
        () => {
          socket.destroy();
          settle({ ok: false, code: 'ETIMEDOUT', message: `connect to ${host}:${port} timed out` });
        },
        Math.max(1, deadlineMs - performance.now()),
      );
      socket.setNoDelay(true); // one line per write: Nagle would add delayed-ACK stalls to latency
      socket.once('connect', () => {
        this.addr = formatAddr(socket.localAddress ?? '', socket.localPort ?? 0);
        settle({ ok: true });
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        settle({ ok: false, code: err.code ?? 'ERROR', message: err.message });
      });
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.once('close', () => {
        this.closed = true;
        settle({ ok: false, code: 'ECONNRESET', message: `connection to ${host}:${port} closed before it was established` });
        this.scanner.end();
        this.hooks.onClose(this);
      });
    });
  }

  private onData(chunk: Buffer): void {
    if (this.skipping) {
      const lf = chunk.lastIndexOf(LF);
      if (lf >= 0) {
        this.skippedChunks += 1;
        this.scanner.clear(lf + 1);
        this.scanner.push(chunk.subarray(lf + 1));
        return;
      }
    }
    this.scanner.push(chunk);
  }

  /** The payload first (bytes only), then, for any other line, its text through the dialect. */
  private onScanned(buf: Buffer, start: number, end: number): void {
    this.lines += 1;
    const { onPayload } = this.hooks;
    if (onPayload && parsePayloadBytes(buf, start, end, this.payload)) return onPayload(this, this.payload);
    if (!isUtf8(buf.subarray(start, end))) {
      this.decodeErrors += 1;
      return;
    }
    const text = buf.toString('utf8', start, end);
    this.hooks.onLine(this, this.dialect.match(text), text);
  }

  /** Sends one command; false when the socket's buffer is full (wait for drain()) or it is closed. */
  send(cmd: ClientCommand): boolean {
    const socket = this.socket;
    if (!socket || this.closed || socket.destroyed) return false;
    const encoded = encodeLine(this.dialect.renderCommand(cmd));
    if (!encoded.ok) throw new Error(`bench: cannot encode a ${cmd.type} line: ${encoded.error.message}`);
    return socket.write(encoded.bytes);
  }

  /** Resolves when the socket can take more bytes, it closes, or the deadline passes. */
  drain(deadlineMs: number): Promise<void> {
    const socket = this.socket;
    if (!socket || this.closed || !socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, deadlineMs - performance.now()));
      socket.once('drain', done);
      socket.once('close', done);
    });
  }

  /** Stops reading: the server's writes to this client back up (a slow consumer). */
  pause(): void {
    this.socket?.pause();
  }

  destroy(): void {
    this.socket?.destroy();
  }
}

export const formatAddr = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
