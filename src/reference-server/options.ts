// The reference server's options and their documented defaults. Limits are
// checked here once, so the rest of the server can trust them.
import type { Profile } from '../profile/index.js';
import type { LogEvent } from './log.js';

/** Outbound bytes a client may have queued (ours plus the socket's) before it is evicted. */
export const DEFAULT_QUEUE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_CLIENTS = 10_000;
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
  /** Outbound bytes per client before eviction. Default 1 MiB. */
  readonly queueBytes?: number;
  /** Idle timeout in ms; null = none. Default: the profile's idleTimeoutMs. */
  readonly idleTimeoutMs?: number | null;
  readonly log?: (event: LogEvent) => void;
}

export interface ServerLimits {
  readonly maxLineBytes: number;
  readonly maxClients: number;
  readonly queueBytes: number;
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
  // One relayed line must fit in a queue, or every recipient of a long line would be evicted.
  if (queueBytes < maxLineBytes * 2 + 256) {
    throw new ServerOptionError(
      `queueBytes (${queueBytes}) must be at least twice maxLineBytes (${maxLineBytes}) plus 256, so that one line fits in a client's queue`,
    );
  }
  return { maxLineBytes, maxClients, queueBytes, idleTimeoutMs };
}
