// The HTML report (--report html=FILE): the renderer's escaping and bounds,
// then what a person sees in a real browser — a report from a real run
// against a server that drops lines, opened in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtmlReport, runConformance, type Report } from '../src/index.js';
import { withGate } from '../src/report/gate.js';
import { runCli } from './helpers/cli.js';
import { renderSequenceDiagram, DIAGRAM_LIMITS } from '../src/report/sequence-diagram.js';
import type { TranscriptEntry } from '../src/runner/client.js';
import { clipText, shortHash } from '../src/evidence/clip.js';
import { startFaultServer, type RunningFaultServer } from './targets/fault-server.js';
import { CHROMIUM_PATH, chromiumMissing, launchChromium, type Browser } from '../scripts/chromium.js';

const HOSTILE = '</script><script>window.__pwned=1;alert(1)</script><img src=x onerror="window.__pwned=2">';
const HUGE = 'x'.repeat(1024 * 1024);

function hostileReport(): Report {
  const transcript: TranscriptEntry[] = [
    { at: 0.5, client: 'a', kind: 'connect', addr: '127.0.0.1:1' },
    { at: 1, client: 'a', kind: 'send', text: HOSTILE, writes: 1 },
    { at: 2, client: 'a', kind: 'recv', line: HOSTILE, event: undefined },
    { at: 3, client: 'a', kind: 'recv', line: `\u001b[31mred\u001b[0m \u202egnp.exe\u0000`, event: { type: 'chat', who: { addr: '127.0.0.1:1' }, text: 'x' } },
    { at: 4, client: 'a', kind: 'recv', line: HUGE, event: undefined },
    { at: 5, client: 'a', kind: 'garbage', detail: HOSTILE },
    { at: 6, client: 'a', kind: 'closed-by-server' },
  ];
  return {
    tool: 'chat-conformance',
    version: '0.0.0',
    target: HOSTILE,
    profile: HOSTILE,
    seed: 1,
    verdict: 'fail',
    startedAt: new Date(0).toISOString(),
    durationMs: 10,
    summary: { pass: 0, fail: 1, warn: 0, skip: 0, inconclusive: 0, error: 0 },
    cases: [
      {
        id: 'chat/exactly-once',
        title: HOSTILE,
        requirements: ['CHAT-1'],
        level: 'MUST',
        verdict: 'fail',
        durationMs: 10,
        message: `CHAT-1 (MUST): ${HOSTILE}`,
        violations: [{ requirement: 'CHAT-1', level: 'MUST', message: HOSTILE, expected: HOSTILE, actual: HUGE }],
        counterexample: { transcript, replay: `npx chat-conformance ${HOSTILE}`, scenario: HOSTILE },
      },
    ],
  };
}

test('renderHtmlReport escapes every field: one script element, no markup from the report', () => {
  const html = renderHtmlReport(hostileReport());
  assert.equal(html.match(/<script/g)?.length, 1, 'only the page’s own script');
  assert.ok(!html.includes('<img'), 'no element from the report');
  assert.ok(!html.includes('onerror="'), 'no attribute from the report');
  assert.ok(html.includes('&#60;/script&#62;&#60;script&#62;'), 'the hostile text is shown, escaped');
  assert.ok(html.includes('\\x1b[31mred\\x1b[0m \\u202egnp.exe\\x00'), 'control and bidi characters are made visible');
  assert.ok(!/[\u0000-\u0008\u001b\u202e]/.test(html), 'no raw control character reaches the page');
  // A 1 MiB line is cut, with its full length shown: the page stays small.
  assert.ok(html.includes(`(${HUGE.length} chars)`));
  assert.ok(html.length < 100_000, `page of ${html.length} characters`);
});

test('renderHtmlReport: the page loads nothing from the network and allows only its own script', () => {
  const html = renderHtmlReport(hostileReport());
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
  assert.ok(!/\b(?:src|href)=["']?(?:https?:)?\/\//i.test(html), 'no external resource');
  assert.ok(!/@import|url\(/i.test(html), 'no CSS fetch');
});

test('renderHtmlReport: a run that judged nothing says so; cases have stable anchors', () => {
  const empty: Report = { ...hostileReport(), target: '127.0.0.1:9', profile: 'gopl-en', verdict: 'error', unreachable: true, stopped: 'cannot connect to 127.0.0.1:9: ECONNREFUSED', summary: { pass: 0, fail: 0, warn: 0, skip: 0, inconclusive: 0, error: 0 }, cases: [] };
  const html = renderHtmlReport(empty);
  assert.match(html, /Nothing was judged:<\/b> the target could not be reached/);
  assert.match(html, /cannot connect to 127\.0\.0\.1:9: ECONNREFUSED/);
  assert.match(html, /<main id="cases"><\/main>/);
  assert.match(renderHtmlReport(hostileReport()), /<details class="case v-fail" id="case-chat-exactly-once"/);
  const preflight = renderHtmlReport({ ...empty, unreachable: false, preflight: { kind: 'profile', summary: `no line matched the welcome notice ${HOSTILE}`, details: ['received: "Welcome!\\n"', HOSTILE] } });
  assert.match(preflight, /Preflight failed \(profile\):<\/b> no line matched the welcome notice &#60;\/script&#62;/);
  assert.match(preflight, /received: &#34;Welcome!/);
  assert.equal(preflight.match(/<script/g)?.length, 1);
});

test('renderHtmlReport: a server crash charged to a case is marked on the case, its diagram and the run', () => {
  const base = hostileReport();
  const crash = { kind: 'crash' as const, status: 'killed by SIGSEGV', headline: `panic: ${HOSTILE}`, output: ['goroutine 1 [running]:', HOSTILE] };
  const report = {
    ...base,
    incidents: [{ case: 'chat/exactly-once', kind: 'crash' as const, status: 'killed by SIGSEGV', headline: 'panic: runtime error' }],
    restarts: 1,
    cases: [{ ...base.cases[0]!, server: crash, violations: [{ requirement: 'ROBUST-1', level: 'MUST' as const, message: 'the server exited', expected: 'the server keeps serving the room', actual: 'panic: boom\n\tmain.go:12\x1b' }] }],
  } satisfies Report;
  const html = renderHtmlReport(report);
  assert.match(html, /<span class="badge incident">SERVER CRASHED<\/span>/);
  assert.match(html, /The server crashed during this case:<\/b> the server killed by SIGSEGV: panic: &#60;\/script&#62;/);
  assert.match(html, /goroutine 1 \[running\]:/);
  assert.ok(html.includes('<pre>panic: boom\n\\tmain.go:12\\x1b</pre>'), 'a multi-line actual keeps its line breaks; other controls are escaped');
  assert.match(html, /class="ev crash"[^]*server ✗/, 'the crash is drawn on the server lane');
  assert.match(html, /Server incidents: 1<\/b> · restarted 1 time\(s\)/);
  assert.match(html, /<a href="#case-chat-exactly-once"><code>chat\/exactly-once<\/code><\/a>: the server killed by SIGSEGV: panic: runtime error/);
  assert.equal(html.match(/<script/g)?.length, 1);
});

test('renderHtmlReport: without supervision, a target that stopped accepting connections is marked from the run’s incidents', () => {
  const base = hostileReport();
  const html = renderHtmlReport({ ...base, incidents: [{ case: 'chat/exactly-once', kind: 'crash', status: 'stopped accepting connections (ECONNREFUSED)' }] });
  assert.match(html, /<span class="badge incident">SERVER CRASHED<\/span>/);
  assert.match(html, /class="ev crash"[^]*the server stopped accepting connections \(ECONNREFUSED\)/);
  assert.ok(!renderHtmlReport(base).includes('class="ev crash"'), 'no incident, no crash mark');
});

test('renderHtmlReport: a passing case draws its kept transcript, or says why it was not kept; a warn under --strict is marked', () => {
  const base = hostileReport();
  const pass = { ...base.cases[0]!, verdict: 'pass' as const, violations: undefined, counterexample: undefined, message: undefined };
  const drawn = renderHtmlReport({ ...base, cases: [{ ...pass, transcript: { entries: base.cases[0]!.counterexample!.transcript } }] });
  assert.match(drawn, /<details class="case v-pass"[^]*<svg[^>]*class="seq"/);
  const dropped = renderHtmlReport({ ...base, cases: [{ ...pass, transcript: { entries: [], cut: 180 } }] });
  assert.match(dropped, /Transcript not kept: its 180 entries did not fit in the run's transcript budget \(4000 entries in all/);
  assert.doesNotMatch(dropped, /<svg/);
  const cut = renderHtmlReport({ ...base, cases: [{ ...pass, transcript: { entries: base.cases[0]!.counterexample!.transcript, cut: 50 } }] });
  assert.match(cut, /The first 50 entries of this transcript are not kept: the run's transcript budget/);
  assert.match(cut, /<svg[^>]*class="seq"/);
  assert.match(renderHtmlReport({ ...base, cases: [pass] }), /Passed; no transcript in this report/);
  const warn = { ...base.cases[0]!, verdict: 'warn' as const };
  const strict = renderHtmlReport(withGate({ ...base, cases: [warn] }, { strict: true }));
  assert.match(strict, /<span class="badge strict"[^>]*>FAILS \(--strict\)<\/span>/);
  assert.match(strict, /the run fails \(exit 1\)/);
  assert.doesNotMatch(renderHtmlReport(withGate({ ...base, cases: [warn] })), /FAILS \(--strict\)/);
});

test('a line the kit stored cut is shown with its length on the wire and its hash, not the stored length', () => {
  const stored = clipText(HUGE); // what the runner keeps of a 1 MiB line
  assert.ok(stored.length < 400);
  const svg = renderSequenceDiagram([{ at: 1, client: 'a', kind: 'recv', line: stored, event: undefined }]);
  assert.match(svg, new RegExp(`x… \\(${HUGE.length} chars, sha256 ${shortHash(HUGE)}\\)`));
  assert.ok(!svg.includes(`(${stored.length} chars)`));
});

test('sequence diagram: arrows are bounded, with a "… N more entries" marker, and lanes are capped', () => {
  const entries: TranscriptEntry[] = [];
  for (let i = 0; i < 1000; i++) {
    const client = `u${i % 30}`;
    entries.push(i % 2 ? { at: i, client, kind: 'send', text: `line ${i}`, writes: 1 } : { at: i, client, kind: 'recv', line: `got ${i}`, event: undefined });
  }
  const svg = renderSequenceDiagram(entries);
  const arrows = svg.match(/class="arrow"/g)?.length ?? 0;
  assert.equal(arrows, DIAGRAM_LIMITS.maxRows - 1);
  assert.match(svg, new RegExp(`… ${1000 - (DIAGRAM_LIMITS.maxRows - 1)} more entries not drawn …`));
  const lanes = svg.match(/class="lane-name/g)?.length ?? 0;
  assert.equal(lanes, 1 + DIAGRAM_LIMITS.maxLanes + 1, 'server, the capped client lanes, one "others" lane');
  assert.match(svg, /…others/);
  // The last entry (where a failure usually is) is drawn.
  assert.match(svg, /line 999/);
});

test('sequence diagram: evictions, closes, unrecognised and undecodable lines are marked', () => {
  const entries: TranscriptEntry[] = [
    { at: 1, client: 'a', kind: 'recv', line: 'strange', event: undefined },
    { at: 2, client: 'a', kind: 'garbage', detail: 'invalid UTF-8' },
    { at: 3, client: 'b', kind: 'fin' },
    { at: 4, client: 'a', kind: 'closed-by-server' },
    { at: 5, client: 'c', kind: 'pause' },
  ];
  const svg = renderSequenceDiagram(entries, { serverDown: 'the target stopped accepting connections (ECONNREFUSED)' });
  assert.match(svg, /class="ev recv unrecognised"[^]*← unrecognised/);
  assert.match(svg, /class="ev garbage"[^]*undecodable: invalid UTF-8/);
  assert.match(svg, /class="ev close"[^]*closes \(FIN\)/);
  assert.match(svg, /class="ev evicted"[^]*connection closed by the server/);
  assert.match(svg, /class="ev pause"[^]*stops reading/);
  assert.match(svg, /class="ev crash"[^]*ECONNREFUSED/);
  assert.equal(svg.match(/class="cross"/g)?.length, 3, 'FIN, eviction and the crash end a lane');
});

test('chat-conformance --report html=FILE writes the page, the same page the JSON report renders to', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-html-'));
  try {
    const html = join(dir, 'sub', 'r.html');
    const json = join(dir, 'r.json');
    const ran = await runCli(['--only', 'leave/fin', '--quick', '--seed=3', '--report', `html=${html}`, '--report', `json=${json}`]);
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /^<!DOCTYPE html>/);
    assert.match(page, /leave\/fin/);
    assert.ok(page.includes('When a member disconnects (FIN or RST), each remaining member MUST receive exactly one leave notice for it.'), 'the requirement text');
    // The JSON report carries everything the page shows: rendering it again gives the same page.
    const fromJson = JSON.parse(readFileSync(json, 'utf8')) as Report;
    assert.match(fromJson.requirements?.['LEAVE-1']?.text ?? '', /exactly one leave notice/, 'the JSON report carries the requirement texts');
    assert.equal(renderHtmlReport(fromJson), page);
    // With an HTML report asked for, the passing case's transcript is kept and drawn.
    assert.ok((fromJson.cases[0]?.transcript?.entries.length ?? 0) > 0, 'leave/fin passed and kept its transcript');
    assert.match(page, /<details class="case v-pass"[^]*<svg/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- in a real browser ---------------------------------------------------------

const missing = chromiumMissing();
const skip = missing ? `${missing}; the HTML report is not checked in a browser` : false;
let dir = '';
let report: Report | undefined;
let browser: Browser | undefined;
let server: RunningFaultServer | undefined;

before(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'cc-html-'));
  // A server that drops every Nth chat line: chat/exactly-once fails, the leave cases pass.
  server = await startFaultServer({ profile: 'gopl-en', fault: 'drop-1-in-N' });
  report = await runConformance({
    target: server.url,
    profile: 'gopl-en',
    only: ['chat/exactly-once', 'leave/fin', 'leave/rst', 'leave/quit'],
    quick: true,
    seed: 7,
    timeoutMs: 500,
    verifyFailures: false,
    keepTranscripts: true,
  });
  // As with --baseline: chat/exactly-once a known failure, leave/fin fixed since the baseline was written.
  report = withGate(report, { baseline: { file: 'chat-baseline.json', cases: { tool: 'chat-conformance', kind: 'baseline', profile: 'gopl-en', target: 'x', createdAt: 'x', cases: [{ id: 'chat/exactly-once', verdict: 'fail' }, { id: 'leave/fin', verdict: 'fail' }] } } });
  writeFileSync(join(dir, 'run.html'), renderHtmlReport(report));
  writeFileSync(join(dir, 'hostile.html'), renderHtmlReport(hostileReport()));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(file: string) {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const url = pathToFileURL(join(dir, file)).href;
  await page.goto(url, { timeout: 15_000 });
  return { page, errors, requests, dialogs, url };
}

test(`in Chromium: the summary shows the counts per verdict and per section (${CHROMIUM_PATH})`, { skip, timeout: 60_000 }, async () => {
  const r = report!;
  assert.ok(r.summary.fail >= 1 && r.summary.pass >= 1, `the run has a fail and a pass: ${JSON.stringify(r.summary)}`);
  const { page, errors, requests, url } = await open('run.html');
  try {
    for (const v of ['pass', 'fail', 'warn', 'skip', 'inconclusive', 'error'] as const) {
      assert.equal(await page.locator(`#verdict-counts [data-count=${v}]`).innerText(), String(r.summary[v]), `${v} count`);
    }
    const rows = await page.locator('#section-counts tbody tr').allInnerTexts();
    assert.deepEqual(rows.map((t) => t.split(/\s+/)[0]), ['chat', 'leave']);
    assert.ok(await page.locator('#overall').isVisible());
    assert.equal(await page.locator('#overall').innerText(), r.verdict.toUpperCase());
    assert.equal(await page.locator('#shown-count').innerText(), `${r.cases.length} of ${r.cases.length} cases shown`);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [url], 'the page fetched nothing but itself');
  } finally {
    await page.close();
  }
});

test('in Chromium: a failing case is expanded, with its requirement, expected vs actual, replay line and a drawn diagram', { skip, timeout: 60_000 }, async () => {
  const r = report!;
  const failing = r.cases.find((c) => c.verdict === 'fail')!;
  const { page } = await open('run.html');
  try {
    const entry = page.locator('details.case[data-verdict=fail]').first();
    assert.equal(await entry.evaluate((e) => (e as unknown as { open: boolean }).open), true, 'open without a click');
    const text = await entry.innerText();
    assert.ok(text.includes(failing.id));
    assert.ok(text.includes('Each chat line MUST be delivered exactly once'), 'the requirement text');
    assert.match(text, /expected/);
    assert.match(text, /actual/);
    assert.ok(await entry.locator('.replay code').isVisible());
    assert.ok((await entry.locator('.replay code').innerText()).includes(`--only ${failing.id}`));
    const svg = entry.locator('svg.seq');
    assert.ok(await svg.isVisible(), 'the diagram is visible');
    const box = await svg.boundingBox();
    assert.ok(box && box.width > 300 && box.height > 100, `diagram drawn at ${JSON.stringify(box)}`);
    const transcript = failing.counterexample!.transcript;
    const drawn = Math.min(transcript.length, DIAGRAM_LIMITS.maxRows - 1);
    const arrows = await svg.locator('line.arrow').count();
    const notes = transcript.filter((e) => e.kind === 'pause' || e.kind === 'resume').length;
    assert.ok(arrows > 0 && arrows <= drawn && arrows >= drawn - notes, `${arrows} arrows for ${transcript.length} entries`);
    // Sends go up to the server lane, receives come down from it: both kinds are drawn.
    assert.ok((await svg.locator('g.send line.arrow').count()) > 0);
    assert.ok((await svg.locator('g.recv line.arrow').count()) > 0);
    const lanes = await svg.locator('text.lane-name').allTextContents();
    assert.equal(lanes[0], 'server');
    // A passing case stays closed until clicked.
    const passing = page.locator('details.case[data-verdict=pass]').first();
    assert.equal(await passing.evaluate((e) => (e as unknown as { open: boolean }).open), false);
    await passing.locator('summary').click();
    assert.equal(await passing.evaluate((e) => (e as unknown as { open: boolean }).open), true);
    // Expanded, a passing case shows its transcript drawn too (kept because an HTML report was asked for).
    const passSvg = passing.locator('svg.seq');
    assert.ok(await passSvg.isVisible(), 'the passing case’s diagram is visible');
    const passBox = await passSvg.boundingBox();
    assert.ok(passBox && passBox.width > 300 && passBox.height > 100, `diagram drawn at ${JSON.stringify(passBox)}`);
    assert.ok((await passSvg.locator('g.send line.arrow').count()) > 0 && (await passSvg.locator('g.recv line.arrow').count()) > 0);
  } finally {
    await page.close();
  }
});

test('in Chromium: the verdict and section filters hide and show cases', { skip, timeout: 60_000 }, async () => {
  const r = report!;
  const { page } = await open('run.html');
  try {
    const visible = async (): Promise<string[]> =>
      page.locator('#cases details.case:visible').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-verdict')} ${e.querySelector('.case-id')?.textContent}`));
    assert.equal((await visible()).length, r.cases.length);
    await page.locator('#filters input[value=pass]').uncheck();
    assert.deepEqual(
      (await visible()).map((s) => s.split(' ')[1]),
      r.cases.filter((c) => c.verdict !== 'pass').map((c) => c.id),
    );
    await page.locator('button.only[data-only=fail]').click();
    assert.deepEqual(
      (await visible()).map((s) => s.split(' ')[1]),
      r.cases.filter((c) => c.verdict === 'fail').map((c) => c.id),
    );
    assert.equal(await page.locator('#shown-count').innerText(), `${r.summary.fail} of ${r.cases.length} cases shown`);
    await page.locator('#filters input[name=verdict]').evaluateAll((els) => els.forEach((e) => ((e as unknown as { checked: boolean }).checked = true)));
    await page.locator('#section-filter').selectOption('leave');
    assert.deepEqual(
      (await visible()).map((s) => s.split(' ')[1]),
      r.cases.filter((c) => c.id.startsWith('leave/')).map((c) => c.id),
    );
  } finally {
    await page.close();
  }
});

test('in Chromium: the baseline status in the summary, on each case, and as a filter', { skip, timeout: 60_000 }, async () => {
  const r = report!;
  const { page, errors } = await open('run.html');
  try {
    // The only fail is a known one: the run passes, and the page says so.
    assert.match(await page.locator('#gate').innerText(), /^the run passes/);
    assert.match(await page.locator('#baseline-counts').innerText(), /baseline chat-baseline\.json/);
    assert.equal(await page.locator('[data-baseline-count=new]').innerText(), '0');
    assert.equal(await page.locator('[data-baseline-count=known]').innerText(), '1');
    assert.equal(await page.locator('[data-baseline-count=fixed]').innerText(), '1');
    const failing = page.locator('details.case[data-verdict=fail]').first();
    assert.equal(await failing.locator('summary .badge.b-known').innerText(), 'KNOWN FAILURE');
    assert.equal(await page.locator('#case-leave-fin summary .badge.b-fixed').innerText(), 'FIXED');
    const ids = async (): Promise<string[]> => page.locator('#cases details.case:visible .case-id').allInnerTexts();
    await page.locator('button.only-baseline[data-baseline-only=fixed]').click();
    assert.deepEqual(await ids(), ['leave/fin']);
    await page.locator('#baseline-filter').selectOption('known');
    assert.deepEqual(await ids(), ['chat/exactly-once']);
    await page.locator('#baseline-filter').selectOption('');
    assert.equal((await ids()).length, r.cases.length);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('in Chromium: a transcript holding </script><script>alert(1)</script> does not execute, and is shown as text', { skip, timeout: 60_000 }, async () => {
  const { page, dialogs, requests, url } = await open('hostile.html');
  try {
    await page.waitForTimeout(200);
    assert.deepEqual(dialogs, []);
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.evaluate('document.scripts.length'), 1);
    assert.equal(await page.locator('img, [onerror]').count(), 0);
    const text = await page.locator('details.case').first().innerText();
    assert.ok(text.includes('</script><script>window.__pwned=1;alert(1)</script>'), 'the hostile line is shown literally');
    assert.ok(text.includes(`(${HUGE.length} chars)`), 'the huge line is cut with its length');
    // The diagram's text column shows it too, and the page still works.
    assert.ok((await page.locator('svg.seq text.label').allTextContents()).some((t) => t.includes('</script><script>')));
    assert.equal(await page.locator('#shown-count').innerText(), '1 of 1 cases shown');
    assert.deepEqual(requests, [url], 'the page fetched nothing (not even img src=x)');
  } finally {
    await page.close();
  }
});
