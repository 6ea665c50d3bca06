// The profile features real servers need (issue 8 §1): assigned names, name
// prompts, banners and ignored lines, CR LF on client lines, renames announced
// with the old name, lists without header, private lines without {target},
// errors without {code}; and the load-time refusal of profiles whose notices
// or noise entries cannot be told apart.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compileProfile, parseProfile, ProfileError, type ProfileInput } from '../src/profile/index.js';

const base: ProfileInput = {
  name: 'test',
  framing: 'line',
  defaultPort: 7000,
  identity: 'assigned',
  joinOn: 'connect',
  echo: false,
  selfJoin: true,
  notices: { chat: '<{name}> {text}', join: '* {name} joined', leave: '* {name} left' },
  commands: { say: '{text}' },
};
const with_ = (over: Partial<ProfileInput>): ProfileInput => ({ ...base, ...over });
const refused = (over: Partial<ProfileInput>, message: RegExp, where?: string): void => {
  assert.throws(
    () => parseProfile(with_(over), 'p.json'),
    (err: unknown) => err instanceof ProfileError && message.test(err.message) && (where === undefined || err.where === where),
    `${JSON.stringify(over)} should be refused with ${String(message)}`,
  );
};

describe('new profile fields', () => {
  test('defaults: no banner, no ignores, LF client lines, renames to the requester', () => {
    const p = parseProfile(base);
    assert.deepEqual([p.banner, p.ignore, p.ignorePatterns, p.clientLineEnding, p.renameAudience], [[], [], [], 'lf', 'requester']);
    assert.equal(compileProfile(p).lineEnding, '\n');
    assert.equal(compileProfile(parseProfile(with_({ clientLineEnding: 'crlf' }))).lineEnding, '\r\n');
  });

  test('identity "assigned" and joinOn "prompt" with a prompt notice', () => {
    const d = compileProfile(parseProfile(with_({ joinOn: 'prompt', identity: 'name', notices: { ...base.notices, prompt: 'Enter your name: ' } })));
    assert.equal(d.isPrompt('Enter your name: '), true);
    assert.equal(d.isPrompt('Enter your name:'), false, 'a prompt is matched whole, trailing space included');
    assert.deepEqual(d.match('Enter your name: '), { type: 'prompt' });
    assert.equal(compileProfile(parseProfile(base)).isPrompt('Enter your name: '), false, 'no prompt notice, no prompt');
  });

  test('banner, ignore and ignorePatterns lines are noise, not events', () => {
    const d = compileProfile(
      parseProfile(with_({ banner: ['Welcome to the chat!', 'Rules: be nice {*}'], ignore: ['> '], ignorePatterns: ['\\[typing\\] .*'] })),
    );
    assert.equal(d.noise('Welcome to the chat!'), 'banner');
    assert.equal(d.noise('Rules: be nice (updated 2026)'), 'banner');
    assert.equal(d.noise('> '), 'ignore');
    assert.equal(d.noise('[typing] alice'), 'ignore');
    assert.equal(d.noise('<alice> hi'), undefined);
    assert.equal(d.noise('x[typing] alice'), undefined, 'ignorePatterns match the whole line');
  });

  test('a welcome without placeholders and a whoEntry without whoHeader are valid', () => {
    const d = compileProfile(parseProfile(with_({ notices: { ...base.notices, welcome: 'Welcome!', whoEntry: ' - {name}' } })));
    assert.deepEqual(d.match('Welcome!'), { type: 'welcome', who: {} });
    assert.deepEqual(d.match(' - bob'), { type: 'whoEntry', who: { name: 'bob' } });
  });

  test('renamed may carry {oldName}; it follows the name pattern unless patterns.oldName is set', () => {
    const d = compileProfile(
      parseProfile(with_({ renameAudience: 'room', patterns: { name: '[a-z0-9]{1,9}' }, notices: { ...base.notices, renamed: '* {oldName} is now known as {name}' } })),
    );
    assert.deepEqual(d.match('* alice is now known as bob'), { type: 'renamed', who: { name: 'bob' }, oldName: 'alice' });
    assert.equal(d.match('* Alice is now known as bob'), undefined, 'oldName uses the name pattern');
    assert.equal(d.render({ type: 'renamed', who: { name: 'bob' }, oldName: 'alice' }), '* alice is now known as bob');
    assert.throws(() => d.render({ type: 'renamed', who: { name: 'bob' } }), ProfileError, 'a template with {oldName} needs one');
  });

  test('private without {target} and error without {code} read and render', () => {
    const d = compileProfile(parseProfile(with_({ notices: { ...base.notices, private: '[pm from {name}] {text}', error: 'ERROR: {text}' } })));
    assert.deepEqual(d.match('[pm from alice] psst'), { type: 'private', who: { name: 'alice' }, text: 'psst' });
    assert.deepEqual(d.match('ERROR: no such user'), { type: 'error', text: 'no such user' });
    assert.equal(d.render({ type: 'private', who: { name: 'alice' }, target: 'bob', text: 'psst' }), '[pm from alice] psst');
    const bare = compileProfile(parseProfile(with_({ notices: { ...base.notices, error: 'Unknown command' } })));
    assert.deepEqual(bare.match('Unknown command'), { type: 'error', text: '' });
  });
});

describe('load-time refusals', () => {
  test('two notices that read the same line', () => {
    refused({ notices: { ...base.notices, leave: '* {name} joined' } }, /notices\.leave and notices\.join read the same line: "\* alice joined"/, 'notices.leave');
    // A later notice swallowed by a more general earlier one.
    refused({ notices: { ...base.notices, welcome: '* {*}' } }, /notices\.join and notices\.welcome read the same line/);
    // A list entry that is just a name reads every chat line.
    refused({ notices: { ...base.notices, whoEntry: '{name}' } }, /notices\.chat and notices\.whoEntry read the same line/);
  });

  test('a banner, ignore entry or pattern that would swallow a room event', () => {
    refused({ banner: ['* {*}'] }, /banner\[0\] matches the notices\.join line "\* alice joined"/, 'banner[0]');
    refused({ ignore: ['<{*}> {*}'] }, /ignore\[0\] matches the notices\.chat line/, 'ignore[0]');
    refused({ ignorePatterns: ['.*'] }, /ignorePatterns\[0\] matches/, 'ignorePatterns[0]');
  });

  test('a prompt that reads room events', () => {
    refused({ joinOn: 'prompt', notices: { ...base.notices, prompt: '{*}' } }, /read as notices\.prompt/);
  });

  test('bad templates and patterns in the new fields', () => {
    refused({ banner: ['Hello {name}'] }, /banner\[0\].*may not use \{name\}/, 'banner[0]');
    refused({ notices: { ...base.notices, prompt: 'Name for {addr}?' } }, /notices\.prompt.*may not use \{addr\}/);
    refused({ ignorePatterns: ['('] }, /ignorePatterns\[0\]: not a valid regular expression/);
    refused({ notices: { ...base.notices, join: '{oldName} joined' } }, /notices\.join.*may not use \{oldName\}/);
    assert.throws(() => parseProfile(with_({ identity: 'guest' as never })), /identity/);
    assert.throws(() => parseProfile(with_({ clientLineEnding: 'cr' as never })), /clientLineEnding/);
  });

  test('similar but distinguishable notices are accepted', () => {
    parseProfile(with_({ notices: { ...base.notices, idleLeave: '* {name} timed out', renamed: '* {oldName} is now {name}', welcome: 'You are {name}' } }));
  });
});

test('membership settings the kit cannot act on are refused', () => {
  refused({ joinOn: 'login' }, /joinOn "login" needs commands\.login/);
  refused({ joinOn: 'prompt', identity: 'name' }, /joinOn "prompt" needs notices\.prompt/);
  refused({ identity: 'name' }, /identity "name" with joinOn "connect" needs commands\.rename/);
  refused({ selfJoin: false }, /identity "assigned" needs a line that tells the joiner its name/);
  parseProfile(with_({ selfJoin: false, notices: { ...base.notices, welcome: 'You are {name}' } }));
  parseProfile(with_({ identity: 'name', commands: { say: '{text}', rename: '/nick {name}' } }));
});

test('the example profiles in spec/profiles.md load', async () => {
  const { readFileSync } = await import('node:fs');
  const { packagePath } = await import('../src/paths.js');
  const doc = readFileSync(packagePath('spec', 'profiles.md'), 'utf8');
  const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 3, 'profiles.md shows at least three example profiles');
  for (const block of blocks) parseProfile(JSON.parse(block), 'spec/profiles.md example');
});
