// The closing line CI reads must count every skip: a skipped describe (the Go
// peers when Go is missing) used to be counted nowhere.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { packagePath } from '../src/paths.js';

test('a skipped describe is counted as a skip in the summary line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'summary-reporter-'));
  try {
    const file = join(dir, 'fixture.test.mjs');
    writeFileSync(
      file,
      `import { describe, test } from 'node:test';
describe('needs a tool', { skip: 'tool missing' }, () => { test('inner', () => {}); });
test('runs', () => {});
test('skipped alone', { skip: 'no reason to run' }, () => {});
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--test', `--test-reporter=${packagePath('scripts/summary-reporter.mjs')}`, file], {
      timeout: 30_000,
      // Without this the child node --test reports to this test runner instead of its reporter.
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')),
    });
    assert.equal(stdout.trim().split('\n').at(-1), '1 passed, 0 failed, 2 skipped');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
