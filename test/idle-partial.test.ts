// IDLE-4: a member that sends part of a line and then nothing is still timed
// out. Both correct timers pass idle/partial-line: one restarted by complete
// lines only (the reference server), one restarted by every read (a Go read
// deadline); the planted timer that stops while a line is unfinished fails.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startServer } from '../src/reference-server/index.js';
import { caseSummary as summary, runCase } from './helpers/run-case.js';
import { startFaultServer } from './targets/fault-server.js';

const CASE = 'idle/partial-line';
const IDLE_MS = 600;

describe(CASE, () => {
  test('the reference server (a timer per complete line) passes', { timeout: 30_000 }, async () => {
    const server = await startServer({ profile: 'who-rename', port: 0, idleTimeoutMs: IDLE_MS });
    try {
      const result = await runCase(CASE, `127.0.0.1:${server.address.port}`, 'who-rename', { idleTimeoutMs: IDLE_MS });
      assert.equal(result.verdict, 'pass', summary(result));
    } finally {
      await server.close();
    }
  });

  test('a server whose timer every read restarts (Go SetReadDeadline) passes', { timeout: 30_000 }, async () => {
    const server = await startFaultServer({ profile: 'who-rename', fault: 'none', idleTimeoutMs: IDLE_MS, idleResetsOnRead: true });
    try {
      const result = await runCase(CASE, server.url, 'who-rename', { idleTimeoutMs: IDLE_MS });
      assert.equal(result.verdict, 'pass', summary(result));
    } finally {
      await server.close();
    }
  });

  test('fault partial-line-holds-idle: the member is never timed out, IDLE-4 fails', { timeout: 30_000 }, async () => {
    const server = await startFaultServer({ profile: 'who-rename', fault: 'partial-line-holds-idle', idleTimeoutMs: IDLE_MS });
    try {
      const result = await runCase(CASE, server.url, 'who-rename', { idleTimeoutMs: IDLE_MS });
      assert.equal(result.verdict, 'fail', summary(result));
      assert.ok(result.violations?.some((v) => v.requirement === 'IDLE-4' && /was not timed out/.test(v.message)), summary(result));
    } finally {
      await server.close();
    }
  });

  test('a profile without an idle timeout skips the case', { timeout: 30_000 }, async () => {
    const server = await startServer({ profile: 'gopl-en', port: 0 });
    try {
      const result = await runCase(CASE, `127.0.0.1:${server.address.port}`, 'gopl-en');
      assert.equal(result.verdict, 'skip', summary(result));
    } finally {
      await server.close();
    }
  });
});
