// npm run mutate's mutation sites (bench/mutate.ts): what it mutates and what it leaves alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { covers, mutationSites, readCoverage } from '../bench/mutate.js';

const source = `
export class S {
  receive(line) {
    if (!this.open) return false;
    this.ctx.log({ event: 'line', bytes: line.length + 1, big: line.length > 10 });
    log('plain', 1 + 2);
    this.room.broadcast(line, this);
    return this.count >= 3 && line !== '';
  }
}
`;

test('mutation sites: operators, conditions, constants, dropped calls, swapped arguments, returns; never a log call or its arguments', () => {
  const sites = mutationSites('s.js', source);
  const what = sites.map((m) => m.what);
  for (const expected of ['if (!this.open) → if (true)', 'if (!this.open) → if (false)', 'negation removed', '>= → >', '>= → <', '&& → ||', '!== → ===', '3 → 4', '3 → 2', 'return false → return true']) {
    assert.ok(what.includes(expected), `${expected} is missing from ${JSON.stringify(what)}`);
  }
  assert.ok(what.some((w) => w.startsWith('call dropped: this.room.broadcast(')), 'the broadcast call can be dropped');
  assert.ok(what.some((w) => w.startsWith('arguments swapped: this.room.broadcast(')), 'its arguments can be swapped');
  // Nothing on the two log lines (5 and 6): not the call, not its arguments' operators or constants.
  assert.deepEqual(sites.filter((m) => m.line === 5 || m.line === 6).map((m) => m.what), []);
  // Each site's replacement, applied, still parses as a different program.
  for (const m of sites) {
    const mutated = source.slice(0, m.start) + m.replacement + source.slice(m.end);
    assert.notEqual(mutated, source, m.id);
    assert.match(m.id, /^s\.js:\d+:\d+:\w+/);
  }
});

test('coverage: a mutant is reached by a profile when the innermost block around it ran (V8 block coverage of a server process)', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { execFileSync } = await import('node:child_process');
  const sandbox = mkdtempSync(join(tmpdir(), 'mutate-cov-'));
  try {
    const dir = join(sandbox, 'dist/src/reference-server');
    mkdirSync(dir, { recursive: true });
    const code = `function f(x) {\n  if (x > 1) {\n    return 'ran';\n  } else {\n    return 'never';\n  }\n}\nf(2);\nfunction g(v) {\n  return { n: v ?? 'none' };\n}\ng('x');\n`;
    writeFileSync(join(dir, 'room.js'), code);
    const coverageDir = join(sandbox, 'coverage');
    execFileSync(process.execPath, [join(dir, 'room.js')], { env: { ...process.env, NODE_V8_COVERAGE: coverageDir } });
    const coverage = readCoverage(coverageDir, sandbox);
    assert.deepEqual([...coverage.keys()], ['room.js']);
    assert.equal(covers(coverage, 'room.js', code.indexOf("'ran'")), true);
    assert.equal(covers(coverage, 'room.js', code.indexOf("'never'")), false);
    assert.equal(covers(coverage, 'other.js', 0), false, 'a file no process loaded');
    // `v ?? 'none'` → `v && 'none'` changes what g gives though 'none' never ran: reached where the expression ran.
    const nullish = mutationSites('room.js', code).find((m) => m.what === '?? → &&');
    assert.ok(nullish?.reach !== undefined && nullish.reach < nullish.start);
    assert.equal(covers(coverage, 'room.js', nullish.reach), true);
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
});
