// IDENT-5 and IDENT-6: names with a line break, CR or other control
// character. The reference server refuses them; the case ident/control-names
// passes the line servers that take `bob` as the name and the rest as bob's
// first line, and fails the prompt server that reads its name with one recv().
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serverFixture } from './helpers/server-fixture.js';
import { caseSummary as summary, referenceTarget, runCase, wildTarget } from './helpers/run-case.js';
import { wildProfile } from './wild/corpus.js';
import { packagePath } from '../src/paths.js';

const CASE = 'ident/control-names';

describe('reference server: names with control characters are refused', () => {
  test('who-rename: a rename to a name holding ESC, NUL or CR is ignored; later notices keep the old name', async (t) => {
    const { connect } = await serverFixture(t, { profile: 'who-rename' });
    const a = await connect();
    await a.waitForLine(`[${a.addr}]${a.addr}:login`);
    const b = await connect();
    await b.waitForLine(`[${b.addr}]${b.addr}:login`);
    a.write('rename|bo\u001b[2Kb\nrename|x\u0000y\nrename|c\rd\nhello\n');
    await b.waitForLine(`[${a.addr}]${a.addr}:hello`);
    assert.equal(a.count('rename ok'), 0);
  });

  test('nameop: a login with a name holding a control character gets 400 and no join', async (t) => {
    const { connect } = await serverFixture(t, { profile: 'nameop' });
    const a = await connect();
    a.send('alice|3|');
    await a.waitForLine('alice|3|');
    const h = await connect();
    h.send('bo\u001bb|3|');
    await h.waitFor((lines) => lines.some((l) => l.startsWith('*|0|400|')), 'error 400');
    a.send('alice|1|after');
    await a.waitForLine('alice|1|after');
    assert.deepEqual(a.lines.filter((l) => l.endsWith('|3|')), ['alice|3|']);
  });
});

describe(`${CASE} against correct servers`, () => {
  // guest-nick: a /nick line whose name the profile refuses is relayed as chat; its bytes are that text's, not a name's.
  for (const profile of ['who-rename', 'nameop', wildProfile('py-threading-prompt'), wildProfile('node-login'), packagePath('fixtures', 'dialects', 'guest-nick.json')]) {
    test(`the reference server (${profile.replace(/.*\//, '')}) passes with no warning`, { timeout: 30_000 }, async () => {
      const result = await runCase(CASE, await referenceTarget(profile));
      assert.equal(result.verdict, 'pass', summary(result));
      assert.deepEqual(result.violations ?? [], []);
    });
  }

  test('gopl-en has no way to choose a name: skipped with the reason', { timeout: 30_000 }, async () => {
    const result = await runCase(CASE, await referenceTarget('gopl-en'));
    assert.equal(result.verdict, 'skip');
    assert.match(result.message ?? '', /no way for a member to choose its name/);
  });
});

describe(`${CASE} against the wild prompt server`, () => {
  for (const [name, want] of [['wild:py-threading-prompt', 'pass'], ['wild:py-threading-prompt-recv-name', 'fail']] as const) {
    test(`${name}: ${want}`, { timeout: 30_000 }, async (t) => {
      const target = await wildTarget(t, name);
      if (!target) return;
      const result = await runCase(CASE, target);
      assert.equal(result.verdict, want, summary(result));
      if (want === 'fail') {
        // The line break forges a line of a's; the CR and the other controls reach the room raw.
        const forged = result.violations?.find((v) => v.requirement === 'IDENT-5' && /reads as a \w+ notice about a/.test(v.message));
        assert.ok(forged, summary(result));
        assert.ok(result.violations?.some((v) => v.requirement === 'IDENT-6' && v.level === 'SHOULD'), summary(result));
      } else assert.deepEqual(result.violations ?? [], []);
    });
  }
});
