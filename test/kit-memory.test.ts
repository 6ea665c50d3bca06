// The kit's memory is bounded whatever the target sends: against a target
// that streams 1 MiB lines to every connection, the CLI's peak RSS stays
// under 512 MB, every report is written, and the reports and stdout stay small.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportSchema } from '../src/runner/report-schema.js';
import { localTarget, runCli } from './helpers/cli.js';

/** Peak resident memory of a live process (VmHWM), in bytes; 0 once it is gone. */
function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

test('a flood of 1 MiB lines: peak RSS under 512 MB, reports written and small', { skip: existsSync('/proc/self/status') ? false : 'needs /proc to read the peak RSS' }, async () => {
  const line = Buffer.alloc(1024 * 1024 + 1, 'x');
  line[line.length - 1] = 0x0a;
  const target = await localTarget((s) => {
    const pump = (): void => {
      while (!s.destroyed && s.write(line));
      if (!s.destroyed) s.once('drain', pump);
    };
    pump();
  });
  const dir = mkdtempSync(join(tmpdir(), 'cc-flood-'));
  const json = join(dir, 'r.json');
  const junit = join(dir, 'r.xml');
  let peak = 0;
  let poll: NodeJS.Timeout | undefined;
  try {
    const r = await runCli(['--target', `127.0.0.1:${target.port}`, '--timeout', '1500', '--no-verify', '--no-preflight', '--only', 'join/*,chat/exactly-once', '--report', `json=${json}`, '--report', `junit=${junit}`], {
      timeoutMs: 90_000,
      onSpawn: (child) => {
        poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 50);
      },
    });
    clearInterval(poll);
    assert.ok(r.code === 1 || r.code === 3, `exit ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    assert.ok(peak > 0, 'could not read the peak RSS');
    assert.ok(peak < 512 * 1024 * 1024, `peak RSS ${(peak / 1048576).toFixed(0)} MB`);
    const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    assert.ok(report.cases.length > 0);
    assert.ok(statSync(json).size < 4 * 1024 * 1024, `JSON report ${statSync(json).size} bytes`);
    assert.ok(statSync(junit).size < 4 * 1024 * 1024, `JUnit report ${statSync(junit).size} bytes`);
    assert.ok(r.stdout.length < 512 * 1024, `stdout ${r.stdout.length} chars`);
    // A cut line says how long it was and how to tell it apart.
    assert.match(readFileSync(json, 'utf8'), /… \(1048576 chars, sha256 [0-9a-f]{12}\)/);
    console.log(`# peak RSS ${(peak / 1048576).toFixed(0)} MB, JSON ${statSync(json).size} B, JUnit ${statSync(junit).size} B, stdout ${r.stdout.length} chars, ${(r.ms / 1000).toFixed(1)} s`);
  } finally {
    clearInterval(poll);
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
