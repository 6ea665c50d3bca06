// `npm run screenshot:report`: the README's picture of the HTML report, made
// from a real run — the leave cases against the corpus server that announces
// a leave before relaying the leaver's last lines — rendered by
// renderHtmlReport and photographed in headless Chromium.
// Usage: node dist/scripts/screenshot-report.js [PNG (default docs/report.png)] [--html FILE]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { renderHtmlReport, runConformance } from '../src/index.js';
import { packagePath } from '../src/paths.js';
import { startFaultServer } from '../test/targets/fault-server.js';
import { chromiumMissing, launchChromium } from './chromium.js';

const { values, positionals } = parseArgs({ options: { html: { type: 'string' } }, allowPositionals: true });
const png = resolve(positionals[0] ?? packagePath('docs', 'report.png'));
const missing = chromiumMissing();
if (missing) {
  console.error(`screenshot:report: ${missing}`);
  process.exit(2);
}

const server = await startFaultServer({ profile: 'gopl-en', fault: 'leave-before-last-lines' });
let html: string;
try {
  const report = await runConformance({ target: server.url, profile: 'gopl-en', only: ['leave/*', 'chat/exactly-once'], quick: true, seed: 7, keepTranscripts: true });
  console.log(`run: ${Object.entries(report.summary).map(([v, n]) => `${n} ${v}`).join(', ')}`);
  html = renderHtmlReport(report);
} finally {
  await server.close();
}

const dir = mkdtempSync(join(tmpdir(), 'cc-shot-'));
const browser = await launchChromium();
try {
  const file = values.html ? resolve(values.html) : join(dir, 'report.html');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(pathToFileURL(file).href, { timeout: 15_000 });
  mkdirSync(dirname(png), { recursive: true });
  await page.screenshot({ path: png, fullPage: true });
  console.log(`wrote ${png}${values.html ? ` and ${file}` : ''}`);
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
