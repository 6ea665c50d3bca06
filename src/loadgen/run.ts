// One bench run: connect, wait for membership, send under a window, drain,
// report. Every phase ends by a deadline, so a dead or lossy server yields a
// report with losses, never a hang.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ServerEvent, Who } from '../profile/types.js';
import { BenchClient } from './client.js';
import { LatencyHistogram } from './histogram.js';
import { DeliveryLedger } from './ledger.js';
import { BENCH_DEFAULTS, checkOptions, type BenchOptions } from './options.js';
import { type BenchPayload, formatPayload, isSyncText, parsePayload, syncText } from './payload.js';
import type { BenchReport } from './report.js';
import { CpuMeter, SATURATED_CORE_SHARE } from './cpu.js';
import { RssSampler } from './rss.js';
import { Wakeup, sleepUntil, waitUntil } from './wakeup.js';

export type BenchOutcome =
  | { readonly kind: 'report'; readonly report: BenchReport }
  /** Not one connection could be opened: nothing was measured. */
  | { readonly kind: 'unreachable'; readonly message: string };

/** The sync line is repeated, 25 ms after the first try and backing off to 500 ms, until every client has seen it. */
const syncResendMs = (attempt: number): number => Math.min(500, 25 * 2 ** attempt);
/** The join barrier gives up on the last joiner's notice after this long without it reaching anyone new. */
const JOIN_SETTLE_MS = 1_000;
/** A connect slot waits at most this long (and a tenth of the connect phase) for its connection's admission before it opens the next one. */
const ADMIT_PACE_MS = 1_000;

export async function runBench(options: BenchOptions): Promise<BenchOutcome> {
  checkOptions(options);
  const o = {
    window: options.window ?? BENCH_DEFAULTS.window,
    paused: options.paused ?? BENCH_DEFAULTS.paused,
    paddingBytes: options.paddingBytes ?? BENCH_DEFAULTS.paddingBytes,
    timeoutMs: options.timeoutMs ?? BENCH_DEFAULTS.timeoutMs,
    connectBatch: options.connectBatch ?? BENCH_DEFAULTS.connectBatch,
    ackTimeoutMs: options.ackTimeoutMs ?? BENCH_DEFAULTS.ackTimeoutMs,
    stallMs: options.stallMs ?? BENCH_DEFAULTS.stallMs,
    phaseTimeoutMs: options.phaseTimeoutMs ?? BENCH_DEFAULTS.phaseTimeoutMs,
  };
  const { dialect, host, port, clients: measured, senders, messages, ratePerSender, pid } = options;
  const profile = dialect.profile;
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;

  const start = performance.now();
  const originNs = process.hrtime.bigint();
  const runDeadline = start + o.timeoutMs;
  // Connect, admission and barrier each get at most a quarter of the run, so a
  // silent server still reaches the send phase and shows up as losses.
  const phaseBudget = Math.min(o.phaseTimeoutMs, o.timeoutMs / 4);
  const phaseDeadline = (): number => Math.min(runDeadline, performance.now() + phaseBudget);
  const notes: string[] = [];
  const token = randomBytes(4).toString('hex');

  const total = measured + o.paused;
  const last = measured - 1; // the last joiner: it joins after everyone else is in
  const wake = new Wakeup();
  const ledger = new DeliveryLedger(measured, senders, messages);
  const latency = new LatencyHistogram();
  const sent = new Array<number>(senders).fill(0);
  const outstanding = Array.from({ length: senders }, () => new Map<number, number>());
  const senderWake = Array.from({ length: senders }, () => new Wakeup());
  const connected = new Uint8Array(total);
  // Membership state, with counters so barrier checks stay cheap at 10,000 clients.
  const admitted = new Uint8Array(total);
  const sawLastJoin = new Uint8Array(measured);
  const sawSync = new Uint8Array(measured);
  const lastJoinSeen = new Array<string | undefined>(measured);
  let admittedCount = 0;
  let lastJoinCount = 0;
  let syncCount = 0;
  /** Sockets closed, failed connects included (a refused or timed-out socket closes too). */
  let closedCount = 0;
  let lastJoinProgressAt = 0;
  /** Paused members by identity, to see their leave notices (a paused socket cannot see its own close). */
  const pausedByIdentity = new Map<string, number>();
  const pausedLeft = new Set<number>();
  let unexpected = 0;
  let serverErrors = 0;
  let ackTimeouts = 0;
  let lastDeliveryAt = 0;
  let sendingStarted = false;
  const disconnectedDuringRun = new Set<number>();

  // Who acknowledges a sender's lines: its own echo, or else the next client.
  const ackReceiver = (s: number): number => (profile.echo ? s : measured > 1 ? (s + 1) % measured : -1);
  const identityOf = (who: Who): string | undefined => (profile.identity === 'name' ? who.name : who.addr);
  // The signal that a connection is in the room, if the dialect gives one.
  const admission: 'selfJoin' | 'welcome' | 'none' =
    profile.joinOn === 'login'
      ? profile.selfJoin && dialect.hasNotice('join')
        ? 'selfJoin'
        : 'none'
      : dialect.hasNotice('welcome')
        ? 'welcome'
        : profile.selfJoin && dialect.hasNotice('join')
          ? 'selfJoin'
          : 'none';

  const onChat = (client: BenchClient, text: string): void => {
    const i = client.index;
    if (i >= measured) return; // a paused client is not measured
    const payload = parsePayload(text);
    if (!payload) {
      if (isSyncText(text, token) && !sawSync[i]) {
        sawSync[i] = 1;
        syncCount += 1;
        wake.notify();
      }
      return;
    }
    onPayload(client, payload);
  };

  const onPayload = (client: BenchClient, payload: BenchPayload): void => {
    const i = client.index;
    if (i >= measured) return; // a paused client is not measured
    if (!profile.echo && payload.sender === i) {
      unexpected += 1;
      return;
    }
    const verdict = ledger.record(i, payload.sender, payload.seq);
    if (verdict === 'foreign') {
      unexpected += 1;
      return;
    }
    if (verdict === 'duplicate') return;
    const nowNs = Number(process.hrtime.bigint() - originNs);
    latency.record((nowNs - payload.sentNs) / 1e6);
    lastDeliveryAt = performance.now();
    if (ackReceiver(payload.sender) === i && outstanding[payload.sender]!.delete(payload.seq)) senderWake[payload.sender]!.notify();
    wake.notify();
  };

  const onEvent = (client: BenchClient, event: ServerEvent): void => {
    const i = client.index;
    switch (event.type) {
      case 'chat':
        onChat(client, event.text);
        return;
      case 'welcome':
        if (admission === 'welcome') admit(client);
        return;
      case 'join': {
        const who = identityOf(event.who);
        if (who === undefined) return;
        if (admission === 'selfJoin' && who === client.identity) admit(client);
        if (i < measured) {
          // The last joiner's join is the last one each client gets; remember it
          // in case it arrives before the last joiner's own connect event.
          lastJoinSeen[i] = who;
          if (connected[last] && who === clients[last]!.identity) markLastJoin(i);
        }
        return;
      }
      case 'leave':
      case 'idleLeave': {
        const who = identityOf(event.who);
        const paused = who === undefined ? undefined : pausedByIdentity.get(who);
        if (paused !== undefined) pausedLeft.add(paused);
        return;
      }
      case 'error':
        serverErrors += 1;
        return;
      default:
        return;
    }
  };

  const markLastJoin = (i: number): void => {
    if (sawLastJoin[i]) return;
    sawLastJoin[i] = 1;
    lastJoinCount += 1;
    lastJoinProgressAt = performance.now();
    wake.notify();
  };

  // While the room fills, an admitted member waits for nothing (no chat, no
  // sync line, the last joiner not connected yet): its lines are dropped
  // unread, except the watcher's, which sees every broadcast leave and error.
  let watcher = -1;
  let lastStarted = false;
  const admitWake = Array.from({ length: total }, () => new Wakeup());
  const admit = (client: BenchClient): void => {
    if (admitted[client.index]) return;
    admitted[client.index] = 1;
    admittedCount += 1;
    admitWake[client.index]!.notify();
    if (client.index < measured && client.index !== watcher && !lastStarted) client.skipping = true;
    if (client.index >= measured) client.pause();
    wake.notify();
  };

  const clients: BenchClient[] = Array.from(
    { length: total },
    (_, i) =>
      new BenchClient(i, `lg${token}-${i}`, dialect, {
        onLine: (client, event) => {
          if (event) onEvent(client, event);
        },
        onPayload,
        onClose: (client) => {
          closedCount += 1;
          admitWake[client.index]!.notify();
          if (sendingStarted && client.index < measured) disconnectedDuringRun.add(client.index);
          // A closed ack receiver will never acknowledge: free the windows waiting on it.
          for (let s = 0; s < senders; s++) {
            if (ackReceiver(s) === client.index) {
              outstanding[s]!.clear();
              senderWake[s]!.notify();
            }
          }
          wake.notify();
        },
      }),
  );

  let firstFailure: string | undefined;
  let failures = 0;
  const connectOne = async (i: number, deadline: number, pace = false): Promise<boolean> => {
    const client = clients[i]!;
    const outcome = await client.connect(host, port, deadline);
    if (!outcome.ok) {
      failures += 1;
      // Node's messages repeat the code and address ("connect ECONNREFUSED 127.0.0.1:1"): keep the code alone then.
      firstFailure ??= outcome.message.includes(outcome.code) ? outcome.code : `${outcome.code}: ${outcome.message}`;
      return false;
    }
    connected[i] = 1;
    if (i >= measured) pausedByIdentity.set(client.identity, i);
    if (profile.joinOn === 'login') client.send({ type: 'login', name: client.name });
    if (i >= measured && admission === 'none') client.pause();
    // A connect completes when the kernel has the connection, before the server
    // accepts it: waiting (a while) for the server's sign of admission keeps
    // the connections in flight within connectBatch, so a storm measures the
    // server's admission rate instead of overflowing its accept queue (dropped
    // SYNs are retried after 1, 3, 7 s...). A server that never gives the
    // sign still gets every connection, a slot's worth every ADMIT_PACE_MS (or
    // a tenth of the connect phase, when that is shorter).
    if (pace && admission !== 'none')
      await waitUntil(() => admitted[i] === 1 || client.closed, admitWake[i]!, Math.min(deadline, performance.now() + Math.min(ADMIT_PACE_MS, phaseBudget / 10)));
    return true;
  };

  const rss = pid !== undefined ? new RssSampler(pid) : undefined;
  const finish = (): void => {
    for (const client of clients) client.destroy();
  };

  try {
    // Connect: the first connection alone (is the target there at all?), then batches.
    const connectDeadline = phaseDeadline();
    const order = [...Array.from({ length: total }, (_, i) => i).filter((i) => i !== last)];
    const first = order.shift() ?? last;
    watcher = first;
    if (!(await connectOne(first, connectDeadline))) {
      return { kind: 'unreachable', message: `cannot connect to ${target}: ${firstFailure ?? 'unknown error'}` };
    }
    // At most connectBatch connections in flight: each slot takes the next client when its last one is in.
    let next = 0;
    const slot = async (): Promise<void> => {
      while (next < order.length && performance.now() < connectDeadline) await connectOne(order[next++]!, connectDeadline, true);
    };
    await Promise.all(Array.from({ length: Math.min(o.connectBatch, order.length) }, slot));
    // The last joiner joins once everyone else is in, so its join notice reaching
    // all of them means they are all members.
    const others = order.concat(first).filter((i) => i !== last);
    const admittedAll = (): boolean =>
      admittedCount + closedCount >= others.length && others.every((i) => !connected[i] || clients[i]!.closed || admitted[i]);
    if (admission !== 'none' && !(await waitUntil(admittedAll, wake, phaseDeadline())))
      notes.push(`admission: not every client got its ${admission === 'welcome' ? 'welcome' : 'own join notice'} by the deadline`);
    lastStarted = true;
    for (const client of clients) client.skipping = false;
    if (first !== last && performance.now() < runDeadline) await connectOne(last, phaseDeadline());
    if (connected[last]) {
      const lastIdentity = clients[last]!.identity;
      for (let i = 0; i < measured; i++) if (lastJoinSeen[i] === lastIdentity) markLastJoin(i);
    }
    if (failures > 0) notes.push(`${failures} of ${total} connections failed (first: ${firstFailure})`);
    const connectMs = performance.now() - start;

    // Membership barrier: the last joiner's join notice reaching every client;
    // where that is missing (no join notices, or a client that missed it
    // because it joined in a race with the last one, as the gopl design
    // allows), a sync line from one client seen by all.
    const barrierStart = performance.now();
    const live = (i: number): boolean => connected[i] === 1 && !clients[i]!.closed;
    const measuredIdx = Array.from({ length: measured }, (_, i) => i);
    const syncer = measuredIdx.find(live);
    const joinReady = (i: number): boolean =>
      i === last ? (profile.selfJoin ? sawLastJoin[i] === 1 : admission === 'none' || admitted[i] === 1) : sawLastJoin[i] === 1;
    const syncReady = (i: number): boolean => sawSync[i] === 1 || (i === syncer && !profile.echo);
    const useJoin = dialect.hasNotice('join') && connected[last] === 1;
    let readyOf = useJoin ? joinReady : syncReady;
    const allReady = (): boolean =>
      lastJoinCount + syncCount + 1 + closedCount >= measured && measuredIdx.every((i) => !live(i) || readyOf(i));
    let usedSync = !useJoin;
    if (useJoin) {
      const deadline = phaseDeadline();
      // Keep waiting while the notice is still spreading; stop once it has not reached anyone new for a while.
      for (;;) {
        const settleAt = Math.max(lastJoinProgressAt, barrierStart) + JOIN_SETTLE_MS;
        if (await waitUntil(allReady, wake, Math.min(deadline, settleAt))) break;
        const now = performance.now();
        if (now >= deadline || now >= Math.max(lastJoinProgressAt, barrierStart) + JOIN_SETTLE_MS) break;
      }
      if (!allReady()) {
        usedSync = true;
        readyOf = (i) => joinReady(i) || syncReady(i);
      }
    }
    if (usedSync) {
      const deadline = phaseDeadline();
      for (let attempt = 0; syncer !== undefined && performance.now() < deadline; attempt++) {
        clients[syncer]!.send({ type: 'say', text: syncText(token, attempt), name: clients[syncer]!.name, addr: clients[syncer]!.addr });
        if (await waitUntil(allReady, wake, Math.min(deadline, performance.now() + syncResendMs(attempt)))) break;
      }
    }
    const barrier: BenchReport['barrier'] = !useJoin ? 'sync line' : usedSync ? 'join notice + sync line' : 'join notice';
    const ready = measuredIdx.filter((i) => live(i) && readyOf(i)).length;
    const liveMeasured = measuredIdx.filter(live).length;
    const closedEarly = measuredIdx.filter((i) => connected[i] === 1 && clients[i]!.closed).length;
    if (closedEarly > 0) notes.push(`${closedEarly} of ${measured} clients were closed by the server before sending began (not counted as receivers)`);
    if (ready < liveMeasured) notes.push(`barrier: ${liveMeasured - ready} of ${liveMeasured} clients did not see the ${barrier} by the deadline`);
    const barrierMs = performance.now() - barrierStart;

    // Send: each sender keeps at most `window` lines unacknowledged.
    sendingStarted = true;
    const receivers = measuredIdx.filter(live);
    const sendStart = performance.now();
    const cpuMeter = new CpuMeter(pid);
    let deadlineHitWhileSending = false;
    const runSender = async (s: number): Promise<void> => {
      const client = clients[s]!;
      if (!live(s)) return;
      const window = outstanding[s]!;
      const acker = ackReceiver(s);
      const interval = ratePerSender !== undefined ? 1000 / ratePerSender : 0;
      let next = performance.now();
      for (let seq = 0; seq < messages; seq++) {
        for (;;) {
          const now = performance.now();
          for (const [q, expiry] of window) {
            if (expiry > now) break; // insertion order = expiry order
            window.delete(q);
            ackTimeouts += 1;
          }
          if (window.size < o.window) break;
          if (now >= runDeadline) break;
          const oldest = window.values().next().value ?? runDeadline;
          await senderWake[s]!.wait(Math.min(oldest, runDeadline));
        }
        if (interval > 0) {
          if (performance.now() < next) await sleepUntil(Math.min(next, runDeadline));
          next += interval;
        }
        if (performance.now() >= runDeadline) {
          deadlineHitWhileSending = true;
          return;
        }
        if (client.closed) return;
        const sentNs = Number(process.hrtime.bigint() - originNs);
        const text = formatPayload({ sender: s, seq, sentNs }, o.paddingBytes);
        const flushed = client.send({ type: 'say', text, name: client.name, addr: client.addr });
        sent[s]! += 1;
        if (acker >= 0 && !clients[acker]!.closed) window.set(seq, performance.now() + o.ackTimeoutMs);
        if (!flushed) await client.drain(runDeadline);
      }
    };
    await Promise.all(Array.from({ length: senders }, (_, s) => runSender(s)));
    const sendEnd = performance.now();
    if (deadlineHitWhileSending) notes.push('the run deadline passed while sending');

    // Drain: until every expected delivery arrived, deliveries stall, or the deadline.
    const linesSent = sent.reduce((a, b) => a + b, 0);
    const expected = sent.reduce((sum, n, s) => sum + n * (receivers.length - (!profile.echo && receivers.includes(s) ? 1 : 0)), 0);
    for (;;) {
      const stallAt = Math.max(lastDeliveryAt, sendEnd) + o.stallMs;
      if (await waitUntil(() => ledger.received >= expected, wake, Math.min(runDeadline, stallAt))) break;
      const now = performance.now();
      if (now >= runDeadline) {
        notes.push('the run deadline passed while waiting for deliveries');
        break;
      }
      if (Math.max(lastDeliveryAt, sendEnd) + o.stallMs <= now) {
        notes.push(`deliveries stalled for ${o.stallMs} ms; the rest are counted as lost`);
        break;
      }
    }
    const drainEnd = performance.now();
    const cpu = cpuMeter.stop();
    if (cpu.clientCores >= SATURATED_CORE_SHARE) {
      notes.push(
        `the load client was saturated (${(cpu.clientCores * 100).toFixed(0)}% of a core while sending): these figures may measure the client, not the server`,
      );
    }

    const rssResult = rss?.stop();
    const activeMs = Math.max(lastDeliveryAt, sendStart) - sendStart;
    const report: BenchReport = {
      target,
      profile: profile.name,
      clients: {
        requested: measured,
        connected: measuredIdx.filter((i) => connected[i]).length,
        ready,
        paused: clients.slice(measured).filter((_, k) => connected[measured + k]).length,
        pausedLeft: pausedLeft.size,
        disconnected: disconnectedDuringRun.size,
      },
      barrier,
      senders,
      messagesPerSender: messages,
      window: o.window,
      ratePerSender: ratePerSender ?? null,
      linesPlanned: senders * messages,
      linesSent,
      deliveries: {
        expected,
        received: ledger.received,
        lost: Math.max(0, expected - ledger.received),
        duplicated: ledger.duplicates,
        outOfOrder: ledger.outOfOrder,
        unexpected,
      },
      deliveriesPerSec: activeMs > 0 ? (ledger.received * 1000) / activeMs : 0,
      latencyMs:
        latency.count > 0 ? { p50: latency.quantileMs(0.5)!, p99: latency.quantileMs(0.99)!, max: latency.maxMs } : null,
      wallMs: drainEnd - start,
      phasesMs: { connect: connectMs, barrier: barrierMs, send: sendEnd - sendStart, drain: drainEnd - sendEnd },
      cpu: { clientPct: cpu.clientCores * 100, serverPct: cpu.serverCores === null ? null : cpu.serverCores * 100, clientSaturated: cpu.clientCores >= SATURATED_CORE_SHARE },
      ackTimeouts,
      decodeErrors: clients.reduce((n, c) => n + c.decodeErrors, 0),
      serverErrors,
      serverRss: rssResult === undefined ? null : rssResult.ok ? rssResult.summary : { unavailable: rssResult.reason },
      notes,
    };
    return { kind: 'report', report };
  } finally {
    rss?.stop();
    finish();
  }
}
