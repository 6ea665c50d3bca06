// What every dialect's per-connection handler does, and the state the server
// shares with them. The server wires socket events to these calls; a session
// never touches another session's socket, only the room.
import { encodeLine } from '../codec/index.js';
import type { Dialect } from '../profile/index.js';
import type { ServerEvent } from '../profile/types.js';
import type { Client } from './client.js';
import type { EvictionReason } from './eviction.js';
import type { Logger } from './log.js';
import type { ServerLimits } from './options.js';
import type { FlushScheduler } from './outbox.js';

export interface Counters {
  accepted: number;
  rejected: number;
  evicted: number;
  timedOut: number;
}

export interface ServerContext {
  readonly dialect: Dialect;
  readonly limits: ServerLimits;
  readonly log: Logger;
  readonly counters: Counters;
  /** The server's one flush scheduler: rooms queue their turn's events through it. */
  readonly scheduler: FlushScheduler;
}

export interface Session {
  /** The connection was accepted: join now if the dialect joins on connect. */
  start(): void;
  data(chunk: Buffer): void;
  /** The peer sent FIN: finish its last line, leave, and end our side. */
  end(): void;
  /** The socket closed (after FIN, RST, eviction or our own end). */
  closed(): void;
  /** The outbound budget evicted this client (its queue is already dropped): leave once the current fan-out is over. */
  evicted(reason: EvictionReason, queuedBytes: number): void;
  /** A line did not end in time (the door's slow-drip guard): leave, announced, and end the connection. */
  expire(reason: 'lineTimeout'): void;
  /** The server is closing: no notices, end the connection. */
  shutdown(): void;
  /** Is this connection a room member (for stats)? */
  readonly isMember: boolean;
  /** Bytes of a line whose LF has not arrived. */
  readonly bufferedBytes: number;
  /** Frames received so far (it moves whenever a line ends). */
  readonly framesReceived: number;
}

export type SessionFactory = (client: Client) => Session;

/**
 * A notice, rendered once (its Buffer is shared by every recipient) and framed
 * by the codec; undefined when a value does not fit the profile's pattern or
 * the text cannot be one line (a CR inside). Sessions validate input first, so
 * this is the last guard that keeps one odd value from crashing the server.
 */
export function noticeBytes(dialect: Dialect, event: ServerEvent): Buffer | undefined {
  let line: string;
  try {
    line = dialect.render(event);
  } catch {
    return undefined;
  }
  const encoded = encodeLine(line);
  return encoded.ok ? encoded.bytes : undefined;
}
