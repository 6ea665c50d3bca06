// spec/core.md JOIN-5 and FRAME-10: the server's own deadlines, where the
// profile declares them (joinTimeoutMs, lineTimeoutMs). Each is checked both
// ways: a connection past the deadline is closed, neither early nor very late,
// and one within it keeps its connection, however it paces its bytes.
import { defineCase } from '../../src/runner/case.js';
import type { TestClient } from '../../src/runner/client.js';
import type { CaseContext } from '../../src/runner/context.js';
import { delay } from '../../src/runner/clock.js';
import { expectDelivery, type SentLine } from '../../src/runner/delivery.js';
import { admit } from '../../src/runner/membership.js';

/** The window in which a deadline of `ms` may close a connection, counted from what started it. */
function window(ctx: CaseContext, ms: number): { readonly earliest: number; readonly latest: number } {
  return { earliest: ms * 0.95 - 20, latest: ms * 1.5 + 250 * ctx.settings.multiplier };
}

/** Waits until `at` (ms since the case's epoch). */
async function until(ctx: CaseContext, at: number): Promise<void> {
  await delay(Math.max(0, at - (performance.now() - ctx.epoch)));
}

/** Judges when the server closed `c`, a connection that passed the deadline at `from`. */
async function expectClosed(ctx: CaseContext, id: string, c: TestClient, from: number, ms: number, what: string): Promise<void> {
  const { earliest, latest } = window(ctx, ms);
  const closed = await ctx.waitUntil(() => c.isClosed, Math.max(0, from + latest - (performance.now() - ctx.epoch)));
  if (!closed) {
    ctx.violate(id, `${what}, and the server had not closed it ${Math.round(latest)} ms later (declared deadline ${ms} ms)`, { expected: `closed between ${Math.round(earliest)} and ${Math.round(latest)} ms`, actual: 'still open' });
    return;
  }
  const after = c.closedAt! - from;
  if (after < earliest) {
    ctx.violate(id, `${what}, and the server closed it ${Math.round(after)} ms later, before its declared deadline of ${ms} ms`, { expected: `closed between ${Math.round(earliest)} and ${Math.round(latest)} ms`, actual: `${Math.round(after)} ms` });
  }
}

export const joinDeadline = defineCase({
  id: 'join/deadline',
  title: "A connection that does not join within the declared deadline is closed; one that joins in time is kept",
  requirements: ['JOIN-5'],
  needs: ['deadline:join'],
  slow: true,
  async run(ctx) {
    const ms = ctx.profile.joinTimeoutMs!;
    const a = await ctx.join('a');
    const silent = await ctx.connect('silent');
    const openedAt = performance.now() - ctx.epoch;
    // A member that joins halfway through its own deadline must outlive it.
    const inTime = await ctx.connect('in-time');
    const inTimeAt = performance.now() - ctx.epoch;
    await until(ctx, inTimeAt + ms * 0.4);
    const admitted = await admit(ctx, inTime);
    if (!admitted.ok) ctx.inconclusive(`${inTime.label} could not join (the join cases judge that): ${admitted.message}`);
    ctx.present.push(inTime);
    await expectClosed(ctx, 'JOIN-5', silent, openedAt, ms, 'a connection sent nothing');
    await until(ctx, inTimeAt + window(ctx, ms).latest);
    if (inTime.isClosed) {
      ctx.violate('JOIN-5', `the server closed ${inTime.label}, which had joined ${Math.round(ms * 0.4)} ms after connecting (declared deadline ${ms} ms)`, { expected: 'still a member', actual: 'closed' });
      return;
    }
    // Still a member, not just an open socket: it and a exchange a line.
    if (!(await ctx.sync([a, inTime]))) ctx.violate('JOIN-5', `${inTime.label}, which had joined in time, no longer exchanged lines after the deadline`, { expected: 'a sync line delivered', actual: 'none' });
  },
});

export const lineDeadline = defineCase({
  id: 'frame/line-deadline',
  title: 'A line not finished within the declared deadline ends its connection; lines that arrive in pieces within it never do',
  requirements: ['FRAME-10'],
  needs: ['deadline:line'],
  slow: true,
  async run(ctx) {
    const ms = ctx.profile.lineTimeoutMs!;
    const idle = ctx.settings.idleTimeoutMs;
    if (idle !== null && idle < ms * 3) ctx.skip(`the idle timeout (${idle} ms) would end the case's members before 3 line deadlines (${ms} ms) pass`);
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    // chained: each line's last piece travels with the next line's first (each line takes 0.6 of the deadline,
    // the connection always has one pending); halves: one line in two pieces, then silence for 2.5 deadlines.
    const chained = await ctx.join('chained');
    const halves = await ctx.join('halves');
    const partial = await ctx.join('partial');
    for (const m of [chained, halves, partial]) ctx.silent.add(m);
    const bytesOf = (m: TestClient, text: string): Buffer => Buffer.from(ctx.sayLine(m, text) + ctx.dialect.lineEnding, 'utf8');
    const sent: SentLine[] = [];
    const line = (m: TestClient, label: string): Buffer => {
      const text = ctx.text(`${label} in pieces`);
      sent.push({ from: m, text });
      ctx.noteSaid(m, text);
      return bytesOf(m, text);
    };
    const [c1, c2, h1] = [line(chained, 'first'), line(chained, 'second'), line(halves, 'only')];
    const cut = (buf: Buffer): [Buffer, Buffer] => [buf.subarray(0, Math.ceil(buf.length / 2)), buf.subarray(Math.ceil(buf.length / 2))];
    const [c1a, c1b] = cut(c1);
    const [c2a, c2b] = cut(c2);
    const [h1a, h1b] = cut(h1);
    const partialText = ctx.text('never finished');
    const t0 = performance.now() - ctx.epoch;
    await Promise.all([chained.sendBytes(c1a), halves.sendBytes(h1a), partial.sendBytes(Buffer.from(ctx.sayLine(partial, partialText), 'utf8'))]);
    await until(ctx, t0 + ms * 0.5);
    await halves.sendBytes(h1b);
    await until(ctx, t0 + ms * 0.6);
    await chained.sendBytes(Buffer.concat([c1b, c2a]));
    await until(ctx, t0 + ms * 1.2);
    await chained.sendBytes(c2b);
    await expectClosed(ctx, 'FRAME-10', partial, t0, ms, 'a member sent part of a line and nothing more');
    ctx.present.splice(ctx.present.indexOf(partial), 1);
    // Two deadlines after the last complete line of either: neither may have been ended for it.
    await until(ctx, t0 + ms * 3.2 + 250 * ctx.settings.multiplier);
    for (const m of [chained, halves]) {
      if (m.isClosed) {
        const how = m === chained ? `sent each line within ${Math.round(ms * 0.6)} ms, one line's end with the next one's start` : `sent one line in two pieces ${Math.round(ms * 0.5)} ms apart, then nothing`;
        ctx.violate('FRAME-10', `the server ended ${m.label}, which ${how} (declared line deadline ${ms} ms)`, { expected: 'still a member', actual: `closed ${Math.round(m.closedAt! - t0)} ms after its first piece` });
        ctx.present.splice(ctx.present.indexOf(m), 1);
      }
    }
    const after = ctx.text('after the deadlines');
    for (const m of [chained, halves]) {
      if (m.isClosed) continue;
      await ctx.say(m, `${after} ${m.label}`);
      sent.push({ from: m, text: `${after} ${m.label}` });
    }
    const live = sent.filter((l) => !l.from.isClosed);
    await expectDelivery(ctx, live, [a, b], { missing: 'FRAME-10', duplicate: 'CHAT-1', altered: 'CHAT-3', order: 'ORDER-1' }, { ignoreUnrecognised: true });
  },
});
