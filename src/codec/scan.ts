// The zero-object line API: a callback with the buffer and the line's byte
// range, no frame object, no string unless the caller makes one. Same
// framing as LineDecoder (LF ends a line; under crlf 'strip' a CR right
// before it is not part of the line; a line over maxFrameBytes is reported
// once and skipped to its LF), but no UTF-8 check: the caller decides what
// the bytes mean, which is what lets a hot reader match before it decodes.
import { isUtf8 } from 'node:buffer';
import { DEFAULT_MAX_FRAME_BYTES } from './line.js';

const LF = 0x0a;
const CR = 0x0d;

export interface ScanHandler {
  /** One line: buf[start, end), terminator excluded. The bytes are valid only during the call. */
  line(buf: Buffer, start: number, end: number): void;
  /** A line over maxFrameBytes (at stream offset `offset`): its bytes are dropped up to its LF. */
  tooLong(offset: number): void;
}

export class LineScanner {
  private readonly max: number;
  private readonly strip: boolean;
  /** The unfinished line, carried between pushes: pending[0, held). */
  private pending: Buffer | null = null;
  private held = 0;
  private heldOffset = 0;
  private discarding = false;
  private consumed = 0;

  constructor(
    private readonly handler: ScanHandler,
    options: { readonly maxFrameBytes?: number; readonly crlf?: 'strip' | 'keep' } = {},
  ) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!(Number.isSafeInteger(max) && max >= 0)) throw new RangeError(`maxFrameBytes must be a non-negative integer, got ${String(max)}`);
    this.max = max;
    this.strip = (options.crlf ?? 'strip') === 'strip';
  }

  /** Bytes held for a line whose LF has not arrived yet. */
  get bufferedBytes(): number {
    return this.held;
  }

  push(chunk: Buffer): void {
    const base = this.consumed;
    this.consumed += chunk.length;
    let pos = 0;
    if (this.discarding || this.held > 0) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) return this.hold(chunk, 0, base);
      if (this.discarding) this.discarding = false;
      else {
        this.hold(chunk.subarray(0, lf), 0, base);
        if (!this.discarding) {
          const buf = this.pending!;
          let end = this.held;
          if (this.strip && end > 0 && buf[end - 1] === CR) end--;
          this.held = 0;
          this.handler.line(buf, 0, end);
        }
        this.discarding = false;
        this.held = 0;
      }
      pos = lf + 1;
    }
    const max = this.max;
    for (;;) {
      const lf = chunk.indexOf(LF, pos);
      if (lf < 0) break;
      let end = lf;
      if (this.strip && end > pos && chunk[end - 1] === CR) end--;
      if (end - pos > max) this.handler.tooLong(base + pos);
      else this.handler.line(chunk, pos, end);
      pos = lf + 1;
    }
    if (pos < chunk.length) this.hold(chunk, pos, base);
  }

  /**
   * Drops the unfinished line unread, as if the stream went on from a line's
   * start; `skippedBytes` the caller consumed without pushing still count in
   * later offsets. For a reader that skips whole chunks it does not need.
   */
  clear(skippedBytes = 0): void {
    this.held = 0;
    this.discarding = false;
    this.consumed += skippedBytes;
  }

  /** Ends the stream: bytes after the last LF are one last line (as LineDecoder's trailing 'frame'). */
  end(): void {
    if (this.held > 0 && !this.discarding) {
      const buf = this.pending!;
      let end = this.held;
      if (this.strip && buf[end - 1] === CR) end--;
      this.handler.line(buf, 0, end);
    }
    this.pending = null;
    this.held = 0;
    this.discarding = false;
    this.consumed = 0;
  }

  /** Appends chunk[from..] to the unfinished line, or reports it too long (a final CR may still be CR LF's). */
  private hold(chunk: Buffer, from: number, base: number): void {
    if (this.discarding) return;
    const add = chunk.length - from;
    if (this.held === 0) this.heldOffset = base + from;
    const total = this.held + add;
    const last = add > 0 ? chunk[chunk.length - 1] : this.pending?.[this.held - 1];
    if (total > this.max && !(total === this.max + 1 && last === CR && this.strip)) {
      this.handler.tooLong(this.heldOffset);
      this.discarding = true;
      this.held = 0;
      this.pending = null;
      return;
    }
    if (!this.pending || this.pending.length < total) {
      const grown = Buffer.allocUnsafe(Math.min(this.max + 1, Math.max(total, 256, (this.pending?.length ?? 0) * 2)));
      if (this.pending) this.pending.copy(grown, 0, 0, this.held);
      this.pending = grown;
    }
    chunk.copy(this.pending, this.held, from);
    this.held = total;
  }
}

/**
 * The text of a scanned line, buf[start, end), when its bytes are well-formed
 * UTF-8 (what LineDecoder would give as the frame's text), else undefined
 * (LineDecoder's INVALID_UTF8). No object beyond the string: the bytes are
 * checked only when the decoded text holds U+FFFD, which every ill-formed
 * sequence decodes to.
 */
export function lineText(buf: Buffer, start: number, end: number): string | undefined {
  const text = buf.toString('utf8', start, end);
  if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) return undefined;
  return text;
}
