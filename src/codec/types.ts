// Types of the streaming codec. The codec knows bytes and frames only: no
// sockets, no timers, no profiles.

/** Every way a byte stream or a value can fail to be a frame. */
export const CODEC_ERROR_CODES = [
  'FRAME_TOO_LONG', // a frame exceeded maxFrameBytes before its LF arrived
  'INVALID_UTF8', // the frame's bytes are not strict UTF-8
  'BARE_CR', // a CR inside a frame (crlf: 'strict' rejects it; 'strip' only strips a CR right before LF)
  'MISSING_FIELD', // nameop: fewer than two "|" separators
  'BAD_OP', // nameop: Op is not a decimal integer of 1..9 digits
  'BAD_NAME', // nameop: Name empty, longer than 64 bytes, or holds "|", CR or LF
  'BAD_TEXT', // encoder: text holds LF (or CR) and cannot round-trip
  'UNTERMINATED', // end() found bytes after the last LF and the decoder was told to reject them
] as const;

export type CodecErrorCode = (typeof CODEC_ERROR_CODES)[number];

export interface CodecError {
  readonly code: CodecErrorCode;
  /** Byte offset in the stream (decoder) or in the value (encoder) where the problem starts. */
  readonly offset: number;
  readonly message: string;
}

export interface LineFrame {
  readonly text: string;
  /** Byte offset of the frame's first byte in the stream. */
  readonly offset: number;
  /** Bytes of the frame without its terminator. */
  readonly byteLength: number;
}

export interface NameopFrame {
  readonly name: string;
  readonly op: number;
  /** The rest of the line after the second "|": may itself hold "|". */
  readonly msg: string;
  readonly offset: number;
  readonly byteLength: number;
}

export type Decoded<F> =
  | { readonly kind: 'frame'; readonly frame: F }
  | { readonly kind: 'error'; readonly error: CodecError };

export type CrlfPolicy =
  /** CR LF and LF both end a frame; the CR is not part of the frame (default). */
  | 'strip'
  /** Only LF ends a frame; a CR before it stays in the text. */
  | 'keep'
  /** A CR anywhere in a frame is an error (BARE_CR). */
  | 'strict';

export interface DecoderOptions {
  /** Largest frame in bytes, terminator excluded. Default DEFAULT_MAX_FRAME_BYTES (65536). */
  readonly maxFrameBytes?: number;
  readonly crlf?: CrlfPolicy;
  /** What end() does with bytes after the last LF: 'frame' emits them as a frame (default), 'error' reports UNTERMINATED, 'drop' discards them. */
  readonly trailing?: 'frame' | 'error' | 'drop';
}

export type EncodeResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly error: CodecError };
