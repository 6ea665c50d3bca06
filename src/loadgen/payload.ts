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
