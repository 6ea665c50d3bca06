// Judging chat delivery: given what was sent (and to whom it must go), wait
// until it has arrived or the deadline passes, sync to flush any extras, then
// compare per receiver: missing, duplicated, altered, unexpected, reordered.
// Each kind of discrepancy maps to the requirement the calling case names.
import { ReceivedCursor, TestClient } from './client.js';
import type { CaseContext } from './context.js';
import { untilHeard } from './resend.js';

export interface SentLine {
  readonly from: TestClient;
  readonly text: string;
  /** Who must receive it; default: the room (ctx.audienceOf(from)) at check time. */
  readonly to?: readonly TestClient[];
}

/** Which requirement each kind of discrepancy violates, in the calling case's terms. */
export interface DeliveryRules {
  readonly missing: string;
  readonly duplicate: string;
  /** A chat text from one of ours that was never sent, or a line no template matches. */
  readonly altered: string;
  readonly order: string;
  /** Own line missing or duplicated on the sender (echo profiles). */
  readonly echo?: string;
  /** A line delivered to a member it must not reach (e.g. echo where the profile has none). */
  readonly unexpected?: string;
  /** A chat notice that names its sender wrongly. */
  readonly sender?: string;
}

export const CHAT_RULES: DeliveryRules = {
  missing: 'CHAT-1',
  duplicate: 'CHAT-1',
  altered: 'CHAT-3',
  order: 'ORDER-1',
  echo: 'CHAT-2',
  unexpected: 'CHAT-2',
  sender: 'CHAT-4',
};

export interface DeliveryOutcome {
  /** Every receiver got every line meant for it (or was closed) within the wait. */
  readonly complete: boolean;
}

const MAX_EXAMPLES = 3;

export async function expectDelivery(
  ctx: CaseContext,
  sent: readonly SentLine[],
  receivers: readonly TestClient[],
  rules: DeliveryRules = CHAT_RULES,
  options: { timeoutMs?: number; sync?: boolean; ignoreUnrecognised?: boolean; ignoreFrom?: readonly TestClient[]; barrier?: boolean } = {},
): Promise<DeliveryOutcome> {
  const expected = new Map<TestClient, SentLine[]>();
  for (const r of receivers) expected.set(r, []);
  for (const line of sent) {
    for (const r of line.to ?? ctx.audienceOf(line.from)) expected.get(r)?.push(line);
  }
  const index = new SentIndex(sent);
  const timeout = options.timeoutMs ?? ctx.wait(1 + sent.length / 500);
  // Barriers: each sender still in the room says one more line after the checked ones. Per-sender
  // order is a MUST, so once a receiver holds a sender's barrier, that sender's lines it lacks are
  // missing: a broken server is judged in one round trip instead of a whole wait.
  const barriers = new Map<TestClient, string[]>();
  // Each receiver's progress is read from what it received since the last look: the waits below test
  // it on every arrival, and a flood brings thousands of long lines.
  const progress = new Map(receivers.map((r) => [r, new Progress(ctx, r, index, expected.get(r) ?? [], barriers)] as const));
  const of = (r: TestClient): Progress => progress.get(r)!.update();
  if (options.barrier !== false) for (const from of new Set(sent.map((l) => l.from))) await sayBarrier(ctx, from, barriers);
  // A sender that has left cannot say a barrier; its leave notice is one, since its lines must come
  // before it (LEAVE-3, FRAME-6): a line still missing when the leave notice arrives is missing.
  const gotBarrier = (r: TestClient, from: TestClient): boolean => {
    if (!barriers.has(from)) return !ctx.present.includes(from) && (ctx.eventsAbout(r, 'leave', from) > 0 || ctx.eventsAbout(r, 'idleLeave', from) > 0);
    return of(r).heardBarrierOf(from);
  };
  const arrived = (r: TestClient): boolean => r.isClosed || of(r).lacking.size === 0;
  const settled = (r: TestClient): boolean => r.isClosed || [...of(r).lackingSenders()].every((from) => gotBarrier(r, from));
  // A barrier the server lost is followed by another after a pause (untilHeard): it costs that pause, not the wait.
  const again = async (): Promise<void> => {
    const lacking = new Set(receivers.filter((r) => !settled(r)).flatMap((r) => [...barriers.keys()].filter((from) => !gotBarrier(r, from))));
    for (const from of lacking) await sayBarrier(ctx, from, barriers);
  };
  const complete = (await untilHeard((c, ms) => ctx.waitUntil(c, ms), () => receivers.every(settled), again, timeout)) && receivers.every(arrived);
  // Every receiver holding every sender's barrier has had everything those senders' lines could bring
  // (duplicates included): the sync would prove nothing more.
  const senders = [...new Set(sent.map((l) => l.from))];
  const flushed = senders.length > 0 && receivers.every((r) => r.isClosed || senders.every((s) => gotBarrier(r, s)));
  if (options.sync !== false && !flushed) await ctx.sync(receivers.filter((r) => ctx.present.includes(r)));

  for (const r of receivers) {
    // Lines are told apart by sender and text: the same pair sent twice is one line (index.canon).
    const want = (expected.get(r) ?? []).map((l) => index.canon(l));
    const wanted = new Set(want);
    const counts = new Map<SentLine, number>();
    const firstIndex = new Map<SentLine, number>();
    const altered: string[] = [];
    const unexpected: string[] = [];
    const misnamed: string[] = [];
    for (const [i, c] of chatFromUs(ctx, r).entries()) {
      // A hostile sender's lines may come back changed (invalid UTF-8 relayed as U+FFFD): not the check's subject.
      if (options.ignoreFrom?.includes(c.from)) continue;
      const line = index.find(c.from, c.text);
      if (line !== undefined && wanted.has(line)) {
        counts.set(line, (counts.get(line) ?? 0) + 1);
        if (!firstIndex.has(line)) firstIndex.set(line, i);
        if (c.misnamed) misnamed.push(`${JSON.stringify(c.line)} (sender is ${c.from.name ?? c.from.addr})`);
      } else if (line !== undefined) {
        unexpected.push(`${c.from.label}: ${JSON.stringify(c.text)}`);
      } else if (!ctx.isSyncText(c.text) && !ctx.said.has(key(c.from, c.text)) && isOurs(ctx, c.text)) {
        altered.push(JSON.stringify(c.line));
      }
    }
    if (!options.ignoreUnrecognised) for (const line of unrecognised(ctx, r)) altered.push(line);

    const missing = want.filter((l) => !counts.has(l));
    const duplicated = want.filter((l) => (counts.get(l) ?? 0) > 1);
    const ruleFor = (l: SentLine, rule: string): string => (l.from === r && rules.echo ? rules.echo : rule);
    report(ctx, missing, (l) => ruleFor(l, rules.missing), (ls) => `${r.label} did not receive ${ls.length} line(s) it must receive${r.isClosed ? ' (its connection was closed by the server)' : ''}`, (ls) => ls.map((l) => `${l.from.label}: ${JSON.stringify(l.text)}`), () => recentLinesOf(r));
    report(ctx, duplicated, (l) => ruleFor(l, rules.duplicate), (ls) => `${r.label} received ${ls.length} line(s) more than once`, (ls) => ls.map((l) => `${l.from.label}: ${JSON.stringify(l.text)} x${counts.get(l)}`), () => '');
    if (altered.length) ctx.violate(rules.altered, `${r.label} received ${altered.length} line(s) that no one sent`, { expected: 'only lines sent, whole and unchanged', actual: altered.slice(0, MAX_EXAMPLES).join(', ') });
    if (unexpected.length) ctx.violate(rules.unexpected ?? rules.duplicate, `${r.label} received ${unexpected.length} line(s) not meant for it`, { expected: 'none', actual: unexpected.slice(0, MAX_EXAMPLES).join(', ') });
    if (misnamed.length && rules.sender) ctx.violate(rules.sender, `${r.label} received chat notices naming the wrong sender`, { actual: misnamed.slice(0, MAX_EXAMPLES).join(', ') });

    // Per-sender FIFO: first arrivals of each sender's lines in send order.
    for (const from of new Set(want.map((l) => l.from))) {
      const order = want.filter((l) => l.from === from).map((l) => firstIndex.get(l)).filter((i): i is number => i !== undefined);
      const inversion = order.findIndex((v, i) => i > 0 && v < order[i - 1]!);
      if (inversion > 0) {
        const lines = want.filter((l) => l.from === from && firstIndex.has(l));
        ctx.violate(rules.order, `${r.label} received lines of ${from.label} out of order`, {
          expected: lines.slice(Math.max(0, inversion - 1), inversion + 1).map((l) => JSON.stringify(l.text)).join(' then '),
          actual: 'the second first',
        });
      }
    }
  }
  return { complete };
}

/** The key CaseContext.said keeps a said line under. */
const key = (from: TestClient, text: string): string => `${from.label}\u0000${text}`;

/**
 * The lines sent, found by sender and text. Lookups use the texts' own string objects (V8 keeps a
 * string's hash): a flood of long lines is not re-hashed as joined keys for every look.
 */
class SentIndex {
  private readonly bySender = new Map<TestClient, Map<string, SentLine>>();
  constructor(sent: readonly SentLine[]) {
    for (const l of sent) {
      let texts = this.bySender.get(l.from);
      if (texts === undefined) this.bySender.set(l.from, (texts = new Map()));
      if (!texts.has(l.text)) texts.set(l.text, l);
    }
  }
  /** The first line sent with this sender and text. */
  find(from: TestClient, text: string): SentLine | undefined {
    return this.bySender.get(from)?.get(text);
  }
  /** The line that stands for l: the first sent with its sender and text. */
  canon(l: SentLine): SentLine {
    return this.find(l.from, l.text) ?? l;
  }
}

/**
 * What one receiver holds so far: the expected lines it still lacks, and the senders whose barrier it
 * has, read incrementally from its received lines. A barrier text is new when said, so a line read
 * before the barrier was said cannot hold it.
 */
class Progress {
  private readonly unread: ReceivedCursor;
  /** Expected lines not received yet (as SentIndex.canon gives them). */
  readonly lacking: Set<SentLine>;
  private readonly barrierHeard = new Set<TestClient>();
  constructor(
    private readonly ctx: CaseContext,
    receiver: TestClient,
    private readonly sentIndex: SentIndex,
    want: readonly SentLine[],
    private readonly barriers: ReadonlyMap<TestClient, readonly string[]>,
  ) {
    this.lacking = new Set(want.map((l) => sentIndex.canon(l)));
    this.unread = new ReceivedCursor(receiver);
  }

  update(): this {
    for (const x of this.unread.next()) {
      // Any line holding the barrier's text counts (the texts are unique to the sender): a server that
      // merges lines (chunk framing) must not make the barrier unrecognisable and cost a whole wait.
      for (const [from, texts] of this.barriers) if (!this.barrierHeard.has(from) && texts.some((t) => x.line.includes(t))) this.barrierHeard.add(from);
      if (x.event?.type !== 'chat' || this.lacking.size === 0) continue;
      const from = this.ctx.clientAbout(x.event.who);
      const line = from && this.sentIndex.find(from, x.event.text);
      if (line) this.lacking.delete(line);
    }
    return this;
  }

  heardBarrierOf(from: TestClient): boolean {
    return this.barrierHeard.has(from);
  }

  lackingSenders(): Set<TestClient> {
    return new Set([...this.lacking].map((l) => l.from));
  }
}

let barrierCount = 0;

/** A sender still in the room says one more barrier line (recorded under its name). */
async function sayBarrier(ctx: CaseContext, from: TestClient, barriers: Map<TestClient, string[]>): Promise<void> {
  if (from.isClosed || !ctx.present.includes(from)) return;
  const text = `${ctx.settings.prefix}~barrier${(barrierCount += 1)}`;
  barriers.set(from, [...(barriers.get(from) ?? []), text]);
  await ctx.say(from, text);
}

function report(
  ctx: CaseContext,
  lines: readonly SentLine[],
  rule: (l: SentLine) => string,
  message: (ls: readonly SentLine[]) => string,
  examples: (ls: readonly SentLine[]) => string[],
  actual: () => string,
): void {
  const byRule = new Map<string, SentLine[]>();
  for (const l of lines) byRule.set(rule(l), [...(byRule.get(rule(l)) ?? []), l]);
  for (const [id, ls] of byRule) {
    ctx.violate(id, message(ls), { expected: examples(ls).slice(0, MAX_EXAMPLES).join(', ') + (ls.length > MAX_EXAMPLES ? ', …' : ''), actual: actual() });
  }
}

interface ChatSeen {
  readonly from: TestClient;
  readonly text: string;
  readonly line: string;
  readonly at: number;
  readonly misnamed: boolean;
}

/** Chat notices a receiver got from this case's clients, in arrival order. */
export function chatFromUs(ctx: CaseContext, receiver: TestClient): ChatSeen[] {
  const out: ChatSeen[] = [];
  for (const r of receiver.received) {
    const e = r.event;
    if (e?.type !== 'chat') continue;
    const from = ctx.clientAbout(e.who);
    if (!from) continue;
    const misnamed = e.who.name !== undefined && from.name !== undefined && e.who.addr !== undefined && e.who.name !== from.name;
    out.push({ from, text: e.text, line: r.line, at: r.at, misnamed });
  }
  return out;
}

/** Lines no template matches, and bytes that were not UTF-8 lines. */
export function unrecognised(_ctx: CaseContext, receiver: TestClient): string[] {
  const lines = receiver.received.filter((r) => TestClient.unrecognised(r)).map((r) => JSON.stringify(r.line));
  return [...lines, ...receiver.garbage.map((g) => `(undecodable: ${g})`)];
}

function isOurs(ctx: CaseContext, text: string): boolean {
  return text.includes(ctx.settings.prefix);
}

function recentLinesOf(r: TestClient): string {
  const tail = r.received.slice(-3).map((x) => JSON.stringify(x.line));
  return tail.length ? `last lines: ${tail.join(', ')}` : 'nothing received';
}
