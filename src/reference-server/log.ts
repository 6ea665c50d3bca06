// What the server reports about its connections: one event per lifecycle
// step, so `serve --log json` can print one JSON line each.
import type { EvictionReason } from './eviction.js';

/** Why a member stopped being a member. */
export type LeaveReason =
  | 'eof' // the client closed its side (FIN)
  | 'reset' // the connection failed (RST or another socket error)
  | 'quit' // a quit command
  | 'evicted' // its outbound queue stayed over queueBytes without draining, passed 16 x queueBytes, or the global budget took it
  | 'idle' // silent for idleTimeoutMs
  | 'tooLong' // a line over maxLineBytes
  | 'lineTimeout' // a line not ended within lineTimeoutMs (a slow drip)
  | 'shutdown'; // the server is closing

/** Why a connection was refused or closed before it joined. */
export type RejectReason =
  | 'serverFull' // maxClients connections are open
  | 'addressFull' // this IP address holds maxClientsPerAddress connections
  | 'joinTimeout'; // not a member joinTimeoutMs after connecting

export type LogEvent =
  | { readonly event: 'connect'; readonly id: number; readonly addr: string }
  | { readonly event: 'reject'; readonly id: number; readonly addr: string; readonly reason: RejectReason }
  /** Refusals left out of the log by its rate limit, counted. */
  | { readonly event: 'rejectsSuppressed'; readonly reason: RejectReason; readonly count: number }
  | { readonly event: 'join'; readonly id: number; readonly addr: string; readonly name: string }
  | { readonly event: 'leave'; readonly id: number; readonly addr: string; readonly name: string; readonly reason: LeaveReason }
  | {
      readonly event: 'evict';
      readonly id: number;
      readonly addr: string;
      readonly reason: EvictionReason;
      readonly queuedBytes: number;
      readonly queueBytes: number;
    }
  | { readonly event: 'error'; readonly id?: number; readonly addr?: string; readonly code?: string; readonly message: string }
  | { readonly event: 'close'; readonly id: number; readonly addr: string };

export type Logger = (event: LogEvent) => void;
