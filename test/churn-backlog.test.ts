// cleanup/churn against a correct server whose accept loop falls behind a
// burst: a listen backlog of 1, and once, when the burst starts, 3 s without
// accepting (Python socketserver's backlog is 5, and a loaded machine stalls
// its accept thread). The kernel drops the SYNs there is no room for and TCP
// retries them 1 s and 3 s later, so connects of the burst time out: that is
// not a CLEANUP-3 fail, nor a kit error (seen in CI against the wild
// corpus's socketserver server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServerProcess } from '../src/supervise/index.js';
import { runConformance } from '../src/runner/run.js';

// A gopl-en room (echo, address identity), in its own process since it blocks.
const ROOM = `
const net = require('node:net');
const members = new Set();
let stalled = false;
const accepted = [];
const server = net.createServer((s) => {
  // When a burst starts (a tenth connection within 50 ms: the churn's, not the kit's few setup
  // connections), once: 3 s without accepting.
  accepted.push(performance.now());
  if (!stalled && accepted.length >= 10 && accepted.at(-1) - accepted.at(-10) < 50) {
    stalled = true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
  }
  s.setNoDelay(true);
  s.on('error', () => undefined);
  const addr = String(s.remoteAddress).replace(/^::ffff:/, '') + ':' + s.remotePort;
  for (const m of members) m.write(addr + ' has joined us\\n');
  members.add(s);
  s.write('You are ' + addr + '\\n');
  let buf = '';
  s.on('data', (d) => {
    buf = (buf + d.toString('utf8')).slice(-65536);
    for (let i = buf.indexOf('\\n'); i >= 0; i = buf.indexOf('\\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      for (const m of members) m.write(addr + ': ' + line + '\\n');
    }
  });
  s.on('close', () => {
    if (!members.delete(s)) return;
    for (const m of members) m.write(addr + ' has left \\n');
  });
  s.on('end', () => s.end());
});
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => console.log('listening on 127.0.0.1:' + server.address().port));
`;

test('cleanup/churn: connects of a burst that time out at a stalled accept loop are neither a fail nor an error', { timeout: 60_000 }, async () => {
  const room = await startServerProcess({ file: process.execPath, args: ['-e', ROOM], label: 'slow-accept room' });
  try {
    const report = await runConformance({ target: room.url, profile: 'gopl-en', quick: true, seed: 1, only: ['cleanup/churn'], verifyFailures: false, preflight: false });
    const churn = report.cases.find((c) => c.id === 'cleanup/churn');
    assert.equal(churn?.verdict, 'pass', churn ? `${churn.verdict}: ${churn.message ?? ''}` : `no verdict for cleanup/churn (unreachable: ${String(report.unreachable)})`);
  } finally {
    await room.close(1000);
  }
});
