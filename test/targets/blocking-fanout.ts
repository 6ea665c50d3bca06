// How the seeds write, in Node terms: one broadcaster hands each message to
// each connection in turn and waits while a connection's previous write is
// still stuck (Go's unbuffered channel in front of a blocking conn.Write). One
// connection that stops reading therefore stalls delivery to everyone.
import type { Server, Socket } from 'node:net';

export class BlockingFanout {
  private readonly queue: { socket: Socket; bytes: Buffer }[] = [];
  private pumping = false;

  /** Queues bytes for each socket, in order; delivery to one waits for the previous one to drain. */
  send(sockets: Iterable<Socket>, bytes: Buffer): void {
    for (const socket of sockets) this.queue.push({ socket, bytes });
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    while (this.queue.length > 0) {
      const { socket, bytes } = this.queue.shift()!;
      if (socket.destroyed || !socket.writable) continue;
      if (!socket.write(bytes)) await writable(socket);
    }
    this.pumping = false;
  }
}

/** Resolves when the socket drains, errs or closes (a dead peer must not stall the queue for good). */
function writable(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    socket.on('drain', done).on('close', done).on('error', done);
  });
}

/** ADDR as Go's conn.RemoteAddr().String() prints it. */
export function addressOf(socket: Socket): string | undefined {
  const { remoteAddress, remotePort } = socket;
  if (remoteAddress === undefined || remotePort === undefined) return undefined;
  return remoteAddress.includes(':') ? `[${remoteAddress}]:${remotePort}` : `${remoteAddress}:${remotePort}`;
}

export interface RunningSeed {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (port 0 by default); close() stops accepting and destroys every open socket. */
export async function listenTarget(server: Server, sockets: Set<Socket>, port = 0): Promise<RunningSeed> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolve());
  });
  server.on('error', () => {});
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
