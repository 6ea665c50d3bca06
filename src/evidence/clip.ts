// Bounded evidence: whatever a target sends, what the kit stores (transcript
// lines, expected/actual values, scenarios) and prints is cut to a limit. A
// cut string keeps its full length and a hash of the whole, so two cut lines
// can still be told apart (or matched) without keeping them.
import { createHash } from 'node:crypto';
import type { ServerEvent, Who } from '../profile/types.js';

/** Characters of one stored transcript line (sent or received). */
export const STORED_LINE_MAX = 256;
/** Characters of one stored expected/actual value or message. */
export const STORED_VALUE_MAX = 1024;

/** Recent hashes, by text: a flood's line is clipped once per receiver and once more as its event's text. */
const recentHashes = new Map<string, string>();
/** Bounds of that cache: texts kept, characters kept in all, and the longest text worth keeping. */
const RECENT_HASHES = 1024;
const RECENT_HASH_CHARS = 8 * 1024 * 1024;
const RECENT_HASH_TEXT_MAX = 64 * 1024;
let recentHashChars = 0;

/** The first 12 hex digits of the SHA-256 of the text's UTF-8 bytes. */
export function shortHash(text: string): string {
  const known = recentHashes.get(text);
  if (known !== undefined) return known;
  const hash = createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);
  if (text.length <= RECENT_HASH_TEXT_MAX) {
    recentHashes.set(text, hash);
    recentHashChars += text.length;
    // Oldest first (a Map keeps insertion order) until both bounds hold.
    for (const [old] of recentHashes) {
      if (recentHashes.size <= RECENT_HASHES && recentHashChars <= RECENT_HASH_CHARS) break;
      recentHashes.delete(old);
      recentHashChars -= old.length;
    }
  }
  return hash;
}

/** A fresh copy, not a V8 slice that would keep its (possibly huge) parent string alive. */
const detach = (s: string): string => Buffer.from(s, 'utf16le').toString('utf16le');

/** The text itself when it fits, else its head, its full length and its hash: `head… (1048576 chars, sha256 0123456789ab)`. */
export function clipText(text: string, max = STORED_LINE_MAX): string {
  if (text.length <= max) return text;
  let head = text.slice(0, max);
  // Do not split a surrogate pair.
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return `${detach(head)}… (${text.length} chars, sha256 ${shortHash(text)})`;
}

/** Like clipText, but the whole result (head, length and hash) fits in `width` characters: for printed lines. */
export function clipToWidth(text: string, width: number): string {
  if (text.length <= width) return text;
  const suffix = `… (${text.length} chars, sha256 ${shortHash(text)})`;
  let head = text.slice(0, Math.max(0, width - suffix.length));
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return `${detach(head)}${suffix}`;
}

const clipWho = (who: Who, max: number): Who => ({
  ...(who.addr !== undefined ? { addr: clipText(who.addr, max) } : {}),
  ...(who.name !== undefined ? { name: clipText(who.name, max) } : {}),
});

/** The event with every string field cut to max (the same object when nothing is long). */
export function clipEvent<E extends ServerEvent | undefined>(event: E, max = STORED_LINE_MAX): E {
  if (event === undefined) return event;
  const long = (v: unknown): boolean => (typeof v === 'string' && v.length > max) || (Array.isArray(v) && v.some(long)) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).some(long));
  if (!Object.values(event).some(long)) return event;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) {
    if (typeof v === 'string') out[k] = clipText(v, max);
    else if (Array.isArray(v)) out[k] = v.slice(0, 64).map((x: unknown) => (typeof x === 'string' ? clipText(x, max) : x));
    else if (k === 'who' && typeof v === 'object' && v !== null) out[k] = clipWho(v as Who, max);
    else out[k] = v;
  }
  return out as E;
}
