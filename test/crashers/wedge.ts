// wedge: a gopl-en server whose room stops serving while the process lives.
// After any line over 1,000 bytes its relay loop waits on a lock nobody
// releases (the bug), so no line reaches anyone again; it still accepts
// connections and greets them. On SIGQUIT it prints where it is stuck, as a
// Go server prints its goroutines.
// usage: node wedge.js --port PORT   (prints `listening on 127.0.0.1:PORT`)
import { createServer, type Socket } from 'node:net';

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;
const members = new Set<Socket>();
let wedged = false;

const server = createServer((socket) => {
  const who = `${socket.remoteAddress}:${socket.remotePort}`;
  socket.on('error', () => {});
  socket.write(`You are ${who}\n`);
  if (!wedged) for (const m of members) m.write(`${who} has joined us\n`);
  members.add(socket);
  let buf = '';
  socket.on('data', (chunk) => {
    buf += chunk.toString('utf8');
    if (buf.length > 1000 && !buf.slice(0, 1001).includes('\n')) wedged = true;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.length > 1000) wedged = true;
      if (!wedged) for (const m of members) m.write(`${who}: ${line}\n`);
    }
    if (buf.length > 1 << 20) buf = '';
  });
  socket.on('close', () => {
    members.delete(socket);
    if (!wedged) for (const m of members) m.write(`${who} has left \n`);
  });
});
process.on('SIGQUIT', () => {
  process.stderr.write(`SIGQUIT: quit\nrelay: waiting on room lock held since a line over 1000 bytes (wedged=${wedged})\n`);
  process.exit(2);
});
process.on('SIGTERM', () => process.exit(0));
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on 127.0.0.1:${(server.address() as { port: number }).port}\n`);
});
