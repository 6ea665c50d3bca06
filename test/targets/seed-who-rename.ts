// Seed 003 as written (dialect who-rename), translated line by line from Go:
// each read, its last byte dropped, is one message; `rename` with two or more
// characters and no "|" indexes past the split and crashes the process; a
// member that times out is announced but never disconnected, and the one
// broadcaster writes to each member in turn, so a reader that stops stalls all.
import { createServer, type Socket } from 'node:net';
import { addressOf, BlockingFanout, type RunningSeed, listenTarget } from './blocking-fanout.js';

interface SeedClient {
  readonly socket: Socket;
  readonly addr: string;
  name: string;
}

export async function startSeedWhoRename(options: { idleTimeoutMs?: number; port?: number } = {}): Promise<RunningSeed> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const onlineMap = new Map<string, SeedClient>();
  const manager = new BlockingFanout();
  const sockets = new Set<Socket>();

  const makeMsg = (cli: SeedClient, msg: string): string => `[${cli.addr}]${cli.name}:${msg}`;
  const message = (msg: string): void => manager.send([...onlineMap.values()].map((c) => c.socket), Buffer.from(`${msg}\n`));

  const handleConn = (conn: Socket): void => {
    sockets.add(conn);
    conn.on('close', () => sockets.delete(conn));
    conn.on('error', () => {});
    const cliAddr = addressOf(conn);
    if (!cliAddr) return void conn.destroy();
    const cli: SeedClient = { socket: conn, addr: cliAddr, name: cliAddr };
    onlineMap.set(cliAddr, cli);
    message(makeMsg(cli, 'login'));
    manager.send([conn], Buffer.from(`${makeMsg(cli, 'I am here')}\n`));

    // The select loop: isQuit, hasData, or time.After(60 s).
    let watching = true;
    let timer = setTimeout(() => {
      // time out: out of the map and announced, but the connection stays open.
      watching = false;
      onlineMap.delete(cliAddr);
      message(makeMsg(cli, 'time out leave out'));
    }, idleTimeoutMs);
    let readerBlocked = false;

    conn.on('data', (buf: Buffer) => {
      if (readerBlocked) return;
      const msg = buf.subarray(0, buf.length - 1).toString('utf8');
      if (msg.length === 3 && msg === 'who') {
        conn.write('user list:\n');
        for (const tmp of onlineMap.values()) conn.write(`${tmp.addr}:${tmp.name}\n`);
      } else if (msg.length >= 8 && msg.slice(0, 6) === 'rename') {
        const parts = msg.split('|');
        if (parts.length < 2) throw new RangeError(`index out of range [1] with length ${parts.length}`);
        cli.name = parts[1]!;
        onlineMap.set(cliAddr, cli);
        conn.write('rename ok\n');
      } else {
        message(makeMsg(cli, msg));
      }
      // hasData <- true: once the select loop has returned, nobody receives and the reader blocks for good.
      if (watching) timer.refresh();
      else {
        readerBlocked = true;
        conn.pause();
      }
    });
    const quit = (): void => {
      if (!watching) return; // isQuit <- true blocks: nobody listens any more
      watching = false;
      clearTimeout(timer);
      onlineMap.delete(cliAddr);
      message(makeMsg(cli, 'login out'));
    };
    conn.on('end', quit);
    conn.on('close', quit);
    timer = timer.unref();
  };

  // The seed never closes a connection itself: allowHalfOpen keeps our side open after the peer's FIN, as Go does.
  // Go's net package sets TCP_NODELAY on every TCP connection; so does this translation.
  const server = createServer({ allowHalfOpen: true, noDelay: true }, handleConn);
  return listenTarget(server, sockets, options.port);
}
