// Issue 8 §1 end to end: for each profile feature real servers need (the
// dialects in fixtures/dialects/), the
// reference server speaks it (served on 127.0.0.1:0) and a full quick run of
// the kit against it has no fail and no error (waits x3: timing is not what
// these runs are about, and CI machines are loaded); a kit whose profile describes
// another prompt fails clearly; server lines ending in CR LF and a prompt
// left without LF are read as the lines they are.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { basename, join } from 'node:path';
import { packagePath } from '../src/paths.js';
import { runConformance, startServer } from '../src/index.js';
import { compileProfile, parseProfile, type Profile, type ProfileInput } from '../src/profile/index.js';
import { TestClient, type Recorder, type TranscriptEntry } from '../src/runner/client.js';
import { now, Signal } from '../src/runner/clock.js';

// The dialects are fixtures (fixtures/dialects/*.json, each saying what it exercises), shared with npm run mutate.
const dialectsDir = packagePath('fixtures/dialects');
const features: Record<string, ProfileInput> = Object.fromEntries(
  readdirSync(dialectsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [basename(f, '.json'), JSON.parse(readFileSync(join(dialectsDir, f), 'utf8')) as ProfileInput]),
);

test('every dialect fixture is there', () => {
  assert.deepEqual(Object.keys(features), ['assigned-selfjoin', 'guest-nick', 'login-no-selfjoin', 'nameop-deadlines', 'nick-on-connect', 'prompt-crlf']);
});

describe('the kit against the reference server speaking each new feature', () => {
  for (const [name, input] of Object.entries(features)) {
    test(`${name}: a quick run has no fail and no error`, { timeout: 120_000 }, async () => {
      const profile = parseProfile(input, `${name} (test)`);
      const server = await startServer({ profile, port: 0, host: '127.0.0.1' });
      try {
        const report = await runConformance({ target: { host: '127.0.0.1', port: server.address.port }, profile, quick: true, seed: 8, timeoutMultiplier: 3 });
        const bad = report.cases.filter((c) => c.verdict === 'fail' || c.verdict === 'error' || c.verdict === 'inconclusive');
        const clip = (s: string): string => (s.length > 400 ? `${s.slice(0, 400)}…` : s);
        assert.deepEqual(bad.map((c) => clip(`${c.id}: ${c.verdict}: ${c.message ?? ''} ${JSON.stringify(c.violations ?? [])}`)), []);
        assert.ok(report.summary.pass >= 15, `${name}: only ${report.summary.pass} cases passed`);
      } finally {
        await server.close();
      }
    });
  }
});

test('a kit whose profile describes another prompt is stopped by the preflight, and each join fails JOIN-4 without it', { timeout: 60_000 }, async () => {
  const served = parseProfile(features['prompt-crlf']!);
  const server = await startServer({ profile: served, port: 0, host: '127.0.0.1' });
  try {
    const wrong = parseProfile({ ...features['prompt-crlf']!, notices: { ...features['prompt-crlf']!.notices, prompt: 'Name? ' } });
    const target = { host: '127.0.0.1', port: server.address.port };
    const stopped = await runConformance({ target, profile: wrong, quick: true, seed: 8 });
    assert.equal(stopped.preflight?.kind, 'profile');
    assert.match(stopped.preflight?.summary ?? '', /Enter your name: .*Name\? /);

    const report = await runConformance({ target, profile: wrong, quick: true, seed: 8, only: ['join/*', 'chat/*'], preflight: false });
    const failed = report.cases.filter((c) => c.verdict === 'fail');
    assert.ok(failed.length > 0, 'the run fails');
    // (The dead-room probe after the case cannot join either and may add its own finding: JOIN-4 is the case's.)
    const v = failed[0]!.violations?.find((x) => x.requirement === 'JOIN-4');
    assert.ok(v, JSON.stringify(failed[0]!.violations));
    assert.match(v?.message ?? '', /was not asked for its name/);
    assert.equal(v?.expected, '"Name? "');
    assert.match(v?.actual ?? '', /17 byte\(s\) without LF: "Enter your name: "/, 'the actual shows what the server left waiting');
  } finally {
    await server.close();
  }
});

describe('server lines as the kit reads them', () => {
  class Log implements Recorder {
    readonly epoch = now();
    readonly signal = new Signal();
    readonly entries: TranscriptEntry[] = [];
    record(entry: TranscriptEntry): void {
      if (this.entries.length < 1000) this.entries.push(entry);
    }
  }

  /** A one-shot server: writes `greeting`, then `reply` after the client's first line. */
  async function withServer(greeting: string, reply: string, body: (port: number) => Promise<void>): Promise<void> {
    const sockets = new Set<Socket>();
    const server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.write(greeting);
      s.once('data', () => s.write(reply));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await body((server.address() as { port: number }).port);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  const profile: Profile = parseProfile({
    name: 'crlf',
    framing: 'line',
    defaultPort: 7005,
    identity: 'name',
    joinOn: 'prompt',
    echo: true,
    selfJoin: false,
    banner: ['Server v2'],
    notices: { prompt: "What's your name?", welcome: 'Hi {name}', chat: '{name}: {text}' },
    commands: { say: '{text}' },
  });
  const dialect = compileProfile(profile);

  test('one CR before LF is stripped: CR LF lines match their templates, and the CR is noted', async () => {
    await withServer("Server v2\r\nWhat's your name?\r\n", 'Hi bob\r\nbob: a\rb\r\n', async (port) => {
      const log = new Log();
      const c = await TestClient.connect('c', { host: '127.0.0.1', port }, dialect, log, { timeoutMs: 2000 });
      try {
        assert.ok(await log.signal.waitUntil(() => c.received.length >= 2, 2000));
        await c.sendLine('bob');
        assert.ok(await log.signal.waitUntil(() => c.received.length >= 4, 2000));
        assert.deepEqual(
          c.received.map((r) => [r.line, r.event?.type, r.note, r.cr]),
          [
            ['Server v2', undefined, 'banner', true],
            ["What's your name?", 'prompt', undefined, true],
            ['Hi bob', 'welcome', undefined, true],
            ['bob: a\rb', 'chat', undefined, true],
          ],
        );
        assert.equal(c.received.filter((r) => TestClient.unrecognised(r)).length, 0);
      } finally {
        c.destroy();
      }
    });
  });

  test('a prompt left without LF is taken whole, so the next line is not glued to it', async () => {
    await withServer("What's your name?", 'Hi bob\n', async (port) => {
      const log = new Log();
      const c = await TestClient.connect('c', { host: '127.0.0.1', port }, dialect, log, { timeoutMs: 2000 });
      try {
        assert.ok(await log.signal.waitUntil(() => c.events.some((e) => e.type === 'prompt'), 2000), 'the partial prompt is recognised');
        await c.sendLine('bob');
        assert.ok(await log.signal.waitUntil(() => c.received.length >= 2, 2000));
        assert.deepEqual(
          c.received.map((r) => [r.line, r.event?.type, r.note]),
          [
            ["What's your name?", 'prompt', 'partial-prompt'],
            ['Hi bob', 'welcome', undefined],
          ],
        );
      } finally {
        c.destroy();
      }
    });
  });
});

test('a name set right after connect, renames announced to the room: cmd/rename judges only what follows its own rename', { timeout: 60_000 }, async () => {
  // Each member's naming rename is announced too; a and b already hold those lines when the case renames a.
  const profile = parseProfile({
    ...features['nick-on-connect']!,
    name: 'nick-on-connect-room',
    renameAudience: 'room',
    patterns: { name: '[a-z0-9.:]{1,16}' },
    notices: { ...features['nick-on-connect']!.notices, renamed: '{oldName} is now known as {name}' },
  });
  const server = await startServer({ profile, port: 0, host: '127.0.0.1' });
  try {
    const report = await runConformance({ target: { host: '127.0.0.1', port: server.address.port }, profile, quick: true, seed: 8, timeoutMultiplier: 3, only: ['cmd/rename'] });
    assert.deepEqual(
      report.cases.map((c) => `${c.id}: ${c.verdict} ${c.message ?? ''}`.trim()),
      ['cmd/rename: pass'],
    );
  } finally {
    await server.close();
  }
});
