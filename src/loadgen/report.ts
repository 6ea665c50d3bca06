// The result of a bench run, and its two renderings: aligned text and JSON.
import type { RssSummary } from './rss.js';

export interface BenchReport {
  readonly target: string;
  readonly profile: string;
  readonly clients: {
    readonly requested: number;
    readonly connected: number;
    /** Measured clients that passed the membership barrier before sending began. */
    readonly ready: number;
    /** Paused members that connected. */
    readonly paused: number;
    /** Paused members whose leave notice a measured client received (evicted by the server). */
    readonly pausedLeft: number;
    /** Measured clients whose connection the server closed during the run. */
    readonly disconnected: number;
  };
  readonly barrier: 'join notice' | 'sync line' | 'join notice + sync line';
  readonly senders: number;
  readonly messagesPerSender: number;
  readonly window: number;
  readonly ratePerSender: number | null;
  readonly linesPlanned: number;
  readonly linesSent: number;
  readonly deliveries: {
    readonly expected: number;
    readonly received: number;
    readonly lost: number;
    readonly duplicated: number;
    readonly outOfOrder: number;
    /** Bench lines a client should never have received (own line without echo, unknown sender or seq). */
    readonly unexpected: number;
  };
  readonly deliveriesPerSec: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number } | null;
  readonly wallMs: number;
  readonly phasesMs: { readonly connect: number; readonly barrier: number; readonly send: number; readonly drain: number };
  /** CPU over the send and drain phases, in % of one core; the client is saturated near 100%. */
  readonly cpu: { readonly clientPct: number; readonly serverPct: number | null; readonly clientSaturated: boolean };
  readonly ackTimeouts: number;
  readonly decodeErrors: number;
  readonly serverErrors: number;
  readonly serverRss: RssSummary | { readonly unavailable: string } | null;
  /** What did not go to plan: deadlines hit, connections refused. */
  readonly notes: readonly string[];
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const ms = (v: number): string => `${v.toFixed(v < 10 ? 3 : 1)} ms`;

export function formatReportText(r: BenchReport): string {
  const rows: [string, string][] = [
    ['target', `${r.target} (profile ${r.profile})`],
    [
      'clients',
      `${r.clients.connected}/${r.clients.requested} connected, ${r.clients.ready} ready (${r.barrier} barrier), ` +
        `${r.clients.paused} paused (${r.clients.pausedLeft} announced as left), ${r.clients.disconnected} disconnected`,
    ],
    [
      'load',
      `${r.senders} senders x ${r.messagesPerSender} lines, window ${r.window}` +
        (r.ratePerSender === null ? ', unpaced' : `, ${r.ratePerSender}/s per sender`),
    ],
    ['lines sent', `${r.linesSent} of ${r.linesPlanned}`],
    ['deliveries', `${r.deliveries.received} received of ${r.deliveries.expected} expected`],
    ['lost', String(r.deliveries.lost)],
    ['duplicated', String(r.deliveries.duplicated)],
    ['out of order', String(r.deliveries.outOfOrder)],
    ['unexpected', String(r.deliveries.unexpected)],
    ['deliveries/s', r.deliveriesPerSec.toFixed(0)],
    ['latency p50', r.latencyMs ? ms(r.latencyMs.p50) : '-'],
    ['latency p99', r.latencyMs ? ms(r.latencyMs.p99) : '-'],
    ['latency max', r.latencyMs ? ms(r.latencyMs.max) : '-'],
    [
      'wall time',
      `${ms(r.wallMs)} (connect ${ms(r.phasesMs.connect)}, barrier ${ms(r.phasesMs.barrier)}, ` +
        `send ${ms(r.phasesMs.send)}, drain ${ms(r.phasesMs.drain)})`,
    ],
  ];
  rows.push([
    'cpu',
    `client ${r.cpu.clientPct.toFixed(0)}% of a core${r.cpu.clientSaturated ? ' (SATURATED)' : ''}, server ${r.cpu.serverPct === null ? 'unknown (no --pid)' : `${r.cpu.serverPct.toFixed(0)}%`}`,
  ]);
  if (r.ackTimeouts > 0) rows.push(['ack timeouts', String(r.ackTimeouts)]);
  if (r.decodeErrors > 0) rows.push(['decode errors', String(r.decodeErrors)]);
  if (r.serverErrors > 0) rows.push(['server errors', String(r.serverErrors)]);
  if (r.serverRss)
    rows.push([
      'server RSS',
      'unavailable' in r.serverRss
        ? `unavailable: ${r.serverRss.unavailable}`
        : `peak ${mib(r.serverRss.peakRssBytes)} sampled, VmHWM ${mib(r.serverRss.hwmBytes)} (pid ${r.serverRss.pid})`,
    ]);
  for (const note of r.notes) rows.push(['note', note]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

export const formatReportJson = (r: BenchReport): string => JSON.stringify(r, null, 2);
