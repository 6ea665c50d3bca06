// The probe's own clients: raw TCP, lines split on LF (a CR before it is
// noted and stripped), the partial line left waiting kept apart (a prompt).
// Bounded: lines, their length and the partial line are capped.
import { connect, type Socket } from 'node:net';
import type { Target } from '../runner/client.js';
import { formatAddr } from '../runner/client.js';

const MAX_LINES = 2000;
const MAX_LINE_CHARS = 70_000;

export class ProbeClient {
  readonly lines: string[] = [];
  /** Bytes after the last LF (a prompt the server waits on), as text. */
  partial = '';
  /** Some line ended with CR LF. */
  crlf = false;
  closed = false;
  private lastByteAt = 0;
  private pending = Buffer.alloc(0);

  private constructor(
    readonly label: string,
    private readonly socket: Socket,
    readonly addr: string,
    public eol: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    const closed = (): void => {
      this.closed = true;
    };
    socket.on('end', closed);
    socket.on('close', closed);
    socket.on('error', closed);
  }

  static open(label: string, target: Target, timeoutMs: number, eol = '\n'): Promise<ProbeClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.host, port: target.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`cannot connect to ${target.host}:${target.port}: ETIMEDOUT`));
      }, timeoutMs);
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${target.host}:${target.port}: ${err.code ?? err.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new ProbeClient(label, socket, formatAddr(socket.localAddress ?? '', socket.localPort ?? 0), eol));
      });
    });
  }

  private onBytes(chunk: Buffer): void {
    this.lastByteAt = performance.now();
    this.pending = Buffer.concat([this.pending, chunk]);
    for (let lf = this.pending.indexOf(10); lf >= 0; lf = this.pending.indexOf(10)) {
      let end = lf;
      if (end > 0 && this.pending[end - 1] === 13) {
        end -= 1;
        this.crlf = true;
      }
      const line = this.pending.subarray(0, Math.min(end, MAX_LINE_CHARS)).toString('utf8');
      this.pending = this.pending.subarray(lf + 1);
      if (this.lines.length < MAX_LINES) this.lines.push(line);
    }
    if (this.pending.length > MAX_LINE_CHARS) this.pending = this.pending.subarray(0, MAX_LINE_CHARS);
    this.partial = this.pending.toString('utf8');
  }

  send(line: string): void {
    if (!this.closed) this.socket.write(line + this.eol);
  }

  /** Waits until nothing has arrived for quietMs (after at least minMs), or maxMs in all. */
  async quiet(maxMs: number, quietMs = 250, minMs = quietMs): Promise<void> {
    const start = performance.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 25));
      const t = performance.now();
      if (t - start >= maxMs || this.closed) return;
      if (t - start >= minMs && t - Math.max(this.lastByteAt, start) >= quietMs) return;
    }
  }

  /**
   * Sends a line but its last tailBytes, waits pauseMs (or until the server
   * closes), then the rest: the server has read the long partial line by then,
   * so one that bounds the partial line it buffers (not the line) is measured
   * by its bound, not by how much one read happened to hold.
   */
  async sendWithPause(line: string, tailBytes: number, pauseMs: number): Promise<void> {
    const bytes = Buffer.from(line + this.eol, 'utf8');
    const cut = Math.max(0, bytes.length - tailBytes);
    if (!this.closed) this.socket.write(bytes.subarray(0, cut));
    const until = performance.now() + pauseMs;
    while (!this.closed && performance.now() < until) await new Promise((r) => setTimeout(r, 25));
    if (!this.closed) this.socket.write(bytes.subarray(cut));
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Waits until every client is quiet. */
export async function allQuiet(clients: readonly ProbeClient[], maxMs: number, quietMs = 250): Promise<void> {
  await Promise.all(clients.map((c) => c.quiet(maxMs, quietMs)));
}
