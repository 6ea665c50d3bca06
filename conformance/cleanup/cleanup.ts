// spec/core.md, Disconnect cleanup: the departed are gone from lists, the
// room keeps flowing, and churn leaves the server serving as before.
import { defineCase } from '../../src/runner/case.js';
import type { TestClient } from '../../src/runner/client.js';
import type { CaseContext } from '../../src/runner/context.js';
import { untilHeard } from '../../src/runner/resend.js';
import { expectDelivery } from '../../src/runner/delivery.js';
import { memberList } from '../cmd/lists.js';
import { median } from '../../src/runner/stats.js';

export const whoAfterLeave = defineCase({
  id: 'cleanup/list-after-leave',
  title: 'A member that left is no longer in the member list',
  requirements: ['CLEANUP-1'],
  needs: ['command:who'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const c = await ctx.join('c');
    await ctx.leave(c, ctx.rng.next() < 0.5 ? 'fin' : 'rst');
    // The leave must have been processed before we ask: wait for its notice where there is one.
    if (ctx.dialect.hasNotice('leave')) await ctx.waitForNotice('leave', () => ctx.eventsAbout(a, 'leave', c) > 0);
    else await ctx.sync([a, b]);
    const listed = await memberList(ctx, a);
    if (listed === undefined) return ctx.inconclusive('the member list did not arrive');
    if (listed.some((entry) => ctx.isAbout(entry, c))) {
      ctx.violate('CLEANUP-1', `${c.label} is still listed after it left`, {
        expected: [a, b].map((m) => m.name).join(', '),
        actual: listed.map((w) => w.name ?? w.addr).join(', '),
      });
    }
  },
});

export const flowAfterLeave = defineCase({
  id: 'cleanup/flow-after-leave',
  title: 'After members leave mid-conversation, the others still get every line exactly once',
  requirements: ['CLEANUP-2'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const goners = [await ctx.join('c'), await ctx.join('d')];
    await ctx.leave(goners[0]!, 'rst');
    await ctx.leave(goners[1]!, 'fin');
    const sent = [];
    for (let i = 0; i < 20; i += 1) {
      const from = i % 2 ? a : b;
      const text = ctx.text(`after the leave ${i}`);
      await ctx.say(from, text);
      sent.push({ from, text });
    }
    await expectDelivery(ctx, sent, [a, b], { missing: 'CLEANUP-2', duplicate: 'CLEANUP-2', altered: 'CHAT-3', order: 'ORDER-1' });
  },
});

export const nameReuse = defineCase({
  id: 'cleanup/name-reuse',
  title: 'A name released by a leave can be taken by a new login',
  requirements: ['CLEANUP-4'],
  needs: ['framing:nameop', 'command:login'],
  async run(ctx) {
    const a = await ctx.join('a');
    const name = ctx.name('reused');
    const first = await ctx.join('first', { name });
    await ctx.leave(first, ctx.rng.next() < 0.5 ? 'quit' : 'fin');
    await ctx.waitForNotice('leave', () => ctx.eventsAbout(a, 'leave', first) > 0);
    const second = await ctx.connect('second');
    second.name = name;
    await second.command({ type: 'login', name });
    const ok = await ctx.waitUntil(() => second.events.some((e) => e.type === 'join' && e.who.name === name) || second.events.some((e) => e.type === 'error'));
    if (!ok || !second.events.some((e) => e.type === 'join' && e.who.name === name)) {
      ctx.violate('CLEANUP-4', `logging in as ${name} after its owner left was refused`, { expected: `${name}|3|`, actual: second.received.map((r) => JSON.stringify(r.line)).join(', ') || 'nothing' });
    }
  },
});

/**
 * n round trips a → b, each one line's send-to-arrival time. A ping the server loses is followed by
 * another after a pause (untilHeard); the latency is the one that arrived, from its own send.
 */
async function latencyOnce(ctx: CaseContext, a: TestClient, b: TestClient, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const sentAt = new Map<string, number>();
    const ping = async (): Promise<void> => {
      const text = ctx.text(`ping ${i}`);
      sentAt.set(text, performance.now() - ctx.epoch);
      await ctx.say(a, text);
    };
    const arrival = (): { at: number; text: string } | undefined => {
      const r = b.received.find((x) => x.event?.type === 'chat' && sentAt.has(x.event.text) && ctx.isAbout(x.event.who, a));
      return r?.event?.type === 'chat' ? { at: r.at, text: r.event.text } : undefined;
    };
    await ping();
    if (!(await untilHeard((c, ms) => ctx.waitUntil(c, ms), () => arrival() !== undefined, ping, ctx.wait(), () => a.isClosed))) return out;
    const got = arrival()!;
    out.push(got.at - sentAt.get(got.text)!);
  }
  return out;
}

/** Connections opened at once in a churn burst; quartered down to the minimum while the accept path drops SYNs. */
const CHURN_BURST = 50;
const CHURN_MIN_BURST = 2;
/** A connect this slow waited for a SYN retry (Linux's initial retransmission timeout is 1 s). */
const SYN_RETRY_MS = 900;

export const churn = defineCase({
  id: 'cleanup/churn',
  title: 'After many connect/disconnect cycles the server still serves, as fast as before',
  requirements: ['CLEANUP-3'],
  slow: true,
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const before = await latencyOnce(ctx, a, b, 20);
    if (before.length < 20) ctx.inconclusive('lines did not flow before the churn');
    const cycles = ctx.settings.quick ? 100 : 1000;
    let burst = CHURN_BURST;
    let refused = 0;
    let waitForCloses = true;
    for (let done = 0; done < cycles; ) {
      const size = Math.min(burst, cycles - done);
      // A connect of the burst that times out is not the verdict: a small listen backlog (Python
      // socketserver's is 5) drops the SYNs a slow accept loop has no room for, and TCP retries them
      // 1 s and 3 s later. Whether the server still serves after the churn is the check.
      let slowest = 0;
      const settled = await Promise.allSettled(
        Array.from({ length: size }, async (_, i) => {
          const started = performance.now();
          const client = await ctx.connect(`churn${done + i}`);
          slowest = Math.max(slowest, performance.now() - started);
          return client;
        }),
      );
      const conns = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      refused += size - conns.length;
      done += size;
      // A SYN the listen backlog had no room for costs a retry (Linux's first is 1 s later): later
      // bursts are a quarter the size, so a server with a small backlog is churned in seconds, not 20+ s
      // of retries (the cycles stay 1,000).
      if (conns.length < size || slowest >= SYN_RETRY_MS) burst = Math.max(CHURN_MIN_BURST, burst >> 2);
      // Drop them from the transcript's client list: a thousand entries would bury the evidence.
      ctx.clients.splice(ctx.clients.length - conns.length, conns.length);
      conns.forEach((c, i) => (i % 2 ? c.reset() : c.end()));
      // A server that keeps half-closed sockets open is judged elsewhere (ROBUST-4): waited for once, not
      // once per burst.
      if (waitForCloses) waitForCloses = await ctx.waitUntil(() => conns.every((c) => c.isClosed), ctx.wait(0.25));
      conns.forEach((c) => c.destroy());
    }
    await ctx.sync([a, b]);
    const after = await latencyOnce(ctx, a, b, 20);
    const what = `${cycles} connect/disconnect cycles${refused ? ` (${refused} connects of the bursts failed)` : ''}`;
    if (after.length < 20) ctx.fail('CLEANUP-3', `after ${what} the server no longer delivers`, { expected: '20 lines delivered', actual: `${after.length}` });
    const bound = Math.max(20, 3 * median(before));
    if (median(after) > bound) {
      ctx.violate('CLEANUP-3', `median delivery latency grew from ${median(before).toFixed(1)} ms to ${median(after).toFixed(1)} ms after ${what}`, { expected: `≤ ${bound.toFixed(1)} ms`, actual: `${median(after).toFixed(1)} ms` });
    }
  },
});
