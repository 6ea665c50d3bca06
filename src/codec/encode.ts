// Framing out: a value becomes its LF-terminated bytes only if decoding those
// bytes gives the same value back; anything else is refused with a typed error.
import { MAX_NAME_BYTES } from './nameop.js';
import type { CodecErrorCode, EncodeResult } from './types.js';

const MAX_OP = 999_999_999;
const LONE_SURROGATE = /\p{Cs}/u;

const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

function refuse(code: CodecErrorCode, offset: number, message: string): EncodeResult {
  return { ok: false, error: { code, offset, message } };
}

/** Index (UTF-16) of the first character in `text` that cannot be sent inside a line, or -1. */
function firstUnsendable(text: string, alsoPipe: boolean): number {
  let first = -1;
  const at = (i: number): void => {
    if (i >= 0 && (first < 0 || i < first)) first = i;
  };
  at(text.indexOf('\n'));
  at(text.indexOf('\r'));
  if (alsoPipe) at(text.indexOf('|'));
  // A lone surrogate would be sent as U+FFFD and come back different.
  if (!isWellFormed(text)) at(LONE_SURROGATE.exec(text)?.index ?? -1);
  return first;
}

// String.prototype.isWellFormed is in Node 20 but not in the ES2023 lib typings.
const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

function unsendableName(text: string, index: number): string {
  const unit = text.charCodeAt(index);
  if (unit === 0x0a) return 'LF';
  if (unit === 0x0d) return 'CR';
  if (unit === 0x7c) return '"|"';
  return 'a lone surrogate';
}

/** Frames one line of text: its UTF-8 bytes and an LF. Refuses CR, LF and lone surrogates (BAD_TEXT). */
export function encodeLine(text: string): EncodeResult {
  if (typeof text !== 'string') return refuse('BAD_TEXT', 0, 'text must be a string');
  const bad = firstUnsendable(text, false);
  if (bad >= 0)
    return refuse('BAD_TEXT', utf8Length(text.slice(0, bad)), `text holds ${unsendableName(text, bad)}, which a line cannot carry`);
  return { ok: true, bytes: Buffer.from(`${text}\n`, 'utf8') };
}

/** Frames `Name|Op|Msg` + LF. Offsets in refusals are byte offsets in the frame that would have been sent. */
export function encodeNameop(frame: { name: string; op: number; msg: string }): EncodeResult {
  const { name, op, msg } = frame;
  if (typeof name !== 'string' || name.length === 0) return refuse('BAD_NAME', 0, 'Name is empty');
  const badName = firstUnsendable(name, true);
  if (badName >= 0) return refuse('BAD_NAME', utf8Length(name.slice(0, badName)), `Name holds ${unsendableName(name, badName)}`);
  const nameBytes = utf8Length(name);
  if (nameBytes > MAX_NAME_BYTES) return refuse('BAD_NAME', MAX_NAME_BYTES, `Name is ${nameBytes} bytes, more than ${MAX_NAME_BYTES}`);

  if (typeof op !== 'number' || !Number.isInteger(op) || op < 0 || op > MAX_OP)
    return refuse('BAD_OP', nameBytes + 1, `Op must be an integer from 0 to ${MAX_OP}, got ${String(op)}`);
  const opText = String(op);

  const msgAt = nameBytes + 1 + opText.length + 1;
  if (typeof msg !== 'string') return refuse('BAD_TEXT', msgAt, 'Msg must be a string');
  const badMsg = firstUnsendable(msg, false);
  if (badMsg >= 0)
    return refuse('BAD_TEXT', msgAt + utf8Length(msg.slice(0, badMsg)), `Msg holds ${unsendableName(msg, badMsg)}, which a line cannot carry`);

  return { ok: true, bytes: Buffer.from(`${name}|${opText}|${msg}\n`, 'utf8') };
}
