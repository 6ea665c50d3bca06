// chat-conformance probe against the correct servers of the wild corpus: the
// draft finds the same membership, join, chat, welcome and leave templates as
// the hand-written profile beside each server, and the features that make
// each server what it is (assigned names, prompt, banner, CR LF, login, lists),
// and no longer a maximum line than the server takes when the line is split;
// then a quick run with the draft has no fail and no error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { wildServers, wildProfile } from './wild/corpus.js';
import { probeServer } from '../src/probe/index.js';
import { parseTarget, runConformance } from '../src/runner/run.js';
import { assignedNames, namePatternFor, namingTemplate, oneWordApart, recurringNoise, templateOf, varyingTemplate } from '../src/probe/index.js';
import { loadProfile, parseProfile } from '../src/profile/index.js';

const SAME = ['welcome', 'join', 'leave', 'chat', 'prompt', 'renamed', 'whoEntry', 'whoHeader', 'userList', 'private'] as const;
const SETTINGS = ['identity', 'joinOn', 'echo', 'selfJoin', 'renameAudience', 'clientLineEnding', 'banner'] as const;

describe('probe drafts what the hand-written profiles say', { concurrency: 2 }, () => {
  for (const server of wildServers.filter((s) => s.kind === 'correct')) {
    test(server.name, { timeout: 180_000 }, async (t) => {
      const missing = await server.unavailable?.();
      if (missing) return t.skip(missing);
      const hand = JSON.parse(readFileSync(wildProfile(server.profile), 'utf8')) as Record<string, unknown> & { notices: Record<string, string> };
      const running = await server.start();
      try {
        const t0 = performance.now();
        const result = await probeServer({ target: parseTarget(running.url) });
        assert.ok(performance.now() - t0 < 30_000, 'the probe stays under 30 s');
        assert.equal(result.problem, undefined);
        const draft = result.profile as Record<string, unknown> & { notices: Record<string, string> };
        for (const key of SAME) {
          const want = hand.notices[key];
          if (want === undefined) continue;
          // A greeting that names no one reads the same for every client: seen from outside it is a banner line.
          if (key === 'welcome' && !want.includes('{') && draft.notices.welcome === undefined) {
            assert.ok((draft.banner as string[] | undefined)?.includes(want), `the fixed welcome ${JSON.stringify(want)} is drafted as a banner line`);
            continue;
          }
          assert.equal(draft.notices[key], want, `notices.${key}\n${result.sure.join('\n')}`);
        }
        // Never longer than the server reliably takes: a line past its bound split by the kernel gets the sender dropped.
        assert.ok((draft.maxLineBytes as number) <= ((hand.maxLineBytes as number | undefined) ?? 65536), `maxLineBytes ${String(draft.maxLineBytes)} > ${String(hand.maxLineBytes)}`);
        // Then a run with the draft, the path a new user takes: no fail, no error (quick, one seed, the
        // latency-bound case left out as in test/wild.test.ts; npm run probe:wild runs it all, 5 seeds).
        const report = await runConformance({ target: parseTarget(running.url), profile: parseProfile(draft, 'draft'), quick: true, seed: 1, runDeadlineMs: 120_000, skip: ['isolation/slow-reader'] });
        const bad = report.cases.filter((c) => (c.verdict === 'fail' && !c.counterexample?.flaky) || c.verdict === 'error');
        assert.equal(report.preflight?.summary, undefined, 'the draft passes its preflight');
        assert.deepEqual(bad.map((c) => `${c.id}: ${c.verdict} ${c.message ?? ''}`.slice(0, 400)), [], `${server.name} with its draft`);
        assert.ok(report.summary.pass > 0);
        for (const key of SETTINGS) if (hand[key] !== undefined) assert.deepEqual(draft[key], hand[key], key);
      } finally {
        await running.close();
      }
    });
  }
});

describe('probe inference', () => {
  test('templateOf puts values back as placeholders, stamps as {*}, braces doubled', () => {
    assert.equal(templateOf('[12:00:01] <guest1> hi {x}', { name: 'guest1', text: 'hi {x}' }), '[{*}] <{name}> {text}');
    assert.equal(templateOf('127.0.0.1:5000 has joined', { addr: '127.0.0.1:5000' }), '{addr} has joined');
    assert.equal(templateOf('a {b}', {}), 'a {{b}}');
    assert.equal(templateOf('nothing here', { text: 'zzz' }, ['text']), undefined);
  });
  test('recurringNoise: lines no template reads, again and again at several clients, become patterns; a line one client got, or an error reply, does not', async () => {
    const profile = await loadProfile('gopl-en');
    const a = { lines: ['You are 127.0.0.1:1', 'PING :1733000000001', '127.0.0.1:2 has joined us', 'PING :1733000002001', 'NOTE 421 x', 'NOTE 421 x', 'ERR 421 unknown command', 'ERR 421 unknown command'] };
    const b = { lines: ['You are 127.0.0.1:2', 'PING :1733000001002', '127.0.0.1:1: hi', 'PING :1733000003002', 'ERR 421 unknown', 'ERR 421 unknown command', 'ERR 421 unknown command'] };
    assert.deepEqual(recurringNoise(profile, [a, b]), ['PING :[0-9]+']);
    assert.deepEqual(recurringNoise(profile, [a]), []);
  });
  test('varyingTemplate: a greeting line that changes per connection becomes {*} where it differs and for its digits; too little shared gives none', () => {
    assert.equal(varyingTemplate('*** MOTD you are visitor #17', '*** MOTD you are visitor #18'), '*** MOTD you are visitor #{*}');
    assert.equal(varyingTemplate('Quote: Keep it simple {ok}', 'Quote: Go is fun'), 'Quote: {*}');
    assert.equal(varyingTemplate('3 users online, up 2m13s', '4 users online, up 2m14s'), '{*} users online, up {*}m{*}s');
    assert.equal(varyingTemplate('hi 1', 'yo 2'), undefined);
  });
  test('namingTemplate: a welcome that names each client and tells a count becomes {name} and {*}; a line that does not name the client gives none', () => {
    assert.equal(namingTemplate('Welcome, bob7! 1 user(s) online.', 'Welcome, amy8! 2 user(s) online.', { name: 'bob7' }, { name: 'amy8' }), 'Welcome, {name}! {*} user(s) online.');
    assert.equal(namingTemplate('hello 127.0.0.1:4000 (bob), 3 here', 'hello 127.0.0.1:4001 (amy), 4 here', { name: 'bob', addr: '127.0.0.1:4000' }, { name: 'amy', addr: '127.0.0.1:4001' }), 'hello {addr} ({name}), {*} here');
    assert.equal(namingTemplate('1 user(s) online.', '2 user(s) online.', { name: 'bob' }, { name: 'amy' }), undefined);
  });
  test('assignedNames: the answer to a prompt extended by the server (bob#4821), or replaced by a word of its own (guest7)', () => {
    assert.deepEqual(assignedNames('Welcome, bob#4821! Type /who', 'Welcome, amy#0032! Type /who', 'bob', 'amy'), ['bob#4821', 'amy#0032']);
    assert.deepEqual(assignedNames('Hello bob_2.', 'Hello amy_7.', 'bob', 'amy'), ['bob_2', 'amy_7']);
    assert.deepEqual(assignedNames('You are guest7', 'You are guest8', 'bob', 'amy'), ['guest7', 'guest8']);
    assert.deepEqual(assignedNames('Hello bob, welcome', 'Hello amy, welcome', 'bob', 'amy'), ['bob', 'amy']);
    assert.equal(assignedNames('Hello bob#1, welcome', 'Bye amy#2', 'bob', 'amy'), undefined);
    assert.equal(namePatternFor(['bob#4821', 'amy#0032']), '[A-Za-z0-9_#]{1,24}');
    assert.equal(namePatternFor(['guest7']), '[A-Za-z0-9_]{1,24}');
  });
  test('oneWordApart finds the names a server assigned', () => {
    assert.deepEqual(oneWordApart('Welcome, guest1!', 'Welcome, guest2!'), ['guest1', 'guest2']);
    assert.equal(oneWordApart('Welcome, guest1!', 'Bye, guest2!'), undefined);
  });
});

describe('probe: the sender\'s own line in another form', () => {
  test('"You: hello" back to the sender is no echo and no command reply: echo false, ignored as "You: {*}", no rename invented', { timeout: 60_000 }, async () => {
    const members = new Map<Socket, string>();
    const server = createServer((s) => {
      s.on('error', () => undefined);
      s.write('Nick: ');
      let name: string | undefined;
      let buf = '';
      const all = (line: string, except?: Socket): void => {
        for (const m of members.keys()) if (m !== except && !m.destroyed) m.write(`${line}\n`);
      };
      s.on('data', (d: Buffer) => {
        buf = (buf + d.toString('utf8')).slice(-65536);
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i).replace(/\r$/, '');
          buf = buf.slice(i + 1);
          if (name === undefined) {
            name = line.trim();
            s.write(`Welcome ${name}!\n`);
            all(`* ${name} joined`);
            members.set(s, name);
          } else {
            all(`[${name}] ${line}`, s);
            s.write(`You: ${line}\n`);
          }
        }
      });
      s.on('close', () => {
        if (members.delete(s) && name !== undefined) all(`* ${name} left`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const result = await probeServer({ target: parseTarget(`127.0.0.1:${(server.address() as AddressInfo).port}`) });
      assert.equal(result.problem, undefined);
      const draft = result.profile as Record<string, unknown> & { notices: Record<string, string>; commands: Record<string, string> };
      assert.equal(draft.notices.chat, '[{name}] {text}');
      assert.equal(draft.echo, false);
      assert.deepEqual(draft.ignore, ['You: {*}']);
      assert.equal(draft.notices.leave, '* {name} left');
      assert.equal(draft.commands.rename, undefined, result.sure.join('\n'));
    } finally {
      for (const m of members.keys()) m.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
