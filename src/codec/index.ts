// The streaming codec: bytes in, frames or typed errors out, and frames back
// to bytes. It knows nothing of sockets, timers or profiles.
export type {
  CodecError,
  CodecErrorCode,
  CrlfPolicy,
  Decoded,
  DecoderOptions,
  EncodeResult,
  LineFrame,
  NameopFrame,
} from './types.js';
export { DEFAULT_MAX_FRAME_BYTES, FrameSplitter, LineDecoder, decodeLines, firstInvalidUtf8 } from './line.js';
export { LineScanner, lineText, type ScanHandler } from './scan.js';
export { MAX_NAME_BYTES, NameopDecoder, decodeNameop, nameHoldsControl, parseNameop } from './nameop.js';
export { encodeLine, encodeNameop } from './encode.js';
export { CODEC_ERROR_CODES } from './types.js';
