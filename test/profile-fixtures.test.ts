// fixtures/profiles/NAME.json: hand-written server lines and the event each
// must read as (null: unrecognised). match() must agree with every sample, and
// each file must cover every notice its profile has plus an unrecognised line.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { packagePath } from '../src/paths.js';
import { builtinProfileNames, compileProfile, loadProfile, noticePriority, type ServerEvent } from '../src/profile/index.js';

interface Sample {
  readonly line: string;
  readonly event: ServerEvent | null;
  readonly note?: string;
}

const dir = packagePath('fixtures', 'profiles');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('there is one sample file per built-in profile', () => {
  assert.deepEqual(files, builtinProfileNames.map((n) => `${n}.json`).sort());
});

for (const file of files) {
  describe(`fixtures/profiles/${file}`, () => {
    const { profile, samples } = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as { profile: string; samples: Sample[] };

    test('names its profile and has at least 10 samples', () => {
      assert.equal(`${profile}.json`, file);
      assert.ok(samples.length >= 10, `${samples.length} samples`);
    });

    test('covers every notice of the profile and at least one unrecognised line', async () => {
      const dialect = compileProfile(await loadProfile(profile));
      const covered = new Set(samples.flatMap((s) => (s.event ? [s.event.type] : [])));
      const missing = noticePriority.filter((t) => dialect.hasNotice(t) && !covered.has(t));
      assert.deepEqual(missing, [], 'notices without a sample');
      assert.ok(samples.some((s) => s.event === null), 'no unrecognised sample');
    });

    test('match() reads every sample as its event', async () => {
      const dialect = compileProfile(await loadProfile(profile));
      for (const s of samples) {
        assert.deepEqual(dialect.match(s.line) ?? null, s.event, `line ${JSON.stringify(s.line)}${s.note ? ` (${s.note})` : ''}`);
        // A recognised line is exactly what render() writes for its event.
        if (s.event) assert.equal(dialect.render(s.event), s.line, `render of ${JSON.stringify(s.line)}`);
      }
    });
  });
}
