// Judging chat delivery: given what was sent (and to whom it must go), wait
// until it has arrived or the deadline passes, sync to flush any extras, then
// compare per receiver: missing, duplicated, altered, unexpected, reordered.
// Each kind of discrepancy maps to the requirement the calling case names.
import { TestClient } from './client.js';
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
  readonly complete: boolean;
  /** Per receiver: arrival times (ms since case start) of each expected line, for latency figures. */
  readonly arrivals: Map<TestClient, Map<string, number>>;
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
  const key = (from: TestClient, text: string): string => `${from.label}\u0000${text}`;

  const arrived = (r: TestClient): boolean => {
    const want = expected.get(r) ?? [];
    if (r.isClosed) return true;
    const got = new Set(chatFromUs(ctx, r).map((c) => key(c.from, c.text)));
    return want.every((l) => got.has(key(l.from, l.text)));
  };
  const timeout = options.timeoutMs ?? ctx.wait(1 + sent.length / 500);
  // Barriers: each sender still in the room says one more line after the checked ones. Per-sender
  // order is a MUST, so once a receiver holds a sender's barrier, that sender's lines it lacks are
  // missing: a broken server is judged in one round trip instead of a whole wait.
  const barriers = new Map<TestClient, string[]>();
  if (options.barrier !== false) for (const from of new Set(sent.map((l) => l.from))) await sayBarrier(ctx, from, barriers);
  // Any line holding the barrier's text counts (the texts are unique to the sender): a server that
  // merges lines (chunk framing) must not make the barrier unrecognisable and cost a whole wait.
  // A sender that has left cannot say a barrier; its leave notice is one, since its lines must come
  // before it (LEAVE-3, FRAME-6): a line still missing when the leave notice arrives is missing.
  const gotBarrier = (r: TestClient, from: TestClient): boolean => {
    const texts = barriers.get(from);
    if (texts === undefined) return !ctx.present.includes(from) && (ctx.eventsAbout(r, 'leave', from) > 0 || ctx.eventsAbout(r, 'idleLeave', from) > 0);
    return r.received.some((x) => texts.some((text) => x.line.includes(text)));
  };
  const settled = (r: TestClient): boolean => {
    if (r.isClosed || arrived(r)) return true;
    const got = new Set(chatFromUs(ctx, r).map((c) => key(c.from, c.text)));
    return (expected.get(r) ?? []).every((l) => got.has(key(l.from, l.text)) || gotBarrier(r, l.from));
  };
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

  const arrivals = new Map<TestClient, Map<string, number>>();
  for (const r of receivers) {
    const want = expected.get(r) ?? [];
    const wantKeys = new Map(want.map((l) => [key(l.from, l.text), l] as const));
    const sentAnywhere = new Map(sent.map((l) => [key(l.from, l.text), l] as const));
    const counts = new Map<string, number>();
    const firstIndex = new Map<string, number>();
    const times = new Map<string, number>();
    const altered: string[] = [];
    const unexpected: string[] = [];
    const misnamed: string[] = [];
    for (const [i, c] of chatFromUs(ctx, r).entries()) {
      // A hostile sender's lines may come back changed (invalid UTF-8 relayed as U+FFFD): not the check's subject.
      if (options.ignoreFrom?.includes(c.from)) continue;
      const k = key(c.from, c.text);
      if (wantKeys.has(k)) {
        counts.set(k, (counts.get(k) ?? 0) + 1);
        if (!firstIndex.has(k)) {
          firstIndex.set(k, i);
          times.set(k, c.at);
        }
        if (c.misnamed) misnamed.push(`${JSON.stringify(c.line)} (sender is ${c.from.name ?? c.from.addr})`);
      } else if (sentAnywhere.has(k)) {
        unexpected.push(`${c.from.label}: ${JSON.stringify(c.text)}`);
      } else if (!ctx.isSyncText(c.text) && !ctx.said.has(k) && isOurs(ctx, c.text)) {
        altered.push(JSON.stringify(c.line));
      }
    }
    if (!options.ignoreUnrecognised) for (const line of unrecognised(ctx, r)) altered.push(line);
    arrivals.set(r, times);

    const missing = want.filter((l) => !counts.has(key(l.from, l.text)));
    const duplicated = want.filter((l) => (counts.get(key(l.from, l.text)) ?? 0) > 1);
    const ruleFor = (l: SentLine, rule: string): string => (l.from === r && rules.echo ? rules.echo : rule);
    report(ctx, missing, (l) => ruleFor(l, rules.missing), (ls) => `${r.label} did not receive ${ls.length} line(s) it must receive${r.isClosed ? ' (its connection was closed by the server)' : ''}`, (ls) => ls.map((l) => `${l.from.label}: ${JSON.stringify(l.text)}`), () => recentLinesOf(r));
    report(ctx, duplicated, (l) => ruleFor(l, rules.duplicate), (ls) => `${r.label} received ${ls.length} line(s) more than once`, (ls) => ls.map((l) => `${l.from.label}: ${JSON.stringify(l.text)} x${counts.get(key(l.from, l.text))}`), () => '');
    if (altered.length) ctx.violate(rules.altered, `${r.label} received ${altered.length} line(s) that no one sent`, { expected: 'only lines sent, whole and unchanged', actual: altered.slice(0, MAX_EXAMPLES).join(', ') });
    if (unexpected.length) ctx.violate(rules.unexpected ?? rules.duplicate, `${r.label} received ${unexpected.length} line(s) not meant for it`, { expected: 'none', actual: unexpected.slice(0, MAX_EXAMPLES).join(', ') });
    if (misnamed.length && rules.sender) ctx.violate(rules.sender, `${r.label} received chat notices naming the wrong sender`, { actual: misnamed.slice(0, MAX_EXAMPLES).join(', ') });

    // Per-sender FIFO: first arrivals of each sender's lines in send order.
    for (const from of new Set(want.map((l) => l.from))) {
      const order = want.filter((l) => l.from === from).map((l) => firstIndex.get(key(l.from, l.text))).filter((i): i is number => i !== undefined);
      const inversion = order.findIndex((v, i) => i > 0 && v < order[i - 1]!);
      if (inversion > 0) {
        const lines = want.filter((l) => l.from === from && firstIndex.has(key(l.from, l.text)));
        ctx.violate(rules.order, `${r.label} received lines of ${from.label} out of order`, {
          expected: lines.slice(Math.max(0, inversion - 1), inversion + 1).map((l) => JSON.stringify(l.text)).join(' then '),
          actual: 'the second first',
        });
      }
    }
  }
  return { complete, arrivals };
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
