// A case's transcript as a sequence diagram (inline SVG): one lane for the
// server and one per client, an arrow per line sent (client → server) or
// received (server → client), times on the left and the line's text in a
// column on the right, as Wireshark's flow graph does. Unrecognised lines,
// undecodable input, closes and evictions are marked. Bounded: lanes, rows
// and text are capped, with what was left out counted.
import type { TranscriptEntry } from '../runner/client.js';
import { clip, escapeHtml } from './text.js';

export interface DiagramLimits {
  /** Rows drawn; past this the middle of the transcript is replaced by "… N more entries". */
  readonly maxRows: number;
  /** Client lanes; clients past this share one "others" lane. */
  readonly maxLanes: number;
  /** Characters of a line shown in the text column. */
  readonly maxLabelChars: number;
  /** Characters of a line in its hover tooltip. */
  readonly maxTitleChars: number;
}

export const DIAGRAM_LIMITS: DiagramLimits = { maxRows: 160, maxLanes: 10, maxLabelChars: 90, maxTitleChars: 1000 };

/** Extra marks the transcript itself cannot carry (e.g. the target died during the case). */
export interface DiagramNotes {
  /** Drawn as a crash mark on the server lane after the last entry. */
  readonly serverDown?: string;
}

const ROW = 20;
const HEAD = 34;
const TIME_COL = 78;
const CHAR_W = 7.3;
const OTHERS = '…others';
const MEMBERSHIP: ReadonlySet<string> = new Set(['welcome', 'join', 'leave', 'idleLeave', 'renamed']);

type Row = { readonly kind: 'entry'; readonly entry: TranscriptEntry } | { readonly kind: 'gap'; readonly count: number };

function rowsOf(entries: readonly TranscriptEntry[], maxRows: number): Row[] {
  if (entries.length <= maxRows) return entries.map((entry) => ({ kind: 'entry', entry }));
  // The failure is usually near the end: keep a quarter from the start, the rest from the end.
  const head = Math.floor((maxRows - 1) / 4);
  const tail = maxRows - 1 - head;
  return [
    ...entries.slice(0, head).map((entry): Row => ({ kind: 'entry', entry })),
    { kind: 'gap', count: entries.length - head - tail },
    ...entries.slice(entries.length - tail).map((entry): Row => ({ kind: 'entry', entry })),
  ];
}

interface Style {
  readonly cls: string;
  /** Direction of the arrow; 'none' for a note on the client lane. */
  readonly dir: 'up' | 'down' | 'none';
  readonly text: string;
  /** A cross on the client lane: its connection ended here. */
  readonly end?: boolean;
}

function styleOf(e: TranscriptEntry): Style {
  switch (e.kind) {
    case 'connect':
      return { cls: 'connect', dir: 'up', text: `connects from ${e.addr}` };
    case 'send':
      return { cls: 'send', dir: 'up', text: e.text };
    case 'recv':
      // Membership notices (join, leave, timeouts) get their own colour: many findings turn on them.
      return { cls: e.event ? `recv${MEMBERSHIP.has(e.event.type) ? ' membership' : ''}` : 'recv unrecognised', dir: 'down', text: e.line };
    case 'garbage':
      return { cls: 'garbage', dir: 'down', text: `undecodable: ${e.detail}` };
    case 'fin':
      return { cls: 'close', dir: 'up', text: 'closes (FIN)', end: true };
    case 'rst':
      return { cls: 'close', dir: 'up', text: 'resets (RST)', end: true };
    case 'closed-by-server':
      return { cls: 'evicted', dir: 'down', text: 'connection closed by the server', end: true };
    case 'pause':
      return { cls: 'pause', dir: 'none', text: 'stops reading' };
    case 'resume':
      return { cls: 'pause', dir: 'none', text: 'reads again' };
  }
}

/** The tag shown before a line's text: what the kit read it as. */
function tagOf(e: TranscriptEntry): string {
  switch (e.kind) {
    case 'send':
      return e.writes > 1 ? `→ (${e.writes} writes)` : '→';
    case 'recv':
      return e.event ? `← ${e.event.type}` : '← unrecognised';
    case 'garbage':
      return '← ✗';
    default:
      return '';
  }
}

export function renderSequenceDiagram(entries: readonly TranscriptEntry[], notes: DiagramNotes = {}, limits: DiagramLimits = DIAGRAM_LIMITS): string {
  const rows = rowsOf(entries, limits.maxRows);
  const clients: string[] = [];
  let others = false;
  for (const r of rows) {
    if (r.kind !== 'entry' || clients.includes(r.entry.client)) continue;
    if (clients.length < limits.maxLanes) clients.push(r.entry.client);
    else others = true;
  }
  const lanes = ['server', ...clients, ...(others ? [OTHERS] : [])];
  const laneGap = lanes.length > 6 ? 72 : 104;
  const laneX = (i: number): number => TIME_COL + 40 + i * laneGap;
  const laneOf = (client: string): number => {
    const i = clients.indexOf(client);
    return i >= 0 ? i + 1 : lanes.length - 1;
  };
  const textX = laneX(lanes.length - 1) + 34;
  const width = Math.ceil(textX + (limits.maxLabelChars + 36) * CHAR_W);
  const extraRows = notes.serverDown ? 1 : 0;
  const height = HEAD + (rows.length + extraRows) * ROW + 12;
  const out: string[] = [];
  out.push(
    `<svg class="seq" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="sequence diagram: ${entries.length} transcript entries, ${lanes.length - 1} client lanes">`,
  );
  // Lane heads and lifelines.
  const firstRow = new Map<number, number>();
  const endRow = new Map<number, number>();
  rows.forEach((r, i) => {
    if (r.kind !== 'entry') return;
    const lane = laneOf(r.entry.client);
    if (!firstRow.has(lane)) firstRow.set(lane, i);
    if (styleOf(r.entry).end) endRow.set(lane, i);
  });
  const rowY = (i: number): number => HEAD + i * ROW + ROW / 2;
  const bottom = HEAD + (rows.length + extraRows) * ROW;
  lanes.forEach((name, i) => {
    const x = laneX(i);
    const label = name === 'server' ? 'server' : clip(name, 12);
    out.push(`<text class="lane-name${i === 0 ? ' server' : ''}" x="${x}" y="16" text-anchor="middle">${escapeHtml(label)}</text>`);
    const y1 = i === 0 ? HEAD - 10 : rowY(firstRow.get(i) ?? 0) - ROW / 2;
    const last = endRow.get(i);
    const y2 = i === 0 ? bottom : last !== undefined && last >= (firstRow.get(i) ?? 0) ? rowY(last) : bottom;
    out.push(`<line class="lifeline${i === 0 ? ' server' : ''}" x1="${x}" y1="${y1}" x2="${x}" y2="${y2}"/>`);
  });
  out.push(`<line class="col-rule" x1="${textX - 14}" y1="${HEAD - 10}" x2="${textX - 14}" y2="${bottom}"/>`);
  rows.forEach((r, i) => {
    const y = rowY(i);
    if (r.kind === 'gap') {
      out.push(`<g class="ev gap"><rect x="4" y="${y - ROW / 2 + 2}" width="${width - 8}" height="${ROW - 4}"/>`);
      out.push(`<text x="${TIME_COL + 40}" y="${y + 4}">… ${r.count} more entries not drawn …</text></g>`);
      return;
    }
    const e = r.entry;
    const st = styleOf(e);
    const lane = laneOf(e.client);
    const cx = laneX(lane);
    const sx = laneX(0);
    const who = `${clip(e.client, 12)} `;
    const tag = tagOf(e);
    out.push(`<g class="ev ${st.cls}" data-kind="${e.kind}">`);
    out.push(`<title>${escapeHtml(`+${e.at.toFixed(1)} ms  ${clip(e.client, 40)}  ${tag} ${clip(st.text, limits.maxTitleChars)}`)}</title>`);
    out.push(`<text class="time" x="${TIME_COL - 6}" y="${y + 4}" text-anchor="end">+${e.at.toFixed(1)} ms</text>`);
    if (st.dir === 'none') {
      out.push(`<rect class="note" x="${cx - 7}" y="${y - 7}" width="14" height="14"/>`);
    } else {
      const [x1, x2] = st.dir === 'up' ? [cx, sx] : [sx, cx];
      const head = x2 < x1 ? 1 : -1; // arrowhead points along the arrow, ending at x2
      out.push(`<line class="arrow" x1="${x1}" y1="${y}" x2="${x2 + head * 6}" y2="${y}"/>`);
      out.push(`<polygon class="head" points="${x2},${y} ${x2 + head * 8},${y - 4} ${x2 + head * 8},${y + 4}"/>`);
    }
    if (st.end) {
      out.push(`<path class="cross" d="M${cx - 6} ${y - 6}L${cx + 6} ${y + 6}M${cx + 6} ${y - 6}L${cx - 6} ${y + 6}"/>`);
    }
    const tagText = tag ? `<tspan class="tag">${escapeHtml(tag)}</tspan> ` : '';
    out.push(`<text class="label" x="${textX}" y="${y + 4}"><tspan class="who">${escapeHtml(who)}</tspan>${tagText}${escapeHtml(clip(st.text, limits.maxLabelChars))}</text>`);
    out.push('</g>');
  });
  if (notes.serverDown) {
    const y = rowY(rows.length);
    const sx = laneX(0);
    out.push(`<g class="ev crash"><title>${escapeHtml(clip(notes.serverDown, limits.maxTitleChars))}</title>`);
    out.push(`<path class="cross" d="M${sx - 8} ${y - 8}L${sx + 8} ${y + 8}M${sx + 8} ${y - 8}L${sx - 8} ${y + 8}"/>`);
    out.push(`<text class="label" x="${textX}" y="${y + 4}"><tspan class="tag">server ✗</tspan> ${escapeHtml(clip(notes.serverDown, limits.maxLabelChars))}</text></g>`);
  }
  out.push('</svg>');
  return out.join('');
}
