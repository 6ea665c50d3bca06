// The reference server's options and their documented defaults. Limits are
// checked here once, so the rest of the server can trust them.
import type { Profile } from '../profile/index.js';
import type { LogEvent } from './log.js';

/** Outbound bytes a client may have queued (ours plus the socket's) and still never be evicted. */
export const DEFAULT_QUEUE_BYTES = 1024 * 1024;
/** A client over queueBytes whose writes the kernel refuses this long (server running time) is evicted. */
export const DEFAULT_EVICT_AFTER_MS = 2_000;
/** All outbound queues together; over it, the largest queues that do not drain are evicted. */
export const DEFAULT_OUTBOUND_BUDGET_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_CLIENTS = 10_000;
/**
 * Connections from one IP address at most. Far above what the conformance kit
 * opens (a few dozen at once) and a tenth of maxClients, so one host cannot
 * fill the server; load tests from one host raise it.
 */
export const DEFAULT_MAX_CLIENTS_PER_ADDRESS = 1_000;
/** A connection that is not a member this long after connecting (no login, no name) is closed; bytes do not extend it. */
export const DEFAULT_JOIN_TIMEOUT_MS = 30_000;
/** A line begun but not ended with LF this long is a slow drip: the connection is closed. */
export const DEFAULT_LINE_TIMEOUT_MS = 30_000;
/** Used when the profile does not say (the profile schema defaults it to the same value). */
export const DEFAULT_MAX_LINE_BYTES = 65_536;
/** raw: bytes after the last LF are relayed once the sender has been silent this long. */
export const RAW_TAIL_FLUSH_MS = 500;
/** How long a connection we ended may take to close before we destroy it. */
export const LINGER_MS = 1_000;

export interface ServerOptions {
  /** A built-in profile name, a path to a profile JSON file, or a loaded profile. */
  readonly profile: Profile | string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Longest accepted line in bytes, LF excluded. Default: the profile's maxLineBytes (65536). */
  readonly maxLineBytes?: number;
  /** Open connections at most; more are refused. Default 10000. */
  readonly maxClients?: number;
  /** Outbound bytes per client that never lead to eviction. Default 1 MiB. */
  readonly queueBytes?: number;
  /** A client over queueBytes is evicted once its writes have been refused this long. Default 2000. */
  readonly evictAfterMs?: number;
  /** All outbound queues together; over it the largest non-draining queues are evicted. Default 256 MiB. */
  readonly outboundBudgetBytes?: number;
  /** Open connections from one IP address at most; more are refused. Default 1000. */
  readonly maxClientsPerAddress?: number;
  /** A connection must have joined (logged in, given its name) this long after connecting. Default: the profile's joinTimeoutMs, else 30000; null = never. */
  readonly joinTimeoutMs?: number | null;
  /** A line must end (LF) this long after its first byte. Default: the profile's lineTimeoutMs, else 30000; null = never. */
  readonly lineTimeoutMs?: number | null;
  /** Idle timeout in ms; null = none. Default: the profile's idleTimeoutMs. */
  readonly idleTimeoutMs?: number | null;
  readonly log?: (event: LogEvent) => void;
}

export interface ServerLimits {
  readonly maxLineBytes: number;
  readonly maxClients: number;
  readonly queueBytes: number;
  readonly evictAfterMs: number;
  readonly outboundBudgetBytes: number;
  readonly maxClientsPerAddress: number;
  readonly joinTimeoutMs: number | null;
  readonly lineTimeoutMs: number | null;
  readonly idleTimeoutMs: number | null;
}

/** A limit that is not a positive integer: a caller's mistake, reported before listening. */
export class ServerOptionError extends Error {
  override readonly name = 'ServerOptionError';
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ServerOptionError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function resolveLimits(options: ServerOptions, profile: Profile): ServerLimits {
  const maxLineBytes = positiveInteger('maxLineBytes', options.maxLineBytes ?? profile.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const maxClients = positiveInteger('maxClients', options.maxClients ?? DEFAULT_MAX_CLIENTS);
  const queueBytes = positiveInteger('queueBytes', options.queueBytes ?? DEFAULT_QUEUE_BYTES);
  const idle = options.idleTimeoutMs === undefined ? profile.idleTimeoutMs : options.idleTimeoutMs;
  const idleTimeoutMs = idle === null || idle === undefined ? null : positiveInteger('idleTimeoutMs', idle);
  const evictAfterMs = positiveInteger('evictAfterMs', options.evictAfterMs ?? DEFAULT_EVICT_AFTER_MS);
  const outboundBudgetBytes = positiveInteger('outboundBudgetBytes', options.outboundBudgetBytes ?? DEFAULT_OUTBOUND_BUDGET_BYTES);
  const maxClientsPerAddress = positiveInteger('maxClientsPerAddress', options.maxClientsPerAddress ?? DEFAULT_MAX_CLIENTS_PER_ADDRESS);
  const optionalMs = (name: string, value: number | null | undefined, fallback: number): number | null =>
    value === null ? null : positiveInteger(name, value ?? fallback);
  // A profile that declares a deadline describes the server: the reference server keeps it unless told otherwise.
  const joinTimeoutMs = optionalMs('joinTimeoutMs', options.joinTimeoutMs, profile.joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS);
  const lineTimeoutMs = optionalMs('lineTimeoutMs', options.lineTimeoutMs, profile.lineTimeoutMs ?? DEFAULT_LINE_TIMEOUT_MS);
  // One relayed line must fit in a queue, or every recipient of a long line would be evicted.
  if (queueBytes < maxLineBytes * 2 + 256) {
    throw new ServerOptionError(
      `queueBytes (${queueBytes}) must be at least twice maxLineBytes (${maxLineBytes}) plus 256, so that one line fits in a client's queue`,
    );
  }
  if (outboundBudgetBytes < queueBytes) {
    throw new ServerOptionError(`outboundBudgetBytes (${outboundBudgetBytes}) must be at least queueBytes (${queueBytes})`);
  }
  return {
    maxLineBytes,
    maxClients,
    queueBytes,
    evictAfterMs,
    outboundBudgetBytes,
    maxClientsPerAddress,
    joinTimeoutMs,
    lineTimeoutMs,
    idleTimeoutMs,
  };
}
