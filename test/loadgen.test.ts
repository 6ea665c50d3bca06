import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { benchCommand } from '../src/cli/bench.js';
import { LineDecoder, encodeLine } from '../src/codec/index.js';
import {
  LatencyHistogram,
  formatPayload,
  parsePayload,
  parseTarget,
  runBench,
  type BenchOptions,
  type BenchReport,
} from '../src/loadgen/index.js';
import { compileProfile, loadProfile, parseProfile, type Dialect } from '../src/profile/index.js';
import { startServer } from '../src/reference-server/index.js';

const dialectOf = async (name: string): Promise<Dialect> => compileProfile(await loadProfile(name));

async function bench(options: Omit<BenchOptions, 'dialect'> & { profile: string | Dialect }): Promise<BenchReport> {
  const dialect = typeof options.profile === 'string' ? await dialectOf(options.profile) : options.profile;
  const outcome = await runBench({ ...options, dialect });
  assert.equal(outcome.kind, 'report', outcome.kind === 'unreachable' ? outcome.message : '');
  return (outcome as { report: BenchReport }).report;
}

/** Fails the test instead of hanging when a promise outlives its deadline. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * A tiny gopl-en room for fault injection: welcome, join notices, chat to every
 * member (to the sender too when echo), and `drop(n)` decides whether the n-th
 * chat line (1-based) is silently discarded.
 */
async function startToyRoom(opts: { drop: (n: number) => boolean; echo: boolean }): Promise<{ port: number; close(): Promise<void> }> {
  const members = new Set<net.Socket>();
  let chatLines = 0;
  const send = (to: net.Socket, text: string): void => {
    const encoded = encodeLine(text);
    if (encoded.ok) to.write(encoded.bytes);
  };
  const server = net.createServer((socket) => {
    const who = `${socket.remoteAddress}:${socket.remotePort}`;
    const decoder = new LineDecoder({ maxFrameBytes: 65536 });
    socket.on('error', () => {});
    send(socket, `You are ${who}`);
    for (const m of members) send(m, `${who} has joined us`);
    members.add(socket);
    socket.on('data', (chunk: Buffer) => {
      for (const item of decoder.push(chunk)) {
        if (item.kind !== 'frame') continue;
        chatLines += 1;
        if (opts.drop(chatLines)) continue;
        for (const m of members) if (opts.echo || m !== socket) send(m, `${who}: ${item.frame.text}`);
      }
    });
    socket.on('close', () => {
      members.delete(socket);
      for (const m of members) send(m, `${who} has left `);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const m of members) m.destroy();
        server.close(() => resolve());
      }),
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('loadgen against the reference server', () => {
  for (const profile of ['gopl-en', 'nameop', 'raw'] as const) {
    test(`${profile}: 5 clients, 2 senders x 50 lines: every delivery once, in order`, async (t) => {
      const server = await startServer({ profile, port: 0 });
      t.after(() => server.close());
      const r = await within(15_000, 'bench', bench({ host: '127.0.0.1', port: server.address.port, profile, clients: 5, senders: 2, messages: 50, timeoutMs: 10_000 }));
      assert.equal(r.clients.connected, 5);
      assert.equal(r.clients.ready, 5);
      assert.equal(r.barrier, profile === 'raw' ? 'sync line' : 'join notice');
      assert.equal(r.linesSent, 100);
      assert.equal(r.deliveries.expected, 500, 'echo: each line reaches all 5 clients');
      assert.equal(r.deliveries.received, 500);
      assert.equal(r.deliveries.lost, 0);
      assert.equal(r.deliveries.duplicated, 0);
      assert.equal(r.deliveries.outOfOrder, 0);
      assert.equal(r.deliveries.unexpected, 0);
      assert.ok(r.latencyMs && r.latencyMs.p50 <= r.latencyMs.p99 && r.latencyMs.p99 <= r.latencyMs.max);
      assert.ok(r.deliveriesPerSec > 0);
      // The server runs in this process, so the client's CPU includes the server's: a saturation note is expected here, no other.
      assert.deepEqual(r.notes.filter((n) => !n.startsWith('the load client was saturated')), []);
      assert.equal(r.notes.length > 0, r.cpu.clientSaturated);
    });
  }

  test('CLI: --json report, exit 0', async (t) => {
    const server = await startServer({ profile: 'gopl-en', port: 0 });
    t.after(() => server.close());
    let out = '';
    const code = await benchCommand(
      ['--target', `127.0.0.1:${server.address.port}`, '--profile', 'gopl-en', '--clients', '3', '--senders', '1', '--messages', '20', '--pid', String(process.pid), '--json'],
      { out: (s) => (out += s), err: (s) => assert.fail(`unexpected stderr: ${s}`) },
    );
    assert.equal(code, 0);
    const report = JSON.parse(out) as BenchReport;
    assert.equal(report.deliveries.expected, 60);
    assert.equal(report.deliveries.lost, 0);
    assert.ok(report.serverRss && 'peakRssBytes' in report.serverRss && report.serverRss.peakRssBytes > 0);
  });
});

describe('loadgen against faulty servers', () => {
  test('a server that drops every 10th line: exactly those deliveries are lost', async (t) => {
    const room = await startToyRoom({ drop: (n) => n % 10 === 0, echo: true });
    t.after(() => room.close());
    const r = await within(
      15_000,
      'bench',
      bench({ host: '127.0.0.1', port: room.port, profile: 'gopl-en', clients: 5, senders: 2, messages: 50, window: 2, ackTimeoutMs: 50, stallMs: 300, timeoutMs: 10_000 }),
    );
    assert.equal(r.linesSent, 100);
    assert.equal(r.deliveries.expected, 500);
    assert.equal(r.deliveries.lost, 50, '10 dropped lines x 5 receivers');
    assert.equal(r.deliveries.received, 450);
    assert.equal(r.deliveries.duplicated, 0);
    // With a window of 2, a dropped line holds its slot until the ack timeout,
    // except for those among a sender's last two lines.
    assert.ok(r.ackTimeouts >= 6 && r.ackTimeouts <= 10, `window slots freed by the ack timeout: ${r.ackTimeouts}`);
  });

  test('a dialect without echo: the next client acknowledges, the sender is not expected', async (t) => {
    const room = await startToyRoom({ drop: () => false, echo: false });
    t.after(() => room.close());
    const base = await loadProfile('gopl-en');
    const noEcho = compileProfile(parseProfile({ ...base, name: 'gopl-en-noecho', echo: false }));
    const r = await within(15_000, 'bench', bench({ host: '127.0.0.1', port: room.port, profile: noEcho, clients: 5, senders: 2, messages: 50, window: 4, timeoutMs: 10_000 }));
    assert.equal(r.deliveries.expected, 400, 'each line reaches the 4 other clients');
    assert.equal(r.deliveries.received, 400);
    assert.equal(r.deliveries.lost, 0);
    assert.equal(r.ackTimeouts, 0);
  });

  test('a server that accepts and never answers: a report with losses by the deadline, no hang', async (t) => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.resume(); // read and discard, never write
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    );
    const port = (server.address() as net.AddressInfo).port;
    const started = Date.now();
    const r = await within(6_000, 'bench', bench({ host: '127.0.0.1', port, profile: 'gopl-en', clients: 5, senders: 2, messages: 50, timeoutMs: 1_500 }));
    assert.ok(Date.now() - started < 4_000, `ended by its deadline (${Date.now() - started} ms)`);
    assert.equal(r.clients.connected, 5);
    assert.equal(r.clients.ready, 0);
    assert.ok(r.linesSent > 0 && r.linesSent <= 2 * 16, `senders stopped at their window (${r.linesSent} sent)`);
    assert.equal(r.deliveries.received, 0);
    assert.equal(r.deliveries.lost, r.deliveries.expected);
    assert.equal(r.deliveries.expected, r.linesSent * 5);
    assert.equal(r.latencyMs, null);
    assert.ok(r.notes.length > 0);
  });

  test('an unreachable target: outcome unreachable, CLI exit 3 with one line', async () => {
    const port = await freePort();
    const outcome = await runBench({ host: '127.0.0.1', port, dialect: await dialectOf('gopl-en'), clients: 2, senders: 1, messages: 1, timeoutMs: 5_000 });
    assert.equal(outcome.kind, 'unreachable');
    let err = '';
    const code = await benchCommand(['--target', `127.0.0.1:${port}`, '--profile', 'gopl-en', '--clients', '2', '--senders', '1', '--messages', '1'], {
      out: (s) => assert.fail(`unexpected stdout: ${s}`),
      err: (s) => (err += s),
    });
    assert.equal(code, 3);
    assert.match(err, /^bench: cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED/);
    assert.equal(err.trim().split('\n').length, 1);
  });
});

describe('bench CLI usage errors exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['missing --target', ['--profile', 'gopl-en', '--clients', '2', '--senders', '1', '--messages', '1'], /--target is required/],
    ['bad target', ['--target', 'nowhere', '--profile', 'gopl-en', '--clients', '2', '--senders', '1', '--messages', '1'], /host:port/],
    ['senders > clients', ['--target', '127.0.0.1:9', '--profile', 'gopl-en', '--clients', '2', '--senders', '3', '--messages', '1'], /senders must be/],
    ['bad clients', ['--target', '127.0.0.1:9', '--profile', 'gopl-en', '--clients', 'many', '--senders', '1', '--messages', '1'], /--clients must be/],
    ['bad rate', ['--target', '127.0.0.1:9', '--profile', 'gopl-en', '--clients', '2', '--senders', '1', '--messages', '1', '--rate', 'fast'], /--rate/],
    ['unknown profile', ['--target', '127.0.0.1:9', '--profile', 'no-such-dialect', '--clients', '2', '--senders', '1', '--messages', '1'], /profile/],
    ['unknown flag', ['--frobnicate'], /frobnicate/],
  ];
  for (const [what, argv, message] of cases) {
    test(what, async () => {
      let err = '';
      const code = await benchCommand(argv, { out: (s) => assert.fail(`unexpected stdout: ${s}`), err: (s) => (err += s) });
      assert.equal(code, 2);
      assert.match(err, message);
    });
  }
});

describe('loadgen parts', () => {
  test('payload round-trips and rejects other texts', () => {
    const p = { sender: 3, seq: 17, sentNs: 123456789012 };
    assert.deepEqual(parsePayload(formatPayload(p)), p);
    assert.deepEqual(parsePayload(formatPayload(p, 40)), p);
    for (const other of ['hello', 'lg 1 2', 'lg a 2 3', 'lg-sync abc 0', '']) assert.equal(parsePayload(other), undefined, other);
  });

  test('histogram quantiles are within 1% of the exact ones', () => {
    const h = new LatencyHistogram();
    const values = Array.from({ length: 10_000 }, (_, i) => ((i * 7919) % 10_000) / 10 + 0.05); // 0.05 .. 999.95 ms
    for (const v of values) h.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      const got = h.quantileMs(q)!;
      assert.ok(Math.abs(got - exact) <= exact * 0.01 + 0.001, `q${q}: ${got} vs ${exact}`);
    }
    assert.equal(h.maxMs, 999.95);
    assert.equal(new LatencyHistogram().quantileMs(0.5), undefined);
  });

  test('targets', () => {
    assert.deepEqual(parseTarget('127.0.0.1:8888'), { ok: true, host: '127.0.0.1', port: 8888 });
    assert.deepEqual(parseTarget('[::1]:8000'), { ok: true, host: '::1', port: 8000 });
    assert.deepEqual(parseTarget('tcp://localhost:9090'), { ok: true, host: 'localhost', port: 9090 });
    for (const bad of ['localhost', ':80', '127.0.0.1:0', '127.0.0.1:70000', '::1:80']) assert.equal(parseTarget(bad).ok, false, bad);
  });
});

describe('payload from bytes', () => {
  test('parsePayloadBytes reads what formatPayload wrote, in place, and refuses anything else', async () => {
    const { parsePayloadBytes } = await import('../src/loadgen/payload.js');
    const out = { sender: -1, seq: -1, sentNs: -1 };
    const line = Buffer.from(`xx 127.0.0.1:5: ${formatPayload({ sender: 3, seq: 41, sentNs: 123456789 }, 10)}`);
    assert.equal(parsePayloadBytes(line, 0, line.length, out), true);
    assert.deepEqual(out, { sender: 3, seq: 41, sentNs: 123456789 });
    for (const other of ['hello', 'a: lg 1 2', 'a: lg a 2 3', 'a: lg 1 2 3x', 'a: lg-sync abc 0', '', 'lg 1234567890123456 1 1']) {
      const b = Buffer.from(other);
      assert.equal(parsePayloadBytes(b, 0, b.length, out), false, other);
    }
    // Only the range given counts: a payload past `end` is not read.
    const two = Buffer.from(`a: hi\nb: ${formatPayload({ sender: 1, seq: 2, sentNs: 3 })}`);
    assert.equal(parsePayloadBytes(two, 0, 5, out), false);
  });
});
