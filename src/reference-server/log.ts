// What the server reports about its connections: one event per lifecycle
// step, so `serve --log json` can print one JSON line each.

/** Why a member stopped being a member. */
export type LeaveReason =
  | 'eof' // the client closed its side (FIN)
  | 'reset' // the connection failed (RST or another socket error)
  | 'quit' // a quit command
  | 'evicted' // its outbound queue exceeded queueBytes
  | 'idle' // silent for idleTimeoutMs
  | 'tooLong' // a line over maxLineBytes
  | 'shutdown'; // the server is closing

export type LogEvent =
  | { readonly event: 'connect'; readonly id: number; readonly addr: string }
  | { readonly event: 'reject'; readonly id: number; readonly addr: string; readonly reason: 'serverFull' }
  | { readonly event: 'join'; readonly id: number; readonly addr: string; readonly name: string }
  | { readonly event: 'leave'; readonly id: number; readonly addr: string; readonly name: string; readonly reason: LeaveReason }
  | { readonly event: 'evict'; readonly id: number; readonly addr: string; readonly queuedBytes: number; readonly queueBytes: number }
  | { readonly event: 'error'; readonly id?: number; readonly addr?: string; readonly code?: string; readonly message: string }
  | { readonly event: 'close'; readonly id: number; readonly addr: string };

export type Logger = (event: LogEvent) => void;
