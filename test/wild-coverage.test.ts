// test/wild/README.md's coverage table is what test/wild/coverage.ts computes
// from the corpus's profiles, and every feature but the named gaps is used
// by at least one corpus server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { coverageTable, wildCoverage } from './wild/coverage.js';
import { wildDir } from './wild/corpus.js';

/** Features no corpus server uses; the README says so, and covering one means taking it off here. */
const GAPS: readonly string[] = [];

test('test/wild/README.md shows the coverage the corpus has', async () => {
  const readme = readFileSync(wildDir('README.md'), 'utf8');
  assert.ok(readme.includes(await coverageTable()), 'the table in test/wild/README.md differs from coverageTable(): paste its output there');
});

test('every feature is used by a corpus server, but the named gaps', async () => {
  const { rows } = await wildCoverage();
  assert.deepEqual(rows.filter((r) => r.by.length === 0).map((r) => r.feature), GAPS);
});
