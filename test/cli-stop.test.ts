// Stopping the kit from outside and writing its reports whatever happens:
// SIGINT, SIGTERM and SIGHUP mid-case, a second signal, unwritable report
// paths (before and after the run), and a reader that closes stdout.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportSchema } from '../src/runner/report-schema.js';
import { runCli, silentTarget, until } from './helpers/cli.js';

/**
 * Runs the CLI against a silent target and sends `signals` once `connections` connections
 * reached it (and `delayMs` more); returns the exit, the time from the first signal, and the reports.
 */
async function stopMidRun(opts: { args: string[]; signals: NodeJS.Signals[]; connections: number; delayMs: number; junit?: boolean }) {
  const target = await silentTarget();
  const dir = mkdtempSync(join(tmpdir(), 'cc-stop-'));
  const json = join(dir, 'r.json');
  const junit = join(dir, 'r.xml');
  let signalledAt = 0;
  try {
    const reports = ['--report', `json=${json}`, ...(opts.junit ? ['--report', `junit=${junit}`] : [])];
    const r = await runCli(['--target', `127.0.0.1:${target.port}`, '--timeout', '20000', ...opts.args, ...reports], {
      timeoutMs: 30_000,
      onSpawn: (child) => {
        void until(() => target.connections() >= opts.connections, 20_000, 'the run to connect').then(async () => {
          if (opts.delayMs > 0) await new Promise((res) => setTimeout(res, opts.delayMs));
          signalledAt = performance.now();
          for (const s of opts.signals) child.kill(s);
        });
      },
    });
    assert.ok(signalledAt > 0, 'never signalled');
    const stoppedMs = performance.now() - signalledAt;
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.ok(existsSync(json), 'no JSON report');
    const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    assert.equal(report.stopped, 'interrupted');
    assert.notEqual(report.verdict, 'pass');
    return { r, stoppedMs, report, xml: opts.junit ? readFileSync(junit, 'utf8') : '' };
  } finally {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('stopping a run', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    test(`${signal} in the middle of a case ends the run within 2 s, exit 3, reports written, no PASS`, async () => {
      // A silent target and a 20 s wait: the join case is mid-wait when the signal comes.
      // Connection 1 is the reachability check; connection 2 is the first case's client.
      const { r, stoppedMs, report, xml } = await stopMidRun({ args: ['--no-verify', '--no-preflight'], signals: [signal], connections: 2, delayMs: 200, junit: true });
      assert.ok(stoppedMs < 2000, `took ${stoppedMs.toFixed(0)} ms after ${signal}`);
      assert.match(r.stderr, new RegExp(signal));
      assert.doesNotMatch(r.stdout, /Verdict: PASS/);
      const last = report.cases.at(-1)!;
      assert.equal(last.verdict, 'inconclusive', JSON.stringify(last));
      assert.match(last.message ?? '', /interrupted during this case/);
      assert.match(xml, /<error message="[^"]*interrupted/);
    });
  }

  test('SIGTERM during the preflight: within 2 s, exit 3, the report says interrupted', async () => {
    const { stoppedMs } = await stopMidRun({ args: [], signals: ['SIGTERM'], connections: 2, delayMs: 200 });
    assert.ok(stoppedMs < 2000, `took ${stoppedMs.toFixed(0)} ms`);
  });

  test('a second signal leaves at once, still with the partial report', async () => {
    // The first SIGTERM aborts; while the abort settles the second one must leave immediately.
    await stopMidRun({ args: ['--no-preflight'], signals: ['SIGTERM', 'SIGTERM'], connections: 2, delayMs: 0 });
  });
});

describe('reports are written, or the exit code says so', () => {
  test('an unwritable --report path is exit 2 before anything runs (and /proc does not spin)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-unwritable-'));
    const aFile = join(dir, 'file');
    writeFileSync(aFile, 'x');
    try {
      for (const spec of [`junit=/proc/cc-${process.pid}/junit.xml`, 'junit=/proc/version', `json=${aFile}/under-a-file.json`, `json=${dir}`]) {
        const target = await silentTarget();
        try {
          // A spin would run into runCli's deadline; the bound is loose because a loaded machine starts node slowly.
          const r = await runCli(['--target', `127.0.0.1:${target.port}`, '--report', spec], { timeoutMs: 20_000 });
          assert.equal(r.code, 2, `${spec}: exit ${r.code}\n${r.stderr}`);
          assert.match(r.stderr, /^chat-conformance: cannot write /, spec);
          assert.ok(r.ms < 10_000, `${spec} took ${r.ms} ms`);
          assert.equal(target.connections(), 0, `${spec}: the run started`);
        } finally {
          await target.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a report that cannot be written at the end is exit 2, whatever the verdict', async () => {
    const target = await silentTarget();
    const dir = mkdtempSync(join(tmpdir(), 'cc-late-'));
    const sub = join(dir, 'sub');
    try {
      const r = await runCli(['--target', `127.0.0.1:${target.port}`, '--timeout', '200', '--no-verify', '--only', 'join/welcome*,chat/exactly-once', '--report', `json=${join(sub, 'r.json')}`], {
        timeoutMs: 30_000,
        onSpawn: () => {
          // Once the run is under way, the report's folder becomes a file.
          void until(() => target.connections() >= 1, 20_000, 'the run').then(() => {
            rmSync(sub, { recursive: true, force: true });
            writeFileSync(sub, 'not a folder');
          });
        },
      });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /cannot write .*r\.json/);
    } finally {
      await target.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a closed stdout (| head) does not stop the run or its reports', async () => {
    const target = await silentTarget();
    const dir = mkdtempSync(join(tmpdir(), 'cc-epipe-'));
    const json = join(dir, 'r.json');
    try {
      const r = await runCli(['--target', `127.0.0.1:${target.port}`, '--timeout', '200', '--no-verify', '--only', 'join/*,chat/*', '--no-preflight', '--report', `json=${json}`], {
        timeoutMs: 60_000,
        onStdout: (_text, child) => child.stdout.destroy(), // the reader goes away after the first line
      });
      assert.equal(r.code, 1, r.stderr);
      const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
      assert.equal(report.verdict, 'fail');
      assert.ok(report.cases.length > 3);
    } finally {
      await target.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
