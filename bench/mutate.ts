// npm run mutate: mutation testing of the kit. Small mutations of the
// reference server (its compiled JS in dist/src/reference-server/: negated
// and relaxed conditions, off-by-one and changed constants, dropped calls,
// swapped arguments) are made one at a time in a copy of the package; the
// kit (--quick, fixed seed) runs against each mutant in a process of
// its own, supervised (--server-cmd), under a deadline, with each profile whose control run (against the
// unmutated server, with V8 coverage) executed the mutated code, and the mutant is classified: killed (on
// which requirement, or by the preflight), survived (or reached by no profile), stillborn (the server
// does not start), no verdict (deadline passed), or equivalent (listed, with the reason, in
// bench/mutants-equivalent.json).
// The sample is drawn with a fixed seed, so two runs judge the same mutants.
// The README's section between the mutate markers is rewritten.
//   node dist/bench/mutate.js [--sample N] [--seed S] [--only TEXT] [--no-readme] [--jobs 1|2]
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import { packagePath } from '../src/paths.js';
import { makeRng } from '../src/runner/rng.js';

const START = '<!-- mutate:start -->';
const END = '<!-- mutate:end -->';
const GOAL = 0.9;
/** One kit run against a mutant may take this many times the unmutated server's run (control), and at least MIN_RUN_DEADLINE_MS. */
const RUN_DEADLINE_FACTOR = 4;
const MIN_RUN_DEADLINE_MS = 120_000;
/** The kit's own copy of the package, made at the start: rebuilding dist/ while this runs does not change the judge. */
let kitDir = '';
const SERVER_IDLE_MS = 1000;
/** Files of the reference server left unmutated, and why: no conformance case can observe what they decide. */
export const NOT_MUTATED: Readonly<Record<string, string>> = {
  'heap-relief.js': 'when memory goes back to the system after load (no requirement says, no case can see it; `npm run bench:server -- --non-readers` measures it)',
  'options.js': "the server's option defaults and their validation (a limit moved by one byte is the same server under the spec; bad options are test/server-options.test.ts's business)",
};
/** A mutant is judged with at most this many of the profiles that reach it (code every dialect runs would otherwise cost nine runs per survivor). */
const MAX_PROFILES = 5;

export interface Mutant {
  /** Stable ID: file:line:column:operator. */
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
  /** What changed, e.g. `=== → !==`. */
  readonly what: string;
  /**
   * Where coverage must show that the mutated code ran: the start of the whole construct (the
   * expression around an operator, the statement), not the changed token. `a ?? b` → `a && b`
   * changes what the expression gives even when `b` never ran.
   */
  readonly reach?: number;
}

type Outcome =
  | { readonly kind: 'killed'; readonly requirements: readonly string[]; readonly profile: string; readonly ms: number; readonly preflight?: string }
  /** No profile's control run executed the mutated code: no case can tell. */
  | { readonly kind: 'uncovered' }
  | { readonly kind: 'survived'; readonly ms: number }
  | { readonly kind: 'stillborn'; readonly why: string }
  | { readonly kind: 'timeout'; readonly ms: number };

interface Equivalent {
  readonly id: string;
  readonly why: string;
}

/** Every mutation site of one file of compiled JS. */
export function mutationSites(file: string, source: string): Mutant[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const out: Mutant[] = [];
  const add = (node: ts.Node, start: number, end: number, replacement: string, op: string, what: string): void => {
    const { line, character } = sf.getLineAndCharacterOfPosition(start);
    out.push({ id: `${file}:${line + 1}:${character + 1}:${op}`, file, line: line + 1, start, end, replacement, what, reach: node.getStart(sf) });
  };
  const swaps: Record<string, string[]> = {
    '===': ['!=='],
    '!==': ['==='],
    '<': ['<=', '>='],
    '<=': ['<', '>'],
    '>': ['>=', '<='],
    '>=': ['>', '<'],
    '&&': ['||'],
    '||': ['&&'],
    '??': ['&&'],
    '+': ['-'],
    '-': ['+'],
    '*': ['/'],
  };
  // The server's log is not the protocol: a log call and what it is given are not mutated.
  const isLogCall = (node: ts.Node): boolean => ts.isCallExpression(node) && /(^|\.)log$/.test(node.expression.getText(sf));
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || isLogCall(node)) return;
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken;
      const text = op.getText(sf);
      const isString = (n: ts.Expression): boolean => ts.isStringLiteral(n) || ts.isTemplateExpression(n) || ts.isNoSubstitutionTemplateLiteral(n);
      // `+` on strings builds text: swapping it makes NaN, a mutant any test of anything kills.
      if (!(text === '+' && (isString(node.left) || isString(node.right)))) {
        for (const to of swaps[text] ?? []) add(node, op.getStart(sf), op.end, to, `op${to}`, `${text} → ${to}`);
      }
    }
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
      add(node, node.getStart(sf), node.operand.getStart(sf), '', 'not', 'negation removed');
    }
    if (ts.isIfStatement(node)) {
      const cond = node.expression;
      add(node, cond.getStart(sf), cond.end, 'true', 'iftrue', `if (${short(cond.getText(sf))}) → if (true)`);
      add(node, cond.getStart(sf), cond.end, 'false', 'iffalse', `if (${short(cond.getText(sf))}) → if (false)`);
    }
    if (ts.isNumericLiteral(node)) {
      const n = Number(node.text);
      if (Number.isFinite(n)) {
        add(node, node.getStart(sf), node.end, String(n + 1), 'plus1', `${node.text} → ${n + 1}`);
        if (n !== 0) add(node, node.getStart(sf), node.end, String(n - 1), 'minus1', `${node.text} → ${n - 1}`);
      }
    }
    if (ts.isExpressionStatement(node) && ts.isCallExpression(node.expression) && !isLogCall(node.expression)) {
      add(node, node.getStart(sf), node.end, ';', 'drop', `call dropped: ${short(node.getText(sf))}`);
    }
    if (ts.isCallExpression(node) && node.arguments.length === 2) {
      const [x, y] = node.arguments as unknown as [ts.Expression, ts.Expression];
      if (x.getText(sf) !== y.getText(sf) && !ts.isArrowFunction(y) && !ts.isFunctionExpression(y)) {
        add(node, x.getStart(sf), y.end, `${y.getText(sf)}, ${x.getText(sf)}`, 'swap', `arguments swapped: ${short(node.getText(sf))}`);
      }
    }
    if (ts.isReturnStatement(node) && node.expression && (node.expression.kind === ts.SyntaxKind.TrueKeyword || node.expression.kind === ts.SyntaxKind.FalseKeyword)) {
      const flip = node.expression.kind === ts.SyntaxKind.TrueKeyword ? 'false' : 'true';
      add(node, node.expression.getStart(sf), node.expression.end, flip, 'ret', `return ${node.expression.getText(sf)} → return ${flip}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** A kill's requirements, shortened when the server died and every later case named its own. */
function killedBy(outcome: { readonly requirements: readonly string[]; readonly preflight?: string }): string {
  return outcome.preflight !== undefined ? `killed by the preflight: ${outcome.preflight}` : `killed on ${listed(outcome.requirements)}`;
}

function listed(ids: readonly string[]): string {
  if (ids.length === 0) return '(no requirement named)';
  return ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more (the server died)` : ids.join(', ');
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

/** The dialects the reference server speaks beyond the built-in profiles (server-assigned names, prompts, logins, ...). */
function dialectFixtures(): string[] {
  const dir = packagePath('fixtures/dialects');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Every profile a mutant may be judged with, in the order they are tried (the first that kills it wins):
 * who-rename (echo, self-join, commands, idle timeout), gopl-en with the server's queues tight (TIGHT),
 * a fixture without echo or self-join (the room's "all but one" paths), nameop, raw, gopl-en, then the
 * other dialect fixtures (prompts, logins, assigned names: the line dialect's naming).
 */
function candidateProfiles(): string[] {
  const fixtures = dialectFixtures();
  const noEcho = fixtures.filter((f) => basename(f) === NO_ECHO_FIXTURE);
  return ['who-rename', `gopl-en${TIGHT}`, ...noEcho, 'nameop', 'raw', 'gopl-en', ...fixtures.filter((f) => !noEcho.includes(f))];
}

/** The dialect fixture tried early: no echo and no self-join, so the room leaves a member out of events. */
const NO_ECHO_FIXTURE = 'login-no-selfjoin.json';

/**
 * A profile name with this suffix runs the server with small outbound limits: the kit's flood and slow-reader
 * cases then reach its eviction and budget code, which the defaults (1 MiB a client, 256 MiB in all) keep
 * out of a quick run's reach. A correct server conforms with any limits.
 */
const TIGHT = '+tight';
const TIGHT_SERVER_ARGS = ' --queue-bytes 262144 --outbound-budget 2097152';

/** A block of compiled code and how often the control run executed it (V8 block coverage). */
interface Block {
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

/** Per server file (its name in dist/src/reference-server/), the blocks of each process that ran it. */
type Coverage = Map<string, Block[][]>;

/**
 * The V8 coverage the server processes of one control run wrote (NODE_V8_COVERAGE), for the files of
 * `sandbox`'s reference server; the kit's own process writes files too, for other paths, and is left out.
 */
export function readCoverage(dir: string, sandbox: string): Coverage {
  const prefix = pathToFileURL(join(sandbox, 'dist/src/reference-server')).href + '/';
  const out: Coverage = new Map();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const data = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { result?: { url: string; functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[] }[] };
    for (const script of data.result ?? []) {
      if (!script.url.startsWith(prefix)) continue;
      const blocks = script.functions.flatMap((f) => f.ranges.map((r) => ({ start: r.startOffset, end: r.endOffset, count: r.count })));
      const file = script.url.slice(prefix.length);
      out.set(file, [...(out.get(file) ?? []), blocks]);
    }
  }
  return out;
}

/** Whether some process ran the code at `offset` of `file`: the innermost block around it ran at least once. */
export function covers(coverage: Coverage, file: string, offset: number): boolean {
  return (coverage.get(file) ?? []).some((blocks) => {
    let inner: Block | undefined;
    for (const b of blocks) if (b.start <= offset && offset < b.end && (!inner || b.end - b.start <= inner.end - inner.start)) inner = b;
    return inner !== undefined && inner.count > 0;
  });
}

/** A profile's short name for the table: a built-in name, or a fixture's file name. */
function profileLabel(profile: string): string {
  return profile.endsWith('.json') ? basename(profile, '.json') : profile;
}

/** A copy of the package a mutant runs from: package.json, profiles (linked), dist/src and dist/conformance (the CLI imports the cases). */
function makeSandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chat-mutate-'));
  cpSync(packagePath('package.json'), join(dir, 'package.json'));
  symlinkSync(packagePath('profiles'), join(dir, 'profiles'));
  symlinkSync(packagePath('node_modules'), join(dir, 'node_modules'));
  cpSync(packagePath('dist/src'), join(dir, 'dist/src'), { recursive: true });
  cpSync(packagePath('dist/conformance'), join(dir, 'dist/conformance'), { recursive: true });
  return dir;
}

/**
 * One kit run, supervised: the kit starts the mutant itself (--server-cmd), so a crash is charged to the
 * case that caused it and the server restarted, and the resource cases (PROC-*) can read its pid.
 */
function runKit(sandbox: string, profile: string, seed: number, reportPath: string, deadlineMs: number, coverageDir?: string): Promise<{ code: number | null; timedOut: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const tight = profile.endsWith(TIGHT);
    if (tight) profile = profile.slice(0, -TIGHT.length);
    const idle = profile === 'who-rename' ? ` --idle-timeout ${SERVER_IDLE_MS}` : '';
    const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
    const serverCmd = `${quote(process.execPath)} ${quote(join(sandbox, 'dist/src/cli/main.js'))} serve --profile ${quote(profile)} --port {port}${idle}${tight ? TIGHT_SERVER_ARGS : ''}`;
    // Failing cases are replayed (the kit's default): a fail that does not reproduce is timing, not a kill.
    const args = [join(kitDir, 'dist/src/cli/main.js'), '--server-cmd', serverCmd, '--profile', profile, '--quick', `--seed=${seed}`, '--report', `json=${reportPath}`];
    if (profile === 'who-rename') args.push('--idle-timeout', String(SERVER_IDLE_MS));
    const env = coverageDir === undefined ? process.env : { ...process.env, NODE_V8_COVERAGE: coverageDir };
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, stderr });
    });
  });
}

interface JsonReport {
  preflight?: { kind: string; summary: string };
  cases: { id: string; verdict: string; requirements: string[]; violations?: { requirement: string; level: string }[]; message?: string; counterexample?: { flaky?: boolean } }[];
}

/**
 * The requirements the kit failed: MUST violations that reproduced on replay, SHOULD ones it warned about
 * (a mutant that breaks a SHOULD is caught by the warning), or the case's requirements when the target died in it.
 */
function failedRequirements(report: JsonReport): string[] {
  const out = new Set<string>();
  for (const c of report.cases) {
    const flaky = c.counterexample?.flaky === true || (c.message ?? '').includes('(flaky: did not fail again on replay)');
    if ((c.verdict === 'fail' && !flaky) || c.verdict === 'warn') {
      const named = (c.violations ?? []).map((v) => v.requirement);
      for (const id of named.length ? named : c.requirements) out.add(id);
    }
    if (c.verdict === 'error' && (c.message ?? '').startsWith('target down')) for (const id of c.requirements) out.add(id);
  }
  return [...out];
}

/** Requirements the unmutated server fails on this machine, per profile: a mutant's fail on them proves nothing. */
interface Control {
  /** Per profile: the requirements it fails unmutated. */
  readonly noise: Map<string, Set<string>>;
  /** Per profile: how long the kit's run against the unmutated server took. */
  readonly ms: Map<string, number>;
  /** Per profile: the server code its run executed. */
  readonly coverage: Map<string, Coverage>;
}

/** The profiles whose control run executed the mutated code, in candidateProfiles() order, at most MAX_PROFILES of them. */
function profilesFor(mutant: Mutant, control: Control): string[] {
  return [...control.coverage]
    .filter(([, coverage]) => covers(coverage, mutant.file, mutant.reach ?? mutant.start))
    .map(([profile]) => profile)
    .slice(0, MAX_PROFILES);
}

async function judge(mutant: Mutant, sandbox: string, seed: number, control: Control, profiles = profilesFor(mutant, control), coverageDir?: string): Promise<Outcome> {
  if (profiles.length === 0) return { kind: 'uncovered' };
  const path = join(sandbox, 'dist/src/reference-server', mutant.file);
  const original = readFileSync(path, 'utf8');
  writeFileSync(path, original.slice(0, mutant.start) + mutant.replacement + original.slice(mutant.end));
  const started = performance.now();
  let lastRunMs = 0;
  try {
    for (const profile of profiles) {
      const controlMs = control.ms.get(profile);
      const deadline = controlMs === undefined ? 10 * MIN_RUN_DEADLINE_MS : Math.max(MIN_RUN_DEADLINE_MS, RUN_DEADLINE_FACTOR * controlMs);
      const runStarted = performance.now();
      const reportPath = join(sandbox, 'report.json');
      rmSync(reportPath, { force: true });
      const ran = await runKit(sandbox, profile, seed, reportPath, deadline, coverageDir);
      if (ran.timedOut) return { kind: 'timeout', ms: performance.now() - started };
      lastRunMs = performance.now() - runStarted;
      const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as JsonReport) : undefined;
      // The kit refused to judge a server that started (the supervisor saw it accept): it closes every
      // connection, says nothing, or no longer speaks its dialect.
      if (report?.preflight && !ran.stderr.includes('did not start')) return { kind: 'killed', requirements: [], preflight: report.preflight.summary.slice(0, 160), profile, ms: performance.now() - runStarted };
      // Exit 3 with no case run: the server did not start (or never accepted).
      if (ran.code === 3 && (!report || report.cases.length === 0)) return { kind: 'stillborn', why: (ran.stderr.trim().split('\n')[0] ?? 'did not start').slice(0, 200) };
      const noise = control.noise.get(profile) ?? new Set<string>();
      const failed = (report ? failedRequirements(report) : []).filter((id) => !noise.has(id));
      if (failed.length > 0 || (ran.code === 1 && !report)) return { kind: 'killed', requirements: failed, profile, ms: lastRunMs };
    }
    return { kind: 'survived', ms: profiles.length === 1 ? lastRunMs : performance.now() - started };
  } finally {
    writeFileSync(path, original);
  }
}

function sample<T>(items: readonly T[], n: number, seed: number): T[] {
  const rng = makeRng(seed);
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length > 0) out.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]!);
  return out;
}

function loadEquivalents(): Map<string, string> {
  const path = packagePath('bench/mutants-equivalent.json');
  if (!existsSync(path)) return new Map();
  const list = JSON.parse(readFileSync(path, 'utf8')) as Equivalent[];
  return new Map(list.map((e) => [e.id, e.why]));
}

function readmeSection(rows: { mutant: Mutant; outcome: Outcome }[], equivalents: Map<string, string>, meta: { total: number; seed: number; ms: number; kitSeed: number; noise: string }): string {
  const judged = rows.filter((r) => r.outcome.kind !== 'stillborn' && !equivalents.has(r.mutant.id));
  // A run past its deadline is no verdict: not a kill (listed as such).
  const killed = judged.filter((r) => r.outcome.kind === 'killed');
  const timedOut = judged.filter((r) => r.outcome.kind === 'timeout');
  const named = killed.filter((r) => r.outcome.kind === 'killed' && r.outcome.requirements.length > 0);
  const survivors = judged.filter((r) => r.outcome.kind === 'survived' || r.outcome.kind === 'uncovered');
  const uncovered = judged.filter((r) => r.outcome.kind === 'uncovered');
  const byPreflight = killed.filter((r) => r.outcome.kind === 'killed' && r.outcome.preflight !== undefined);
  const pct = (k: number, n: number): string => (n === 0 ? '-' : `${((100 * k) / n).toFixed(0)}%`);
  const lines = [
    START,
    `Measured by \`npm run mutate\` (bench/mutate.ts) on ${process.platform}, Node ${process.versions.node}, 2 mutants at a time, in ${(meta.ms / 1000).toFixed(0)} s: ${rows.length} mutants drawn with seed ${meta.seed} from the ${meta.total} mutation sites of the compiled reference server (dist/src/reference-server/: conditions negated or relaxed, comparison bounds moved by one, constants changed by one, calls dropped, arguments swapped; the server's log calls are not mutated: the log is not the protocol; nor are ${Object.entries(NOT_MUTATED).map(([f, why]) => `${f}: ${why}`).join('; ')}). The kit starts each mutant itself (\`--server-cmd\`: supervised, so a crash is charged to the case that caused it and the server restarted, and the resource cases PROC-* run) and runs \`--quick --seed=${meta.kitSeed}\` against it for each profile whose run against the unmutated server executed the mutated code (V8 block coverage of the control runs; tried in the order who-rename, gopl-en with the server's queues tight (\`gopl-en+tight\`:${TIGHT_SERVER_ARGS}, so that the flood and slow-reader cases reach the eviction and budget code), the fixture ${NO_ECHO_FIXTURE} (no echo, no self-join), nameop, raw, gopl-en, then the other dialect fixtures in fixtures/dialects/; at most ${MAX_PROFILES}), until one fails. A mutant that no profile's run reaches survives (no case can tell). A mutant the kit refuses to judge because it accepts connections but does not serve (the preflight) is killed. A failing case is replayed, as the kit does by default, and a fail that does not reproduce (timing) is not a kill; nor are fails the unmutated server also has in the same run of this command (control runs)${meta.noise ? `: ${meta.noise}` : ''}.`,
    '',
    `**Killed ${killed.length} of ${judged.length} non-equivalent mutants (${pct(killed.length, judged.length)}; goal ${GOAL * 100}%), ${named.length} of them with a verdict naming a requirement, ${byPreflight.length} by the preflight (the kit would not judge a server that accepts and does not serve).** ${uncovered.length} of the survivors are in code no profile's run reaches. ${rows.filter((r) => r.outcome.kind === 'stillborn').length} mutants did not start (not counted); ${rows.filter((r) => equivalents.has(r.mutant.id)).length} are equivalent (bench/mutants-equivalent.json says why; not counted).`,
    '',
    '| mutant | change | verdict |',
    '|---|---|---|',
  ];
  const cell = (t: string): string => t.replace(/\|/g, '\\|');
  for (const { mutant, outcome } of rows) {
    const eq = equivalents.get(mutant.id);
    const verdict = eq
      ? `equivalent: ${eq}`
      : outcome.kind === 'killed'
        ? `${killedBy(outcome)} (${profileLabel(outcome.profile)}, ${(outcome.ms / 1000).toFixed(1)} s)`
        : outcome.kind === 'timeout'
          ? `**no verdict**: the kit's run passed its deadline (${RUN_DEADLINE_FACTOR} × the unmutated server's run, at least ${MIN_RUN_DEADLINE_MS / 1000} s)`
          : outcome.kind === 'stillborn'
            ? `did not start: ${outcome.why}`
            : outcome.kind === 'uncovered'
              ? '**survived**: no profile\'s run reaches it'
              : '**survived**';
    lines.push(`| ${cell(mutant.id)} | ${cell(mutant.what)} | ${cell(verdict)} |`);
  }
  if (survivors.length) lines.push('', `Survivors: ${survivors.map((r) => r.mutant.id).join(', ')}.`);
  if (timedOut.length) lines.push('', `No verdict (deadline passed; not counted as killed): ${timedOut.map((r) => r.mutant.id).join(', ')}.`);
  lines.push(END);
  return lines.join('\n');
}

function rewriteReadme(section: string): void {
  const path = packagePath('README.md');
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next = start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + END.length) : `${text.replace(/\n*$/, '')}\n\n## Mutation testing\n\n${section}\n`;
  writeFileSync(path, next);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sample: { type: 'string' }, seed: { type: 'string' }, only: { type: 'string' }, 'no-readme': { type: 'boolean' }, jobs: { type: 'string' } } });
  const seed = Number(values.seed ?? 1);
  const n = Number(values.sample ?? 60);
  const jobs = Math.min(2, Math.max(1, Number(values.jobs ?? 2)));
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(n) || n <= 0) throw new Error('--seed and --sample take integers (--sample > 0)');
  const dir = packagePath('dist/src/reference-server');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js') && !(f in NOT_MUTATED));
  const all = files.flatMap((f) => mutationSites(f, readFileSync(join(dir, f), 'utf8')));
  const pool = values.only ? all.filter((m) => m.id.includes(values.only!)) : all;
  const chosen = sample(pool, n, seed).sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const equivalents = loadEquivalents();
  const kitSeed = 7;
  console.log(`mutate: ${chosen.length} of ${pool.length} mutants (seed ${seed}) of ${relative(process.cwd(), dir)}, ${jobs} at a time`);
  const t0 = performance.now();
  const rows: { mutant: Mutant; outcome: Outcome }[] = [];
  let next = 0;
  // The judge's own copy, then control runs: the unmutated server, each profile the mutants need, the same kit options.
  kitDir = makeSandbox();
  // Each control run also records which server code it executed: a mutant is judged with the profiles that reach it.
  const control: Control = { noise: new Map(), ms: new Map(), coverage: new Map() };
  {
    const sandbox = makeSandbox();
    try {
      for (const profile of candidateProfiles()) {
        const coverageDir = join(sandbox, 'coverage', String(control.coverage.size));
        const outcome = await judge({ id: 'control', file: 'index.js', line: 0, start: 0, end: 0, replacement: '', what: 'none' }, sandbox, kitSeed, control, [profile], coverageDir);
        if (outcome.kind !== 'killed' && outcome.kind !== 'survived') throw new Error(`the unmutated server (${profile}) ${outcome.kind === 'stillborn' ? `did not start: ${outcome.why}` : outcome.kind === 'timeout' ? 'timed out' : 'was not run'}`);
        const noise = outcome.kind === 'killed' ? outcome.requirements : [];
        control.noise.set(profile, new Set(noise));
        control.ms.set(profile, outcome.ms);
        control.coverage.set(profile, readCoverage(coverageDir, sandbox));
        console.log(`control (${profileLabel(profile)}, unmutated): ${noise.length ? `fails ${noise.join(', ')} on this machine; not counted as kills` : 'no fail'} (${(outcome.ms / 1000).toFixed(1)} s)`);
      }
      if ([...control.coverage.values()].every((c) => c.size === 0)) throw new Error('the control runs wrote no coverage of the reference server (NODE_V8_COVERAGE): cannot tell which profiles reach a mutant');
    } finally {
      rmSync(sandbox, { recursive: true, force: true });
    }
  }
  const worker = async (): Promise<void> => {
    const sandbox = makeSandbox();
    try {
      while (next < chosen.length) {
        const mutant = chosen[next++]!;
        if (equivalents.has(mutant.id)) {
          rows.push({ mutant, outcome: { kind: 'survived', ms: 0 } });
          console.log(`${mutant.id.padEnd(44)} equivalent: ${equivalents.get(mutant.id)}`);
          continue;
        }
        const outcome = await judge(mutant, sandbox, kitSeed, control);
        rows.push({ mutant, outcome });
        const shown = outcome.kind === 'killed' ? `${killedBy(outcome)} (${profileLabel(outcome.profile)}) ${(outcome.ms / 1000).toFixed(1)} s` : outcome.kind === 'stillborn' ? `did not start: ${outcome.why}` : outcome.kind === 'timeout' ? 'NO VERDICT (deadline passed)' : outcome.kind === 'uncovered' ? 'SURVIVED: no profile reaches it' : `SURVIVED ${(outcome.ms / 1000).toFixed(1)} s`;
        console.log(`${mutant.id.padEnd(44)} ${mutant.what.padEnd(40)} ${shown}`);
      }
    } finally {
      rmSync(sandbox, { recursive: true, force: true });
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  rmSync(kitDir, { recursive: true, force: true });
  rows.sort((a, b) => a.mutant.id.localeCompare(b.mutant.id, 'en', { numeric: true }));
  const ms = performance.now() - t0;
  const section = readmeSection(rows, equivalents, { total: all.length, seed, ms, kitSeed, noise: [...control.noise].filter(([, s]) => s.size).map(([p, s]) => `${[...s].join(', ')} (${profileLabel(p)})`).join('; ') });
  console.log(section.split('\n').filter((l) => l.startsWith('**') || l.startsWith('Survivors')).join('\n'));
  console.log(`mutate: ${(ms / 1000).toFixed(0)} s`);
  if (!values['no-readme'] && !values.only) rewriteReadme(section);
}

// Run when invoked (npm run mutate), not when a test imports mutationSites.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(`mutate: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  });
}
