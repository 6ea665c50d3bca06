// spec/core.md, Process and resources: the server survives early leavers,
// does not spin once the room is empty, releases what each connection took,
// and does not grow without bound behind a member that stopped reading.
// Measured from /proc when the kit knows the server's pid.
import { defineCase } from '../../src/runner/case.js';
import type { CaseContext } from '../../src/runner/context.js';
import { bareMember, visit } from '../shared/bare.js';
import { formatBytes, formatSample, procAvailable, type ResourceProbe, type ResourceSample } from '../../src/supervise/resources.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The probe, or a skip that says why there is none. */
function probeOf(ctx: CaseContext): ResourceProbe {
  const probe = ctx.settings.resources;
  if (!probe) return ctx.skip('no pid known: run the server with --server-cmd, or pass --pid for a local server');
  if (!procAvailable()) return ctx.skip('reading a process needs Linux /proc');
  return probe;
}

function sampleOf(ctx: CaseContext, probe: ResourceProbe): ResourceSample {
  const s = probe.sample();
  if (!s) return ctx.inconclusive(`cannot read ${probe.what} in /proc (did it exit?)`);
  return s;
}

/**
 * How long a cycle's connection stays open when the server says nothing first (it ends at the server's
 * first bytes otherwise): long enough for a loopback accept, short enough that a server without a
 * welcome does not make a thousand cycles cost seconds.
 */
const CYCLE_HOLD_MS = 25;

async function cycles(ctx: CaseContext, count: number, parallel: number): Promise<void> {
  const login = ctx.profile.joinOn !== 'connect';
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await visit(ctx, i % 2 === 0 ? 'fin' : 'rst', CYCLE_HOLD_MS, login);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

export const earlyLeavers = defineCase({
  id: 'resources/early-leavers',
  title: 'Clients that leave before they speak, or while lines are relayed to them, do not stop the server',
  requirements: ['PROC-1'],
  async run(ctx) {
    const login = ctx.profile.joinOn !== 'connect';
    // Before anything is sent: FIN and RST, at once and after the server's first line.
    for (const how of ['fin', 'rst'] as const) {
      await visit(ctx, how, 0, false);
      await visit(ctx, how, 100, false);
    }
    if (login) for (const how of ['fin', 'rst'] as const) await visit(ctx, how, 0, true);
    // A member resets while the room is relaying lines to it.
    const a = await ctx.join('a');
    await ctx.join('b'); // a member that stays: the room keeps relaying to someone
    const c = await ctx.join('c');
    const burst = Array.from({ length: 20 }, (_, i) => ctx.text(`burst ${i}`));
    const sending = ctx.sayInOneWrite(a, burst, `${burst.length} lines in one write`);
    await ctx.leave(c, 'rst');
    await sending;
    await sleep(50);
    const live = await ctx.alive();
    if (!live.ok) ctx.fail('PROC-1', `after clients left before speaking and a member reset mid-relay, the room stopped serving: ${live.why}`);
  },
});

export const idleCpu = defineCase({
  id: 'resources/idle-cpu',
  title: 'Once every member has left, the server uses no CPU (no spin)',
  requirements: ['PROC-2'],
  async run(ctx) {
    const probe = probeOf(ctx);
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const c = await ctx.join('c');
    await ctx.say(a, ctx.text('hello'));
    await ctx.sync();
    await ctx.leave(c, 'rst');
    await ctx.leave(b, 'fin');
    await ctx.leave(a, 'fin');
    ctx.closeAll();
    await sleep(300);
    const windowMs = ctx.settings.quick ? 600 : 1000;
    // Two windows in a row must both be over the bound: a spin persists, a garbage collection does not.
    // A window is over it when the server used more than 10% of it in CPU time, or when a thread of it was
    // ready to run in at least 90% of the samples: a spin that a loaded machine starves of CPU still spins.
    const samples = Math.round(windowMs / 50);
    const windows: { used: number; elapsed: number; runnable: number }[] = [];
    for (let i = 0; i < 2; i += 1) {
      const before = sampleOf(ctx, probe);
      const t0 = performance.now();
      let runnable = 0;
      for (let k = 0; k < samples; k += 1) {
        await sleep(windowMs / samples);
        if (sampleOf(ctx, probe).runnable > 0) runnable += 1;
      }
      const after = sampleOf(ctx, probe);
      const w = { used: after.cpuMs - before.cpuMs, elapsed: performance.now() - t0, runnable };
      windows.push(w);
      if (w.used <= w.elapsed * 0.1 && runnable < samples * 0.9) return;
    }
    const used = windows.reduce((t, w) => t + w.used, 0);
    const elapsed = windows.reduce((t, w) => t + w.elapsed, 0);
    ctx.fail('PROC-2', `the server used ${used} ms of CPU in ${Math.round(elapsed)} ms with no member connected, and wanted more (a spin)`, {
      expected: `at most 10% of one CPU, and no thread ready to run in 90% of ${samples} samples, in each of two windows of ${windowMs} ms`,
      actual: windows.map((w) => `${w.used} ms in ${Math.round(w.elapsed)} ms (${Math.round((100 * w.used) / w.elapsed)}%), ready to run in ${w.runnable}/${samples} samples`).join(', then '),
    });
  },
});

export const connectionLeaks = defineCase({
  id: 'resources/connection-leaks',
  title: 'After 1,000 connect/disconnect cycles, fds, threads and memory return near their baseline',
  requirements: ['PROC-3'],
  slow: true,
  async run(ctx) {
    const probe = probeOf(ctx);
    const count = ctx.settings.quick ? 250 : 1000;
    await cycles(ctx, 50, 10);
    await sleep(200);
    const before = sampleOf(ctx, probe);
    await cycles(ctx, count, 20);
    // Let the server notice the last closes; a leak does not settle.
    const settle = performance.now() + 3000 * ctx.settings.multiplier;
    let after = sampleOf(ctx, probe);
    const within = (s: ResourceSample): boolean => s.fds <= before.fds + 16 && s.threads <= before.threads + 16;
    while (!within(after) && performance.now() < settle) {
      await sleep(100);
      after = sampleOf(ctx, probe);
    }
    const rssBound = before.rssBytes * 1.5 + 64 * 1024 * 1024;
    const detail = { expected: `within 16 fds and 16 threads of, and RSS at most ${formatBytes(rssBound)} after: ${formatSample(before)}`, actual: formatSample(after) };
    if (after.fds > before.fds + 16) ctx.violate('PROC-3', `${after.fds - before.fds} more open file descriptors after ${count} connect/disconnect cycles (one per connection leaked?)`, detail);
    if (after.threads > before.threads + 16) ctx.violate('PROC-3', `${after.threads - before.threads} more threads after ${count} connect/disconnect cycles (a thread per connection leaked?)`, detail);
    if (after.rssBytes > rssBound) ctx.violate('PROC-3', `resident memory grew by ${formatBytes(after.rssBytes - before.rssBytes)} over ${count} connect/disconnect cycles`, detail);
  },
});

/**
 * PROC-4: bytes sent past the stopped reader, and the growth allowed: 48 MiB, or what was sent when more.
 * A server that keeps every line for the stopped member holds at least all it was sent; one with a
 * bounded queue grows by its queue and its heap's breathing room (the reference server: 25-51 MiB).
 */
const FLOOD_BYTES = 64 * 1024 * 1024;
const GROWTH_FLOOR = 48 * 1024 * 1024;
/** Echo the sender may have outstanding (sent, not yet read back). */
const IN_FLIGHT = 4 * 1024 * 1024;
/**
 * Over the flood's second half a bounded server has filled its queue already: its memory stays
 * (the reference server: +0.1 to 1.4 MiB). One that keeps every line grows by what that half sent,
 * less nothing (the kernel's socket buffers were full by then): a Python asyncio server that calls
 * writer.write() without a limit, +37 MiB of 32. It may grow by half of what that half sent, 8 MiB
 * at least; judged once the flood sent 16 MiB or more.
 */
const LATE_GROWTH_FLOOR = 8 * 1024 * 1024;
const LATE_JUDGED_FROM = 16 * 1024 * 1024;

export const stoppedReaderMemory = defineCase({
  id: 'resources/stopped-reader-memory',
  title: "A member that stops reading does not make the server's memory grow without bound",
  requirements: ['PROC-4'],
  slow: true,
  async run(ctx) {
    const probe = probeOf(ctx);
    const slow = await ctx.join('slow');
    await ctx.sync();
    slow.pause();
    // The sender is a bare socket that drops what it reads: 64 MiB of echo must not be kept by the kit.
    const sender = await bareMember(ctx, 'sender');
    try {
      await sleep(100);
      const before = sampleOf(ctx, probe);
      let peak = before;
      const total = FLOOD_BYTES;
      const stopAt = performance.now() + 20_000 * ctx.settings.multiplier;
      const filler = 'x'.repeat(4096 - 64);
      let sent = 0;
      let lastSample = 0;
      // Each sample with what had been sent when it was taken: the peak of the first half is told apart.
      const samples: { sent: number; rss: number }[] = [{ sent: 0, rss: before.rssBytes }];
      while (sent < total && performance.now() < stopAt && !sender.socket.destroyed) {
        const lines: string[] = [];
        for (let i = 0; i < 64; i += 1) lines.push(ctx.dialect.renderCommand({ type: 'say', text: `${ctx.settings.prefix}~fill ${filler}`, name: sender.name, addr: sender.addr }));
        const chunk = Buffer.from(lines.map((l) => l + ctx.dialect.lineEnding).join(''), 'utf8');
        // A server that stops reading from the sender (it blocks on the stopped reader) bounds memory too:
        // a write that does not drain within a wait ends the flood (nothing more can reach the server).
        if (!sender.socket.write(chunk)) {
          const drained = await Promise.race([new Promise<boolean>((r) => sender.socket.once('drain', () => r(true))), sleep(ctx.wait()).then(() => false)]);
          if (!drained) break;
        }
        sent += chunk.length;
        // Where the sender gets its own lines back, at most IN_FLIGHT of them are on their way to it: what the
        // server holds is then the stopped reader's, not a backlog of a sender the kit is too busy to read.
        // An echo that stops for a whole wait is a server that stopped serving the sender: the flood ends.
        if (ctx.profile.echo && !(await sender.receivedAtLeast(sent - IN_FLIGHT, ctx.wait()))) break;
        if (performance.now() - lastSample > 100) {
          lastSample = performance.now();
          const s = probe.sample();
          if (s && s.rssBytes > peak.rssBytes) peak = s;
          if (s) samples.push({ sent, rss: s.rssBytes });
        }
      }
      await sleep(300);
      const s = probe.sample();
      if (s && s.rssBytes > peak.rssBytes) peak = s;
      const firstHalfPeak = Math.max(...samples.filter((x) => x.sent <= sent / 2).map((x) => x.rss));
      const lateGrowth = peak.rssBytes - firstHalfPeak;
      const lateBound = Math.max(LATE_GROWTH_FLOOR, sent / 4);
      if (sent >= LATE_JUDGED_FROM && lateGrowth > lateBound) {
        ctx.fail('PROC-4', `resident memory still grew by ${formatBytes(lateGrowth)} while the second half (${formatBytes(sent / 2)}) of ${formatBytes(sent)} of lines was sent past a member that stopped reading: it keeps what it cannot deliver`, {
          expected: `growth of at most ${formatBytes(lateBound)} over the second half (half of what it sent, 8 MiB at least): a bounded queue is full by then`,
          actual: `${formatBytes(before.rssBytes)} before, ${formatBytes(firstHalfPeak)} at most over the first half, peak ${formatBytes(peak.rssBytes)}`,
        });
      }
      const growth = peak.rssBytes - before.rssBytes;
      const bound = Math.max(GROWTH_FLOOR, sent);
      if (growth > bound) {
        ctx.fail('PROC-4', `resident memory grew by ${formatBytes(growth)} while ${formatBytes(sent)} of lines were sent past a member that stopped reading`, {
          expected: `growth of at most ${formatBytes(bound)} (48 MiB, or what was sent when more)`,
          actual: `${formatBytes(before.rssBytes)} before, peak ${formatBytes(peak.rssBytes)}`,
        });
      }
    } finally {
      sender.socket.destroy();
    }
  },
});
