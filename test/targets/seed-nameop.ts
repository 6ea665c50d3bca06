// Seed 001 as written (dialect nameop), with the ops of the public project
// behind it: one read (255 bytes at most) is one frame, split on every "|", so
// a text is cut at its first pipe; a frame without "|" indexes past the split
// and crashes the process; the Name field is trusted on every frame; a user
// that quits stays in the user list. Replies use the canonical frames (and
// the kit's LF at the end of a read is taken as the end of the frame), so the
// kit can talk to it at all and the bugs above are what it meets.
import { createServer, type Socket } from 'node:net';
import { listenTarget, type RunningSeed } from './blocking-fanout.js';

const READ_BUFFER_BYTES = 255;

interface User {
  readonly conn: Socket;
  readonly name: string;
}

export async function startSeedNameop(options: { port?: number } = {}): Promise<RunningSeed> {
  /** Logged-in users by name, in login order; a later login with the same name replaces the entry. */
  const users = new Map<string, User>();
  const groups = new Map<string, Set<string>>();
  const sockets = new Set<Socket>();

  const frame = (...fields: string[]): Buffer => Buffer.from(`${fields.join('|')}\n`);
  const toAll = (bytes: Buffer): void => {
    for (const u of users.values()) if (!u.conn.destroyed) u.conn.write(bytes);
  };
  const toName = (name: string, bytes: Buffer): void => {
    const u = users.get(name);
    if (u && !u.conn.destroyed) u.conn.write(bytes);
  };

  const handler = (conn: Socket): void => {
    sockets.add(conn);
    conn.on('error', () => {});
    let bound: string | undefined;
    let quit = false;

    const read = (data: string): void => {
      const msgStr = data.replace(/\r?\n$/, '').split('|');
      // cMsg.Name = msgStr[0]; cMsg.Op, _ = strconv.Atoi(msgStr[1]): index out of range without "|".
      if (msgStr.length < 2) throw new RangeError(`index out of range [1] with length ${msgStr.length}`);
      const name = msgStr[0]!;
      const op = Number.parseInt(msgStr[1]!, 10);
      const msg = msgStr[2] ?? '';
      switch (op) {
        case 1:
          return toAll(frame(name, '1', msg));
        case 2:
          // Announced, but the user is never removed.
          quit = true;
          toAll(frame(name, '2', ''));
          return void conn.end();
        case 3:
          bound = name;
          users.set(name, { conn, name });
          return toAll(frame(name, '3', ''));
        case 4:
          return void conn.write(frame(name, '4', msg));
        case 5:
          if (!users.has(msg)) return void conn.write(frame('*', '0', '404', 'not found'));
          return toName(msg, frame(name, '5', msg, msgStr[3] ?? ''));
        case 6: {
          const members = groups.get(msg);
          if (!members) return void conn.write(frame('*', '0', '404', 'not found'));
          for (const member of members) toName(member, frame(name, '6', msg, msgStr[3] ?? ''));
          return;
        }
        case 7: {
          const members = groups.get(msg) ?? new Set<string>();
          groups.set(msg, members);
          members.add(name);
          for (const member of members) toName(member, frame(name, '7', msg));
          return;
        }
        case 8:
          return void conn.write(frame('*', '8', [...groups.keys()].join('|')));
        case 9:
          return void conn.write(frame('*', '9', [...users.keys()].join('|')));
        default:
          return void conn.write(frame('*', '0', '400', 'bad request'));
      }
    };

    conn.on('data', (buf: Buffer) => {
      for (let at = 0; at < buf.length; at += READ_BUFFER_BYTES) read(buf.subarray(at, at + READ_BUFFER_BYTES).toString('utf8'));
    });
    const gone = (): void => {
      sockets.delete(conn);
      conn.destroy();
      if (quit || bound === undefined || users.get(bound)?.conn !== conn) return;
      users.delete(bound);
      toAll(frame(bound, '2', ''));
    };
    conn.on('end', gone);
    conn.on('close', gone);
  };

  // Go's net package sets TCP_NODELAY on every TCP connection; so does this translation.
  const server = createServer({ noDelay: true }, handler);
  return listenTarget(server, sockets, options.port);
}
