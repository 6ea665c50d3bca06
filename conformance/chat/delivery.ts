// spec/core.md, Chat delivery and Ordering: exactly once to each member
// present, the sender per the profile's echo, byte for byte, per-sender FIFO.
import { defineCase } from '../../src/runner/case.js';
import type { TestClient } from '../../src/runner/client.js';
import type { CaseContext } from '../../src/runner/context.js';
import { chatFromUs, expectDelivery, type SentLine } from '../../src/runner/delivery.js';

/** Texts that stress a dialect: separators, notice look-alikes, non-ASCII. */
function trickyTexts(ctx: CaseContext, from: TestClient): string[] {
  const d = ctx.dialect;
  const lookalikes = (['join', 'leave', 'welcome'] as const)
    .filter((t) => d.hasNotice(t))
    .map((type) => d.render({ type, who: ctx.whoOf(from) }));
  const texts = [
    ctx.text('plain words'),
    ctx.text('a|b|c with pipes'),
    ctx.text('colon: and [brackets]:login'),
    ctx.text('ünïcödé 中文 🎈'),
    ctx.text(' leading and trailing spaces '),
    ...lookalikes.map((l) => ctx.text(l)),
  ];
  // Only texts whose chat line the profile itself reads back as that chat line: with a {*} in a notice
  // ("[{*}] * {name} has joined"), a chat line ending in a look-alike reads as the notice, whatever the server does.
  return texts.filter((text) => {
    const line = d.render({ type: 'chat', who: ctx.whoOf(from), text });
    const event = d.match(line);
    return event?.type === 'chat' && event.text === text;
  });
}

export const exactlyOnce = defineCase({
  id: 'chat/exactly-once',
  title: 'Each chat line reaches each member present exactly once, unchanged, echo as the profile says',
  requirements: ['CHAT-1', 'CHAT-2', 'CHAT-3', 'CHAT-4'],
  async run(ctx) {
    const members = [await ctx.join('a'), await ctx.join('b'), await ctx.join('c')];
    const sent: SentLine[] = [];
    for (const from of members) {
      for (const text of trickyTexts(ctx, from)) {
        await ctx.say(from, text);
        sent.push({ from, text });
      }
    }
    await expectDelivery(ctx, sent, members);
  },
});

export const senderFifo = defineCase({
  id: 'chat/sender-fifo',
  title: 'A burst of lines from one sender arrives at every member in the order sent',
  requirements: ['ORDER-1', 'CHAT-1'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const n = ctx.settings.quick ? 50 : 200;
    const texts = Array.from({ length: n }, (_, i) => ctx.text(`burst ${String(i).padStart(4, '0')}`));
    // One write: the server sees the whole burst at once.
    await ctx.sayInOneWrite(a, texts, `${n} lines in one write`);
    await expectDelivery(ctx, texts.map((text) => ({ from: a, text })), [a, b]);
  },
});

export const concurrentSenders = defineCase({
  id: 'chat/concurrent-senders',
  title: 'Several members sending at once: every line exactly once, each sender in order',
  requirements: ['CHAT-1', 'CHAT-3', 'ORDER-1'],
  async run(ctx) {
    const members = [await ctx.join('a'), await ctx.join('b'), await ctx.join('c'), await ctx.join('d')];
    const per = ctx.settings.quick ? 20 : 60;
    const sent: SentLine[] = [];
    await Promise.all(
      members.map(async (from) => {
        for (let i = 0; i < per; i += 1) {
          const text = ctx.text(`concurrent ${from.label} ${i} ${'·'.repeat(ctx.rng.int(0, 30))}`);
          sent.push({ from, text });
          await ctx.say(from, text, ctx.rng.next() < 0.2 ? { sizes: [ctx.rng.int(1, 8)] } : undefined);
        }
      }),
    );
    await expectDelivery(ctx, sent, members);
  },
});

export const totalOrder = defineCase({
  id: 'order/total',
  title: 'All members see the lines they share in one order',
  requirements: ['ORDER-2'],
  async run(ctx) {
    const members = [await ctx.join('a'), await ctx.join('b'), await ctx.join('c')];
    const per = ctx.settings.quick ? 20 : 50;
    const sent: SentLine[] = [];
    await Promise.all(
      members.map(async (from) => {
        for (let i = 0; i < per; i += 1) {
          const text = ctx.text(`order ${from.label} ${i}`);
          sent.push({ from, text });
          await ctx.say(from, text);
        }
      }),
    );
    // Delivery itself is judged by other cases; here only the order matters.
    await expectDelivery(ctx, sent, members, { missing: 'ORDER-2', duplicate: 'ORDER-2', altered: 'ORDER-2', order: 'ORDER-2' });
    const sequences = members.map((m) => chatFromUs(ctx, m).filter((c) => !ctx.isSyncText(c.text)).map((c) => `${c.from.label}\u0000${c.text}`));
    const shared = (seq: string[], other: Set<string>): string[] => seq.filter((k) => other.has(k));
    const reference = sequences[0]!;
    for (const [i, seq] of sequences.entries()) {
      if (i === 0) continue;
      const a = shared(reference, new Set(seq));
      const b = shared(seq, new Set(reference));
      const at = a.findIndex((k, j) => k !== b[j]);
      if (at >= 0) {
        ctx.violate('ORDER-2', `${members[0]!.label} and ${members[i]!.label} saw the same lines in different orders`, {
          expected: `${members[0]!.label}: ${a.slice(at, at + 2).map(show).join(' then ')}`,
          actual: `${members[i]!.label}: ${b.slice(at, at + 2).map(show).join(' then ')}`,
        });
      }
    }
  },
});

const show = (k: string): string => JSON.stringify(k.split('\u0000')[1]);
