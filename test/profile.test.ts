// Dialect profiles: the built-ins load and match the decided design, the
// published JSON Schema is what zod generates, render/match and
// renderCommand/parseCommand round-trip (fast-check), ambiguity appears only
// where the dialect itself is ambiguous, and bad profiles get a ProfileError
// that names the problem.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { packagePath } from '../src/paths.js';
import {
  builtinProfileNames,
  commandPriority,
  compileProfile,
  defaultPatterns,
  loadProfile,
  noticePriority,
  parseProfile,
  parseTemplate,
  ProfileError,
  ProfileSchema,
  type ClientCommand,
  type ClientCommandType,
  type Dialect,
  type Placeholder,
  type ServerEvent,
  type ServerEventType,
  type TemplatePart,
} from '../src/profile/index.js';
import { renderSchema, schemaFiles } from '../scripts/gen-schemas.js';

const RUNS = 1000;
const dialects = new Map<string, Dialect>();
for (const name of builtinProfileNames) dialects.set(name, compileProfile(await loadProfile(name)));
const dialect = (name: string): Dialect => dialects.get(name)!;
const rawProfile = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(packagePath('profiles', `${name}.json`), 'utf8')) as Record<string, unknown>;

// ---------------------------------------------------------------- generators

const port = fc.integer({ min: 0, max: 65535 });
const anyAddr = fc.oneof(
  fc.tuple(fc.ipV4(), port).map(([h, p]) => `${h}:${p}`),
  fc.tuple(fc.ipV6(), port).map(([h, p]) => `[${h}]:${p}`),
);
const unicodeText = fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replace(/\n/g, ''));
const nameCandidates = fc.oneof(
  anyAddr,
  fc.ipV4(), // who-rename: a bare IPv4 name is half an address
  fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }),
  fc.constantFrom('alice', 'bob', '*', '艾丽丝', '10.0.0.1', 'a b', 'x:y', 'rename ok'),
);
/** Values valid for the profile's own pattern of that placeholder. */
const valid = (d: Dialect, field: Placeholder, arb: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  arb.filter((v) => d.patterns[field].test(v));

const fieldsOf = (template: string): Set<Placeholder> =>
  new Set(parseTemplate(template).flatMap((p) => (p.kind === 'field' ? [p.field] : [])));

const sameParts = (a: TemplatePart, b: TemplatePart): boolean => isDeepStrictEqual(a, b);

/**
 * Chat texts that make a chat line equal to another notice: the literal rest
 * of every notice that starts like the chat template does before {text}.
 */
function collidingSuffixes(d: Dialect): Map<string, ServerEventType[]> {
  const out = new Map<string, ServerEventType[]>();
  const chat = parseTemplate(d.profile.notices.chat);
  const at = chat.findIndex((p) => p.kind === 'field' && p.field === 'text');
  const last = chat[at - 1];
  if (at !== chat.length - 1 || last?.kind !== 'literal') return out;
  for (const type of noticePriority) {
    const t = d.profile.notices[type];
    if (type === 'chat' || t === undefined) continue;
    const parts = parseTemplate(t);
    const pivot = parts[at - 1];
    if (!chat.slice(0, at - 1).every((p, i) => parts[i] && sameParts(p, parts[i]!))) continue;
    if (pivot?.kind !== 'literal' || !pivot.text.startsWith(last.text)) continue;
    const rest = parts.slice(at);
    if (!rest.every((p) => p.kind === 'literal')) continue;
    const suffix = pivot.text.slice(last.text.length) + rest.map((p) => (p.kind === 'literal' ? p.text : '')).join('');
    out.set(suffix, [...(out.get(suffix) ?? []), type]);
  }
  return out;
}

/** Literal pieces of every template of the profile: the raw material of lookalike texts. */
function literalPieces(d: Dialect): string[] {
  const templates = [...Object.values(d.profile.notices), ...Object.values(d.profile.commands)] as string[];
  const pieces = templates.flatMap((t) => parseTemplate(t).flatMap((p) => (p.kind === 'literal' ? [p.text] : [])));
  return [...new Set([...pieces, ...collidingSuffixes(d).keys(), 'who', 'rename|'])];
}

interface Values {
  addr: string;
  name: string;
  text: string;
  target: string;
  group: string;
  code: number;
  items: string[];
}

function valuesArb(d: Dialect, texts: fc.Arbitrary<string>): fc.Arbitrary<Values> {
  const sep = d.profile.listSeparator;
  return fc.record({
    addr: valid(d, 'addr', anyAddr),
    name: valid(d, 'name', nameCandidates),
    text: valid(d, 'text', texts),
    target: valid(d, 'target', nameCandidates),
    group: valid(d, 'group', nameCandidates),
    code: fc.integer({ min: 0, max: 999_999_999 }),
    items: fc.array(valid(d, 'name', nameCandidates).filter((s) => s !== '' && !s.includes(sep)), { maxLength: 5 }),
  });
}

/** The event a notice template carries: `who` holds exactly the fields the template names. */
function eventOf(type: ServerEventType, fields: Set<Placeholder>, v: Values): ServerEvent {
  const who = { ...(fields.has('addr') ? { addr: v.addr } : {}), ...(fields.has('name') ? { name: v.name } : {}) };
  switch (type) {
    case 'welcome':
    case 'join':
    case 'leave':
    case 'idleLeave':
    case 'renamed':
    case 'whoEntry':
      return { type, who };
    case 'whoHeader':
    case 'prompt':
      return { type };
    case 'chat':
    case 'profileUpdated':
      return { type, who, text: v.text };
    case 'private':
      return { type, who, target: v.target, text: v.text };
    case 'group':
      return { type, who, group: v.group, text: v.text };
    case 'groupJoin':
      return { type, who, group: v.group };
    case 'groupList':
    case 'userList':
      return { type, items: v.items };
    case 'error':
      return { type, code: v.code, text: v.text };
  }
}

function commandOf(type: ClientCommandType, fields: Set<Placeholder>, v: Values): ClientCommand {
  const sender = fields.has('name') ? { name: v.name } : {};
  switch (type) {
    case 'say':
      return { type, text: v.text, ...sender, ...(fields.has('addr') ? { addr: v.addr } : {}) };
    case 'quit':
    case 'who':
    case 'groupList':
      return { type, ...sender };
    case 'login':
      return { type, name: v.name };
    case 'rename':
      return { type, newName: v.name };
    case 'private':
      return { type, target: v.target, text: v.text, ...sender };
    case 'group':
      return { type, group: v.group, text: v.text, ...sender };
    case 'groupJoin':
      return { type, group: v.group, ...sender };
    case 'profile':
      return { type, text: v.text, ...sender };
  }
}

const noticeTypes = (d: Dialect): ServerEventType[] => noticePriority.filter((t) => d.hasNotice(t));
const commandTypes = (d: Dialect): ClientCommandType[] => commandPriority.filter((t) => d.hasCommand(t));

function eventArb(d: Dialect, type: ServerEventType, texts: fc.Arbitrary<string>): fc.Arbitrary<ServerEvent> {
  const fields = fieldsOf(d.profile.notices[type]!);
  return valuesArb(d, texts).map((v) => eventOf(type, fields, v));
}

/** Arbitrary unicode, notice literals, whole lines of other notices, and mixes of them. */
function textArb(d: Dialect): fc.Arbitrary<string> {
  const pieces = fc.constantFrom(...literalPieces(d));
  const otherLines = fc
    .constantFrom(...noticeTypes(d))
    .chain((t) => eventArb(d, t, unicodeText))
    .map((e) => d.render(e));
  return fc.oneof(
    { weight: 3, arbitrary: unicodeText },
    { weight: 2, arbitrary: pieces },
    { weight: 2, arbitrary: otherLines },
    { weight: 1, arbitrary: fc.tuple(pieces, unicodeText, pieces).map((p) => p.join('')) },
    { weight: 1, arbitrary: fc.tuple(port, unicodeText).map(([p, t]) => `${p}:${t}`) },
  );
}

/**
 * who-rename's own ambiguity beyond the notice suffixes: a member renamed to a
 * bare IPv4 literal saying "PORT:..." writes the same line as a member whose
 * name is that address; the address reading wins.
 */
function addrNameAmbiguity(d: Dialect, e: ServerEvent): { addr: string | undefined; name: string; text: string } | undefined {
  if (d.profile.name !== 'who-rename' || e.type !== 'chat' || e.who.name === undefined) return undefined;
  const m = /^(\d+):/.exec(e.text);
  if (!m || !d.patterns.addr.test(`${e.who.name}:${m[1]}`)) return undefined;
  return { addr: e.who.addr, name: `${e.who.name}:${m[1]}`, text: e.text.slice(m[0].length) };
}

const whoFor = (d: Dialect): { addr?: string; name?: string } => {
  const fields = fieldsOf(d.profile.notices.chat);
  return { ...(fields.has('addr') ? { addr: '127.0.0.1:1' } : {}), ...(fields.has('name') ? { name: 'alice' } : {}) };
};

// ------------------------------------------------------------------- tests

describe('built-in profiles', () => {
  test('builtinProfileNames is the profiles/ directory', () => {
    const files = readdirSync(packagePath('profiles')).filter((f) => f.endsWith('.json'));
    assert.deepEqual([...builtinProfileNames].sort(), files.map((f) => f.replace(/\.json$/, '')).sort());
  });

  test('each is named after its file and has the decided settings', () => {
    const decided: Record<string, [string, number, string, string, boolean, boolean, number | null]> = {
      // framing, port, identity, joinOn, echo, selfJoin, idleTimeoutMs (profiles.md)
      'gopl-en': ['line', 8888, 'addr', 'connect', true, false, null],
      'gopl-zh': ['line', 8000, 'addr', 'connect', true, false, null],
      'who-rename': ['line', 8000, 'addr', 'connect', true, true, 60000],
      nameop: ['nameop', 8000, 'name', 'login', true, true, null],
      raw: ['raw', 9090, 'addr', 'connect', true, false, null],
    };
    for (const [name, d] of dialects) {
      const p = d.profile;
      assert.equal(p.name, name);
      assert.deepEqual([p.framing, p.defaultPort, p.identity, p.joinOn, p.echo, p.selfJoin, p.idleTimeoutMs], decided[name], name);
      assert.equal(p.maxLineBytes, 65536);
    }
    assert.equal(dialect('gopl-en').profile.notices.leave, '{addr} has left ', 'the gopl-en leave line ends with a space');
    assert.equal(dialect('who-rename').hasCommand('quit'), false);
    assert.equal(dialect('raw').hasCommand('quit'), false);
  });

  test('the default {addr} accepts every IPv4:port and [IPv6]:port', () => {
    const addr = dialect('gopl-en').patterns.addr;
    fc.assert(
      fc.property(anyAddr, (a) => addr.test(a)),
      { numRuns: RUNS },
    );
    for (const bad of ['127.0.0.1:5:', '127.0.0.1:65536', '127.0.0.1', 'localhost:80', '[1.2.3.4:5]:80', '256.0.0.1:1', '127.0.0.1:05']) {
      assert.equal(addr.test(bad), false, bad);
    }
  });

  test('the who-rename {name} is any address or a run without ":", "[", "]", "|", CR, LF', () => {
    const name = dialect('who-rename').patterns.name;
    fc.assert(
      fc.property(anyAddr, (a) => name.test(a)),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (s) => {
        if (!/[:[\]|\r\n]/.test(s)) assert.ok(name.test(s), JSON.stringify(s));
      }),
      { numRuns: RUNS },
    );
    for (const bad of ['a:b', 'a[b', 'a]b', 'a|b', 'a\rb', '']) assert.equal(name.test(bad), false, JSON.stringify(bad));
  });
});

describe('published JSON Schema', () => {
  test('each committed schema file is exactly what gen-schemas writes', () => {
    for (const file of schemaFiles) {
      const committed = readFileSync(packagePath(file.path), 'utf8');
      assert.equal(committed, renderSchema(file), `${file.path} is stale: run npm run gen:schemas`);
    }
  });

  const published = JSON.parse(readFileSync(packagePath('spec/schema/profile.schema.json'), 'utf8')) as JsonSchema;

  test('requires exactly the keys the zod schema requires', () => {
    const zodRequired = Object.entries(ProfileSchema.shape)
      .filter(([, s]) => !s.safeParse(undefined).success)
      .map(([k]) => k);
    assert.deepEqual([...(published.required as string[])].sort(), zodRequired.sort());
    assert.deepEqual(Object.keys(published.properties as object).sort(), Object.keys(ProfileSchema.shape).sort());
  });

  test('every built-in profile file validates against it', () => {
    for (const name of builtinProfileNames) assert.deepEqual(validateJson(published, rawProfile(name)), [], name);
  });

  test('it rejects what the zod schema rejects', () => {
    const base = rawProfile('gopl-en');
    const bad: Record<string, Record<string, unknown>> = {
      'bad framing': { ...base, framing: 'lines' },
      'missing chat': { ...base, notices: { welcome: 'You are {addr}' } },
      'missing say': { ...base, commands: {} },
      'unknown key': { ...base, notice: {} },
      'port as string': { ...base, defaultPort: '8888' },
      'port 0': { ...base, defaultPort: 0 },
      'empty pattern': { ...base, patterns: { name: '' } },
      'unknown pattern key': { ...base, patterns: { nick: 'x' } },
      'upper-case name': { ...base, name: 'Gopl' },
      'line limit under 256 B': { ...base, maxLineBytes: 100 },
      'idle timeout 0': { ...base, idleTimeoutMs: 0 },
    };
    for (const [why, json] of Object.entries(bad)) {
      assert.notDeepEqual(validateJson(published, json), [], `JSON Schema accepts ${why}`);
      assert.throws(() => parseProfile(json), ProfileError, `zod accepts ${why}`);
    }
  });
});

describe('render and match (fast-check)', () => {
  test('notice literal suffixes are the only chat texts that read two ways', () => {
    for (const name of ['gopl-en', 'gopl-zh', 'nameop', 'raw']) assert.deepEqual([...collidingSuffixes(dialect(name)).keys()], [], name);
    assert.deepEqual([...collidingSuffixes(dialect('who-rename')).keys()].sort(), ['I am here', 'login', 'login out', 'time out leave out']);
  });

  for (const [name, d] of dialects) {
    const suffixes = collidingSuffixes(d);
    for (const type of noticeTypes(d)) {
      test(`${name} ${type}: matchAll(render(e)) holds e; match gives e when it is the only reading`, () => {
        const seen = { lookalike: 0, twoReadings: 0, addrName: 0 };
        fc.assert(
          fc.property(eventArb(d, type, textArb(d)), (e) => {
            const line = d.render(e);
            if ('text' in e && d.matchAll(e.text).some((r) => r.type !== 'chat')) seen.lookalike += 1;
            const all = d.matchAll(line);
            // Every reading is a way to write this very line.
            for (const r of all) assert.equal(d.render(r), line);
            // A line reads two ways exactly when it is a chat line whose text is a notice's suffix, or that notice.
            const owners = e.type === 'chat' ? (suffixes.get(e.text) ?? []) : [...suffixes.values()].find((ts) => ts.includes(e.type));
            assert.equal(all.length, 1 + (owners?.length ?? 0), `readings of ${JSON.stringify(line)}: ${JSON.stringify(all)}`);
            assert.deepEqual(d.match(line), all[0]);
            const other = addrNameAmbiguity(d, e);
            if (all.length > 1) seen.twoReadings += 1;
            if (other) {
              seen.addrName += 1;
              assert.deepEqual(all[0], { type: 'chat', who: { addr: other.addr, name: other.name }, text: other.text });
              return;
            }
            assert.ok(all.some((r) => isDeepStrictEqual(r, e)), `${JSON.stringify(e)} not among ${JSON.stringify(all)}`);
            if (all.length === 1) assert.deepEqual(d.match(line), e);
          }),
          { numRuns: RUNS },
        );
        // The generators must reach the tricky cases, or the property shows little.
        if (type === 'chat' && noticeTypes(d).length > 1) assert.ok(seen.lookalike > 0, 'no chat text looked like a notice');
        if (type === 'chat' && suffixes.size > 0) assert.ok(seen.twoReadings > 0 && seen.addrName > 0, JSON.stringify(seen));
      });
    }
  }

  test('who-rename: a bare IPv4 name saying "PORT:..." reads as the address name', () => {
    const d = dialect('who-rename');
    const line = d.render({ type: 'chat', who: { addr: '127.0.0.1:1', name: '10.0.0.1' }, text: '80:hi' });
    assert.equal(line, '[127.0.0.1:1]10.0.0.1:80:hi');
    assert.deepEqual(d.matchAll(line), [{ type: 'chat', who: { addr: '127.0.0.1:1', name: '10.0.0.1:80' }, text: 'hi' }]);
  });

  test('who-rename: chat text "login" reads as a join first, chat second', () => {
    const d = dialect('who-rename');
    const line = '[127.0.0.1:1]bob:login';
    assert.deepEqual(d.matchAll(line), [
      { type: 'join', who: { addr: '127.0.0.1:1', name: 'bob' } },
      { type: 'chat', who: { addr: '127.0.0.1:1', name: 'bob' }, text: 'login' },
    ]);
    assert.equal(d.match(line)?.type, 'join');
  });

  test('1 MiB hostile lines are read in linear time (no catastrophic backtracking)', () => {
    const n = 1 << 20;
    const lines = ['a', ':', '1', '|', '[', '1.1.1.1:', '[127.0.0.1:5]a'].map((unit) => unit.repeat(Math.ceil(n / unit.length)));
    lines.push(`[127.0.0.1:5]${'1.1.1.1:'.repeat(n / 8)}`, `alice|1|${'|'.repeat(n)}`, `[${'1:'.repeat(n / 2)}`);
    for (const [name, d] of dialects) {
      for (const line of lines) {
        const started = performance.now();
        d.matchAll(line);
        d.parseCommand(line);
        const ms = performance.now() - started;
        assert.ok(ms < 2000, `${name}: ${ms.toFixed(0)} ms on ${JSON.stringify(line.slice(0, 20))}...`);
      }
    }
  });

  test('render refuses what could not be read back', () => {
    const en = dialect('gopl-en');
    const nameop = dialect('nameop');
    const refuses = (f: () => unknown, fragment: RegExp): void => {
      assert.throws(f, (err: unknown) => err instanceof ProfileError && fragment.test(err.message));
    };
    refuses(() => en.render({ type: 'idleLeave', who: { addr: '127.0.0.1:1' } }), /has no idleLeave notice/);
    refuses(() => en.render({ type: 'chat', who: { addr: '127.0.0.1:1' }, text: 'a\nb' }), /text "a\\nb" does not match/);
    refuses(() => en.render({ type: 'chat', who: { addr: 'localhost:1' }, text: 'x' }), /addr "localhost:1"/);
    refuses(() => en.render({ type: 'chat', who: {}, text: 'x' }), /has no addr/);
    refuses(() => nameop.render({ type: 'chat', who: { name: 'a|b' }, text: 'x' }), /name "a\|b"/);
    refuses(() => nameop.render({ type: 'userList', items: ['a', 'b|c'] }), /list separator/);
    refuses(() => nameop.render({ type: 'userList', items: [''] }), /empty list/);
    refuses(() => nameop.render({ type: 'error', code: -1, text: 'x' }), /code -1/);
    refuses(() => en.renderCommand({ type: 'quit' }), /has no quit command/);
    refuses(() => nameop.renderCommand({ type: 'say', text: 'hi' }), /has no name/);
  });

  test('unrecognised lines match nothing', () => {
    for (const [name, d] of dialects) {
      for (const line of ['', 'hello', '\u0000']) assert.equal(d.match(line), undefined, `${name} ${JSON.stringify(line)}`);
      // No template spans two lines, whatever the text pattern allows.
      assert.equal(d.match(d.render({ type: 'chat', who: whoFor(d), text: 'x' }) + '\nmore'), undefined, name);
    }
  });
});

describe('renderCommand and parseCommand (fast-check)', () => {
  for (const [name, d] of dialects) {
    for (const type of commandTypes(d)) {
      test(`${name} ${type}: parseCommand(renderCommand(c)) is c`, () => {
        const fields = fieldsOf(d.profile.commands[type]!);
        fc.assert(
          fc.property(valuesArb(d, textArb(d)), (v) => {
            const cmd = commandOf(type, fields, v);
            const line = d.renderCommand(cmd);
            const back = d.parseCommand(line);
            // who-rename's say is shadowed by its own commands: the server runs "who" and "rename|X" too.
            const shadowed =
              name === 'who-rename' && cmd.type === 'say' && (cmd.text === 'who' || (cmd.text.startsWith('rename|') && d.patterns.name.test(cmd.text.slice(7))));
            if (!shadowed) return assert.deepEqual(back, cmd);
            assert.notEqual(back?.type, 'say');
            assert.equal(d.renderCommand(back!), line);
          }),
          { numRuns: RUNS },
        );
      });
    }
  }

  test('who-rename: "rename|bob" is a rename, "renamed" and "who " are chat', () => {
    const d = dialect('who-rename');
    assert.deepEqual(d.parseCommand('rename|bob'), { type: 'rename', newName: 'bob' });
    assert.deepEqual(d.parseCommand('who'), { type: 'who' });
    assert.deepEqual(d.parseCommand('renamed'), { type: 'say', text: 'renamed' });
    assert.deepEqual(d.parseCommand('who '), { type: 'say', text: 'who ' });
  });

  test('raw: a line without the seed client prefix is no command', () => {
    assert.equal(dialect('raw').parseCommand('hello'), undefined);
    assert.deepEqual(dialect('raw').parseCommand('127.0.0.1:5 say:hi'), { type: 'say', addr: '127.0.0.1:5', text: 'hi' });
  });
});

describe('invalid profiles', () => {
  const base = rawProfile('gopl-en');
  const rejects = (json: unknown, ...fragments: RegExp[]): void => {
    assert.throws(
      () => parseProfile(json, 'mine.json'),
      (err: unknown) => {
        assert.ok(err instanceof ProfileError, `not a ProfileError: ${String(err)}`);
        for (const f of fragments) assert.match(err.message, f);
        return true;
      },
    );
  };

  test('unknown placeholder', () => rejects({ ...base, notices: { chat: '{addr}: {txt}' } }, /notices\.chat/, /unknown placeholder \{txt\}/));
  test('unbalanced braces', () => {
    rejects({ ...base, notices: { chat: '{addr: {text}' } }, /notices\.chat/, /unbalanced "\{"/);
    rejects({ ...base, notices: { chat: '{addr}} {text}' } }, /unbalanced "\}"/);
  });
  test('placeholder not allowed in that notice, or missing', () => {
    rejects({ ...base, notices: { chat: '{addr}: {text}', join: '{addr} says {text}' } }, /notices\.join/, /may not use \{text\}/);
    rejects({ ...base, notices: { chat: '{addr}:' } }, /notices\.chat/, /must use \{text\}/);
    rejects({ ...base, commands: { say: '{text}', private: '{target}' } }, /commands\.private/, /must use \{text\}/);
  });
  test('missing chat template', () => rejects({ ...base, notices: { join: '{addr} has joined us' } }, /notices\.chat/));
  test('missing say template', () => rejects({ ...base, commands: { who: 'who' } }, /commands\.say/));
  test('bad framing value', () => rejects({ ...base, framing: 'lines' }, /framing/, /"line"\|"nameop"\|"raw"/));
  test('pattern that is not a valid regex', () => rejects({ ...base, patterns: { name: '([a-z]' } }, /patterns\.name/, /not a valid regular expression/));
  test('a pattern that breaks the composed template', () => rejects({ ...base, patterns: { addr: '(?<text>x)' } }, /notices\./, /does not compile/));
  test('misspelled key', () => rejects({ ...base, notice: {} }, /Unrecognized key: "notice"/));
  test('not an object', () => rejects([], /expected object/));

  test('invalid JSON, unreadable file, unknown built-in name', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'profile-test-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"name": "x",');
    await assert.rejects(loadProfile(file), (err: unknown) => err instanceof ProfileError && /broken\.json: invalid JSON/.test(err.message));
    await assert.rejects(loadProfile(join(dir, 'absent.json')), (err: unknown) => err instanceof ProfileError && /cannot read/.test(err.message));
    await assert.rejects(
      loadProfile('gopl'),
      (err: unknown) => err instanceof ProfileError && /unknown built-in profile "gopl"; known: gopl-en, gopl-zh, who-rename, nameop, raw/.test(err.message),
    );
  });
});

test("a user's own profile file loads by path (the example in spec/profiles.md)", async (t) => {
  const doc = readFileSync(packagePath('spec', 'profiles.md'), 'utf8');
  const example = /## Writing a profile for your own server[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(example, 'spec/profiles.md has no example profile');
  const dir = await mkdtemp(join(tmpdir(), 'profile-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'my-server.json');
  await writeFile(file, example);
  const d = compileProfile(await loadProfile(file));
  assert.equal(d.profile.maxLineBytes, 65536, 'defaults are filled in');
  assert.deepEqual(d.match('[12:00:01] <alice> hi'), { type: 'chat', who: { name: 'alice' }, text: 'hi' });
  assert.deepEqual(d.match('[12:00:01] <alice> hi <there>'), { type: 'chat', who: { name: 'alice' }, text: 'hi <there>' });
  assert.deepEqual(d.match('* bob joined'), { type: 'join', who: { name: 'bob' } });
  assert.deepEqual(d.match('{users} alice, bob'), { type: 'userList', items: ['alice', 'bob'] });
  assert.equal(d.render({ type: 'userList', items: ['alice', 'bob'] }), '{users} alice, bob');
  assert.equal(d.render({ type: 'chat', who: { name: 'alice' }, text: 'hi' }), '[] <alice> hi', '{*} renders empty');
  assert.deepEqual(d.parseCommand('NICK carol'), { type: 'login', name: 'carol' });
  assert.equal(d.match('* 9lives joined'), undefined, 'the profile name pattern applies');
});

// ------------------------------------------------ a small JSON Schema checker
// Only the keywords zod emits for the profile schema; an unknown keyword fails
// loudly so that this check cannot pass by ignoring part of the schema.

type JsonSchema = Record<string, unknown>;

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

function validateJson(schema: JsonSchema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  const isObject = hasType(value, 'object');
  const obj = value as Record<string, unknown>;
  for (const [key, s] of Object.entries(schema)) {
    switch (key) {
      case '$schema':
      case 'title':
      case 'description':
      case 'default':
        break;
      case 'type': {
        const types = Array.isArray(s) ? (s as string[]) : [s as string];
        if (!types.some((t) => hasType(value, t))) errors.push(`${path}: not of type ${types.join('|')}`);
        break;
      }
      case 'enum':
        if (!(s as unknown[]).includes(value)) errors.push(`${path}: not one of ${JSON.stringify(s)}`);
        break;
      case 'properties':
        if (isObject) {
          for (const [k, sub] of Object.entries(s as Record<string, JsonSchema>)) {
            if (k in obj) errors.push(...validateJson(sub, obj[k], `${path}.${k}`));
          }
        }
        break;
      case 'required':
        if (isObject) for (const k of s as string[]) if (!(k in obj)) errors.push(`${path}: missing ${k}`);
        break;
      case 'additionalProperties':
        if (isObject) {
          const known = Object.keys((schema.properties ?? {}) as object);
          for (const k of Object.keys(obj).filter((k) => !known.includes(k))) {
            if (s === false) errors.push(`${path}: unexpected ${k}`);
            else errors.push(...validateJson(s as JsonSchema, obj[k], `${path}.${k}`));
          }
        }
        break;
      case 'anyOf':
        if (!(s as JsonSchema[]).some((sub) => validateJson(sub, value, path).length === 0)) errors.push(`${path}: matches no anyOf branch`);
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
        if (typeof value === 'number') {
          const n = s as number;
          const ok = key === 'minimum' ? value >= n : key === 'maximum' ? value <= n : value > n;
          if (!ok) errors.push(`${path}: fails ${key} ${n}`);
        }
        break;
      case 'minLength':
      case 'maxLength':
        if (typeof value === 'string') {
          const length = [...value].length; // JSON Schema counts code points
          if (key === 'minLength' ? length < (s as number) : length > (s as number)) errors.push(`${path}: fails ${key} ${String(s)}`);
        }
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(s as string, 'u').test(value)) errors.push(`${path}: fails pattern ${String(s)}`);
        break;
      default:
        throw new Error(`the test's JSON Schema checker does not know the keyword ${key} (at ${path})`);
    }
  }
  return errors;
}
