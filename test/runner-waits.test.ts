// How the kit waits: proof lines said again after a short pause when the
// server loses them (untilHeard), notices the run has shown the server never
// sends (RunMemory), a failure already reproduced not replayed again, and
// waits that leave no listener behind on the run's AbortSignal.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { Signal } from '../src/runner/clock.js';
import { MAX_PROOF_LINES, untilHeard } from '../src/runner/resend.js';
import { RunMemory } from '../src/runner/memory.js';
import { runConformance } from '../src/runner/run.js';
import { startFaultServer } from './targets/fault-server.js';

describe('untilHeard', () => {
  test('says another line after each pause, and stops once one is heard', async () => {
    const signal = new Signal();
    let said = 1;
    let heardAt = 3;
    const ok = await untilHeard((c, ms) => signal.waitUntil(c, ms), () => said >= heardAt, async () => void (said += 1), 400);
    assert.equal(ok, true);
    assert.equal(said, 3, 'the third line was heard: no fourth');
    heardAt = Infinity;
    said = 1;
    const never = await untilHeard((c, ms) => signal.waitUntil(c, ms), () => false, async () => void (said += 1), 200);
    assert.equal(never, false);
    assert.equal(said, MAX_PROOF_LINES, 'bounded: at most MAX_PROOF_LINES lines in all');
  });

  test('a speaker that is gone gets no more lines; the wait still ends at its deadline', async () => {
    const signal = new Signal();
    let said = 1;
    const ok = await untilHeard((c, ms) => signal.waitUntil(c, ms), () => false, async () => void (said += 1), 100, () => true);
    assert.equal(ok, false);
    assert.equal(said, 1);
  });
});

describe('RunMemory', () => {
  test('waits become short after two whole waits in vain with no such notice ever seen', () => {
    const m = new RunMemory();
    assert.equal(m.patience('leave', 2000), 2000);
    m.note('leave', false, false);
    assert.equal(m.patience('leave', 2000), 2000, 'one miss is not enough (a slow moment)');
    m.note('leave', false, false);
    assert.equal(m.absent('leave'), true);
    assert.ok(m.patience('leave', 2000) < 2000);
    assert.equal(m.patience('join', 2000), 2000, 'per notice type');
  });

  test('a notice seen once, even late or for some members only, keeps every wait whole', () => {
    const m = new RunMemory();
    m.note('leave', false, true);
    m.note('leave', false, false);
    m.note('leave', false, false);
    assert.equal(m.absent('leave'), false);
    assert.equal(m.patience('leave', 2000), 2000);
  });
});

test("a Signal listens to the run's AbortSignal only while a wait is pending, and an abort ends the wait", async () => {
  const controller = new AbortController();
  const signals = Array.from({ length: 30 }, () => new Signal(controller.signal));
  await Promise.all(signals.map((s) => s.waitUntil(() => false, 1)));
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'no listener left behind by finished waits');
  const pending = signals[0]!.waitUntil(() => false, 60_000);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  controller.abort();
  assert.equal(await pending, false);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('a server without leave notices: the failure is replayed once, later cases with the same failure are not', async () => {
  const server = await startFaultServer({ profile: 'gopl-en', fault: 'no-leave-notice' });
  try {
    const report = await runConformance({ target: server.url, profile: 'gopl-en', only: ['leave/fin', 'leave/rst', 'leave/lines-before-fin'], seed: 1 });
    const byId = new Map(report.cases.map((c) => [c.id, c]));
    for (const id of ['leave/fin', 'leave/rst', 'leave/lines-before-fin']) assert.equal(byId.get(id)?.verdict, 'fail', `${id}: ${byId.get(id)?.message}`);
    assert.doesNotMatch(byId.get('leave/fin')!.message ?? '', /not replayed/);
    assert.match(byId.get('leave/rst')!.message ?? '', /not replayed: the same failure reproduced in leave\/fin/);
    assert.match(byId.get('leave/lines-before-fin')!.message ?? '', /LEAVE-1/);
  } finally {
    await server.close();
  }
});

test('a room that stalls for a stopped reader and goes on when it reads: the case confirms the fail itself, and it is not replayed', async () => {
  const server = await startFaultServer({ profile: 'gopl-en', fault: 'sync-fanout' });
  try {
    const report = await runConformance({ target: server.url, profile: 'gopl-en', only: ['isolation/slow-reader'], seed: 1 });
    const result = report.cases.find((c) => c.id === 'isolation/slow-reader')!;
    assert.equal(result.verdict, 'fail', result.message);
    assert.match(result.message ?? '', /not replayed: confirmed within the case/);
    const iso1 = result.violations?.find((v) => v.requirement === 'ISOLATION-1');
    assert.match(iso1?.confirmed ?? '', /got no line for \d+ ms while slow did not read, and got lines again \d+ ms after slow read again/);
    // The lines the stall held back are ISOLATION-2's, on the same evidence.
    assert.ok(result.violations?.some((v) => v.requirement === 'ISOLATION-2' && v.confirmed !== undefined), JSON.stringify(result.violations));
  } finally {
    await server.close();
  }
});
