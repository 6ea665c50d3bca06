// LF-framed streams: splitting bytes into frames, the size limit, the CR
// policy and strict UTF-8. NameopDecoder reuses this splitter and only adds
// the field grammar.
import { isAscii, isUtf8 } from 'node:buffer';
import type { CodecError, CodecErrorCode, CrlfPolicy, Decoded, DecoderOptions, LineFrame } from './types.js';

export const DEFAULT_MAX_FRAME_BYTES = 65536;

const LF = 0x0a;
const CR = 0x0d;
// A pending partial frame starts in a small buffer that grows by doubling up
// to the frame limit; only a buffer this small is kept between frames.
const INITIAL_PENDING_BYTES = 256;
const KEPT_PENDING_BYTES = 16384;

export function codecError(code: CodecErrorCode, offset: number, message: string): Decoded<never> {
  const error: CodecError = { code, offset, message };
  return { kind: 'error', error };
}

/**
 * Index of the first byte of the first ill-formed UTF-8 sequence in
 * buf[start, end), or -1. Well-formed means Unicode's table 3-7: no overlongs,
 * no surrogates, nothing above U+10FFFF, no truncated sequence. Runs only on
 * frames isUtf8 has already rejected, so its byte loop is off the hot path.
 */
export function firstInvalidUtf8(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let trail: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) trail = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      trail = 2;
      if (b === 0xe0) lo = 0xa0; // shorter forms are overlong
      else if (b === 0xed) hi = 0x9f; // ED A0..BF encodes a surrogate
    } else if (b >= 0xf0 && b <= 0xf4) {
      trail = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      else if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i; // 80..C1 and F5..FF never start a character
    if (i + trail >= end) return i; // truncated
    const second = buf[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= trail; k++) if ((buf[i + k]! & 0xc0) !== 0x80) return i;
    i += trail + 1;
  }
  return -1;
}

function checkOptions(options: DecoderOptions): void {
  const { maxFrameBytes, crlf, trailing } = options;
  if (maxFrameBytes !== undefined && !(Number.isSafeInteger(maxFrameBytes) && maxFrameBytes >= 0))
    throw new RangeError(`maxFrameBytes must be a non-negative integer, got ${String(maxFrameBytes)}`);
  if (crlf !== undefined && crlf !== 'strip' && crlf !== 'keep' && crlf !== 'strict')
    throw new RangeError(`crlf must be 'strip', 'keep' or 'strict', got ${String(crlf)}`);
  if (trailing !== undefined && trailing !== 'frame' && trailing !== 'error' && trailing !== 'drop')
    throw new RangeError(`trailing must be 'frame', 'error' or 'drop', got ${String(trailing)}`);
}

/**
 * The streaming splitter shared by every LF-framed protocol. It owns the
 * partial tail between pushes and every byte-level check; a subclass turns a
 * frame's validated text into its frame type.
 */
export abstract class FrameSplitter<F> {
  protected readonly maxFrameBytes: number;
  protected readonly crlf: CrlfPolicy;
  protected readonly trailing: 'frame' | 'error' | 'drop';
  /** Bytes of the unfinished frame, pending[0, pendingLength). */
  private pending: Buffer | null = null;
  private pendingLength = 0;
  /** Stream offset of the unfinished (or discarded) frame's first byte. */
  private pendingOffset = 0;
  /** True after FRAME_TOO_LONG until the LF that ends the oversized frame. */
  private discarding = false;
  /** Bytes pushed since the start of the stream. */
  private consumed = 0;

  constructor(options: DecoderOptions = {}) {
    checkOptions(options);
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.crlf = options.crlf ?? 'strip';
    this.trailing = options.trailing ?? 'frame';
  }

  /** Bytes held for a frame whose LF has not arrived yet. */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  /** The bytes held for the unfinished frame (a view, valid until the next push): e.g. a prompt left waiting without LF. */
  peekPending(): Uint8Array {
    return this.pending === null || this.discarding ? new Uint8Array(0) : this.pending.subarray(0, this.pendingLength);
  }

  /** Drops the unfinished frame (the caller has taken it as a whole, e.g. a prompt): the next byte starts a new frame. */
  dropPending(): void {
    this.pendingLength = 0;
  }

  /**
   * Turns one frame, str[start, end) (strict UTF-8, no LF), into a frame or a
   * typed error. `offset` and `byteLength` are the frame's place in the byte stream.
   */
  protected abstract fromText(
    str: string,
    start: number,
    end: number,
    offset: number,
    byteLength: number,
    ascii: boolean,
  ): Decoded<F>;

  /**
   * Called before the frames of a new string are passed to fromText (in
   * increasing order); `mayHoldCr` is false when no frame in it holds a CR.
   */
  protected beginText(_mayHoldCr: boolean): void {}

  push(chunk: Uint8Array): Decoded<F>[] {
    const out: Decoded<F>[] = [];
    const length = chunk.length;
    if (length === 0) return out;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, length);
    const base = this.consumed;
    this.consumed += length;
    let pos = 0;

    if (this.discarding) {
      const lf = buf.indexOf(LF);
      if (lf < 0) return out;
      this.discarding = false;
      pos = lf + 1;
    } else if (this.pendingLength > 0) {
      pos = this.continuePending(buf, out);
      if (pos < 0) return out;
    }

    const lastLf = buf.lastIndexOf(LF);
    if (lastLf >= pos) {
      if (isAscii(buf.subarray(pos, lastLf))) this.asciiRegion(buf, pos, lastLf + 1, base, out);
      else if (isUtf8(buf.subarray(pos, lastLf))) this.utf8Region(buf, pos, lastLf + 1, base, out);
      else this.byteRegion(buf, pos, lastLf + 1, base, out);
      pos = lastLf + 1;
    }

    if (pos < length) {
      const tail = length - pos;
      this.pendingOffset = base + pos;
      if (this.overLimit(tail, buf[length - 1]!)) this.tooLong(out);
      else {
        this.reserve(tail);
        buf.copy(this.pending!, 0, pos, length);
        this.pendingLength = tail;
      }
    }
    return out;
  }

  /** Ends the stream: applies the trailing policy to bytes after the last LF, then resets for a new stream at offset 0. */
  end(): Decoded<F>[] {
    const out: Decoded<F>[] = [];
    const n = this.pendingLength;
    if (!this.discarding && n > 0) {
      const pending = this.pending!;
      if (this.trailing === 'error')
        out.push(codecError('UNTERMINATED', this.pendingOffset, `stream ended after ${n} bytes without LF`));
      else if (this.trailing === 'frame') {
        // Like Go's bufio.ScanLines (the gopl servers' reader), a final CR is a terminator under 'strip'.
        const end = this.crlf === 'strip' && pending[n - 1] === CR ? n - 1 : n;
        out.push(this.fromBytes(pending, 0, end, this.pendingOffset));
      }
    }
    this.pending = null;
    this.pendingLength = 0;
    this.pendingOffset = 0;
    this.discarding = false;
    this.consumed = 0;
    return out;
  }

  /** Appends the chunk to the pending frame; returns where the rest of the chunk starts, or -1 if all of it was taken. */
  private continuePending(buf: Buffer, out: Decoded<F>[]): number {
    const held = this.pendingLength;
    const lf = buf.indexOf(LF);
    if (lf < 0) {
      if (this.overLimit(held + buf.length, buf[buf.length - 1]!)) this.tooLong(out);
      else {
        this.reserve(held + buf.length);
        buf.copy(this.pending!, held);
        this.pendingLength += buf.length;
      }
      return -1;
    }
    const last = lf > 0 ? buf[lf - 1] : this.pending![held - 1];
    let end = held + lf;
    if (this.crlf === 'strip' && last === CR) end--;
    if (end > this.maxFrameBytes) {
      out.push(this.tooLongError(this.pendingOffset));
    } else {
      this.reserve(held + lf);
      buf.copy(this.pending!, held, 0, lf);
      out.push(this.fromBytes(this.pending!, 0, end, this.pendingOffset));
    }
    this.pendingLength = 0;
    if (this.pending!.length > KEPT_PENDING_BYTES) this.pending = null;
    return lf + 1;
  }

  /** Frames of buf[start, stop) (stop just after an LF) when those bytes are all ASCII: one string, sliced per frame. */
  private asciiRegion(buf: Buffer, start: number, stop: number, base: number, out: Decoded<F>[]): void {
    const str = buf.toString('latin1', start, stop);
    const at = base + start;
    const max = this.maxFrameBytes;
    const strip = this.crlf === 'strip';
    const strict = this.crlf === 'strict';
    // The CR scan runs on the bytes (memchr), not on the string: str.indexOf('\r') over the
    // whole region was the codec's "slow mode" (see the comment at the end of this file).
    let cr = buf.indexOf(CR, start);
    if (cr >= stop) cr = -1;
    if (cr >= 0) cr -= start;
    this.beginText(cr >= 0 && !strict);
    let k = 0;
    while (k < str.length) {
      const lf = str.indexOf('\n', k);
      let end = lf;
      if (strip && end > k && str.charCodeAt(end - 1) === CR) end--;
      if (end - k > max) out.push(this.tooLongError(at + k));
      else {
        if (strict && cr !== -1 && cr < k) cr = str.indexOf('\r', k);
        if (strict && cr !== -1 && cr < end) out.push(bareCr(at + cr));
        else out.push(this.fromText(str, k, end, at + k, end - k, true));
      }
      k = lf + 1;
    }
  }

  /**
   * Frames of buf[start, stop) when those bytes are valid UTF-8 but not ASCII:
   * one string as well, walked in step with the bytes for offsets and lengths.
   */
  private utf8Region(buf: Buffer, start: number, stop: number, base: number, out: Decoded<F>[]): void {
    const str = buf.toString('utf8', start, stop);
    const max = this.maxFrameBytes;
    const strip = this.crlf === 'strip';
    const strict = this.crlf === 'strict';
    let cr = buf.indexOf(CR, start);
    this.beginText(cr >= 0 && cr < stop && !strict);
    let k = start; // in bytes
    let j = 0; // in UTF-16 code units
    while (k < stop) {
      const lf = buf.indexOf(LF, k);
      const lfAt = str.indexOf('\n', j);
      let end = lf;
      let endAt = lfAt;
      if (strip && end > k && buf[end - 1] === CR) {
        end--;
        endAt--;
      }
      if (end - k > max) out.push(this.tooLongError(base + k));
      else {
        if (strict && cr !== -1 && cr < k) cr = buf.indexOf(CR, k);
        if (strict && cr !== -1 && cr < end) out.push(bareCr(base + cr));
        else out.push(this.fromText(str, j, endAt, base + k, end - k, false));
      }
      k = lf + 1;
      j = lfAt + 1;
    }
  }

  /** Frames of buf[start, stop) that hold invalid UTF-8 somewhere: checked and decoded frame by frame. */
  private byteRegion(buf: Buffer, start: number, stop: number, base: number, out: Decoded<F>[]): void {
    const max = this.maxFrameBytes;
    const strip = this.crlf === 'strip';
    const strict = this.crlf === 'strict';
    let cr = strict ? buf.indexOf(CR, start) : -1;
    let k = start;
    while (k < stop) {
      const lf = buf.indexOf(LF, k);
      let end = lf;
      if (strip && end > k && buf[end - 1] === CR) end--;
      if (end - k > max) out.push(this.tooLongError(base + k));
      else {
        if (strict && cr !== -1 && cr < k) cr = buf.indexOf(CR, k);
        if (strict && cr !== -1 && cr < end) out.push(bareCr(base + cr));
        else out.push(this.fromUnchecked(buf, k, end, base + k));
      }
      k = lf + 1;
    }
  }

  /** One frame held in buf[start, end) whose CR and UTF-8 checks are still to do. */
  private fromBytes(buf: Buffer, start: number, end: number, offset: number): Decoded<F> {
    if (this.crlf === 'strict') {
      const cr = buf.subarray(start, end).indexOf(CR);
      if (cr >= 0) return bareCr(offset + cr);
    }
    return this.fromUnchecked(buf, start, end, offset);
  }

  private fromUnchecked(buf: Buffer, start: number, end: number, offset: number): Decoded<F> {
    const bytes = buf.subarray(start, end);
    if (isAscii(bytes)) return this.fromDecoded(buf.toString('latin1', start, end), offset, end - start, true);
    if (isUtf8(bytes)) return this.fromDecoded(buf.toString('utf8', start, end), offset, end - start, false);
    const bad = firstInvalidUtf8(buf, start, end);
    return codecError('INVALID_UTF8', offset + (bad < 0 ? 0 : bad - start), 'frame is not valid UTF-8');
  }

  private fromDecoded(text: string, offset: number, byteLength: number, ascii: boolean): Decoded<F> {
    this.beginText(this.crlf !== 'strict');
    return this.fromText(text, 0, text.length, offset, byteLength, ascii);
  }

  /** Whether `held` bytes without LF, the last being `lastByte`, already exceed the limit (a final CR may still be the CR of CR LF). */
  private overLimit(held: number, lastByte: number): boolean {
    const max = this.maxFrameBytes;
    return held > max && !(held === max + 1 && lastByte === CR && this.crlf === 'strip');
  }

  private tooLong(out: Decoded<F>[]): void {
    out.push(this.tooLongError(this.pendingOffset));
    this.discarding = true;
    this.pendingLength = 0;
    this.pending = null;
  }

  private tooLongError(offset: number): Decoded<never> {
    return codecError('FRAME_TOO_LONG', offset, `frame exceeds ${this.maxFrameBytes} bytes without LF`);
  }

  private reserve(bytes: number): void {
    const current = this.pending;
    if (current && current.length >= bytes) return;
    // Grows by doubling, capped at maxFrameBytes + 1 (a whole frame and the CR of its CR LF).
    const size = Math.max(bytes, Math.min(this.maxFrameBytes + 1, Math.max(INITIAL_PENDING_BYTES, (current?.length ?? 0) * 2)));
    const grown = Buffer.allocUnsafe(size);
    if (current) current.copy(grown, 0, 0, this.pendingLength);
    this.pending = grown;
  }
}

function bareCr(offset: number): Decoded<never> {
  return codecError('BARE_CR', offset, 'CR inside a frame (crlf: strict)');
}

/** Splits an LF-framed byte stream into text lines. */
export class LineDecoder extends FrameSplitter<LineFrame> {
  protected fromText(str: string, start: number, end: number, offset: number, byteLength: number): Decoded<LineFrame> {
    return { kind: 'frame', frame: { text: str.slice(start, end), offset, byteLength } };
  }
}

/** Decodes a whole buffer as one stream (push then end). */
export function decodeLines(bytes: Uint8Array, options?: DecoderOptions): Decoded<LineFrame>[] {
  const decoder = new LineDecoder(options);
  const out = decoder.push(bytes);
  for (const item of decoder.end()) out.push(item);
  return out;
}

// The "slow mode" (issue 13). On ASCII lines in 64 KiB chunks, some process
// launches decoded at ~65 MB/s instead of ~1,100 MB/s, but only when the
// consumer read each frame's text. CPU profiles of slow launches put ~72% of
// all samples on one line of asciiRegion, `str.indexOf('\r')` over the
// region's whole string (the one-byte string toString('latin1') made, which
// every frame's text is a slice of), against ~0.1% in fast launches; the
// per-frame `str.indexOf('\n', k)` calls on the same string were equally fast
// in both. Which launches hit it depends on V8's tiering of the consumer's
// string reads, so it came and went from run to run; the scan for a CR now
// runs on the bytes (Buffer.indexOf, memchr), which has no such mode.
// `npm run bench:codec -- --launches 10` reads every frame's text in fresh
// processes and prints the spread.
