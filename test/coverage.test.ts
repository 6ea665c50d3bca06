// Every requirement of the spec is checked by at least one case, and every
// case names only requirements the registry knows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allCases } from '../conformance/index.js';
import { requirements } from '../src/spec/requirements.js';

test('every requirement is checked by at least one conformance case', () => {
  const covered = new Set(allCases.flatMap((c) => c.requirements));
  const unchecked = requirements.filter((r) => !covered.has(r.id)).map((r) => r.id);
  assert.deepEqual(unchecked, [], `requirements no case checks: ${unchecked.join(', ')}`);
});

test('cases name only known requirements, and case IDs are unique and section/name shaped', () => {
  const known = new Set(requirements.map((r) => r.id));
  for (const c of allCases) {
    assert.match(c.id, /^[a-z]+\/[A-Za-z0-9-]+$/, c.id);
    assert.ok(c.requirements.length > 0, `${c.id} checks no requirement`);
    for (const id of c.requirements) assert.ok(known.has(id), `${c.id} names unknown requirement ${id}`);
  }
  const ids = allCases.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'duplicate case IDs');
});
