// spec/core.md, Isolation: a member that stops reading, or one that sends
// garbage, must not change what the others get or how fast they get it.
import { defineCase } from '../../src/runner/case.js';
import { ReceivedCursor, type TestClient } from '../../src/runner/client.js';
import type { CaseContext } from '../../src/runner/context.js';
import { expectDelivery, type SentLine } from '../../src/runner/delivery.js';
import { percentile } from '../../src/runner/stats.js';

/**
 * Chat lines of `from` seen by `to`, counted incrementally (the flood is thousands of lines), and the
 * latest of them in send order: per-sender order makes every earlier line delivered or lost by then.
 */
class ArrivalCounter {
  private readonly unread: ReceivedCursor;
  readonly times = new Map<string, number>();
  /** Send index of the latest line of the flow seen; -1 before the first. */
  latest = -1;
  constructor(
    private readonly ctx: CaseContext,
    to: TestClient,
    private readonly from: TestClient,
    private readonly rank: ReadonlyMap<string, number>,
  ) {
    this.unread = new ReceivedCursor(to);
  }
  update(): number {
    for (const r of this.unread.next()) {
      if (r.event?.type !== 'chat' || !this.ctx.isAbout(r.event.who, this.from) || this.times.has(r.event.text)) continue;
      this.times.set(r.event.text, r.at);
      this.latest = Math.max(this.latest, this.rank.get(r.event.text) ?? -1);
    }
    return this.latest;
  }
}

interface Flow {
  readonly sent: SentLine[];
  /** Send to arrival, for the lines that arrived (and the whole wait for each line a stall held back). */
  readonly latencies: number[];
  readonly stalled: boolean;
  /** Lines a later line of the flow overtook: lost, not late (a stall is not a loss). */
  readonly lost: number;
  /** Lines that had not arrived when the flow ended, none after them either: held back by a stall. */
  readonly held: number;
}

interface FlowShape {
  readonly count: number;
  readonly size: number;
  /** Lines sent at most after the latest one b (and a, where it echoes) has: 0 makes each line its own turn. */
  readonly window: number;
  /** No progress for this long is a stall (default: one wait). */
  readonly stallMs?: number;
  /** Sending ends after this long, whatever the count (default: none; the count bounds it). */
  readonly budgetMs?: number;
}

/**
 * a sends `count` lines of `size` bytes with at most `window` sent after the latest one b has (nor,
 * where it echoes, a); latency = send to b's arrival. A line the server loses does not hold the window:
 * a lossy server is judged on its losses, not stalled for them.
 */
async function flow(ctx: CaseContext, a: TestClient, b: TestClient, shape: FlowShape): Promise<Flow> {
  const { count, size, window } = shape;
  const stallMs = shape.stallMs ?? ctx.wait();
  const endBy = shape.budgetMs === undefined ? Infinity : performance.now() + shape.budgetMs;
  const rank = new Map<string, number>();
  const counter = new ArrivalCounter(ctx, b, a, rank);
  // a's own echo is windowed too: a sender whose echo piles up unread is a slow reader itself, and a
  // server may rightly evict it (seen against the reference server on a loaded machine).
  const echo = ctx.profile.echo ? new ArrivalCounter(ctx, a, a, rank) : undefined;
  const sent: SentLine[] = [];
  const sentAt = new Map<string, number>();
  let stalled = false;
  for (let i = 0; i < count && performance.now() < endBy; i += 1) {
    const ok = await ctx.waitUntil(() => (counter.update() >= i - window - 1 && (!echo || echo.update() >= i - window - 1)) || b.isClosed || a.isClosed, stallMs);
    if (!ok || b.isClosed || a.isClosed) {
      stalled = true;
      break;
    }
    const head = ctx.text(`flow ${i} `);
    const text = head + 'x'.repeat(Math.max(0, size - head.length));
    rank.set(text, i);
    sentAt.set(text, performance.now() - ctx.epoch);
    sent.push({ from: a, text });
    await ctx.say(a, text);
  }
  if (!stalled) stalled = !(await ctx.waitUntil(() => counter.update() >= sent.length - 1 || b.isClosed, 2 * stallMs));
  const latencies: number[] = [];
  let lost = 0;
  let held = 0;
  for (const { text } of sent) {
    const at = counter.times.get(text);
    if (at !== undefined) latencies.push(at - sentAt.get(text)!);
    else if (rank.get(text)! < counter.latest) lost += 1;
    // A line that never arrived while the flow stalled counts as delayed by the whole wait: a stall shows in p99.
    else {
      held += 1;
      latencies.push(2 * stallMs);
    }
  }
  return { sent, latencies, stalled, lost, held };
}

/**
 * After a flow to b stalled (nothing for `stallMs`) while `slow` did not read: b still gets nothing for
 * a short guard (so the stall is not lines the kit had yet to read), then `slow` reads again and b's
 * lines must resume within `boundMs`. Returns what that showed, for Violation.confirmed, or undefined
 * (the replay decides then).
 */
async function stallEndsWhenRead(ctx: CaseContext, b: TestClient, slow: TestClient, stallMs: number, boundMs: number): Promise<string | undefined> {
  const held = b.received.length;
  const guardMs = ctx.wait(0.1);
  const endedAlone = await ctx.waitUntil(() => b.received.length !== held || b.isClosed, guardMs);
  slow.resume();
  if (endedAlone || b.isClosed || slow.isClosed) return undefined;
  const resumed = performance.now();
  if (!(await ctx.waitUntil(() => b.received.length !== held || b.isClosed, boundMs)) || b.isClosed) return undefined;
  return `${b.label} got no line for ${(stallMs + guardMs).toFixed(0)} ms while ${slow.label} did not read, and got lines again ${(performance.now() - resumed).toFixed(0)} ms after ${slow.label} read again`;
}

/**
 * `reader` reads again after a pause in which it was sent `sent` (lines of a's). A mark line of a's
 * follows them: per-sender order makes every line the reader is owed arrive before it. The wait ends at
 * the mark, at the server's close, or when lines stop coming for a whole wait (a queue that lost its
 * tail ends there), at most three waits; no line still on its way is worth another long wait after
 * that. Kept in the room, the reader must hold every line, once, unaltered, in order (ISOLATION-5).
 * Returns true when the server closed the reader's connection instead.
 */
async function readAgain(ctx: CaseContext, a: TestClient, reader: TestClient, sent: readonly SentLine[], markText: string): Promise<boolean> {
  reader.resume(); // already reading where stallEndsWhenRead found the stall end
  const mark = ctx.text(markText);
  await ctx.say(a, mark);
  const unread = new ReceivedCursor(reader);
  let marked = false;
  const arrived = (): boolean => {
    if (!marked) marked = unread.next().some((r) => r.line.includes(mark));
    return marked || reader.isClosed;
  };
  const giveUp = performance.now() + ctx.wait(3);
  while (!arrived() && performance.now() < giveUp) {
    const before = reader.received.length;
    if (!(await ctx.waitUntil(() => arrived() || reader.received.length !== before, Math.min(ctx.wait(), giveUp - performance.now())))) break;
  }
  if (reader.isClosed) return true;
  await expectDelivery(ctx, sent.map((l) => ({ ...l, to: [reader] })), [reader], { missing: 'ISOLATION-5', duplicate: 'ISOLATION-5', altered: 'ISOLATION-5', order: 'ORDER-1' }, { timeoutMs: ctx.wait(0.25), sync: false, ignoreUnrecognised: true });
  return false;
}

export const slowReader = defineCase({
  id: 'isolation/slow-reader',
  title: 'A member that stops reading does not delay or starve the others (and is announced if evicted)',
  requirements: ['ISOLATION-1', 'ISOLATION-2', 'ISOLATION-3', 'ISOLATION-5'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    // Lines of 8 KiB, or shorter where the profile's maximum is lower (a server rightly drops a longer line's sender).
    const size = Math.min(8 * 1024, ctx.profile.maxLineBytes - 128);
    const window = 64;
    // The baseline is the same flow (line size, window, sender, receiver) without the slow reader, so the
    // bound scales with what this machine does right now: a loaded CI runner slows both alike.
    const baseline = await flow(ctx, a, b, { count: Math.min(Math.ceil(((ctx.settings.quick ? 1 : 2) * 1024 * 1024) / size), 4_000), size, window });
    if (baseline.stalled) ctx.inconclusive('lines did not flow between two members even without a slow reader');
    // Lines lost with no slow reader in the room are the server's loss, not the slow reader's doing.
    // The comparison with a stopped reader needs a flow that loses nothing: the case ends there.
    if (baseline.lost > 0) {
      ctx.fail('CHAT-1', `${b.label} did not receive ${baseline.lost} of ${baseline.sent.length} lines ${a.label} sent, before any member stopped reading (later lines of ${a.label} arrived); the flow with a stopped reader was not run`, { expected: 'every line', actual: `${baseline.sent.length - baseline.lost} lines` });
    }
    const slow = await ctx.join('slow');
    slow.pause();
    // Far more than the kernel's socket buffers can hold for the slow member (a few MB on loopback).
    // (A reader that stops reading does not grow its receive buffer: the kernel's autotuning follows what the application reads.)
    const volume = (ctx.settings.quick ? 12 : 16) * 1024 * 1024;
    const p = (xs: number[], q: number): number => percentile(xs, q);
    const bound = Math.max(250 * ctx.settings.multiplier, 5 * p(baseline.latencies, 0.99));
    // A flow with no line arriving for twice the bound has left the bound behind: it is a stall
    // without waiting a whole wait (the fail is replayed, which a timing accident does not survive).
    const stallMs = Math.max(2 * bound, ctx.wait(0.5));
    const loaded = await flow(ctx, a, b, { count: Math.min(Math.ceil(volume / size), 40_000), size, window, stallMs });
    const figures = `p50 ${p(loaded.latencies, 0.5).toFixed(1)} ms, p99 ${p(loaded.latencies, 0.99).toFixed(1)} ms with the slow reader; p50 ${p(baseline.latencies, 0.5).toFixed(1)} ms, p99 ${p(baseline.latencies, 0.99).toFixed(1)} ms without`;
    // A stall that ends the moment the stopped member reads again was its doing, not the machine's.
    const confirmed = loaded.stalled ? await stallEndsWhenRead(ctx, b, slow, stallMs, bound) : undefined;
    if (loaded.stalled || p(loaded.latencies, 0.99) > bound) {
      ctx.violate('ISOLATION-1', `with one member not reading, delivery to the others ${loaded.stalled ? 'stalled' : 'slowed'} after ${(loaded.sent.length * size / 1048576).toFixed(1)} MB`, {
        expected: `p99 ≤ ${bound.toFixed(0)} ms`,
        actual: figures,
        ...(confirmed ? { confirmed } : {}),
      });
    }
    if (confirmed && loaded.held > 0) {
      ctx.violate('ISOLATION-2', `${b.label} did not receive ${loaded.held} line(s) of ${a.label}'s while ${slow.label} was not reading: they were held until it read again`, { expected: 'every line while a member does not read', actual: `${loaded.sent.length - loaded.held - loaded.lost} of ${loaded.sent.length} lines`, confirmed });
    }
    ctx.present.splice(ctx.present.indexOf(slow), 1);
    // The others must hold every line: by now when the flow never stalled; once the stopped member read
    // again when it did (a stall delays lines, it must not lose them). A stall that did not end then has
    // already cost its wait: the missing lines are the evidence, and a sync line could not pass it either.
    const check = loaded.stalled && !confirmed ? { timeoutMs: ctx.wait(0.25), sync: false } : { timeoutMs: ctx.wait(2) };
    await expectDelivery(ctx, loaded.sent.map((l) => ({ ...l, to: ctx.profile.echo ? [a, b] : [b] })), [a, b], { missing: 'ISOLATION-2', duplicate: 'ISOLATION-2', altered: 'ISOLATION-2', order: 'ORDER-1' }, check);
    // Was the slow member evicted? Kept in the room, it is owed every line (no silent loss).
    await readAgain(ctx, a, slow, loaded.sent, 'after the flood');
    if (slow.isClosed && ctx.dialect.hasNotice('leave')) {
      // The notices may trail the close of slow's own connection; where the dialect has an idle-leave
      // notice, a server may also have announced the silent reader as timed out: either announces it.
      const departures = (m: typeof a): number =>
        ctx.eventsAbout(m, 'leave', slow) + (ctx.dialect.hasNotice('idleLeave') ? ctx.eventsAbout(m, 'idleLeave', slow) : 0);
      await ctx.waitForNotice('leave', () => [a, b].every((m) => departures(m) > 0));
      for (const m of [a, b]) {
        const n = departures(m);
        if (n !== 1) {
          ctx.violate('ISOLATION-3', `the server closed the slow member's connection but ${m.label} received ${n} leave notices for it`, {
            expected: `1 × ${JSON.stringify(ctx.dialect.render({ type: 'leave', who: ctx.whoOf(slow) }))}`,
            actual: `${n}`,
          });
        }
      }
    }
  },
});

/**
 * A member that pauses, and reads again before any server would call it stalled, is owed every line of the
 * pause: first enough long lines to fill what the kernel holds for it (about 4 MB on Linux loopback), so
 * that what follows waits in the server's own queue; then short lines, each its own server turn (a waits
 * for b to have the previous one), the kind of queue servers coalesce or cap: a Go channel that drops
 * when full, a C server that mishandles a partial send(), a write path that joins small chunks.
 */
export const pausedReader = defineCase({
  id: 'isolation/paused-reader',
  title: 'A member that pauses reading gets every line of the pause, long and short, when it reads again',
  requirements: ['ISOLATION-5'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const paused = await ctx.join('paused');
    paused.pause();
    const size = Math.min(8 * 1024, ctx.profile.maxLineBytes - 128);
    // A room that stalls while a member does not read is slow-reader's finding (ISOLATION-1): here a
    // short stall wait ends the flood early, and the paused member is judged on what was sent.
    const stallMs = ctx.wait(0.25);
    const fill = await flow(ctx, a, b, { count: Math.ceil((4.5 * 1024 * 1024) / size), size, window: 64, stallMs });
    // Each short line costs a round trip: a server that is slow to relay gets fewer of them, not a longer case.
    const short = fill.stalled ? undefined : await flow(ctx, a, b, { count: 1000, size: 200, window: 0, stallMs, budgetMs: ctx.wait(0.5) });
    // Lines b did not get are the other cases' business (CHAT-1, ISOLATION-1); this one judges the paused reader.
    const sent = [...fill.sent, ...(short?.sent ?? [])];
    // Closed: evicted, which ISOLATION-3 (slow-reader case) judges; kept: every line, once, in order.
    if (await readAgain(ctx, a, paused, sent, 'after the pause')) ctx.present.splice(ctx.present.indexOf(paused), 1);
  },
});

export const hostilePeer = defineCase({
  id: 'isolation/hostile-peer',
  title: 'Garbage and over-long lines from one peer do not change what the others receive',
  requirements: ['ISOLATION-4'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const hostile = await ctx.connect('hostile');
    const sent: SentLine[] = [];
    // One connection per kind, each open when it sends: a server may rightly close a connection on
    // its over-long line (or on garbage), and the lines after that would never be read.
    const hostiles = [hostile, await ctx.connect('hostile2'), await ctx.connect('hostile3')];
    const garbage = [
      Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0xc0, 0xaf, 0x0a]),
      Buffer.from('|||\n\r\n\n|\n', 'latin1'),
      Buffer.alloc(ctx.profile.maxLineBytes + 4096, 0x41),
    ];
    for (let i = 0; i < 30; i += 1) {
      if (i % 10 === 0) void hostiles[i / 10]!.sendBytes(garbage[i / 10]!);
      const from = i % 2 ? a : b;
      const text = ctx.text(`while a peer misbehaves ${i}`);
      await ctx.say(from, text);
      sent.push({ from, text });
    }
    await expectDelivery(ctx, sent, [a, b], { missing: 'ISOLATION-4', duplicate: 'ISOLATION-4', altered: 'ISOLATION-4', order: 'ISOLATION-4' }, { ignoreUnrecognised: true });
  },
});
