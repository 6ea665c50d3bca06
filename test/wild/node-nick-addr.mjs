// A Node `net` chat server in the style of the oldest Node tutorials: each
// socket is named by its address (socket.name = remoteAddress:remotePort),
// greeted with it, announced to the others, and every line goes to every
// other socket prefixed with the name (no echo). `/nick NAME` sets the name
// at any time, announced to everyone, the requester included
// ("127.0.0.1:5000 is now known as bob"); errors start with "Error:".
// Unlike the tutorials it buffers lines (a 'data' event is not a line) and
// drops a socket that does not read.
//   node node-nick-addr.mjs [--port N]     (port 0: prints the port)
import { isUtf8 } from 'node:buffer';
import net from 'node:net';

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] ?? 0) || 0;
const MAX_LINE = 8192;
const MAX_QUEUED = 256 * 1024;
const NICK = /^[A-Za-z0-9_.:-]{1,16}$/;

/** @type {Set<net.Socket & { name: string }>} */
const clients = new Set();

function send(socket, line) {
  if (socket.destroyed) return;
  // A socket that does not read is dropped rather than buffered without end.
  if (socket.writableLength > MAX_QUEUED) return drop(socket);
  socket.write(line + '\n');
}

function broadcast(line, except) {
  for (const s of [...clients]) if (s !== except) send(s, line);
}

function leave(socket) {
  if (!clients.delete(socket)) return;
  broadcast(`${socket.name} left the chat`);
}

function drop(socket) {
  leave(socket);
  socket.destroy();
}

function handle(socket, line) {
  const nick = /^\/nick(?: (.*))?$/.exec(line);
  if (nick) {
    const wanted = nick[1] ?? '';
    if (!NICK.test(wanted)) return send(socket, 'Error: a nick is 1-16 letters, digits, _ . : or -');
    if ([...clients].some((s) => s !== socket && s.name === wanted)) return send(socket, `Error: ${wanted} is taken`);
    const old = socket.name;
    socket.name = wanted;
    broadcast(`${old} is now known as ${wanted}`);
    return;
  }
  broadcast(`${socket.name}> ${line}`, socket);
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.name = `${socket.remoteAddress}:${socket.remotePort}`;
  clients.add(socket);
  send(socket, `Welcome ${socket.name}, type /nick NAME to choose a name`);
  broadcast(`${socket.name} joined the chat`, socket);
  let pending = Buffer.alloc(0);
  socket.on('data', (data) => {
    if (!clients.has(socket)) return; // left (a line too long): the rest is not read
    pending = Buffer.concat([pending, data]);
    // What one read makes the server say goes out in one write per socket.
    const corked = [...clients];
    for (const s of corked) s.cork();
    process.nextTick(() => corked.forEach((s) => s.uncork()));
    let lf;
    while ((lf = pending.indexOf(10)) >= 0) {
      let end = lf;
      if (end > 0 && pending[end - 1] === 13) end -= 1;
      const bytes = pending.subarray(0, end);
      pending = pending.subarray(lf + 1);
      if (socket.destroyed || !clients.has(socket)) return;
      // A line that is not UTF-8 is dropped, not relayed as replacement characters.
      if (isUtf8(bytes)) handle(socket, bytes.toString('utf8'));
    }
    if (pending.length > MAX_LINE) {
      send(socket, 'Error: line too long');
      pending = Buffer.alloc(0);
      socket.end();
      leave(socket);
    }
  });
  socket.on('end', () => {
    if (pending.length > 0 && clients.has(socket) && isUtf8(pending)) handle(socket, pending.toString('utf8'));
    leave(socket);
    socket.end();
  });
  socket.on('close', () => leave(socket));
  socket.on('error', () => leave(socket));
});
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${server.address().port}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
