// A Node `net` chat server with IRC habits, in the string-buffer style of the
// tutorials (buffer += data; split on LF; keep the last piece):
// NICK name to register (the joiner sees its own join, as on IRC), a line
// goes to the others only (no echo), /names answers a header and one line per
// member, /msg NAME TEXT a private line carrying both names, numbered errors
// (ERR 433 ...), /quit, and a keepalive "PING :<ms since epoch>" to every
// client every 2 s that clients may ignore.
//   node node-irc-nick.mjs [--port N]     (port 0: prints the port)
import { isUtf8 } from 'node:buffer';
import net from 'node:net';

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] ?? 0) || 0;
const MAX_LINE = 8192;
const MAX_QUEUED = 256 * 1024;
const PING_MS = 2000;
const NICK = /^[A-Za-z0-9_]{1,16}$/;

/** @type {Map<net.Socket, string>} registered members and their nicks */
const members = new Map();
/** @type {Set<net.Socket>} every open connection, registered or not */
const sockets = new Set();

function send(socket, line) {
  if (socket.destroyed) return;
  // A client that does not read is dropped rather than buffered without end.
  if (socket.writableLength > MAX_QUEUED) return drop(socket);
  socket.write(line + '\n');
}

function broadcast(line, except) {
  for (const s of [...members.keys()]) if (s !== except) send(s, line);
}

function part(socket) {
  const nick = members.get(socket);
  if (nick === undefined) return;
  members.delete(socket);
  broadcast(`* ${nick} has quit`);
}

function drop(socket) {
  part(socket);
  socket.destroy();
}

function handle(socket, line) {
  const nick = members.get(socket);
  const cmd = /^NICK (.*)$/.exec(line);
  if (nick === undefined) {
    if (!cmd) return send(socket, 'ERR 451 register first with NICK <name>');
    const wanted = cmd[1];
    if (!NICK.test(wanted)) return send(socket, `ERR 432 erroneous nickname`);
    if ([...members.values()].includes(wanted)) return send(socket, `ERR 433 nickname is already in use`);
    members.set(socket, wanted);
    send(socket, `Welcome to the lounge, ${wanted}`);
    broadcast(`* ${wanted} has joined`);
    return;
  }
  if (cmd) return send(socket, 'ERR 462 you may not reregister');
  if (line === '/names') {
    send(socket, 'Users in the lounge:');
    for (const n of members.values()) send(socket, `  * ${n}`);
    return;
  }
  if (line === '/quit') {
    part(socket);
    socket.end();
    return;
  }
  const pm = /^\/msg (\S+) (.*)$/.exec(line);
  if (pm) {
    const to = [...members].find(([, n]) => n === pm[1]);
    if (!to) return send(socket, `ERR 401 no such nick`);
    send(to[0], `[${nick} -> ${pm[1]}] ${pm[2]}`);
    return;
  }
  if (line.startsWith('/')) return send(socket, 'ERR 421 unknown command');
  broadcast(`<${nick}> ${line}`, socket);
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.setEncoding('latin1'); // bytes as they came; each line is checked for UTF-8 below
  sockets.add(socket);
  let buffer = '';
  const ping = setInterval(() => send(socket, `PING :${Date.now()}`), PING_MS);
  socket.on('data', (data) => {
    buffer += data;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const raw of lines) {
      if (socket.destroyed) return;
      const bytes = Buffer.from(raw.endsWith('\r') ? raw.slice(0, -1) : raw, 'latin1');
      // A line that is not UTF-8 is dropped, not relayed as replacement characters.
      if (isUtf8(bytes)) handle(socket, bytes.toString('utf8'));
    }
    if (buffer.length > MAX_LINE) {
      send(socket, 'ERR 417 line too long');
      part(socket);
      buffer = '';
      socket.removeAllListeners('data');
      socket.end(); // after the error line
      setTimeout(() => socket.destroy(), 1000).unref();
    }
  });
  socket.on('end', () => {
    const bytes = Buffer.from(buffer, 'latin1');
    if (buffer && !socket.destroyed && isUtf8(bytes)) handle(socket, bytes.toString('utf8'));
    part(socket);
    socket.end();
  });
  socket.on('close', () => {
    clearInterval(ping);
    sockets.delete(socket);
    part(socket);
  });
  socket.on('error', () => part(socket));
});
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${server.address().port}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
