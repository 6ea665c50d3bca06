// IDLE-4: a member that sends part of a line and then nothing is still timed
// out. Both correct timers pass idle/partial-line: one restarted by complete
// lines only (the reference server), one restarted by every read (a Go read
// deadline); the planted timer that stops while a line is unfinished fails.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { caseSummary as summary, referenceTarget, runCase } from './helpers/run-case.js';
import { startFaultServer } from './targets/fault-server.js';

const CASE = 'idle/partial-line';
const IDLE_MS = 600;
const idle = { idleTimeoutMs: IDLE_MS };

describe(CASE, () => {
  test('the reference server (a timer per complete line) passes', { timeout: 30_000 }, async () => {
    const result = await runCase(CASE, await referenceTarget('who-rename', idle), idle);
    assert.equal(result.verdict, 'pass', summary(result));
  });

  test('a server whose timer every read restarts (Go SetReadDeadline) passes', { timeout: 30_000 }, async () => {
    const server = await startFaultServer({ profile: 'who-rename', fault: 'none', ...idle, idleResetsOnRead: true });
    const result = await runCase(CASE, { ...server, profile: 'who-rename' }, idle);
    assert.equal(result.verdict, 'pass', summary(result));
  });

  test('fault partial-line-holds-idle: the member is never timed out, IDLE-4 fails', { timeout: 30_000 }, async () => {
    const server = await startFaultServer({ profile: 'who-rename', fault: 'partial-line-holds-idle', ...idle });
    const result = await runCase(CASE, { ...server, profile: 'who-rename' }, idle);
    assert.equal(result.verdict, 'fail', summary(result));
    assert.ok(result.violations?.some((v) => v.requirement === 'IDLE-4' && /was not timed out/.test(v.message)), summary(result));
  });

  test('a profile without an idle timeout skips the case', { timeout: 30_000 }, async () => {
    const result = await runCase(CASE, await referenceTarget('gopl-en'));
    assert.equal(result.verdict, 'skip', summary(result));
  });
});
