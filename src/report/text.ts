// Text from a hostile server made safe to show: control and bidi characters
// made visible, long strings cut with their full length shown, then escaped
// for HTML. Every string the HTML report prints goes through `shown`.

/** C0/C1 controls, DEL, and the bidi overrides that could reorder what a reader sees. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Control characters as escapes (\x1b, \u202e): a line shows what was on the wire. `lines` keeps LF as a line break (multi-line values in a <pre>). */
export function visible(s: string, lines = false): string {
  return s.replace(INVISIBLE, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    if (c === '\n') return lines ? '\n' : '\\n';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The mark src/evidence/clip.ts clipText leaves on a line the kit stored cut: its full length and hash. */
const STORED_CUT = /… \((\d+) chars, sha256 ([0-9a-f]{12})\)$/;

/**
 * At most `max` characters, then "… (N chars)" with N the length on the wire:
 * a line the kit already stored cut keeps its original length and hash.
 * Cuts before any work on the rest.
 */
export function clip(s: string, max: number, lines = false): string {
  if (s.length <= max) return visible(s, lines);
  const stored = STORED_CUT.exec(s.slice(-64));
  if (stored) return `${visible(s.slice(0, Math.min(max, s.length - stored[0].length)), lines)}… (${stored[1]} chars, sha256 ${stored[2]})`;
  return `${visible(s.slice(0, max), lines)}… (${s.length} chars)`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Clipped, made visible and escaped: the one way report text reaches the page. */
export function shown(s: string, max: number): string {
  return escapeHtml(clip(s, max));
}

/** As `shown`, keeping line breaks: for multi-line values (expected/actual, server output) shown in a <pre>. */
export function shownLines(s: string, max: number): string {
  return escapeHtml(clip(s, max, true));
}
