// Supervision (src/supervise): the server's output kept bounded, its trace
// found, its process group started and ended, and the runner charging a
// crash or a dead room to the case that caused it, then going on (with
// --server-cmd) or reporting the room once (without).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputRing, headline, startServerProcess, ServerStartError, describeExit, sampleProcessTree, procAvailable } from '../src/supervise/index.js';
import { runConformance, type Report } from '../src/runner/run.js';
import { runCommand, EXIT } from '../src/cli/run.js';
import { packagePath } from '../src/paths.js';
import { Writable } from 'node:stream';
import { SetupBreaker } from '../src/preflight/breaker.js';
import type { CaseResult } from '../src/runner/verdict.js';

const here = dirname(fileURLToPath(import.meta.url));
const node = JSON.stringify(process.execPath);
const launcher = join(here, 'targets', 'launch.js');
const wedge = join(here, 'crashers', 'wedge.js');
const crashOnLongLine = `${node} ${launcher} fault --fault crash-on-long-line --port {port}`;
const wedgeCmd = `${node} ${wedge} --port {port}`;
const byId = (report: Report, id: string) => report.cases.find((c) => c.id === id)!;
const ONLY = ['robust/long-line-4KiB', 'robust/half-close', 'cmd/who'];

describe('server output', () => {
  test('the ring keeps the last lines, cuts long ones, and joins lines split across chunks', () => {
    const ring = new OutputRing({ maxLines: 3, maxLineChars: 10 });
    ring.push('stderr', 'one\ntw');
    ring.push('stderr', 'o\nthree\nfour\n');
    ring.push('stdout', 'x'.repeat(50));
    assert.deepEqual(ring.tail(10).map((l) => l.text), ['three', 'four', `${'x'.repeat(10)}… (50 chars)`]);
  });

  test('output longer than the ring keeps its first lines since the last note (a long goroutine dump keeps its headline)', () => {
    const ring = new OutputRing({ maxLines: 10 });
    ring.push('stderr', 'old trace\n');
    ring.note('the room stopped serving; sending SIGQUIT');
    assert.deepEqual(ring.scrolledHead(), [], 'nothing scrolled out yet');
    ring.push('stderr', `SIGQUIT: quit\nPC=0x0 m=0 sigcode=0\n${Array.from({ length: 30 }, (_, i) => `goroutine ${i} [semacquire]:`).join('\n')}\n`);
    assert.equal(headline(ring.tail(10)), 'goroutine 29 [semacquire]:', 'the ring alone lost the headline');
    assert.deepEqual(ring.scrolledHead().slice(0, 2).map((l) => l.text), ['SIGQUIT: quit', 'PC=0x0 m=0 sigcode=0']);
    assert.equal(ring.scrolledHead().length, 22, 'only the lines the ring no longer holds');
    assert.equal(headline([...ring.scrolledHead(), ...ring.tail(10)]), 'SIGQUIT: quit');
    ring.note('case next');
    assert.deepEqual(ring.scrolledHead(), [], 'a note starts over');
  });

  test('the headline is the Go fatal error or panic, the Python exception, or a Node error; stdout is not a trace', () => {
    const err = (text: string) => text.split('\n').map((t) => ({ stream: 'stderr' as const, text: t }));
    assert.equal(headline(err('fatal error: concurrent map writes\n\ngoroutine 7 [running]:\nmain.handle()')), 'fatal error: concurrent map writes');
    assert.equal(headline(err('panic: runtime error: index out of range [1] with length 1\n\ngoroutine 5')), 'panic: runtime error: index out of range [1] with length 1');
    assert.equal(
      headline(err('Traceback (most recent call last):\n  File "s.py", line 3, in <module>\n    main()\nConnectionResetError: [Errno 104] Connection reset by peer')),
      'ConnectionResetError: [Errno 104] Connection reset by peer',
    );
    assert.equal(headline(err('/srv/app.js:10\n        throw new RangeError("too long")\nRangeError: too long\n    at Socket.<anonymous>')), 'RangeError: too long');
    const unhandled = "node:events:497\n      throw er; // Unhandled 'error' event\n      ^\n\nError: read ECONNRESET\n    at TCP.onStreamRead (node:internal/stream_base_commons:218:20)\nEmitted 'error' event on Interface instance at:\n  code: 'ECONNRESET',\n}\n\nNode.js v20.20.2";
    assert.equal(headline(err(unhandled)), 'Error: read ECONNRESET');
    assert.equal(headline(err("Emitted 'error' event on Socket instance at:\n  code: 'ECONNRESET',\n}\n\nNode.js v20.20.2")), "code: 'ECONNRESET',", 'neither the runtime version nor a lone brace');
    assert.equal(headline([{ stream: 'stdout', text: 'listening on 127.0.0.1:1' }]), undefined);
  });

  test('a shell status of 128 + N names the signal', () => {
    assert.equal(describeExit({ code: 141, signal: null }), 'exited with status 141 (killed by SIGPIPE)');
    assert.equal(describeExit({ code: null, signal: 'SIGABRT' }), 'killed by SIGABRT');
    assert.equal(describeExit({ code: 2, signal: null }), 'exited with status 2');
  });
});

describe('server process', () => {
  test('a command that exits before it is ready is a ServerStartError with its status and output', async () => {
    await assert.rejects(startServerProcess({ command: 'echo "cannot bind {port}" >&2; exit 3', startTimeoutMs: 5000 }), (err: unknown) => {
      assert.ok(err instanceof ServerStartError);
      assert.equal(err.exit?.code, 3);
      assert.match(err.output.map((l) => l.text).join('\n'), /cannot bind \d+/);
      return true;
    });
  });

  test('close ends the whole process group, children of the shell included', async () => {
    const proc = await startServerProcess({ command: `sleep 300 & echo "sleeper $!"; ${wedgeCmd}`, startTimeoutMs: 10_000 });
    let sleeper: number | undefined;
    try {
      sleeper = Number(/sleeper (\d+)/.exec(proc.output.tail(10).map((l) => l.text).join('\n'))?.[1]);
      assert.ok(sleeper > 0, 'the shell printed its child pid');
      process.kill(sleeper, 0); // alive now
    } finally {
      await proc.close(1000);
    }
    await new Promise((r) => setTimeout(r, 100));
    // Gone, or a zombie waiting for a reaper (state Z): either way no longer running.
    let state = 'gone';
    try {
      const stat = readFileSync(`/proc/${sleeper}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch {
      // gone
    }
    assert.ok(state === 'gone' || state === 'Z', `the shell's child was killed with the group (state ${state})`);
  });
});

describe('resource samples', () => {
  test('a spinning process has a thread ready to run in (nearly) every sample; a sleeping one in none', async (t) => {
    if (!procAvailable()) return t.skip('reading a process needs Linux /proc');
    const spin = await startServerProcess({ command: `${node} ${wedge} --port {port} & exec ${node} -e "for (;;) {}"`, startTimeoutMs: 10_000 });
    const idle = await startServerProcess({ command: wedgeCmd, startTimeoutMs: 10_000 });
    try {
      const count = async (pid: number): Promise<number> => {
        let runnable = 0;
        for (let i = 0; i < 20; i += 1) {
          if ((sampleProcessTree(pid)?.runnable ?? 0) > 0) runnable += 1;
          await new Promise((r) => setTimeout(r, 25));
        }
        return runnable;
      };
      // A loaded machine gives the spinner little CPU, but it stays ready to run (state R) all along.
      assert.ok((await count(spin.pid)) >= 18, 'the spinner is ready to run in at least 18 of 20 samples');
      assert.ok((await count(idle.pid)) <= 2, 'the idle server is ready to run in at most 2 of 20 samples');
    } finally {
      await spin.close(1000);
      await idle.close(1000);
    }
  });
});

describe('a crash', () => {
  test('supervised: charged to the case that caused it, with status and trace; the server restarts and later cases are judged', async () => {
    const report = await runConformance({ server: { command: crashOnLongLine }, profile: 'gopl-en', only: ONLY, seed: 1, quick: true, timeoutMs: 1000 });
    const crash = byId(report, 'robust/long-line-4KiB');
    assert.equal(crash.verdict, 'fail');
    assert.equal(crash.server?.kind, 'crash');
    assert.match(crash.message ?? '', /^ROBUST-1 \(MUST\): the server exited with status 1 during this case: RangeError: line longer than 1000 bytes/);
    assert.ok(crash.server?.output.some((l) => /RangeError/.test(l)), 'the trace is attached');
    assert.equal(byId(report, 'robust/half-close').verdict, 'pass', 'the next case ran against a restarted server');
    assert.equal(byId(report, 'cmd/who').verdict, 'skip');
    assert.equal(report.restarts, 1);
    assert.deepEqual(report.incidents?.map((i) => [i.case, i.kind]), [['robust/long-line-4KiB', 'crash']]);
  });

  test('unsupervised: the case fails (never flaky), later cases are "target down", skips stay skips', async () => {
    const proc = await startServerProcess({ command: crashOnLongLine });
    try {
      const report = await runConformance({ target: proc.url, profile: 'gopl-en', only: ONLY, seed: 1, quick: true, timeoutMs: 1000 });
      const crash = byId(report, 'robust/long-line-4KiB');
      assert.equal(crash.verdict, 'fail');
      assert.doesNotMatch(crash.message ?? '', /flaky/);
      assert.notEqual(crash.counterexample?.flaky, true);
      assert.match(byId(report, 'robust/half-close').message ?? '', /^target down/);
      assert.equal(byId(report, 'robust/half-close').notRun, 'target-down');
      assert.equal(byId(report, 'cmd/who').verdict, 'skip');
    } finally {
      await proc.close();
    }
  });
});

describe('a room that stops serving while the process lives', () => {
  test('unsupervised: reported once; later cases are "room stopped serving", skips stay skips', async () => {
    const proc = await startServerProcess({ command: wedgeCmd });
    try {
      const report = await runConformance({ target: proc.url, profile: 'gopl-en', only: ONLY, seed: 1, quick: true, timeoutMs: 1000 });
      assert.equal(byId(report, 'robust/long-line-4KiB').verdict, 'fail');
      assert.equal(byId(report, 'robust/half-close').verdict, 'error');
      assert.equal(byId(report, 'robust/half-close').message, 'room stopped serving (after robust/long-line-4KiB)');
      assert.equal(byId(report, 'robust/half-close').notRun, 'room-stopped');
      assert.equal(byId(report, 'cmd/who').verdict, 'skip');
      assert.deepEqual(report.incidents?.map((i) => [i.case, i.kind]), [['robust/long-line-4KiB', 'dead-room']]);
    } finally {
      await proc.close();
    }
  });

  test('supervised: the dump signal is sent, its output attached, the server restarted', async () => {
    const report = await runConformance({ server: { command: wedgeCmd, dumpSignal: 'SIGQUIT' }, profile: 'gopl-en', only: ONLY, seed: 1, quick: true, timeoutMs: 1000 });
    const wedged = byId(report, 'robust/long-line-4KiB');
    assert.equal(wedged.verdict, 'fail');
    assert.equal(wedged.server?.kind, 'dead-room');
    assert.equal(wedged.server?.headline, 'SIGQUIT: quit');
    assert.ok(wedged.server?.output.some((l) => l.startsWith('relay: waiting on room lock')));
    assert.equal(byId(report, 'robust/half-close').verdict, 'pass');
    assert.equal(report.restarts, 1);
  });
});

describe('exit codes', () => {
  const sink = (): NodeJS.WriteStream => new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;
  const run = (args: string[]): Promise<number> => runCommand(['--no-color', ...args], sink(), sink());

  test('a server that crashes mid-run exits 1; one that never starts exits 3; --server-env alone is a usage error', async () => {
    assert.equal(await run(['--server-cmd', crashOnLongLine, '--only', 'robust/long-line-4KiB,robust/half-close', '--quick']), EXIT.failed);
    assert.equal(await run(['--server-cmd', 'exit 4 # {port}', '--server-start-timeout', '3000']), EXIT.unreachable);
    assert.equal(await run(['--server-env', 'A=1']), EXIT.usage);
  });

  test("the README's exit table says what the code does", () => {
    const readme = readFileSync(packagePath('README.md'), 'utf8');
    const rows = new Map([...readme.matchAll(/^\| (\d) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2]!]));
    assert.match(rows.get(EXIT.failed) ?? '', /crash/, 'exit 1 covers a server that crashes or stops serving mid-run');
    assert.doesNotMatch(rows.get(EXIT.unreachable) ?? '', /died|crash/, 'exit 3 is not for a target that died mid-run');
    assert.match(rows.get(EXIT.unreachable) ?? '', /unreachable/);
    assert.match(rows.get(EXIT.usage) ?? '', /usage/);
  });
});

describe('the setup-failure breaker and incidents', () => {
  test('cases after a dead room, and crashes charged to cases, do not trip it (the skips and verdicts after them stay)', () => {
    const breaker = new SetupBreaker(3);
    const base = { title: 't', requirements: ['PROC-1'], level: 'MUST' as const, durationMs: 1 };
    const down = (id: string): CaseResult => ({ ...base, id, verdict: 'error', message: 'room stopped serving (after robust/x)', notRun: 'room-stopped' });
    const crash = (id: string): CaseResult => ({
      ...base,
      id,
      verdict: 'fail',
      message: 'PROC-1 (MUST): the server exited with status 141 (killed by SIGPIPE) during this case',
      violations: [{ requirement: 'PROC-1', level: 'MUST', message: 'the server exited with status 141 (killed by SIGPIPE) during this case' }],
      server: { kind: 'crash', status: 'exited with status 141 (killed by SIGPIPE)', output: [] },
    });
    for (const r of [down('a/1'), down('a/2'), down('a/3'), down('a/4'), crash('b/1'), crash('b/2'), crash('b/3'), crash('b/4')]) assert.equal(breaker.observe(r), undefined, r.id);
  });
});
