// The canonical nameop frame, `Name|Op|Msg` + LF: the field grammar on top of
// the LF splitter. Msg is the rest of the line and may itself hold "|".
import { codecError, FrameSplitter } from './line.js';
import type { Decoded, DecoderOptions, NameopFrame } from './types.js';

export const MAX_NAME_BYTES = 64;
const MAX_OP_DIGITS = 9;
// A UTF-16 code unit is at most 3 UTF-8 bytes, so a name this short in code units always fits.
const SURELY_SHORT_NAME_UNITS = Math.floor(MAX_NAME_BYTES / 3);

const utf8Length = (text: string, ascii: boolean): number => (ascii ? text.length : Buffer.byteLength(text, 'utf8'));

/**
 * Where the next "|" is in the string being parsed. The search only moves
 * forward, so a string of many frames without "|" costs one scan, not one scan
 * to its end per frame.
 */
interface BarCursor {
  /** Index of the first "|" at or after the last search start, or the string's length. */
  next: number;
  /** Whether a Name in this string may hold CR or LF, so it must be checked. */
  mayHoldBreaks: boolean;
}

/**
 * Splits one frame, str[start, end), into Name, Op and Msg. `offset` is the
 * stream offset of the frame's first byte, `byteLength` its UTF-8 length; error
 * offsets point at the offending field (MISSING_FIELD: the end of the frame,
 * where a "|" was due).
 */
function parseFields(
  bars: BarCursor,
  str: string,
  start: number,
  end: number,
  offset: number,
  byteLength: number,
  ascii: boolean,
): Decoded<NameopFrame> {
  // Searching is inlined here: this is the hot path of nameop decoding.
  let bar1 = bars.next;
  if (bar1 < start) {
    bar1 = str.indexOf('|', start);
    if (bar1 < 0) bar1 = str.length;
  }
  let bar2 = bar1;
  if (bar1 < end) {
    bar2 = str.indexOf('|', bar1 + 1);
    if (bar2 < 0) bar2 = str.length;
  }
  bars.next = bar2;
  if (bar2 >= end)
    return codecError('MISSING_FIELD', offset + byteLength, `expected Name|Op|Msg, found ${bar1 >= end ? 'no' : 'one'} "|"`);

  const units = bar1 - start;
  if (units === 0) return codecError('BAD_NAME', offset, 'Name is empty');
  const name = str.slice(start, bar1);
  if (units > MAX_NAME_BYTES || (units > SURELY_SHORT_NAME_UNITS && utf8Length(name, ascii) > MAX_NAME_BYTES))
    return codecError('BAD_NAME', offset, `Name is longer than ${MAX_NAME_BYTES} bytes`);
  // A CR survives in the text under crlf 'keep' (and a bare CR under 'strip'); LF only via parseNameop.
  if (bars.mayHoldBreaks && (name.includes('\r') || name.includes('\n')))
    return codecError('BAD_NAME', offset, 'Name holds CR or LF');

  const digits = bar2 - bar1 - 1;
  let op = 0;
  let badOp = digits < 1 || digits > MAX_OP_DIGITS;
  // At most nine characters: cheaper than a regex and a parse.
  for (let i = bar1 + 1; !badOp && i < bar2; i++) {
    const digit = str.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) badOp = true;
    else op = op * 10 + digit;
  }
  if (badOp)
    return codecError('BAD_OP', offset + utf8Length(name, ascii) + 1, `Op must be 1 to ${MAX_OP_DIGITS} decimal digits`);

  return { kind: 'frame', frame: { name, op, msg: str.slice(bar2 + 1, end), offset, byteLength } };
}

/** Parses one line's text (without its LF) as a nameop frame; `offset` is where the line starts in its stream. */
export function parseNameop(text: string, offset = 0): Decoded<NameopFrame> {
  const byteLength = Buffer.byteLength(text, 'utf8');
  const bars: BarCursor = { next: -1, mayHoldBreaks: true };
  const parsed = parseFields(bars, text, 0, text.length, offset, byteLength, byteLength === text.length);
  if (parsed.kind === 'frame') {
    const lf = parsed.frame.msg.indexOf('\n');
    if (lf >= 0) {
      const at = byteLength - Buffer.byteLength(parsed.frame.msg.slice(lf), 'utf8');
      return codecError('BAD_TEXT', offset + at, 'Msg holds LF: a line cannot');
    }
  }
  return parsed;
}

/** Splits an LF-framed byte stream into nameop frames. */
export class NameopDecoder extends FrameSplitter<NameopFrame> {
  private readonly bars: BarCursor = { next: -1, mayHoldBreaks: true };

  protected override beginText(mayHoldCr: boolean): void {
    this.bars.next = -1;
    this.bars.mayHoldBreaks = mayHoldCr;
  }

  protected fromText(
    str: string,
    start: number,
    end: number,
    offset: number,
    byteLength: number,
    ascii: boolean,
  ): Decoded<NameopFrame> {
    return parseFields(this.bars, str, start, end, offset, byteLength, ascii);
  }
}

/** Decodes a whole buffer as one nameop stream (push then end). */
export function decodeNameop(bytes: Uint8Array, options?: DecoderOptions): Decoded<NameopFrame>[] {
  const decoder = new NameopDecoder(options);
  const out = decoder.push(bytes);
  for (const item of decoder.end()) out.push(item);
  return out;
}

/**
 * Whether a name holds a control character (U+0000 to U+001F, or DEL): such
 * a name is refused at login, prompt and rename in every dialect (spec/core.md
 * IDENT-5, IDENT-6), since in a notice it can end, overwrite or hide a line.
 */
export const nameHoldsControl = (name: string): boolean => /[\u0000-\u001f\u007f]/.test(name);
