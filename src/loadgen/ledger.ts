// Which (receiver, sender, seq) deliveries arrived: one bit each, so losses,
// duplicates and reordering are exact, in N x S x M bits of memory.

export type DeliveryVerdict = 'new' | 'reordered' | 'duplicate' | 'foreign';

export class DeliveryLedger {
  private readonly bits: Uint32Array;
  /** Highest seq seen per (receiver, sender), -1 when none. */
  private readonly highest: Int32Array;
  private readonly wordsPerPair: number;
  received = 0;
  duplicates = 0;
  outOfOrder = 0;
  foreign = 0;

  constructor(
    readonly receivers: number,
    readonly senders: number,
    readonly messages: number,
  ) {
    this.wordsPerPair = Math.ceil(messages / 32);
    this.bits = new Uint32Array(receivers * senders * this.wordsPerPair);
    this.highest = new Int32Array(receivers * senders).fill(-1);
  }

  record(receiver: number, sender: number, seq: number): DeliveryVerdict {
    if (sender >= this.senders || seq >= this.messages || receiver >= this.receivers) {
      this.foreign += 1;
      return 'foreign';
    }
    const pair = receiver * this.senders + sender;
    const word = pair * this.wordsPerPair + (seq >>> 5);
    const mask = 1 << (seq & 31);
    if (this.bits[word]! & mask) {
      this.duplicates += 1;
      return 'duplicate';
    }
    this.bits[word]! |= mask;
    this.received += 1;
    if (seq < this.highest[pair]!) {
      this.outOfOrder += 1;
      return 'reordered';
    }
    this.highest[pair] = seq;
    return 'new';
  }

  has(receiver: number, sender: number, seq: number): boolean {
    const pair = receiver * this.senders + sender;
    return (this.bits[pair * this.wordsPerPair + (seq >>> 5)]! & (1 << (seq & 31))) !== 0;
  }
}
