// 10,000 connect/disconnect cycles in batches of 100 concurrent connections:
// afterwards the server still serves, holds no client, and its heap and
// active handles are back near their baseline.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { serverFixture } from './helpers/server-fixture.js';
import { eventually } from './helpers/server-wait.js';

const CYCLES = 10_000;
const BATCH = 100;

// node --test does not pass --expose-gc; this gets a gc() function anyway.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function settledHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const countResources = (): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
};

/** One cycle: connect, wait for the welcome, then leave with FIN (even i) or RST (odd i). */
function cycle(port: number, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`cycle ${i}: no welcome within 10 s`));
    }, 10_000);
    socket.once('data', () => {
      if (i % 2 === 0) socket.end();
      else socket.resetAndDestroy();
    });
    socket.on('data', () => {}); // keep reading join/leave notices until the server closes
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test(`churn: ${CYCLES} connect/disconnect cycles, ${BATCH} at a time`, async (t) => {
  const { connect: join, server, port } = await serverFixture(t, { profile: 'gopl-en' });
  const x = await join();
  await x.waitForLine(`You are ${x.addr}`);
  const y = await join();
  await x.waitForLine(`${y.addr} has joined us`);
  // Warm up the code paths once so the baseline includes compiled code, not leaked state.
  await Promise.all(Array.from({ length: BATCH }, (_, i) => cycle(port, i)));
  await eventually(() => server.stats().clients === 2, 'the warm-up clients to be gone');
  x.lines.length = 0;
  y.lines.length = 0;
  const heapBefore = settledHeap();
  const resourcesBefore = countResources();

  for (let done = 0; done < CYCLES; done += BATCH) {
    await Promise.all(Array.from({ length: BATCH }, (_, i) => cycle(port, done + i)));
  }
  await eventually(() => server.stats().clients === 2, 'every churned client to be gone', 10_000);

  // Each churned client joined and left exactly once, as the bystanders saw it.
  const joins = x.lines.filter((l) => l.endsWith(' has joined us')).length;
  const leaves = x.lines.filter((l) => l.endsWith(' has left ')).length;
  assert.equal(joins, CYCLES);
  assert.equal(leaves, CYCLES);

  x.send('still serving');
  await y.waitForLine(`${x.addr}: still serving`);
  assert.equal(server.stats().members, 2);

  x.lines.length = 0;
  y.lines.length = 0;
  const heapAfter = settledHeap();
  const grown = heapAfter - heapBefore;
  assert.ok(grown < 4 * 1024 * 1024, `heap grew by ${(grown / 1024 / 1024).toFixed(1)} MiB over ${CYCLES} cycles`);
  const resourcesAfter = countResources();
  for (const [kind, n] of resourcesAfter) {
    const before = resourcesBefore.get(kind) ?? 0;
    assert.ok(n <= before + 2, `${kind}: ${before} active before the churn, ${n} after`);
  }
});
