// The HTML report: one self-contained page (inline CSS, JS and SVG; a
// Content-Security-Policy that allows no network and no script but its own)
// rendered from the same Report the JSON report holds. A summary per verdict
// and per section, filters, and one entry per case with its requirements,
// expected vs actual, replay line and transcript as a sequence diagram.
import { createHash } from 'node:crypto';
import { requirement as registryRequirement } from '../spec/requirements.js';
import type { Report } from '../runner/run.js';
import type { ServerIncident } from '../supervise/index.js';
import { VERDICTS, type CaseResult, type Verdict } from '../runner/verdict.js';
import { renderSequenceDiagram, type DiagramNotes } from './sequence-diagram.js';
import { escapeHtml, shown, shownLines } from './text.js';
import { PASSING_SHARE, RUN_TRANSCRIPT_ENTRIES } from '../evidence/budget.js';
import type { TranscriptEntry } from '../runner/client.js';
import { baselineStatus, standing, type BaselineStatus, type Gate } from './gate.js';

/** Caps on what one page holds, so a hostile or huge run still renders a readable, bounded file. */
export const HTML_LIMITS = {
  cases: 2000,
  violationsPerCase: 20,
  messageChars: 2000,
  evidenceChars: 4000,
  replayChars: 2000,
  serverOutputLines: 40,
} as const;

const sectionOf = (id: string): string => {
  const slash = id.indexOf('/');
  return slash > 0 ? id.slice(0, slash) : id;
};

/** Verdicts whose cases open expanded: what a reader came for. */
const OPEN: ReadonlySet<Verdict> = new Set(['fail', 'error', 'warn']);

function requirementText(report: Report, id: string): { level: string; text: string } | undefined {
  const inReport = report.requirements?.[id];
  if (inReport) return inReport;
  try {
    return registryRequirement(id);
  } catch {
    return undefined; // a report from another version may name requirements this one does not know
  }
}

function requirementsBlock(report: Report, c: CaseResult): string {
  const items = c.requirements.slice(0, 50).map((id) => {
    const req = requirementText(report, id);
    return `<li><b class="req-id">${shown(id, 40)}</b> <span class="level">${shown(req?.level ?? '?', 10)}</span> ${req ? shown(req.text, HTML_LIMITS.messageChars) : '<i>(requirement text not in this report)</i>'}</li>`;
  });
  return `<ul class="reqs">${items.join('')}</ul>`;
}

function violationsBlock(c: CaseResult): string {
  const vs = c.violations ?? [];
  if (vs.length === 0) return '';
  const out = vs.slice(0, HTML_LIMITS.violationsPerCase).map((v) => {
    const rows: string[] = [];
    if (v.expected !== undefined) rows.push(`<tr><th>expected</th><td><pre>${shownLines(v.expected, HTML_LIMITS.evidenceChars)}</pre></td></tr>`);
    if (v.actual !== undefined) rows.push(`<tr><th>actual</th><td><pre>${shownLines(v.actual, HTML_LIMITS.evidenceChars)}</pre></td></tr>`);
    if (v.confirmed !== undefined) rows.push(`<tr><th>confirmed</th><td><pre>${shownLines(v.confirmed, HTML_LIMITS.evidenceChars)}</pre></td></tr>`);
    return (
      `<div class="violation level-${escapeHtml(v.level)}"><p><b class="req-id">${shown(v.requirement, 40)}</b> <span class="level">${shown(v.level, 10)}</span> ${shown(v.message, HTML_LIMITS.messageChars)}</p>` +
      (rows.length ? `<table class="ea">${rows.join('')}</table>` : '') +
      '</div>'
    );
  });
  if (vs.length > HTML_LIMITS.violationsPerCase) out.push(`<p class="more">… ${vs.length - HTML_LIMITS.violationsPerCase} more findings not shown</p>`);
  return `<div class="violations">${out.join('')}</div>`;
}

/** What the runner says happened to the server during a case (CaseResult.server) or the run (Report.incidents). */
type ServerIncidentView = Pick<ServerIncident, 'kind' | 'status' | 'headline'> & { readonly output?: readonly string[] };

const incidentWords = (i: ServerIncidentView): string =>
  `${i.kind === 'crash' ? `the server ${i.status}` : `the room stopped serving (${i.status})`}${i.headline ? `: ${i.headline}` : ''}`;

function incidentBlock(i: ServerIncidentView): string {
  const output = (i.output ?? []).slice(-HTML_LIMITS.serverOutputLines).map((l) => shown(l, 500));
  return (
    `<div class="incident"><p><b>${i.kind === 'crash' ? 'The server crashed during this case' : 'The room stopped serving during this case'}:</b> ${shown(incidentWords(i), HTML_LIMITS.messageChars)}</p>` +
    (output.length ? `<details><summary>the server's last ${output.length} line(s) of output</summary><pre>${output.join('\n')}</pre></details>` : '') +
    '</div>'
  );
}

/** Crashes and dead rooms of the whole run, each linked to the case it is charged to. */
function incidentsBlock(report: Report, cases: readonly CaseResult[]): string {
  const incidents = report.incidents ?? [];
  if (incidents.length === 0 && !report.restarts) return '';
  const items = incidents.slice(0, 50).map((i) => {
    const index = cases.findIndex((c) => c.id === i.case);
    const name = `<code>${shown(i.case, 120)}</code>`;
    return `<li>${index >= 0 ? `<a href="#${caseAnchor(i.case, index)}">${name}</a>` : name}: ${shown(incidentWords(i), 500)}</li>`;
  });
  if (incidents.length > 50) items.push(`<li>… ${incidents.length - 50} more</li>`);
  return `<div class="incidents" id="incidents"><p><b>Server incidents: ${incidents.length}</b>${report.restarts ? ` · restarted ${report.restarts} time(s)` : ''}</p><ul>${items.join('')}</ul></div>`;
}

/** A transcript drawn as a sequence diagram, with the server's crash or dead room marked on its lane. */
function diagramBlock(transcript: readonly TranscriptEntry[], incident: ServerIncidentView | undefined): string {
  const down = incident ? incidentWords(incident) : undefined;
  const notes: DiagramNotes = down ? { serverDown: down } : {};
  if (transcript.length === 0 && !down) return '<p class="none">The transcript is empty.</p>';
  return (
    `<figure class="diagram"><figcaption>Transcript: ${transcript.length} entries (→ sent by a client, ← received from the server; hover an arrow for its full line)</figcaption>` +
    `<div class="scroll">${renderSequenceDiagram(transcript, notes)}</div></figure>`
  );
}

/** A stable anchor per case (report.html#case-chat-exactly-once); the index keeps hostile IDs unique. */
const caseAnchor = (id: string, index: number): string => {
  const slug = id.slice(0, 120).replace(/[^A-Za-z0-9-]+/g, '-');
  return /^[a-z]+-[A-Za-z0-9-]+$/.test(slug) ? `case-${slug}` : `case-${index}`;
};

const BASELINE_WORDS: Record<BaselineStatus, { badge: string; title: string }> = {
  known: { badge: 'KNOWN FAILURE', title: 'in the baseline: expected not to pass, it fails nothing' },
  new: { badge: 'NEW FAILURE', title: 'not in the baseline: a new failure' },
  fixed: { badge: 'FIXED', title: 'in the baseline, and passed: remove it from the baseline' },
};

/** The case's place in the gate, as badges: its baseline status, and a warn that fails the run under --strict. */
function gateBadges(c: CaseResult, gate: Gate | undefined): string {
  const status = baselineStatus(c, gate);
  const badges: string[] = [];
  if (status) badges.push(`<span class="badge b-${status}" title="${escapeHtml(BASELINE_WORDS[status].title)}">${BASELINE_WORDS[status].badge}</span>`);
  if (gate?.strict && c.verdict === 'warn' && standing(c, gate) === 'fails-run') badges.push('<span class="badge strict" title="--strict: a warn fails the run">FAILS (--strict)</span>');
  return badges.length ? ` ${badges.join(' ')}` : '';
}

function caseBlock(report: Report, c: CaseResult, index: number): string {
  const verdict = VERDICTS.includes(c.verdict) ? c.verdict : 'error';
  const status = baselineStatus(c, report.gate);
  const section = sectionOf(c.id);
  const parts: string[] = [];
  parts.push(`<div class="body">`);
  // With findings, the message is the worst of them (in the summary line and below); else it is the only word.
  if (c.message && !c.violations?.length) parts.push(`<p class="message">${shown(c.message, HTML_LIMITS.messageChars)}</p>`);
  parts.push(requirementsBlock(report, c));
  parts.push(violationsBlock(c));
  // Supervised runs put the incident (with the server's output) on the case; unsupervised ones list it for the run.
  const incident: ServerIncidentView | undefined = c.server ?? report.incidents?.find((i) => i.case === c.id);
  if (incident) parts.push(incidentBlock(incident));
  const cx = c.counterexample;
  if (cx) {
    if (cx.scenario) parts.push(`<p class="scenario"><b>smallest failing scenario:</b> <code>${shown(cx.scenario, HTML_LIMITS.evidenceChars)}</code></p>`);
    parts.push(`<p class="replay"><b>replay:</b> <code>${shown(cx.replay, HTML_LIMITS.replayChars)}</code></p>`);
    if (cx.flaky) parts.push(`<p class="flaky">flaky: the replay did not fail again, so this command may not reproduce it (timing-dependent)</p>`);
    parts.push(diagramBlock(cx.transcript, incident));
  } else if (c.transcript) {
    const { entries, cut } = c.transcript;
    const budget = `the run's transcript budget (${RUN_TRANSCRIPT_ENTRIES} entries in all, about 700 bytes each; passing cases share what failures leave, at most ${PASSING_SHARE}, each keeping its last entries)`;
    if (entries.length === 0 && cut !== undefined) parts.push(`<p class="none dropped">Transcript not kept: its ${cut} entries did not fit in ${budget}.</p>`);
    else {
      if (cut !== undefined) parts.push(`<p class="none cut">The first ${cut} entries of this transcript are not kept: ${budget}.</p>`);
      parts.push(diagramBlock(entries, incident));
    }
  } else if (verdict !== 'pass' && verdict !== 'skip') {
    parts.push('<p class="none">No transcript was recorded for this case.</p>');
  } else if (verdict === 'pass') {
    parts.push('<p class="none">Passed; no transcript in this report (the command line keeps passing cases\' transcripts when an HTML report is asked for; from the library, RunOptions.keepTranscripts).</p>');
  }
  parts.push('</div>');
  return (
    `<details class="case v-${verdict}" id="${caseAnchor(c.id, index)}" data-verdict="${verdict}" data-section="${escapeHtml(section)}" data-baseline="${status ?? ''}"${OPEN.has(verdict) ? ' open' : ''}>` +
    `<summary><span class="badge v-${verdict}">${verdict.toUpperCase()}</span>${gateBadges(c, report.gate)} <code class="case-id">${shown(c.id, 120)}</code> <span class="title">${shown(c.title, 300)}</span> <span class="dur">${Math.round(c.durationMs)} ms</span>` +
    (incident ? ` <span class="badge incident">${incident.kind === 'crash' ? 'SERVER CRASHED' : 'ROOM DEAD'}</span>` : '') +
    (c.message && verdict !== 'pass' ? `<span class="brief">${shown(c.message, 200)}</span>` : '') +
    `</summary>${parts.join('')}</details>`
  );
}

function summaryBlock(report: Report, cases: readonly CaseResult[]): string {
  const gate = gateBlock(report, cases);
  const sections = [...new Set(cases.map((c) => sectionOf(c.id)))];
  const count = (list: readonly CaseResult[], v: Verdict): number => list.filter((c) => c.verdict === v).length;
  const verdictRow = VERDICTS.map(
    (v) => `<td><button type="button" class="only v-${v}" data-only="${v}" title="show only ${v} cases"><span class="n" data-count="${v}">${report.summary[v] ?? count(cases, v)}</span> ${v}</button></td>`,
  ).join('');
  const sectionRows = sections.map((s) => {
    const inSection = cases.filter((c) => sectionOf(c.id) === s);
    const cells = VERDICTS.map((v) => {
      const n = count(inSection, v);
      return `<td class="${n > 0 ? `v-${v}` : 'zero'}">${n}</td>`;
    }).join('');
    // The spec sections (requirement ID prefixes) this case section checks: conformance/ mirrors spec/.
    const spec = [...new Set(inSection.flatMap((c) => c.requirements.map((id) => id.replace(/-\d+$/, ''))))].slice(0, 8);
    return `<tr data-section="${escapeHtml(s)}"><th scope="row">${shown(s, 60)} <span class="spec">${shown(spec.join(', '), 120)}</span></th>${cells}<td>${inSection.length}</td></tr>`;
  });
  return (
    `<section id="summary"><h2>Summary</h2>${gate.line}<table id="verdict-counts" class="counts"><tr>${verdictRow}</tr></table>${gate.baselineRow}` +
    `<table id="section-counts"><thead><tr><th>section</th>${VERDICTS.map((v) => `<th>${v}</th>`).join('')}<th>cases</th></tr></thead><tbody>${sectionRows.join('')}</tbody></table></section>`
  );
}

/** What --strict and --baseline made of the run: the exit code, and with a baseline the known, new and fixed counts (buttons that filter). */
function gateBlock(report: Report, cases: readonly CaseResult[]): { line: string; baselineRow: string } {
  const gate = report.gate;
  if (!gate) return { line: '', baselineRow: '' };
  const passes = gate.exitCode === 0;
  const words = [
    `<span class="gate-verdict ${passes ? 'v-pass' : 'v-fail'}">${passes ? 'the run passes' : `the run fails (exit ${gate.exitCode})`}</span>`,
    gate.failing.length ? `${gate.failing.length} case${gate.failing.length === 1 ? '' : 's'} fail${gate.failing.length === 1 ? 's' : ''} it` : '',
    gate.strict ? '<b>--strict</b>: warn and inconclusive cases fail the run' : '',
  ].filter(Boolean);
  let row = '';
  if (gate.baseline !== undefined) {
    const count = (b: BaselineStatus): number => cases.filter((c) => baselineStatus(c, gate) === b).length;
    const buttons = (['new', 'known', 'fixed'] as const).map(
      (b) => `<td><button type="button" class="only-baseline b-${b}" data-baseline-only="${b}" title="show only: ${escapeHtml(BASELINE_WORDS[b].title)}"><span class="n" data-baseline-count="${b}">${count(b)}</span> ${b === 'new' ? 'new failures' : b === 'known' ? 'known failures' : 'fixed since the baseline'}</button></td>`,
    );
    row = `<table id="baseline-counts" class="counts"><tr><th scope="row">baseline <code>${shown(gate.baseline, 200)}</code></th>${buttons.join('')}</tr></table>`;
  }
  return { line: `<p id="gate">${words.join(' · ')}</p>`, baselineRow: row };
}

function filtersBlock(cases: readonly CaseResult[], gate: Gate | undefined): string {
  const sections = [...new Set(cases.map((c) => sectionOf(c.id)))];
  const boxes = VERDICTS.map(
    (v) => `<label class="v-${v}"><input type="checkbox" name="verdict" value="${v}" checked> ${v} (${cases.filter((c) => c.verdict === v).length})</label>`,
  ).join(' ');
  const options = sections.map((s) => `<option value="${escapeHtml(s)}">${shown(s, 60)}</option>`).join('');
  return (
    `<nav id="filters"><span class="group"><b>Verdict</b> ${boxes}</span>` +
    `<span class="group"><label><b>Section</b> <select id="section-filter"><option value="">all sections</option>${options}</select></label></span>` +
    (gate?.baseline !== undefined
      ? `<span class="group"><label><b>Baseline</b> <select id="baseline-filter"><option value="">all cases</option><option value="new">new failures</option><option value="known">known failures</option><option value="fixed">fixed since the baseline</option></select></label></span>`
      : '') +
    `<span class="group"><button type="button" id="expand-all">expand all</button> <button type="button" id="collapse-all">collapse all</button></span>` +
    `<span id="shown-count"></span></nav>`
  );
}

// Plain JS, no data in it: the page is already rendered; this only hides and opens.
const SCRIPT = `(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#filters input[name=verdict]'));
  var section = document.getElementById('section-filter');
  var baseline = document.getElementById('baseline-filter');
  var cases = Array.prototype.slice.call(document.querySelectorAll('#cases .case'));
  var count = document.getElementById('shown-count');
  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var s = section.value;
    var b = baseline ? baseline.value : '';
    var n = 0;
    cases.forEach(function (c) {
      var show = on[c.getAttribute('data-verdict')] === true && (s === '' || c.getAttribute('data-section') === s) && (b === '' || c.getAttribute('data-baseline') === b);
      c.hidden = !show;
      if (show) n += 1;
    });
    count.textContent = n + ' of ' + cases.length + ' cases shown';
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  section.addEventListener('change', apply);
  if (baseline) baseline.addEventListener('change', apply);
  Array.prototype.forEach.call(document.querySelectorAll('button.only-baseline'), function (btn) {
    btn.addEventListener('click', function () {
      boxes.forEach(function (x) { x.checked = true; });
      section.value = '';
      baseline.value = btn.getAttribute('data-baseline-only');
      apply();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('button.only'), function (btn) {
    btn.addEventListener('click', function () {
      boxes.forEach(function (b) { b.checked = b.value === btn.getAttribute('data-only'); });
      apply();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('#section-counts tbody tr'), function (row) {
    row.addEventListener('click', function () { section.value = row.getAttribute('data-section'); apply(); });
  });
  document.getElementById('expand-all').addEventListener('click', function () { cases.forEach(function (c) { if (!c.hidden) c.open = true; }); });
  document.getElementById('collapse-all').addEventListener('click', function () { cases.forEach(function (c) { c.open = false; }); });
  apply();
})();`;

const STYLE = `
:root { --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700; --skip:#6e7781; --inconclusive:#8250df; --error:#a40e26; --fg:#1f2328; --muted:#57606a; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; padding: 16px 24px 48px; background: #fff; }
code, pre, .seq text { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 18px 0 8px; }
header .meta { color: var(--muted); margin: 0; }
header .meta b { color: var(--fg); font-weight: 600; }
.incident, .incidents { border-left: 6px solid var(--error); background: #fff8f8; padding: 4px 12px; margin: 8px 0; } .incident pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0; max-height: 24em; overflow: auto; } .incidents ul { margin: 2px 0; }
.badge.incident { background: var(--error); }
.badge.b-new, .badge.strict { background: var(--fail); } .badge.b-known { background: #6e7781; } .badge.b-fixed { background: var(--pass); }
.b-new { --c: var(--fail); } .b-known { --c: #6e7781; } .b-fixed { --c: var(--pass); }
#gate { margin: 0 0 8px; } #gate .gate-verdict { font-weight: 700; color: var(--c); }
#baseline-counts { margin-top: 8px; } #baseline-counts th { text-align: left; font-weight: 600; padding-right: 10px; }
button.only-baseline { font: inherit; border: 1px solid var(--line); border-left: 6px solid var(--c); background: #f6f8fa; border-radius: 4px; padding: 2px 10px; cursor: pointer; } button.only-baseline .n { font-weight: 700; color: var(--c); }
.preflight { border-left: 6px solid var(--error); background: #fff8f8; padding: 4px 12px; margin: 10px 0; } .preflight pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0; max-height: 24em; overflow: auto; } header .unreachable b { color: var(--error); }
.overall { display: inline-block; font-weight: 700; padding: 2px 10px; border-radius: 4px; color: #fff; margin-right: 8px; }
.v-pass { --c: var(--pass); } .v-fail { --c: var(--fail); } .v-warn { --c: var(--warn); } .v-skip { --c: var(--skip); } .v-inconclusive { --c: var(--inconclusive); } .v-error { --c: var(--error); }
.overall, .badge { background: var(--c); }
table { border-collapse: collapse; }
#verdict-counts td { padding: 0 8px 0 0; }
button.only { font: inherit; border: 1px solid var(--line); border-left: 6px solid var(--c); background: #f6f8fa; border-radius: 4px; padding: 4px 12px; cursor: pointer; }
button.only .n { font-size: 20px; font-weight: 700; color: var(--c); }
#section-counts { margin-top: 10px; }
#section-counts th, #section-counts td { border: 1px solid var(--line); padding: 2px 10px; text-align: right; }
#section-counts th[scope=row], #section-counts thead th:first-child { text-align: left; font-weight: 600; } #section-counts .spec { color: var(--muted); font-weight: 400; font-size: 12px; }
#section-counts tbody tr { cursor: pointer; } #section-counts tbody tr:hover { background: #f6f8fa; }
#section-counts td.zero { color: #c0c4c9; } #section-counts td[class^="v-"] { color: var(--c); font-weight: 600; }
#filters { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: 8px 0; margin: 14px 0 8px; display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; z-index: 1; }
#filters label { white-space: nowrap; } #filters .group > label[class^="v-"] { color: var(--c); }
#shown-count { color: var(--muted); margin-left: auto; }
[hidden] { display: none !important; }
.case { border: 1px solid var(--line); border-left: 6px solid var(--c); border-radius: 4px; margin: 6px 0; }
.case > summary { cursor: pointer; padding: 6px 10px; list-style-position: inside; }
.case > summary .title { color: var(--fg); } .case > summary .dur { color: var(--muted); font-size: 12px; }
.case > summary .brief { display: block; color: var(--c); margin: 2px 0 0 22px; overflow-wrap: anywhere; }
.badge { color: #fff; font-size: 11px; font-weight: 700; padding: 1px 6px; border-radius: 3px; display: inline-block; min-width: 44px; text-align: center; }
.body { padding: 4px 14px 12px; border-top: 1px solid var(--line); }
.body p, .body ul { margin: 6px 0; overflow-wrap: anywhere; }
.reqs { padding-left: 18px; } .req-id { font-family: ui-monospace, monospace; } .level { font-size: 11px; font-weight: 700; border: 1px solid var(--muted); border-radius: 3px; padding: 0 4px; color: var(--muted); }
.violation { border-left: 3px solid var(--fail); padding: 2px 10px; margin: 8px 0; background: #fff8f8; } .violation.level-SHOULD { border-color: var(--warn); background: #fffbf0; }
.ea th { text-align: left; vertical-align: top; padding: 2px 10px 2px 0; color: var(--muted); font-weight: 600; }
.ea pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 14em; overflow: auto; }
.replay code, .scenario code { background: #f6f8fa; padding: 2px 6px; border-radius: 3px; overflow-wrap: anywhere; }
.flaky { color: var(--warn); } .none { color: var(--muted); font-style: italic; }
figure.diagram { margin: 10px 0 0; } figure.diagram figcaption { color: var(--muted); font-size: 12px; margin-bottom: 4px; }
.scroll { overflow: auto; max-height: 640px; border: 1px solid var(--line); border-radius: 4px; background: #fcfcfd; }
.seq text { font-size: 12px; fill: var(--fg); white-space: pre; }
.seq .lane-name { font-weight: 700; } .seq .lane-name.server { fill: #0550ae; }
.seq .lifeline { stroke: #afb8c1; stroke-dasharray: 4 3; } .seq .lifeline.server { stroke: #0550ae; stroke-dasharray: none; stroke-width: 2; }
.seq .col-rule { stroke: var(--line); }
.seq .time { fill: var(--muted); font-size: 11px; }
.seq .arrow { stroke-width: 1.5; }
.seq .send .arrow { stroke: #0969da; } .seq .send .head { fill: #0969da; }
.seq .recv .arrow { stroke: #1a7f37; } .seq .recv .head { fill: #1a7f37; }
.seq .membership .arrow { stroke: #8250df; } .seq .membership .head { fill: #8250df; } .seq .membership .tag { fill: #8250df; font-weight: 700; }
.seq .connect .arrow { stroke: #6e7781; stroke-dasharray: 3 3; } .seq .connect .head { fill: #6e7781; } .seq .connect .label { fill: var(--muted); }
.seq .unrecognised .arrow { stroke: #bc4c00; stroke-dasharray: 6 3; } .seq .unrecognised .head { fill: #bc4c00; } .seq .unrecognised .tag { fill: #bc4c00; font-weight: 700; }
.seq .garbage .arrow { stroke: #bc4c00; } .seq .garbage .head { fill: #bc4c00; } .seq .garbage .label { fill: #bc4c00; }
.seq .close .arrow { stroke: #57606a; } .seq .close .head { fill: #57606a; }
.seq .evicted .arrow { stroke: var(--fail); stroke-width: 2; } .seq .evicted .head { fill: var(--fail); } .seq .evicted .label { fill: var(--fail); font-weight: 700; }
.seq .cross { stroke: var(--fail); stroke-width: 2.5; }
.seq .crash .label { fill: var(--fail); font-weight: 700; }
.seq .pause .note { fill: #fff8c5; stroke: #9a6700; } .seq .pause .label { fill: #9a6700; }
.seq .tag { fill: var(--muted); } .seq .who { fill: var(--muted); font-weight: 700; }
.seq .gap rect { fill: #f6f8fa; stroke: var(--line); } .seq .gap text { fill: var(--muted); font-style: italic; }
.seq .ev:hover text.label { font-weight: 700; }
`;

/** A failed preflight: the run judged nothing, and this says why (the profile, the server, or no connection). */
function preflightBlock(report: Report): string {
  const p = report.preflight;
  if (!p) return '';
  const details = p.details.slice(0, 60).map((d) => shown(d, HTML_LIMITS.messageChars));
  if (p.details.length > 60) details.push(`… ${p.details.length - 60} more lines`);
  return (
    `<div class="preflight" id="preflight"><p><b>Preflight failed (${shown(p.kind, 20)}):</b> ${shown(p.summary, HTML_LIMITS.messageChars)}</p>` +
    (details.length ? `<pre>${details.join('\n')}</pre>` : '') +
    '</div>'
  );
}

/** The report as one self-contained HTML page. Pure: same report, same page. */
export function renderHtmlReport(report: Report): string {
  const all = report.cases;
  const cases = all.slice(0, HTML_LIMITS.cases);
  const scriptHash = createHash('sha256').update(SCRIPT, 'utf8').digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const verdict = VERDICTS.includes(report.verdict) ? report.verdict : 'error';
  const meta = [
    `<b>target</b> ${shown(report.target, 300)}`,
    `<b>profile</b> ${shown(report.profile, 200)}`,
    `<b>seed</b> ${shown(String(report.seed), 20)}`,
    `<b>started</b> ${shown(report.startedAt, 40)}`,
    `<b>duration</b> ${(report.durationMs / 1000).toFixed(1)} s`,
    `<b>version</b> ${shown(report.version, 40)}`,
  ].join(' · ');
  const body = [
    `<header><h1>chat-conformance report</h1><p class="meta"><span class="overall v-${verdict}" id="overall">${verdict.toUpperCase()}</span>${meta}</p>`,
    report.unreachable ? `<p class="meta unreachable"><b>Nothing was judged:</b> the target could not be reached.</p>` : '',
    report.stopped ? `<p class="meta"><b>stopped:</b> ${shown(report.stopped, HTML_LIMITS.messageChars)}</p>` : '',
    preflightBlock(report),
    incidentsBlock(report, cases),
    '</header>',
    summaryBlock(report, cases),
    filtersBlock(cases, report.gate),
    `<main id="cases">${cases.map((c, i) => caseBlock(report, c, i)).join('\n')}</main>`,
    all.length > cases.length ? `<p class="more">… ${all.length - cases.length} more cases not shown (see the JSON report)</p>` : '',
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>chat-conformance: ${verdict.toUpperCase()} — ${shown(report.profile, 80)}, ${shown(report.target, 120)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    ...body,
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
