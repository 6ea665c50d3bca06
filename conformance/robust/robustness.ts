// spec/core.md, Robustness: after hostile input the server stays up and the
// other members are served. Each case sends one kind of input from a peer,
// then checks that the room still works and that the server still accepts.
import { defineCase, type ConformanceCase } from '../../src/runner/case.js';
import type { TestClient } from '../../src/runner/client.js';
import type { CaseContext } from '../../src/runner/context.js';
import { expectDelivery } from '../../src/runner/delivery.js';
import { churnWaves } from '../shared/bare.js';

/** The room (a, b) must still exchange lines exactly once, and a fresh pair must too. */
async function stillServing(ctx: CaseContext, a: TestClient, b: TestClient, requirement: string, what: string, hostile?: TestClient): Promise<void> {
  const texts = [ctx.text('still there?'), ctx.text('yes')];
  await ctx.say(a, texts[0]!);
  await ctx.say(b, texts[1]!);
  const rules = { missing: requirement, duplicate: 'CHAT-1', altered: 'CHAT-3', order: 'ORDER-1' };
  // What the server made of the hostile peer's bytes is not checked here (line.md: only that the others are unaffected).
  const before = ctx.violations.length;
  await expectDelivery(ctx, [{ from: a, text: texts[0]! }, { from: b, text: texts[1]! }], [a, b], rules, { ignoreUnrecognised: true, ...(hostile ? { ignoreFrom: [hostile] } : {}) });
  // Lines lost in the room fail the requirement already; whether new members are still served is the
  // runner's question after every failed case (its liveness probe), not asked twice at three waits each.
  if (ctx.violations.slice(before).some((v) => v.requirement === requirement)) return;
  const probe = await ctx.alive();
  if (!probe.ok) ctx.fail(requirement, `the server stopped serving after ${what}`, { expected: 'two new members can exchange a line', actual: probe.why });
}

/** Two members (a, b) and a hostile peer: a member where the dialect needs one to be heard (login, prompt, naming rename), else just connected. */
async function roomWithHostilePeer(ctx: CaseContext): Promise<{ a: TestClient; b: TestClient; hostile: TestClient }> {
  const a = await ctx.join('a');
  const b = await ctx.join('b');
  // A connection that must still log in, answer the prompt or name itself would spend its first line on that.
  const mustJoin = ctx.profile.joinOn !== 'connect' || ctx.profile.identity === 'name';
  const hostile = mustJoin ? await ctx.join('hostile') : await ctx.connect('hostile');
  return { a, b, hostile };
}

function longLine(label: string, bytes: number): ConformanceCase {
  return defineCase({
    id: `robust/long-line-${label}`,
    title: `A ${label} line does not stop the server${bytes > 65536 ? ' (and should end the offender’s connection)' : ''}`,
    requirements: bytes > 65536 ? ['ROBUST-1', 'ROBUST-6'] : ['ROBUST-1'],
    async run(ctx) {
      const { a, b, hostile } = await roomWithHostilePeer(ctx);
      const start = ctx.text('long ');
      const overhead = Buffer.byteLength(ctx.sayLine(hostile, start));
      const text = start + 'a'.repeat(Math.max(0, bytes - overhead));
      ctx.noteSaid(hostile, text);
      await hostile.sendBytes(Buffer.from(ctx.sayLine(hostile, text) + ctx.dialect.lineEnding), [64 * 1024], 0, `a ${label} line`);
      if (bytes > ctx.profile.maxLineBytes) {
        // A line after the long one: relayed means the server read on instead of ending the connection.
        const after = ctx.text('after the long line');
        ctx.noteSaid(hostile, after);
        const errorsBefore = hostile.events.filter((e) => e.type === 'error').length;
        await hostile.sendLine(ctx.sayLine(hostile, after));
        const closed = await ctx.waitUntil(() => hostile.isClosed || ctx.hasChat(a, hostile, after), ctx.wait(2)) && hostile.isClosed;
        if (!closed) ctx.violate('ROBUST-6', `the connection that sent a ${label} line (over the ${ctx.profile.maxLineBytes}-byte maximum) was not closed`, { expected: 'connection closed by the server', actual: ctx.hasChat(a, hostile, after) ? 'still open: its next line was relayed' : 'still open' });
        if (closed && ctx.dialect.hasNotice('error')) {
          // The error the dialect can express before the close: nameop's 413.
          const codes = hostile.events.flatMap((e) => (e.type === 'error' ? [e.code] : [])).slice(errorsBefore);
          const want = ctx.profile.framing === 'nameop' ? 413 : undefined;
          if (codes.length === 0 || (want !== undefined && !codes.includes(want))) {
            ctx.violate('ROBUST-6', `the connection that sent a ${label} line was closed without ${want ? `error ${want}` : 'an error'}`, { expected: want ? `*|0|${want}|... then the close` : 'an error notice, then the close', actual: codes.length ? `error code(s) ${codes.join(', ')}` : 'no error' });
          }
        }
      }
      await stillServing(ctx, a, b, 'ROBUST-1', `a ${label} line`);
    },
  });
}

export const longLines = [longLine('256B', 256), longLine('4KiB', 4096), longLine('64KiB', 65536 + 1024), longLine('1MiB', 1024 * 1024)];

export const invalidUtf8 = defineCase({
  id: 'robust/invalid-utf8',
  title: 'Invalid UTF-8 does not stop the server',
  requirements: ['ROBUST-2'],
  async run(ctx) {
    const { a, b, hostile } = await roomWithHostilePeer(ctx);
    const prefix = Buffer.from(ctx.sayLine(hostile, ctx.text('bad ')));
    for (const bad of [[0xff, 0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe4, 0xb8], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
      await hostile.sendBytes(Buffer.concat([prefix, Buffer.from(bad), Buffer.from(ctx.dialect.lineEnding)]));
    }
    await stillServing(ctx, a, b, 'ROBUST-2', 'invalid UTF-8', hostile);
  },
});

export const binaryGarbage = defineCase({
  id: 'robust/binary',
  title: 'Binary garbage does not stop the server',
  requirements: ['ROBUST-2'],
  async run(ctx) {
    const { a, b, hostile } = await roomWithHostilePeer(ctx);
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i += 1) junk[i] = ctx.rng.int(0, 255);
    junk[100] = 0; // at least one NUL
    await hostile.sendBytes(junk, [512, 1, 1000]);
    await hostile.sendBytes(Buffer.from(ctx.dialect.lineEnding));
    await stillServing(ctx, a, b, 'ROBUST-2', '4 KiB of binary garbage', hostile);
  },
});

export const malformed = defineCase({
  id: 'robust/malformed',
  title: 'Malformed commands and frames do not stop the server',
  requirements: ['ROBUST-3'],
  async run(ctx) {
    const { a, b, hostile } = await roomWithHostilePeer(ctx);
    const n = hostile.name ?? 'x';
    const inputs =
      ctx.profile.framing === 'nameop'
        ? ['|', 'no pipes at all', n, '||', `${n}|notanumber|x`, '|1|empty name', `${'n'.repeat(65)}|1|name too long`, `${n}|99|unknown op`, `${n}|-1|negative`, `${n}|5|`, `${n}|6|nogroup`, `${n}|3|`, `*|3|`]
        : ['rename', 'renameab', 'rename|', 'renamexyz', 'who|', 'who who', '|', '||||', '\t', ''];
    for (const input of inputs) await hostile.sendLine(input);
    await stillServing(ctx, a, b, 'ROBUST-3', `malformed input (${inputs.map((i) => JSON.stringify(i)).join(', ')})`);
  },
});

export const halfClose = defineCase({
  id: 'robust/half-close',
  title: 'A peer that half-closes (FIN, still reading) does not stop the server',
  requirements: ['ROBUST-4'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const hostile = await ctx.join('half');
    const text = ctx.text('then FIN');
    await ctx.say(hostile, text);
    await ctx.leave(hostile, 'fin');
    await stillServing(ctx, a, b, 'ROBUST-4', 'a half-close');
  },
});

export const resetMidLine = defineCase({
  id: 'robust/reset-mid-line',
  title: 'A peer that resets (RST) in the middle of a line does not stop the server',
  requirements: ['ROBUST-4'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const hostile = await ctx.join('rst');
    const text = ctx.text('cut off in the middle');
    // A server may relay the cut line when the connection ends, or drop it: both are fine here.
    ctx.noteSaid(hostile, text.slice(0, -3));
    await hostile.sendBytes(Buffer.from(ctx.sayLine(hostile, text).slice(0, -3)));
    await ctx.leave(hostile, 'rst');
    await stillServing(ctx, a, b, 'ROBUST-4', 'a reset in the middle of a line');
  },
});

export const bytePerWrite = defineCase({
  id: 'robust/byte-per-write',
  title: 'A line sent one byte per write arrives whole, and the server keeps serving',
  requirements: ['ROBUST-4', 'FRAME-1'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const text = ctx.text('one byte at a time, ünïcode too');
    await ctx.say(a, text, { sizes: [1], delayMs: 1 });
    await expectDelivery(ctx, [{ from: a, text }], [a, b], { missing: 'FRAME-1', duplicate: 'FRAME-1', altered: 'FRAME-1', order: 'FRAME-1' });
    await stillServing(ctx, a, b, 'ROBUST-4', 'a line sent one byte per write');
  },
});

export const connectBurst = defineCase({
  id: 'robust/connect-burst',
  title: 'A burst of concurrent connects and disconnects does not stop the server',
  requirements: ['ROBUST-5'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const n = ctx.settings.quick ? 50 : 200;
    const settled = await Promise.allSettled(Array.from({ length: n }, (_, i) => ctx.connect(`burst${i}`)));
    const conns = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    ctx.clients.splice(ctx.clients.length - conns.length, conns.length);
    // Half say something first; then all leave at once, half by RST.
    await Promise.all(conns.map((c, i) => (i % 2 ? c.sendLine(ctx.sayLine(c, ctx.text('burst'))) : Promise.resolve())));
    conns.forEach((c, i) => (i % 3 === 0 ? c.reset() : c.end()));
    setTimeout(() => conns.forEach((c) => c.destroy()), ctx.wait(0.5)).unref();
    // Then joins, leaves and broadcasts at the same moment, wave after wave: an unguarded member table races here.
    // The pauses between waves are most of the case's time: a full run has more waves than --quick,
    // closer together.
    const waves = ctx.settings.quick ? 60 : 100;
    const gapMs = ctx.settings.quick ? 20 : 15;
    await churnWaves(ctx, { waves, size: 25, gapMs, linesPerWave: 4 });
    await stillServing(ctx, a, b, 'ROBUST-5', `${n} concurrent connects and disconnects${conns.length < n ? ` (${n - conns.length} connects failed)` : ''}, then ${waves} overlapping waves of 25 joins and leaves while a member chatted`);
  },
});

export const malformedNameopErrors = defineCase({
  id: 'robust/nameop-malformed-errors',
  title: 'Each malformed nameop frame gets error 400, to its sender only, and is not relayed',
  requirements: ['ROBUST-7'],
  needs: ['framing:nameop', 'notice:error'],
  async run(ctx) {
    const { a, b, hostile } = await roomWithHostilePeer(ctx);
    const n = hostile.name!;
    const marker = ctx.text('malformed');
    // One fault each: no "|", one "|", empty Name, Op not a number, unknown op, a CR inside the frame,
    // and a private and a group message without the "|" their Msg needs.
    const frames = [`${marker} no pipes`, `${n}|${marker}`, `|1|${marker}`, `${n}|x|${marker}`, `${n}|42|${marker}`, `${n}|1|${marker}\r${marker}`, `${n}|5|${marker}`, `${n}|6|${marker}`];
    const errorsBefore = hostile.events.filter((e) => e.type === 'error').length;
    for (const frame of frames) await hostile.sendLine(frame);
    const errors = (): number => hostile.events.filter((e) => e.type === 'error').length - errorsBefore;
    await ctx.waitUntil(() => errors() >= frames.length || hostile.isClosed);
    await ctx.sync([a, b, hostile]);
    const got = hostile.events.filter((e) => e.type === 'error').slice(errorsBefore);
    const codes = got.map((e) => (e.type === 'error' ? e.code : 0));
    // An error template without {code} reads no code: only the count is checked then.
    if (got.length !== frames.length || codes.some((c) => c !== undefined && c !== 400)) {
      ctx.violate('ROBUST-7', `${frames.length} malformed frames got ${got.length} error(s)`, { expected: `${frames.length} × *|0|400|...`, actual: codes.length ? codes.join(', ') : 'none' });
    }
    for (const m of [a, b]) {
      // a and b sent nothing malformed: any error they get is someone else's.
      const leaked = m.received.filter((r) => r.line.includes(marker) || r.event?.type === 'error');
      if (leaked.length) ctx.violate('ROBUST-7', `${m.label} received something of the malformed frames`, { expected: 'nothing', actual: leaked.slice(0, 3).map((r) => JSON.stringify(r.line)).join(', ') });
    }
  },
});

export const acceptPath = defineCase({
  id: 'robust/accept-path',
  title: 'Connections that say nothing, stop mid-line or reset at once do not keep others from joining',
  requirements: ['ROBUST-8'],
  async run(ctx) {
    const silent = await ctx.connect('silent');
    const partial = await ctx.connect('partial');
    // Half of a first line, no LF: a login frame cut in its name, or a chat line.
    const first = ctx.profile.joinOn === 'login' ? ctx.dialect.renderCommand({ type: 'login', name: ctx.name('half') }) : ctx.sayLine(partial, ctx.text('half a first line'));
    await partial.sendBytes(Buffer.from(first.slice(0, Math.max(1, first.length >> 1))));
    const reset = await ctx.connect('reset');
    reset.reset();
    const probe = await ctx.alive();
    if (!probe.ok) ctx.fail('ROBUST-8', 'new connections were not served while one connection said nothing and another stopped mid-line', { expected: 'two new members exchange a line', actual: probe.why });
    if (silent.isClosed && partial.isClosed) ctx.inconclusive('the server closed both the silent and the partial connection before the probe');
  },
});
