// Latency histogram with bounded memory: log-linear buckets (128 per power of
// two, under 1% error) over microseconds, plus the exact maximum. A million
// deliveries cost the same few kilobytes as ten.

const SUB = 128;
const BUCKETS = SUB * 2 + SUB * 26; // exact below 256 us, then 26 octaves (up to ~4.7 h)

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private maxUs = 0;

  record(latencyMs: number): void {
    const us = Math.max(0, Math.round(latencyMs * 1000));
    this.counts[bucketOf(us)]! += 1;
    this.total += 1;
    if (us > this.maxUs) this.maxUs = us;
  }

  get count(): number {
    return this.total;
  }

  get maxMs(): number {
    return this.maxUs / 1000;
  }

  /** The latency (ms) at quantile q in [0, 1]; undefined when empty. */
  quantileMs(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(valueOf(i), this.maxUs) / 1000;
    }
    return this.maxMs;
  }
}

function bucketOf(us: number): number {
  if (us < 2 * SUB) return us;
  const v = Math.min(us, 2 ** 32 - 1);
  const msb = 31 - Math.clz32(v);
  const shift = msb - 7; // v >> shift lies in [128, 256)
  return 2 * SUB + (shift - 1) * SUB + ((v >>> shift) - SUB);
}

/** The middle of bucket i, in microseconds. */
function valueOf(i: number): number {
  if (i < 2 * SUB) return i;
  const shift = Math.floor((i - 2 * SUB) / SUB) + 1;
  const top = ((i - 2 * SUB) % SUB) + SUB;
  return top * 2 ** shift + 2 ** (shift - 1);
}
