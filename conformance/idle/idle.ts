// spec/core.md, Idle timeout: a silent member is announced once, really
// disconnected, and activity resets its timer.
import { defineCase } from '../../src/runner/case.js';
import type { CaseContext } from '../../src/runner/context.js';
import { delay } from '../../src/runner/clock.js';

function idleTimeout(ctx: CaseContext): number {
  const ms = ctx.settings.idleTimeoutMs;
  if (ms === null) ctx.skip('the profile has no idle timeout');
  return ms;
}

export const idleLeave = defineCase({
  id: 'idle/timeout',
  title: 'A silent member is announced once as timed out and is disconnected',
  requirements: ['IDLE-1', 'IDLE-2'],
  needs: ['idle', 'notice:idleLeave'],
  slow: true,
  async run(ctx) {
    const timeout = idleTimeout(ctx);
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const idle = await ctx.join('idle');
    // a and b keep talking (the context's keepalives), so only `idle` times out.
    ctx.silent.add(idle);
    {
      // The timer runs from idle's last complete line (its join sync); the notice must come at the
      // configured timeout, neither early nor late: a timer that fires twice too late fails.
      const lastSend = Math.max(...ctx.transcript.filter((e) => e.client === idle.label && e.kind === 'send').map((e) => e.at), 0);
      const earliest = timeout * 0.95 - 20;
      const latest = timeout * 1.25 + 100 * ctx.settings.multiplier;
      const idleNotices = (m: typeof a): number => ctx.eventsAbout(m, 'idleLeave', idle);
      const anyLeave = (m: typeof a): number => idleNotices(m) + ctx.eventsAbout(m, 'leave', idle);
      const announced = await ctx.waitUntil(() => [a, b].every((m) => anyLeave(m) >= 1), Math.max(0, lastSend + latest + ctx.wait() - (performance.now() - ctx.epoch)));
      if (!announced) ctx.fail('IDLE-1', `no timeout notice for a member silent for ${Math.round(latest + ctx.wait())} ms (timeout ${timeout} ms)`, { expected: ctx.dialect.render({ type: 'idleLeave', who: ctx.whoOf(idle) }), actual: 'nothing' });
      for (const m of [a, b]) {
        const first = m.received.find((r) => (r.event?.type === 'idleLeave' || r.event?.type === 'leave') && ctx.isAbout(r.event.who, idle));
        if (!first) continue;
        const after = first.at - lastSend;
        if (first.event?.type !== 'idleLeave') ctx.violate('IDLE-1', `${m.label} was told the silent member left, not that it timed out`, { expected: ctx.dialect.render({ type: 'idleLeave', who: ctx.whoOf(idle) }), actual: first.line });
        if (after < earliest || after > latest) {
          ctx.violate('IDLE-1', `the timeout notice reached ${m.label} ${Math.round(after)} ms after the member's last line, with a ${timeout} ms timeout`, { expected: `between ${Math.round(earliest)} and ${Math.round(latest)} ms`, actual: `${Math.round(after)} ms` });
        }
      }
      ctx.present.splice(ctx.present.indexOf(idle), 1);
      // After the announcement the member must be gone: its lines must not be relayed.
      const ghost = ctx.text('spoken after timeout');
      await ctx.say(idle, ghost);
      const closed = await ctx.waitUntil(() => idle.isClosed);
      await ctx.sync([a, b]);
      for (const m of [a, b]) {
        const n = anyLeave(m);
        if (n !== 1) ctx.violate('IDLE-1', `${m.label} received ${n} timeout/leave notices for the idle member`, { expected: '1', actual: `${n}` });
        if (ctx.hasChat(m, idle, ghost)) ctx.violate('IDLE-2', `${m.label} received a line the timed-out member sent after its timeout notice`, { expected: 'nothing', actual: JSON.stringify(ghost) });
      }
      if (!closed) ctx.violate('IDLE-2', 'the server did not close the connection of the timed-out member', { expected: 'connection closed', actual: 'still open' });
    }
  },
});

export const idleReset = defineCase({
  id: 'idle/activity-resets',
  title: 'A member that speaks before its timeout is not timed out at the old expiry',
  requirements: ['IDLE-3'],
  needs: ['idle'],
  slow: true,
  async run(ctx) {
    const timeout = idleTimeout(ctx);
    const a = await ctx.join('a');
    const talker = await ctx.join('talker');
    ctx.silent.add(talker);
    // Speak at 60% of the timeout, then watch past the first expiry (to 130%).
    await delay(timeout * 0.6);
    await ctx.say(talker, ctx.text('still here'));
    await ctx.waitUntil(() => talker.isClosed || ctx.eventsAbout(a, 'idleLeave', talker) + ctx.eventsAbout(a, 'leave', talker) > 0, timeout * 0.7);
    if (talker.isClosed || ctx.eventsAbout(a, 'idleLeave', talker) + ctx.eventsAbout(a, 'leave', talker) > 0) {
      ctx.violate('IDLE-3', `a member that spoke ${Math.round(timeout * 0.6)} ms after joining was timed out at ${timeout} ms`, { expected: 'still a member', actual: talker.isClosed ? 'disconnected' : 'announced as timed out' });
    }
  },
});

export const idlePartialLine = defineCase({
  id: 'idle/partial-line',
  title: 'A member that sends part of a line and then nothing is still timed out, on either reading of the timer',
  requirements: ['IDLE-4', 'LEAVE-2'],
  needs: ['idle'],
  slow: true,
  async run(ctx) {
    const timeout = idleTimeout(ctx);
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const p = await ctx.join('partial');
    ctx.silent.add(p);
    const lastLine = Math.max(...ctx.transcript.filter((e) => e.client === p.label && e.kind === 'send').map((e) => e.at), 0);
    // Half-way to the expiry, part of a chat line and no LF, then nothing. A timer per line (an asyncio
    // wait_for around readline) still expires at the timeout after the last line; a read deadline that
    // every read resets (Go's SetReadDeadline) at the timeout after these bytes. Both are right.
    await delay(Math.max(0, lastLine + timeout * 0.5 - (performance.now() - ctx.epoch)));
    const partial = ctx.text('never finished');
    await p.sendBytes(Buffer.from(ctx.sayLine(p, partial), 'utf8'), undefined, 0, `${JSON.stringify(partial)} without LF`);
    const partialAt = performance.now() - ctx.epoch;
    const earliest = lastLine + timeout * 0.95 - 20;
    const latest = partialAt + timeout * 1.25 + 100 * ctx.settings.multiplier;
    const notice = (m: typeof a) => m.received.find((r) => (r.event?.type === 'idleLeave' || r.event?.type === 'leave') && ctx.isAbout(r.event.who, p));
    const announced = await ctx.waitUntil(() => [a, b].every((m) => notice(m) !== undefined), Math.max(0, latest + ctx.wait() - (performance.now() - ctx.epoch)));
    ctx.present.splice(ctx.present.indexOf(p), 1);
    if (!announced) {
      ctx.fail('IDLE-4', `a member silent but for part of a line was not timed out within ${Math.round(latest + ctx.wait() - lastLine)} ms of its last line (timeout ${timeout} ms)`, { expected: ctx.dialect.hasNotice('idleLeave') ? ctx.dialect.render({ type: 'idleLeave', who: ctx.whoOf(p) }) : 'a leave notice', actual: [a, b].map((m) => `${m.label}: ${notice(m) ? 'announced' : 'nothing'}`).join(', ') });
    }
    await ctx.sync([a, b]);
    for (const m of [a, b]) {
      const first = notice(m)!;
      // A plain leave (a server's own limit on unfinished lines) may come at any time; an idle timeout not before its time.
      if (first.event?.type === 'idleLeave' && first.at < earliest) {
        ctx.violate('IDLE-4', `the timeout notice reached ${m.label} ${Math.round(first.at - lastLine)} ms after the member's last complete line, with a ${timeout} ms timeout`, { expected: `at least ${Math.round(earliest - lastLine)} ms`, actual: `${Math.round(first.at - lastLine)} ms` });
      }
      if (first.at > latest) {
        ctx.violate('IDLE-4', `the timeout notice reached ${m.label} ${Math.round(first.at - partialAt)} ms after the member's last byte, with a ${timeout} ms timeout`, { expected: `at most ${Math.round(latest - partialAt)} ms after the last byte (${Math.round(latest - lastLine)} ms after the last line)`, actual: `${Math.round(first.at - partialAt)} ms` });
      }
      // The unfinished line may be dropped or relayed before the notice, never after it.
      const late = m.received.slice(m.received.indexOf(first) + 1).find((r) => r.event?.type === 'chat' && ctx.isAbout(r.event.who, p));
      if (late) ctx.violate('LEAVE-2', `${m.label} received a line from the timed-out member after its timeout notice`, { expected: 'nothing after the notice', actual: JSON.stringify(late.line) });
    }
  },
});
