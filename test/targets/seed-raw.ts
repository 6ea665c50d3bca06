// Seed 000 as written (dialect raw), translated from Go: every read of up to
// 1024 bytes goes, unchanged, to every connection, the sender included. One
// broadcaster writes to each connection in turn, so a reader that stops
// stalls everyone; nothing frames a message, so two senders' chunks can
// interleave inside a line.
import { createServer, type Socket } from 'node:net';
import { addressOf, BlockingFanout, type RunningSeed, listenTarget } from './blocking-fanout.js';

const READ_BUFFER_BYTES = 1024;

export async function startSeedRaw(options: { port?: number } = {}): Promise<RunningSeed> {
  const conns = new Map<string, Socket>();
  const broadcaster = new BlockingFanout();
  const sockets = new Set<Socket>();

  const handler = (conn: Socket): void => {
    sockets.add(conn);
    conn.on('error', () => {});
    const key = addressOf(conn);
    if (!key) return void conn.destroy();
    conns.set(key, conn);
    conn.on('data', (buf: Buffer) => {
      // conn.Read(buf) with a 1024-byte buffer: a longer chunk is several reads.
      for (let at = 0; at < buf.length; at += READ_BUFFER_BYTES) broadcaster.send(conns.values(), buf.subarray(at, at + READ_BUFFER_BYTES));
    });
    const gone = (): void => {
      conns.delete(key);
      sockets.delete(conn);
      conn.destroy();
    };
    conn.on('end', gone);
    conn.on('close', gone);
  };

  // Go's net package sets TCP_NODELAY on every TCP connection; so does this translation.
  const server = createServer({ noDelay: true }, handler);
  return listenTarget(server, sockets, options.port);
}
