// The package as an npm user gets it: `npm pack`, install the tarball in a
// fresh project (offline, from npm's cache), and there run the CLI, the
// README's library example (against a live and a dead target) and a
// TypeScript import type-checked with tsc. The tarball's docs link only to
// files it ships; it has a LICENSE, no source maps, no install-time build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { packagePath } from '../src/paths.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

let work: string;
let tarball: string;
let shipped: string[];
let project: string;

function run(cmd: string, args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  // Without NODE_TEST_CONTEXT: a `node --test` inside would otherwise report to this test runner and exit 0.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...inherited, NO_COLOR: '1', npm_config_update_notifier: 'false', ...env }, maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The README's library example: its first ```js block under "As a library". */
function readmeExample(): string {
  const readme = readFileSync(packagePath('README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## As a library'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'the README has no ```js library example under "## As a library"');
  return m[1]!;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'cc-pack-'));
  // The build is already done (npm test builds first); --ignore-scripts keeps prepack from building again.
  const pack = run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], packagePath(), 120_000);
  assert.equal(pack.status, 0, pack.stderr);
  const info = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info[0]!.filename);
  shipped = info[0]!.files.map((f) => f.path);

  project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-chat-server', private: true, type: 'module' }, null, 2));
  // Offline from npm's cache (npm ci filled it); if the cache lacks something, allow the registry.
  let install = run(NPM, ['install', '--offline', '--no-audit', '--no-fund', tarball], project, 120_000);
  if (install.status !== 0) install = run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project, 180_000);
  assert.equal(install.status, 0, install.stderr);
  assert.doesNotMatch(install.stderr, /prepare|npm warn/i, install.stderr);
});

after(() => rmSync(work, { recursive: true, force: true }));

test('the tarball: LICENSE, no source maps, no install-time build, docs link only to shipped files', () => {
  assert.ok(shipped.includes('LICENSE'));
  assert.match(readFileSync(packagePath('LICENSE'), 'utf8'), /^MIT License/);
  assert.deepEqual(shipped.filter((f) => f.endsWith('.map')), []);
  for (const f of shipped.filter((p) => p.endsWith('.js'))) {
    assert.doesNotMatch(readFileSync(packagePath(f), 'utf8'), /sourceMappingURL/, f);
  }
  const manifest = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { scripts: Record<string, string>; license: string };
  assert.equal(manifest.scripts.prepare, undefined, 'a prepare script runs (and warns) on install');
  assert.equal(manifest.license, 'MIT');
  const broken: string[] = [];
  for (const doc of shipped.filter((p) => p.endsWith('.md'))) {
    const text = readFileSync(packagePath(doc), 'utf8');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1]!.split('#')[0]!;
      if (link === '' || /^[a-z]+:/i.test(link)) continue;
      const target = normalize(join(dirname(doc), link)).replace(/\/$/, '');
      if (!shipped.some((f) => f === target || f.startsWith(`${target}/`))) broken.push(`${doc}: ${m[1]}`);
    }
    if (/from a checkout|git clone/i.test(text)) broken.push(`${doc}: instructions for a checkout, not for npm users`);
  }
  assert.deepEqual(broken, []);
});

test('the installed CLI runs', () => {
  // The README's quick start, as an npm user types it: installed as a dependency, run with npx.
  const readme = readFileSync(packagePath('README.md'), 'utf8');
  const quickStart = /## Quick start\n\n```sh\n([^]*?)```/.exec(readme)?.[1] ?? '';
  assert.match(quickStart, /^npm install --save-dev chat-conformance$/m);
  assert.match(quickStart, /^npx chat-conformance /m);
  assert.doesNotMatch(quickStart, /npm ci|npm test|npm run/, 'the quick start is for npm users, not the repository');
  const npx = run(NPX, ['--offline', 'chat-conformance', '--version'], project, 60_000);
  assert.equal(npx.status, 0, npx.stdout + npx.stderr);
  assert.equal(npx.stdout.trim(), JSON.parse(readFileSync(packagePath('package.json'), 'utf8')).version);
  const bin = join(project, 'node_modules/.bin/chat-conformance');
  const version = run(bin, ['--version'], project, 30_000);
  assert.equal(version.status, 0, version.stderr);
  const quick = run(bin, ['--quick', '--only', 'chat/*,join/*', '--report', 'html=reports/chat.html'], project, 120_000);
  assert.equal(quick.status, 0, quick.stdout + quick.stderr);
  assert.match(quick.stdout, /Verdict: PASS/);
  // The HTML report from the installed package: requirement texts found, passing cases drawn.
  const page = readFileSync(join(project, 'reports/chat.html'), 'utf8');
  assert.match(page, /Each chat line MUST be delivered exactly once/);
  assert.match(page, /<details class="case v-pass"[^]*<svg[^>]*class="seq"/);
});

test("the README's library example passes against a live server and fails against a dead one", () => {
  writeFileSync(join(project, 'example.test.mjs'), readmeExample());
  // The example imports startMyServer from ./my-server.js: here the reference server, or a port nobody listens on.
  const live = `import { startServer } from 'chat-conformance';
export async function startMyServer({ port }) {
  const s = await startServer({ profile: 'gopl-en', port });
  return { port: s.address.port, close: () => s.close() };
}
`;
  const dead = `import { createServer } from 'node:net';
export async function startMyServer() {
  const s = createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return { port, close() {} };
}
`;
  writeFileSync(join(project, 'my-server.js'), live);
  const passing = run(process.execPath, ['--test', 'example.test.mjs'], project, 240_000);
  assert.equal(passing.status, 0, passing.stdout + passing.stderr);
  writeFileSync(join(project, 'my-server.js'), dead);
  const failing = run(process.execPath, ['--test', 'example.test.mjs'], project, 120_000);
  assert.notEqual(failing.status, 0, 'the example passed against a dead target');
  assert.match(failing.stdout + failing.stderr, /inconclusive|cannot connect/);
});

test('a TypeScript import of the package type-checks', () => {
  writeFileSync(
    join(project, 'check.ts'),
    `import { runConformance, startServer, type Report, type CaseResult } from 'chat-conformance';
import { LineDecoder } from 'chat-conformance/codec';
import { loadProfile } from 'chat-conformance/profile';

const server = await startServer({ profile: 'gopl-en', port: 0 });
const report: Report = await runConformance({ target: \`127.0.0.1:\${server.address.port}\`, profile: await loadProfile('gopl-en'), quick: true });
const failed: readonly CaseResult[] = report.cases.filter((c) => c.verdict === 'fail');
const frames = new LineDecoder({ maxFrameBytes: 1024 }).push(new Uint8Array([104, 105, 10]));
console.log(report.verdict, failed.length, frames.length);
await server.close();
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [packagePath('node_modules/@types')] },
      files: ['check.ts'],
    }),
  );
  const tsc = run(process.execPath, [packagePath('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], project, 120_000);
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  // And a mistake is caught: the check is real.
  writeFileSync(join(project, 'check.ts'), `import { runConformance } from 'chat-conformance';\nconst n: number = await runConformance({ profile: 'gopl-en' });\n`);
  const wrong = run(process.execPath, [packagePath('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], project, 120_000);
  assert.notEqual(wrong.status, 0);
});
