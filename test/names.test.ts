// Names the kit generates match the profile's pattern: the readable per-run
// form where the pattern allows it, shorter forms, then values generated from
// the pattern; none when the pattern admits none of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileProfile, parseProfile } from '../src/profile/index.js';
import { generateName } from '../src/runner/names.js';
import { makeRng } from '../src/runner/rng.js';

const dialectWith = (name?: string) =>
  compileProfile(
    parseProfile({
      name: 'names',
      framing: 'line',
      defaultPort: 7000,
      identity: 'name',
      joinOn: 'login',
      echo: true,
      selfJoin: true,
      ...(name ? { patterns: { name } } : {}),
      notices: { join: '* {name} joined', chat: '<{name}> {text}' },
      commands: { login: 'NICK {name}', say: '{text}' },
    }),
  );

test('the default pattern gets the readable per-run name', () => {
  assert.equal(generateName(dialectWith(), 'name', 'cc1a2b3c', 'nick', 7, makeRng(1)), 'cc1a2b3cnick7');
});

test('a short pattern gets a shorter form that still carries part of the run prefix', () => {
  const d = dialectWith('[a-z][a-z0-9]{2,7}');
  const name = generateName(d, 'name', 'cc1a2b3c', 'stranger', 12, makeRng(1));
  assert.ok(name !== undefined && d.patterns.name.test(name), String(name));
  assert.match(name, /2b3c/);
});

test('a pattern no readable form fits gets values generated from it, distinct from names taken', () => {
  const d = dialectWith('[A-Z]{3,6}');
  const taken = new Set<string>();
  for (let i = 0; i < 20; i += 1) {
    const name = generateName(d, 'name', 'cc1a2b3c', 'a', i, makeRng(i), taken);
    assert.ok(name !== undefined && /^[A-Z]{3,6}$/.test(name), String(name));
    assert.ok(!taken.has(name), `${name} was already taken`);
    taken.add(name);
  }
});

test('a pattern that admits no printable name gives undefined (the context reports it)', () => {
  assert.equal(generateName(dialectWith('[\\u0001-\\u0002]{2}'), 'name', 'cc1a2b3c', 'a', 1, makeRng(1)), undefined);
});

test("the preflight's counter, below zero, still gets a readable name (no '-' the pattern refuses)", () => {
  assert.equal(generateName(dialectWith('[A-Za-z0-9_]{1,16}'), 'name', 'cc1a2b3c', 'a', -999, makeRng(1)), 'cc1a2b3ca999');
});

test('values generated from a pattern are the ones the first 50 draws of the seed give (a few drawn first, the arbitrary built once per pattern)', async () => {
  const fc = (await import('fast-check')).default;
  const d = dialectWith('[A-Za-z0-9_]{1,16}#[0-9]{4}');
  const taken = new Set<string>();
  for (let i = 0; i < 30; i += 1) {
    const seed = makeRng(i).int(0, 0x7fffffff);
    const want = fc.sample(fc.stringMatching(d.patterns.name), { seed, numRuns: 50 }).find((v) => d.patterns.name.test(v) && !taken.has(v) && v.trim() === v);
    const name = generateName(d, 'name', 'cc1a2b3c', 'a', i, makeRng(i), taken);
    assert.equal(name, want);
    taken.add(name!);
  }
  // Every one of the first draws taken: the later draws of the same seed are used.
  const seed = makeRng(99).int(0, 0x7fffffff);
  const draws = fc.sample(fc.stringMatching(d.patterns.name), { seed, numRuns: 50 });
  const late = generateName(d, 'name', 'cc1a2b3c', 'a', 1, makeRng(99), new Set(draws.slice(0, 5)));
  assert.equal(late, draws.slice(5).find((v) => !draws.slice(0, 5).includes(v)));
});
