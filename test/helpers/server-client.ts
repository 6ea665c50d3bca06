// A test-side chat client: connects, collects the server's lines through the
// codec, and waits (always with a deadline) for what a test expects.
import { connect, type Socket } from 'node:net';
import { LineDecoder } from '../../src/codec/index.js';
import { formatAddress } from '../../src/reference-server/index.js';

export const DEFAULT_WAIT_MS = 5_000;

export interface TestClient {
  readonly socket: Socket;
  /** ADDR: this client's local address, as the server sees it. */
  readonly addr: string;
  /** Every line received so far, LF removed, in order. */
  readonly lines: string[];
  /** Total bytes received. */
  readonly bytes: () => number;
  /** Whether the server ended the stream (FIN) / the socket closed. */
  readonly ended: () => boolean;
  readonly closed: () => boolean;
  /** Sends text + LF. */
  send(text: string): void;
  /** Writes bytes as they are. */
  write(data: string | Uint8Array): void;
  /** Resolves once predicate(lines) holds; rejects at the deadline with what arrived. */
  waitFor(predicate: (lines: readonly string[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Resolves once `line` has arrived (at least `count` times). */
  waitForLine(line: string, count?: number, timeoutMs?: number): Promise<void>;
  /** Resolves once the socket has closed. */
  waitForClose(timeoutMs?: number): Promise<void>;
  /** How many times `line` arrived. */
  count(line: string): number;
  end(): void;
  destroy(): void;
}

export function connectClient(port: number, host = '127.0.0.1', localAddress?: string): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    // Like most clients, it ends its side when the server ends its own.
    const socket = connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    const decoder = new LineDecoder({ maxFrameBytes: 4 * 1024 * 1024, crlf: 'keep', trailing: 'frame' });
    const lines: string[] = [];
    let received = 0;
    let ended = false;
    let closed = false;
    const waiters = new Set<() => void>();
    const wake = (): void => {
      for (const check of [...waiters]) check();
    };

    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      for (const item of decoder.push(chunk)) {
        if (item.kind === 'frame') lines.push(item.frame.text);
        else lines.push(`<codec error ${item.error.code}>`);
      }
      wake();
    });
    socket.on('end', () => {
      ended = true;
      for (const item of decoder.end()) if (item.kind === 'frame') lines.push(item.frame.text);
      wake();
    });
    socket.on('error', () => {}); // a reset is an outcome the test reads from closed()
    socket.on('close', () => {
      closed = true;
      wake();
    });

    const waitUntil = (ok: () => boolean, what: string, timeoutMs: number): Promise<void> =>
      new Promise((done, fail) => {
        if (ok()) return done();
        const check = (): void => {
          if (!ok()) return;
          clearTimeout(timer);
          waiters.delete(check);
          done();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const tail = lines.slice(-8).map((l) => JSON.stringify(l.length > 200 ? `${l.slice(0, 200)}...` : l));
          fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${lines.length} lines, last: ${tail.join(', ')}`));
        }, timeoutMs);
        waiters.add(check);
      });

    const count = (line: string): number => lines.reduce((n, l) => (l === line ? n + 1 : n), 0);

    socket.once('connect', () => {
      socket.off('error', reject);
      const client: TestClient = {
        socket,
        addr: formatAddress(socket.localAddress!, socket.localPort!),
        lines,
        bytes: () => received,
        ended: () => ended,
        closed: () => closed,
        send: (text) => void socket.write(`${text}\n`),
        write: (data) => void socket.write(data),
        waitFor: (predicate, what, timeoutMs = DEFAULT_WAIT_MS) => waitUntil(() => predicate(lines), what, timeoutMs),
        waitForLine: (line, n = 1, timeoutMs = DEFAULT_WAIT_MS) =>
          waitUntil(() => count(line) >= n, `${n} x ${JSON.stringify(line)}`, timeoutMs),
        waitForClose: (timeoutMs = DEFAULT_WAIT_MS) => waitUntil(() => closed, 'the connection to close', timeoutMs),
        count,
        end: () => void socket.end(),
        destroy: () => void socket.destroy(),
      };
      resolve(client);
    });
    socket.once('error', reject);
  });
}
