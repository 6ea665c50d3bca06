// The preflight: a profile that does not fit its server ends the run in
// seconds with one diagnosis (other wording, a prompt the profile lacks,
// lines without LF, the wrong port, a server that closes at once, one that
// never speaks); a fitting one passes; the breaker stops repeated setup fails;
// the reachability check closes with FIN.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { runConformance, type Report } from '../src/runner/run.js';
import { exitCode } from '../src/cli/run.js';
import { checkCommand } from '../src/cli/check.js';
import { difference, nearestTemplate, reachable, SetupBreaker } from '../src/preflight/index.js';
import { normaliseMessage } from '../src/preflight/breaker.js';
import { loadProfile, parseProfile } from '../src/profile/index.js';
import type { CaseResult } from '../src/runner/verdict.js';

type Mode = 'gopl' | 'wording' | 'prompt' | 'nolf' | 'silent' | 'close' | 'count';

/** A gopl-en style room, or one of the ways a server differs from what the profile says. */
async function startRoom(mode: Mode): Promise<{ port: number; close(): Promise<void>; resets: () => number }> {
  const sockets = new Set<Socket>();
  let resets = 0;
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET') resets += 1;
    });
    s.on('close', () => sockets.delete(s));
    const addr = `${(s.remoteAddress ?? '').replace(/^::ffff:/, '')}:${s.remotePort}`;
    if (mode === 'close') return void s.destroy();
    if (mode === 'silent') return;
    if (mode === 'prompt') return void s.write('Enter your name: ');
    const eol = mode === 'nolf' ? '' : '\n';
    const members = [...sockets].filter((m) => m !== s && !m.destroyed);
    s.write(mode === 'count' ? `Welcome ${addr}! ${members.length + 1} online${eol}` : `You are ${addr}${eol}`);
    for (const m of members) m.write(`${addr} ${mode === 'wording' ? 'has arrived' : 'has joined us'}${eol}`);
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf = (buf + d.toString('utf8')).slice(-65536);
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        for (const m of sockets) if (!m.destroyed) m.write(`${addr}: ${line}${eol}`);
      }
    });
    s.on('end', () => s.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    resets: () => resets,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function runAgainst(mode: Mode): Promise<{ report: Report; ms: number }> {
  const room = await startRoom(mode);
  try {
    const t0 = performance.now();
    const report = await runConformance({ target: `127.0.0.1:${room.port}`, profile: 'gopl-en', quick: true, seed: 1 });
    return { report, ms: performance.now() - t0 };
  } finally {
    await room.close();
  }
}

describe('preflight: one diagnosis, in seconds', () => {
  test('other wording: the join template it nearly matched and where it differed; exit 2', async () => {
    const { report, ms } = await runAgainst('wording');
    assert.ok(ms < 5000, `took ${ms} ms`);
    assert.equal(report.cases.length, 0);
    assert.equal(report.preflight?.kind, 'profile');
    assert.match(report.preflight!.summary, /your profile says `\{addr\} has joined us` \(notices\.join\), the server sent `127\.0\.0\.1:\d+ has arrived`/);
    assert.ok(report.preflight!.details.some((d) => d.includes('differ at `joined us` / `arrived`')), report.preflight!.details.join('\n'));
    assert.equal(exitCode(report), 2);
  });

  test('a prompt without LF the profile does not describe: shown escaped; exit 2', async () => {
    const { report, ms } = await runAgainst('prompt');
    assert.ok(ms < 5000, `took ${ms} ms`);
    assert.equal(report.preflight?.kind, 'profile');
    assert.match(report.preflight!.summary, /"Enter your name: " without LF and waits: a prompt the profile does not describe/);
    assert.ok(report.preflight!.details.some((d) => /17 byte\(s\) without LF/.test(d)));
    assert.equal(exitCode(report), 2);
  });

  test('server lines without LF: one FRAME-3 fail, nothing else run; exit 1', async () => {
    const { report, ms } = await runAgainst('nolf');
    assert.ok(ms < 5000, `took ${ms} ms`);
    assert.equal(report.preflight?.kind, 'server');
    assert.deepEqual(report.cases.map((c) => [c.id, c.verdict, c.requirements.join()]), [['preflight/two-members', 'fail', 'FRAME-3']]);
    assert.equal(report.verdict, 'fail');
    assert.equal(exitCode(report), 1);
  });

  test('the wrong port: unreachable at once; exit 3', async () => {
    const room = await startRoom('gopl');
    const port = room.port;
    await room.close(); // nothing listens there now
    const t0 = performance.now();
    const report = await runConformance({ target: `127.0.0.1:${port}`, profile: 'gopl-en', quick: true });
    assert.ok(performance.now() - t0 < 5000);
    assert.equal(report.unreachable, true);
    assert.equal(exitCode(report), 3);
  });

  for (const [mode, words] of [
    ['close', /closes every connection at once without sending a byte/],
    ['silent', /accepted the connections but sent nothing in 2\.0 s/],
  ] as const) {
    test(`a server that ${mode === 'close' ? 'closes at once' : 'never speaks'}: one diagnosis; exit 3`, async () => {
      const { report, ms } = await runAgainst(mode);
      assert.ok(ms < 5000, `took ${ms} ms`);
      assert.equal(report.preflight?.kind, 'unreachable');
      assert.match(report.preflight!.summary, words);
      assert.equal(report.cases.length, 0);
      assert.equal(exitCode(report), 3);
    });
  }

  test('lines go through, but one the profile does not describe (a welcome it lacks): one diagnosis with the template to try; exit 2', async () => {
    const room = await startRoom('count');
    try {
      const gopl = await loadProfile('gopl-en');
      const { welcome: _welcome, ...notices } = gopl.notices;
      const profile = parseProfile({ ...gopl, name: 'gopl-en-no-welcome', notices }, 'gopl-en without its welcome');
      const report = await runConformance({ target: `127.0.0.1:${room.port}`, profile, quick: true, seed: 1 });
      assert.equal(report.cases.length, 0, 'no case runs');
      assert.equal(report.preflight?.kind, 'profile');
      assert.match(report.preflight!.summary, /the server sent 2 line\(s\) the profile does not describe, e\.g\. `Welcome 127\.0\.0\.1:\d+! \d+ online`/);
      assert.ok(report.preflight!.details.some((d) => d.includes('"notices": { "welcome": "Welcome {addr}! {*} online" }')), report.preflight!.details.join('\n'));
      assert.equal(exitCode(report), 2);
    } finally {
      await room.close();
    }
  });

  test('a server the profile fits: the preflight passes and the cases run', async () => {
    const room = await startRoom('gopl');
    try {
      const report = await runConformance({ target: `127.0.0.1:${room.port}`, profile: 'gopl-en', quick: true, only: ['chat/exactly-once'], seed: 1 });
      assert.equal(report.preflight, undefined);
      assert.deepEqual(report.cases.map((c) => c.verdict), ['pass']);
    } finally {
      await room.close();
    }
  });

  test('chat-conformance check: prints the diagnosis, exit codes 0 / 2', async () => {
    const capture = (): NodeJS.WritableStream & { text: string } => {
      const sink = { text: '', write(chunk: string) { sink.text += chunk; return true; } };
      return sink as unknown as NodeJS.WritableStream & { text: string };
    };
    for (const [mode, code, words] of [
      ['gopl', 0, /preflight passed/],
      ['wording', 2, /preflight failed \(the profile does not describe this server\)/],
    ] as const) {
      const room = await startRoom(mode);
      try {
        const out = capture();
        const err = capture();
        assert.equal(await checkCommand(['--target', `127.0.0.1:${room.port}`, '--profile', 'gopl-en'], out, err), code, out.text + err.text);
        assert.match(out.text, words);
      } finally {
        await room.close();
      }
    }
    const err = capture();
    assert.equal(await checkCommand([], capture(), err), 2);
    assert.match(err.text, /--target host:port is required/);
  });
});

describe('preflight parts', () => {
  test('nearestTemplate puts known values back as placeholders and finds the closest notice', async () => {
    const profile = await loadProfile('gopl-en');
    const miss = nearestTemplate('127.0.0.1:5000 has arrived', profile, { addrs: ['127.0.0.1:5000'], names: [], texts: [] });
    assert.equal(miss?.where, 'notices.join');
    assert.deepEqual(difference('{addr} has joined us', '{addr} has arrived'), ['joined us', 'arrived']);
    assert.equal(nearestTemplate('*** completely different words here ***', profile, { addrs: [], names: [], texts: [] }), undefined);
  });

  test('the breaker trips on the third case in a row with the same normalised message, not on different ones', () => {
    const fail = (id: string, message: string): CaseResult => ({
      id, title: id, requirements: ['JOIN-1'], level: 'MUST', verdict: 'fail', durationMs: 1, message,
      violations: [{ requirement: 'JOIN-1', level: 'MUST', message }],
    });
    const pass = (id: string): CaseResult => ({ id, title: id, requirements: ['JOIN-1'], level: 'MUST', verdict: 'pass', durationMs: 1 });
    assert.equal(normaliseMessage('a received no join notice for b (127.0.0.1:4001, cc12ab34b7)'), 'a received no join notice for b (ADDR, X)');
    const breaker = new SetupBreaker(3);
    assert.equal(breaker.observe(fail('x/1', 'b got nothing from 127.0.0.1:1')), undefined);
    assert.equal(breaker.observe(pass('x/2')), undefined);
    assert.equal(breaker.observe(fail('x/3', 'b got nothing from 127.0.0.1:2')), undefined);
    assert.equal(breaker.observe(fail('x/4', 'something else')), undefined);
    assert.equal(breaker.observe(fail('x/5', 'b got nothing from 127.0.0.1:3')), undefined);
    assert.equal(breaker.observe(fail('x/6', 'b got nothing from 127.0.0.1:4')), undefined);
    assert.match(breaker.observe(fail('x/7', 'b got nothing from 127.0.0.1:5')) ?? '', /^3 cases in a row \(x\/5, x\/6, x\/7\) failed the same way/);
    const down = new SetupBreaker(2);
    const targetDown: CaseResult = { ...pass('y/1'), verdict: 'error', message: 'target down (ECONNREFUSED after y/0)', notRun: 'target-down' };
    assert.equal(down.observe(targetDown), undefined);
    assert.equal(down.observe({ ...targetDown, id: 'y/2' }), undefined, 'target down is the runner\'s business, not the breaker\'s');
    // NOTICE-1 is checked after every case: the same false notice in every case is the server's bug, not a setup problem.
    const audit = new SetupBreaker(2);
    const untrue = (id: string): CaseResult => ({ ...fail(id, 'x'), violations: [{ requirement: 'NOTICE-1', level: 'MUST', message: 'a received a leave notice for a, which had not left' }] });
    assert.equal(audit.observe(untrue('z/1')), undefined);
    assert.equal(audit.observe(untrue('z/2')), undefined);
    assert.equal(audit.observe(untrue('z/3')), undefined);
  });

  test('the reachability check closes with FIN, not a reset, even after the server spoke', async () => {
    const room = await startRoom('gopl');
    try {
      for (let i = 0; i < 3; i += 1) assert.equal(await reachable({ host: '127.0.0.1', port: room.port }, 2000), undefined);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(room.resets(), 0);
    } finally {
      await room.close();
    }
  });
});
