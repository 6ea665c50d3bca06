// The CLI as a CI gate: help, list, exit codes, reports, and no hang whatever
// the target does (silent, flooding, dying mid-run, interrupted by SIGINT).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../src/paths.js';
import { ReportSchema } from '../src/runner/report-schema.js';
import { allCases } from '../conformance/index.js';
import { startServer } from '../src/reference-server/index.js';

const MAIN = packagePath('dist/src/cli/main.js');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], options: { timeoutMs?: number; onStdout?: (text: string, kill: (sig: NodeJS.Signals) => void) => void } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chat-conformance ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      options.onStdout?.(stdout, (sig) => child.kill(sig));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('chat-conformance CLI', () => {
  test('--help and --version', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: chat-conformance/);
    assert.match(help.stdout, /Exit codes/);
    const version = await cli(['--version']);
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(packagePath('package.json'), 'utf8')).version);
  });

  test('--list names every case with its requirements, and --only filters', async () => {
    const all = await cli(['--list']);
    assert.equal(all.code, 0);
    for (const c of allCases) assert.ok(all.stdout.includes(c.id), `--list lacks ${c.id}`);
    assert.match(all.stdout, /CHAT-1 MUST/);
    const some = await cli(['--list', '--only', 'leave/*']);
    assert.ok(some.stdout.includes('leave/fin'));
    assert.ok(!some.stdout.includes('chat/exactly-once'));
  });

  test('usage errors exit 2 with one clear line', async () => {
    for (const args of [['--bogus'], ['--target', 'nonsense'], ['--profile', 'no-such-dialect'], ['--only', 'nothing/*'], ['--runs', 'many'], ['--report', 'xml=out.xml']]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, /^chat-conformance: /);
      assert.ok(!/\n\s+at /.test(r.stderr), `stack trace for ${args.join(' ')}:\n${r.stderr}`);
    }
    const profile = await cli(['--profile', 'no-such-dialect']);
    assert.match(profile.stderr, /gopl-en/); // the message lists the known profiles
  });

  test('an unreachable target exits 3 with one line, no stack trace', async () => {
    const server = createServer();
    const port = await listen(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const r = await cli(['--target', `127.0.0.1:${port}`, '--quick']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('a passing run writes a JSON report that fits the published schema, and JUnit XML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-report-'));
    const json = join(dir, 'report.json');
    const junit = join(dir, 'sub', 'junit.xml');
    const r = await cli(['--quick', '--seed=-7', '--only', 'chat/*,leave/*', '--report', `json=${json}`, '--report', `junit=${junit}`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Summary: \d+ pass, 0 fail/);
    assert.match(r.stdout, /PASS\s+chat\/exactly-once/);
    const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    assert.equal(report.seed, -7);
    assert.equal(report.verdict, 'pass');
    assert.ok(report.cases.length >= 5);
    const xml = readFileSync(junit, 'utf8');
    assert.equal((xml.match(/<testcase /g) ?? []).length, report.cases.length);
    assert.match(xml, /<testsuites name="chat-conformance" tests="\d+" failures="0"/);
  });

  test('a silent target (accepts, never answers) ends in bounded time with a fail, not a hang', async () => {
    const sockets = new Set<Socket>();
    const server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.resume();
    });
    const port = await listen(server);
    try {
      // The preflight reports it once, as nothing to judge (exit 3).
      const checked = await cli(['--target', `127.0.0.1:${port}`, '--quick', '--timeout', '200', '--no-verify', '--only', 'join/*,chat/*,frame/*'], { timeoutMs: 60_000 });
      assert.equal(checked.code, 3, checked.stdout);
      assert.match(checked.stdout, /preflight failed \(nothing to judge\): .* sent nothing/);
      const r = await cli(['--target', `127.0.0.1:${port}`, '--quick', '--timeout', '200', '--no-verify', '--no-preflight', '--only', 'join/*,chat/*,frame/*'], { timeoutMs: 60_000 });
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, /JOIN-3|JOIN-1|CHAT-/);
      // --bail: the same run stops at its first fail.
      const bail = await cli(['--target', `127.0.0.1:${port}`, '--quick', '--timeout', '200', '--no-verify', '--no-preflight', '--bail', '--only', 'join/*,chat/*,frame/*']);
      assert.equal(bail.code, 1, bail.stdout);
      assert.equal(bail.stdout.split('\n').filter((l) => /^\s+(PASS|FAIL|SKIP|WARN|ERROR|INCONCLUSIVE)\s/.test(l)).length, 1, bail.stdout);
      assert.match(bail.stdout, /stopped: stopped after frame\/split-writes/);
    } finally {
      await closeServer(server, sockets);
    }
  });

  test('a flooding target does not make the kit hang or grow without bound', async () => {
    const sockets = new Set<Socket>();
    const junk = Buffer.alloc(64 * 1024, 'flood line\n');
    const server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      const pump = (): void => {
        while (!s.destroyed && s.write(junk));
        if (!s.destroyed) s.once('drain', pump);
      };
      pump();
    });
    const port = await listen(server);
    try {
      const r = await cli(['--target', `127.0.0.1:${port}`, '--quick', '--timeout', '300', '--no-verify', '--only', 'chat/exactly-once,leave/fin'], { timeoutMs: 60_000 });
      // The preflight sees lines the profile does not describe (exit 2); without it, cases fail or end inconclusive.
      assert.ok(r.code === 1 || r.code === 2 || r.code === 3, `exit ${r.code}\n${r.stdout}`);
    } finally {
      await closeServer(server, sockets);
    }
  });

  test('a target that dies is reported once, as a fail of the case that killed it; the rest are "target down"', async () => {
    // A proxy in front of the reference server that dies on the first line over 1,000 bytes.
    // nameop: members are named, so the proxy's address in between does not matter.
    const upstream = await startServer({ profile: 'nameop', port: 0 });
    const sockets = new Set<Socket>();
    const proxy = createServer((down) => {
      sockets.add(down);
      const up = connect(upstream.address.port, '127.0.0.1');
      sockets.add(up);
      let sinceLf = 0;
      const lineTooLong = (chunk: Buffer): boolean => {
        for (let start = 0; ; ) {
          const lf = chunk.indexOf(10, start);
          const segment = (lf < 0 ? chunk.length : lf) - start;
          if (sinceLf + segment > 1000) return true;
          if (lf < 0) {
            sinceLf += segment;
            return false;
          }
          sinceLf = 0;
          start = lf + 1;
        }
      };
      down.on('data', (chunk: Buffer) => {
        if (lineTooLong(chunk)) {
          for (const s of sockets) s.destroy();
          proxy.close();
          return;
        }
        up.write(chunk);
      });
      up.pipe(down);
      for (const s of [up, down]) s.on('error', () => {});
      down.on('close', () => up.destroy());
      up.on('close', () => down.destroy());
    });
    const port = await listen(proxy);
    try {
      const r = await cli(['--target', `127.0.0.1:${port}`, '--profile', 'nameop', '--quick', '--no-verify', '--only', 'robust/*', '--timeout', '500'], { timeoutMs: 60_000 });
      assert.equal(r.code, 1, r.stdout);
      const fails = r.stdout.split('\n').filter((l) => /^\s+FAIL\s/.test(l));
      assert.equal(fails.length, 1, r.stdout);
      assert.match(fails[0]!, /robust\/long-line-4KiB/);
      assert.match(r.stdout, /ERROR\s+robust\/invalid-utf8\s.*target down/);
    } finally {
      proxy.close();
      for (const s of sockets) s.destroy();
      await upstream.close();
    }
  });

  test('SIGINT ends the run after the current case and still writes the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-sigint-'));
    const json = join(dir, 'report.json');
    let sent = false;
    const r = await cli(['--report', `json=${json}`, '--profile', 'gopl-en'], {
      onStdout: (text, kill) => {
        if (!sent && /PASS\s+frame\//.test(text)) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    assert.ok(sent, 'no case finished');
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.ok(existsSync(json));
    const report = ReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    assert.equal(report.stopped, 'interrupted');
    assert.ok(report.cases.length > 0 && report.cases.length < allCases.length);
  });
});
