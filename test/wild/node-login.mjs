// A Node `net` chat server in the style of the tutorials: /login NAME first,
// a welcome for the joiner and a join line for the others (no self-join),
// /users answers one "- NAME" line per member (no header), /msg NAME TEXT a
// private line without the target, errors without a code, /quit.
// With --chunks it has the bug this style is known for: each 'data' event is
// taken as one message (no line buffering).
//   node node-login.mjs [--port N] [--chunks]     (port 0: prints the port)
import { isUtf8 } from 'node:buffer';
import net from 'node:net';

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] ?? 0) || 0;
const chunks = args.includes('--chunks');
const MAX_LINE = 4096;
const MAX_QUEUED = 256 * 1024;
const NAME = /^[A-Za-z0-9_]{1,16}$/;

/** @type {Map<net.Socket, string>} logged-in members and their names */
const members = new Map();

function send(socket, line) {
  if (socket.destroyed) return;
  // A member that does not read is dropped rather than buffered without end.
  if (socket.writableLength > MAX_QUEUED) return evict(socket);
  socket.write(line + '\n');
}

function broadcast(line, except) {
  for (const s of [...members.keys()]) if (s !== except) send(s, line);
}

function leave(socket) {
  const name = members.get(socket);
  if (name === undefined) return;
  members.delete(socket);
  broadcast(`${name} left the chat`);
}

function evict(socket) {
  leave(socket);
  socket.destroy();
}

function handle(socket, line) {
  const name = members.get(socket);
  if (name === undefined) {
    const m = /^\/login (.*)$/.exec(line);
    if (!m) return send(socket, 'Error: please /login NAME first');
    const wanted = m[1];
    if (!NAME.test(wanted)) return send(socket, 'Error: names are 1-16 letters, digits or _');
    if ([...members.values()].includes(wanted)) return send(socket, 'Error: that name is taken');
    members.set(socket, wanted);
    send(socket, `Welcome ${wanted}`);
    broadcast(`${wanted} joined the chat`, socket);
    return;
  }
  if (line === '/users') {
    for (const n of members.values()) send(socket, `- ${n}`);
    return;
  }
  if (line === '/quit') {
    leave(socket);
    socket.end();
    return;
  }
  const pm = /^\/msg (\S+) (.*)$/.exec(line);
  if (pm) {
    const to = [...members].find(([, n]) => n === pm[1]);
    if (!to) return send(socket, `Error: no such user ${pm[1]}`);
    send(to[0], `[PM from ${name}] ${pm[2]}`);
    return;
  }
  if (line.startsWith('/')) return send(socket, `Error: unknown command ${line.split(' ')[0]}`);
  broadcast(`${name}: ${line}`);
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let pending = Buffer.alloc(0);
  socket.on('data', (data) => {
    if (chunks) {
      // The bug: one read is one message.
      return handle(socket, data.toString('utf8').replace(/\r?\n$/, ''));
    }
    pending = Buffer.concat([pending, data]);
    // What one read makes the server say goes out in one write per member.
    const corked = [...members.keys()];
    for (const s of corked) s.cork();
    process.nextTick(() => corked.forEach((s) => s.uncork()));
    let lf;
    while ((lf = pending.indexOf(10)) >= 0) {
      let end = lf;
      if (end > 0 && pending[end - 1] === 13) end -= 1;
      const bytes = pending.subarray(0, end);
      pending = pending.subarray(lf + 1);
      if (socket.destroyed) return;
      // A line that is not UTF-8 is dropped, not relayed as replacement characters.
      if (isUtf8(bytes)) handle(socket, bytes.toString('utf8'));
    }
    if (pending.length > MAX_LINE) {
      send(socket, 'Error: line too long');
      evict(socket);
    }
  });
  socket.on('end', () => {
    if (!chunks && pending.length > 0 && !socket.destroyed && isUtf8(pending)) handle(socket, pending.toString('utf8'));
    leave(socket);
    socket.end();
  });
  socket.on('close', () => leave(socket));
  socket.on('error', () => leave(socket));
});
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${server.address().port}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
