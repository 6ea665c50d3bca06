// `chat-conformance serve`: usage errors, --log json, and a clean shutdown on
// SIGTERM/SIGINT with clients connected (exit 0 within 2 s, connections ended).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serveCommand } from '../src/cli/serve.js';
import { connectClient } from './helpers/server-client.js';

const entry = fileURLToPath(new URL('./helpers/server-serve-entry.js', import.meta.url));

function captured(stopped?: () => Promise<void>) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), ...(stopped ? { stopped } : {}) } };
}

describe('serve: usage', () => {
  for (const argv of [
    ['--port', 'abc'],
    ['--port', '70000'],
    ['--bogus'],
    ['--profile', 'no-such-profile'],
    ['--log', 'text'],
    ['--idle-timeout', '-5'],
    ['--queue-bytes', '10'],
    ['extra'],
  ]) {
    test(`${argv.join(' ')}: one line on stderr, exit 2`, async () => {
      const { out, err, io } = captured(() => Promise.reject(new Error('must not serve')));
      assert.equal(await serveCommand(argv, io), 2);
      assert.equal(out.length, 0);
      assert.equal(err.length, 1);
      assert.match(err[0]!, /^chat-conformance serve: .+\n$/);
      assert.equal(err[0]!.trimEnd().includes('\n'), false);
    });
  }

  test('--help prints the options and exits 0', async () => {
    const { out, io } = captured();
    assert.equal(await serveCommand(['--help'], io), 0);
    assert.match(out.join(''), /--queue-bytes N/);
  });

  test('a port in use: a clear line, exit 1', async (t) => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    t.after(() => blocker.close());
    const port = (blocker.address() as { port: number }).port;
    const { err, io } = captured();
    assert.equal(await serveCommand(['--port', String(port)], io), 1);
    assert.match(err.join(''), /cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
  });
});

test('serve --log json: one JSON line per connection event', async () => {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const { out, io } = captured(() => stopped);
  const serving = serveCommand(['--port', '0', '--profile', 'gopl-zh', '--log', 'json'], io);
  const deadline = Date.now() + 5000;
  while (out.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const match = /^listening on 127\.0\.0\.1:(\d+) \(profile gopl-zh\)\n$/.exec(out[0] ?? '');
  assert.ok(match, `first line: ${out[0]}`);
  const a = await connectClient(Number(match[1]));
  await a.waitForLine(`欢迎 ${a.addr}`);
  a.end();
  await a.waitForClose();
  stop();
  assert.equal(await serving, 0);
  const events = out.slice(1).map((line) => JSON.parse(line) as { event: string; reason?: string; addr?: string; time: string });
  assert.deepEqual(
    events.map((e) => e.event),
    ['connect', 'join', 'leave', 'close'],
  );
  assert.equal(events[2]!.reason, 'eof');
  assert.ok(events.every((e) => e.addr === a.addr && !Number.isNaN(Date.parse(e.time))));
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`serve: ${signal} with clients connected ends every connection and exits 0 within 2 s`, async (t) => {
    const child = spawn(process.execPath, [entry, '--port', '0', '--profile', 'gopl-en'], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => child.kill('SIGKILL'));
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 5 s; stdout: ${stdout}`)), 5000);
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        const match = /listening on 127\.0\.0\.1:(\d+) \(profile gopl-en\)\n/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
    });
    const a = await connectClient(port);
    await a.waitForLine(`You are ${a.addr}`);
    const b = await connectClient(port);
    await a.waitForLine(`${b.addr} has joined us`);
    // A client that never reads must not hold the shutdown up.
    b.socket.pause();
    b.send('last words');
    await a.waitForLine(`${b.addr}: last words`);

    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const sentAt = Date.now();
    child.kill(signal);
    const [code] = await exited;
    const took = Date.now() - sentAt;
    assert.equal(code, 0);
    assert.ok(took < 2000, `exited after ${took} ms`);
    await a.waitForClose();
    b.socket.resume();
    await b.waitForClose();
    assert.equal(stdout, `listening on 127.0.0.1:${port} (profile gopl-en)\n`, 'quiet by default');
  });
}
