// The text of a bench chat line: sender, sequence and send time, so a receiver
// in the same process (same clock) can measure latency and find lost,
// duplicated and reordered lines. Padding makes lines longer when asked.

export interface BenchPayload {
  readonly sender: number;
  readonly seq: number;
  /** process.hrtime.bigint() at send, in ns since the run's origin. */
  readonly sentNs: number;
}

const PREFIX = 'lg ';

export function formatPayload(p: BenchPayload, paddingBytes = 0): string {
  const text = `${PREFIX}${p.sender} ${p.seq} ${p.sentNs}`;
  return paddingBytes > 0 ? `${text} ${'x'.repeat(paddingBytes)}` : text;
}

const isDigits = (s: string | undefined): s is string => s !== undefined && /^\d{1,15}$/.test(s);

/** The payload a chat text carries, or undefined for any other text (sync lines, foreign traffic). */
export function parsePayload(text: string): BenchPayload | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  const [sender, seq, sentNs] = text.slice(PREFIX.length).split(' ', 3);
  if (!isDigits(sender) || !isDigits(seq) || !isDigits(sentNs)) return undefined;
  return { sender: Number(sender), seq: Number(seq), sentNs: Number(sentNs) };
}

/** The membership barrier's sentinel text (never parses as a payload). */
export const syncText = (token: string, attempt: number): string => `lg-sync ${token} ${attempt}`;
export const isSyncText = (text: string, token: string): boolean => text.startsWith(`lg-sync ${token} `);

/** A payload parsed in place: one object per client, reused for every line. */
export interface MutablePayload {
  sender: number;
  seq: number;
  sentNs: number;
}

const MARK = Buffer.from(PREFIX, 'latin1');
const SPACE = 0x20;

/** Digits at buf[at..end) up to a space or the end, into a number; -1 if none or more than 15 digits. Returns the stop index via `stop`. */
function digitsAt(buf: Buffer, at: number, end: number, stop: { at: number }): number {
  let n = 0;
  let i = at;
  while (i < end && i - at < 16) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
    i++;
  }
  if (i === at || i - at > 15) return -1;
  stop.at = i;
  return n;
}

const stop = { at: 0 };

/**
 * The payload in the line buf[start, end), read from the bytes: no string, no
 * regex, no object (it fills `out`). The hot path of the load client: a chat
 * line is recognised by its payload before anything else is tried. False
 * for any line that does not carry a well-formed payload.
 */
export function parsePayloadBytes(buf: Buffer, start: number, end: number, out: MutablePayload): boolean {
  const at = buf.indexOf(MARK, start);
  if (at < 0 || at + MARK.length >= end) return false;
  const sender = digitsAt(buf, at + MARK.length, end, stop);
  if (sender < 0 || stop.at >= end || buf[stop.at] !== SPACE) return false;
  const seq = digitsAt(buf, stop.at + 1, end, stop);
  if (seq < 0 || stop.at >= end || buf[stop.at] !== SPACE) return false;
  const sentNs = digitsAt(buf, stop.at + 1, end, stop);
  if (sentNs < 0 || (stop.at < end && buf[stop.at] !== SPACE)) return false;
  out.sender = sender;
  out.seq = seq;
  out.sentNs = sentNs;
  return true;
}
