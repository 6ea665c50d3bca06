// spec/core.md, Leave: one leave notice per remaining member, nothing from a
// member after it, and everything it sent before FIN delivered before it.
import { defineCase } from '../../src/runner/case.js';
import type { TestClient } from '../../src/runner/client.js';
import type { CaseContext, LeaveHow } from '../../src/runner/context.js';
import { expectDelivery } from '../../src/runner/delivery.js';

async function leaveAndCount(ctx: CaseContext, how: LeaveHow, requirement: string): Promise<void> {
  const a = await ctx.join('a');
  const b = await ctx.join('b');
  const c = await ctx.join('c');
  await ctx.leave(c, how);
  await expectLeaveNotices(ctx, c, [a, b], requirement);
  if (how === 'quit') {
    const closed = await ctx.waitUntil(() => c.isClosed);
    if (!closed) ctx.violate('LEAVE-4', 'the server did not close the connection after quit', { expected: 'connection closed by the server', actual: 'still open' });
  }
}

/** Waits for one leave notice per remaining member, then syncs and counts. */
export async function expectLeaveNotices(ctx: CaseContext, leaver: TestClient, remaining: readonly TestClient[], requirement = 'LEAVE-1'): Promise<void> {
  const got = (m: TestClient): number => ctx.eventsAbout(m, 'leave', leaver) + ctx.eventsAbout(m, 'idleLeave', leaver);
  await ctx.waitForNotice('leave', () => remaining.every((m) => got(m) >= 1));
  await ctx.sync(remaining);
  for (const m of remaining) {
    const n = got(m);
    if (n !== 1) {
      ctx.violate(requirement, `${m.label} received ${n} leave notices for ${leaver.label}`, {
        expected: `1 × ${JSON.stringify(ctx.dialect.render({ type: 'leave', who: ctx.whoOf(leaver) }))}`,
        actual: n === 0 ? `none (${m.received.length} lines received)` : `${n}`,
      });
    }
  }
}

export const leaveFin = defineCase({
  id: 'leave/fin',
  title: 'A member that closes with FIN is announced once to each remaining member',
  requirements: ['LEAVE-1'],
  needs: ['notice:leave'],
  run: (ctx) => leaveAndCount(ctx, 'fin', 'LEAVE-1'),
});

export const leaveRst = defineCase({
  id: 'leave/rst',
  title: 'A member whose connection is reset (RST) is announced once to each remaining member',
  requirements: ['LEAVE-1'],
  needs: ['notice:leave'],
  run: (ctx) => leaveAndCount(ctx, 'rst', 'LEAVE-1'),
});

export const leaveQuit = defineCase({
  id: 'leave/quit',
  title: 'The quit command is announced like a disconnect and the server closes the connection',
  requirements: ['LEAVE-4'],
  needs: ['notice:leave', 'command:quit'],
  run: (ctx) => leaveAndCount(ctx, 'quit', 'LEAVE-4'),
});

export const linesBeforeFin = defineCase({
  id: 'leave/lines-before-fin',
  title: 'Lines sent right before FIN are all delivered, before the leave notice, and nothing after it',
  requirements: ['LEAVE-3', 'LEAVE-2'],
  needs: ['notice:leave'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const c = await ctx.join('c');
    const texts = Array.from({ length: 20 }, (_, i) => ctx.text(`last words ${i}`));
    await ctx.sayInOneWrite(c, texts, `${texts.length} lines, then FIN`);
    await ctx.leave(c, 'fin');
    await expectDelivery(
      ctx,
      texts.map((text) => ({ from: c, text, to: [a, b] })),
      [a, b],
      { missing: 'LEAVE-3', duplicate: 'CHAT-1', altered: 'CHAT-3', order: 'ORDER-1' },
    );
    await expectLeaveNotices(ctx, c, [a, b]);
    for (const m of [a, b]) {
      const lines = m.received.filter((r) => r.event && 'who' in r.event && ctx.isAbout(r.event.who, c));
      const leaveAt = lines.findIndex((r) => r.event?.type === 'leave');
      if (leaveAt < 0) continue;
      const after = lines.slice(leaveAt + 1).filter((r) => r.event?.type === 'chat');
      const before = new Set(lines.slice(0, leaveAt).flatMap((r) => (r.event?.type === 'chat' ? [r.event.text] : [])));
      const late = texts.filter((t) => !before.has(t));
      if (after.length > 0) {
        ctx.violate('LEAVE-2', `${m.label} received ${after.length} line(s) from ${c.label} after its leave notice`, {
          expected: 'nothing from c after its leave notice',
          actual: after.slice(0, 3).map((r) => JSON.stringify(r.line)).join(', '),
        });
      }
      if (late.length > 0) {
        ctx.violate('LEAVE-3', `${m.label} received the leave notice of ${c.label} before ${late.length} of its last lines`, {
          expected: `all ${texts.length} lines, then the leave notice`,
          actual: `leave notice after ${texts.length - late.length} line(s)`,
        });
      }
    }
  },
});
