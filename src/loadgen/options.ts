// What a bench run is asked to do, with the defaults the CLI and bench:server share.
import type { Dialect } from '../profile/index.js';

export interface BenchOptions {
  readonly host: string;
  readonly port: number;
  readonly dialect: Dialect;
  /** Measured clients: every one receives, the first `senders` of them also send. */
  readonly clients: number;
  readonly senders: number;
  /** Chat lines per sender. */
  readonly messages: number;
  /** Lines per second per sender; undefined = as fast as the window allows. */
  readonly ratePerSender?: number | undefined;
  /** Most lines a sender may have unacknowledged (by its echo or a designated receiver). */
  readonly window?: number | undefined;
  /** Extra members that never read after joining (slow consumers); not measured. */
  readonly paused?: number | undefined;
  /** Extra bytes of padding in each chat text. */
  readonly paddingBytes?: number | undefined;
  /** Server process to sample RSS from (/proc/PID/status). */
  readonly pid?: number | undefined;
  /** The whole run's deadline. */
  readonly timeoutMs?: number | undefined;
  /** Connections in flight at once: opened and not yet admitted (welcome or own join notice), where the dialect shows admission. */
  readonly connectBatch?: number | undefined;
  /** A line unacknowledged this long no longer holds its sender's window (it is likely lost). */
  readonly ackTimeoutMs?: number | undefined;
  /** The drain ends after this long without a new delivery. */
  readonly stallMs?: number | undefined;
  /** Deadline for the connect phase and, separately, for the membership barrier. */
  readonly phaseTimeoutMs?: number | undefined;
}

export const BENCH_DEFAULTS = {
  window: 16,
  paused: 0,
  paddingBytes: 0,
  timeoutMs: 60_000,
  connectBatch: 250,
  ackTimeoutMs: 2_000,
  stallMs: 2_000,
  phaseTimeoutMs: 15_000,
} as const;

export class BenchOptionError extends Error {
  override readonly name = 'BenchOptionError';
}

const positiveInt = (v: number): boolean => Number.isInteger(v) && v > 0;
const naturalInt = (v: number): boolean => Number.isInteger(v) && v >= 0;

/** Throws BenchOptionError naming the first bad option. */
export function checkOptions(o: BenchOptions): void {
  const fail = (msg: string): never => {
    throw new BenchOptionError(msg);
  };
  if (!positiveInt(o.port) || o.port > 65535) fail(`port must be 1..65535, got ${o.port}`);
  if (!positiveInt(o.clients)) fail(`clients must be a positive integer, got ${o.clients}`);
  if (!naturalInt(o.senders) || o.senders > o.clients) fail(`senders must be 0..clients (${o.clients}), got ${o.senders}`);
  if (!naturalInt(o.messages) || o.messages > 10_000_000) fail(`messages must be 0..10000000, got ${o.messages}`);
  if (o.ratePerSender !== undefined && !(o.ratePerSender > 0 && Number.isFinite(o.ratePerSender)))
    fail(`rate must be a positive number of lines per second, got ${o.ratePerSender}`);
  for (const [key, value, ok] of [
    ['window', o.window, positiveInt],
    ['paused', o.paused, naturalInt],
    ['padding', o.paddingBytes, naturalInt],
    ['timeout', o.timeoutMs, positiveInt],
    ['connect batch', o.connectBatch, positiveInt],
    ['ack timeout', o.ackTimeoutMs, positiveInt],
    ['stall', o.stallMs, positiveInt],
    ['phase timeout', o.phaseTimeoutMs, positiveInt],
    ['pid', o.pid, positiveInt],
  ] as const) {
    if (value !== undefined && !ok(value)) fail(`${key} must be a ${ok === positiveInt ? 'positive' : 'non-negative'} integer, got ${value}`);
  }
  const maxLine = o.dialect.profile.maxLineBytes ?? 65536;
  if ((o.paddingBytes ?? 0) > maxLine - 200) fail(`padding must leave room in a ${maxLine}-byte line, got ${o.paddingBytes}`);
  if (o.senders > 0 && !o.dialect.hasCommand('say')) fail(`profile ${o.dialect.profile.name} has no say command`);
  if (o.dialect.profile.joinOn === 'login' && !o.dialect.hasCommand('login'))
    fail(`profile ${o.dialect.profile.name} joins on login but has no login command`);
}
