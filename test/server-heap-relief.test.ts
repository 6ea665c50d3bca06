// Memory back after load: collections are asked for only on quiet ticks after
// load (or while the young generation is still large), a bounded number of
// times in a row, never under load; the real probe can ask this V8 for one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type HeapProbe, HeapRelief, MAX_QUIET_COLLECTIONS, QUIET_UTILIZATION, RELIEF_NEW_SPACE_BYTES, v8Probe } from '../src/reference-server/heap-relief.js';

const MiB = 1024 * 1024;

/** A probe whose load and young generation the test sets; collect() counts and, like V8 on a quiet heap, shrinks the young generation after `shrinkAfter` calls. */
function fakeProbe(shrinkAfter = 1) {
  const state = { utilization: 0, newSpace: 1 * MiB, collects: 0, can: true };
  const probe: HeapProbe = {
    utilization: () => state.utilization,
    newSpaceBytes: () => state.newSpace,
    collect: () => {
      if (!state.can) return false;
      state.collects++;
      if (state.collects >= shrinkAfter) state.newSpace = 1 * MiB;
      return true;
    },
  };
  return { state, probe };
}

const busy = QUIET_UTILIZATION + 0.5;

test('heap relief: nothing on an idle server that saw no load; never a collection under load', () => {
  const { state, probe } = fakeProbe();
  const relief = new HeapRelief(probe);
  for (let i = 0; i < 5; i++) relief.tick();
  assert.equal(state.collects, 0, 'idle, small young generation: nothing to give back');
  state.utilization = busy;
  state.newSpace = 32 * MiB;
  for (let i = 0; i < 5; i++) relief.tick();
  assert.equal(state.collects, 0, 'under load V8 collects on its own');
});

test('heap relief: the first quiet tick after load collects; again while the young generation stays large, at most MAX_QUIET_COLLECTIONS in a row', () => {
  const { state, probe } = fakeProbe(2);
  const relief = new HeapRelief(probe);
  state.utilization = busy;
  state.newSpace = 32 * MiB;
  relief.tick();
  state.utilization = 0;
  relief.tick();
  assert.equal(state.collects, 1, 'load is over: one collection');
  relief.tick();
  assert.equal(state.collects, 2, 'the young generation was still large: another');
  assert.ok(state.newSpace <= RELIEF_NEW_SPACE_BYTES);
  for (let i = 0; i < 5; i++) relief.tick();
  assert.equal(state.collects, 2, 'given back: no more collections while quiet');

  // A young generation V8 will not shrink: bounded, then nothing until load returns.
  const stubborn = fakeProbe(Infinity);
  const r2 = new HeapRelief(stubborn.probe);
  stubborn.state.newSpace = 32 * MiB;
  for (let i = 0; i < 10; i++) r2.tick();
  assert.equal(stubborn.state.collects, MAX_QUIET_COLLECTIONS);
  stubborn.state.utilization = busy;
  r2.tick();
  stubborn.state.utilization = 0;
  for (let i = 0; i < 10; i++) r2.tick();
  assert.equal(stubborn.state.collects, 2 * MAX_QUIET_COLLECTIONS, 'load came back: up to the bound again');
  assert.equal(r2.collections, 2 * MAX_QUIET_COLLECTIONS);
});

test('heap relief: a process that cannot collect stops its timer; acquire and release pair up across servers', () => {
  const { state, probe } = fakeProbe();
  state.can = false;
  state.newSpace = 32 * MiB;
  const relief = new HeapRelief(probe, 60_000);
  relief.acquire();
  relief.acquire();
  assert.equal(relief.running, true);
  relief.tick();
  assert.equal(relief.collections, 0);
  assert.equal(relief.running, false, 'nothing it could ever do: the timer stops');
  relief.release();
  relief.release();

  const shared = new HeapRelief(fakeProbe().probe, 60_000);
  shared.acquire();
  shared.acquire();
  shared.release();
  assert.equal(shared.running, true, 'one server still runs');
  shared.release();
  assert.equal(shared.running, false, 'the last one closed');
  shared.release(); // one too many is harmless
  assert.equal(shared.running, false);
});

test('heap relief: the real probe measures this process and can ask V8 for a collection', async () => {
  const probe = v8Probe();
  const u = probe.utilization();
  assert.ok(u >= 0 && u <= 1, `utilization ${u}`);
  const bytes = probe.newSpaceBytes();
  assert.ok(bytes !== undefined && bytes > 0, 'V8 reports its young generation');
  // Garbage only a collection frees: a WeakRef target with no other reference.
  let target: object | undefined = { big: new Array(1000).fill(0) };
  const ref = new WeakRef(target);
  target = undefined;
  await new Promise((resolve) => setImmediate(resolve)); // a WeakRef keeps its target until the end of the job that made it
  assert.equal(probe.collect(), true);
  assert.equal(ref.deref(), undefined, 'the collection ran');
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'gc is not left exposed to this context');
});
