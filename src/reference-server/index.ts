// The reference server: what the spec looks like when it is right. One room,
// one thread, one codec; every limit is an option with a documented default.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { compileProfile, loadProfile, type Framing, type Profile } from '../profile/index.js';
import { formatAddress } from './address.js';
import { Client } from './client.js';
import { AddressCounter, addressKey, RefusalLog } from './door.js';
import { OutboundBudget } from './eviction.js';
import { heapRelief } from './heap-relief.js';
import type { Logger, RejectReason } from './log.js';
import { lineSessions } from './line-session.js';
import { GuestNames } from './guest-names.js';
import { NameopStatus, nameopSessions } from './nameop-session.js';
import { resolveLimits, ServerOptionError, type ServerLimits, type ServerOptions } from './options.js';
import { FlushScheduler } from './outbox.js';
import { rawSessions } from './raw-session.js';
import { type Counters, noticeBytes, type ServerContext, type Session, type SessionFactory } from './session.js';

export type { LeaveReason, LogEvent, Logger, RejectReason } from './log.js';
export type { EvictionReason } from './eviction.js';
export {
  DEFAULT_EVICT_AFTER_MS,
  DEFAULT_JOIN_TIMEOUT_MS,
  DEFAULT_LINE_TIMEOUT_MS,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_CLIENTS_PER_ADDRESS,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_OUTBOUND_BUDGET_BYTES,
  DEFAULT_QUEUE_BYTES,
  RAW_TAIL_FLUSH_MS,
  ServerOptionError,
  type ServerLimits,
  type ServerOptions,
} from './options.js';
export { formatAddress } from './address.js';
export { NameopOp, NameopStatus } from './nameop-session.js';

export interface ServerStats extends Readonly<Counters> {
  /** Open connections (members or not). */
  readonly clients: number;
  /** Room members. */
  readonly members: number;
  /** Bytes in all outbound queues now (ours plus the sockets'), and the most there ever were. */
  readonly outboundBytes: number;
  readonly outboundPeakBytes: number;
}

export interface RunningServer {
  readonly address: { readonly host: string; readonly port: number };
  /** host:port, IPv6 hosts in brackets. */
  readonly url: string;
  readonly profile: Profile;
  readonly limits: ServerLimits;
  /** Stops accepting, ends every connection (destroying those that do not close within 500 ms) and resolves once all are closed. */
  close(): Promise<void>;
  stats(): ServerStats;
}

const factories: Readonly<Record<Framing, (ctx: ServerContext) => SessionFactory>> = {
  line: lineSessions,
  nameop: nameopSessions,
  raw: rawSessions,
};

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const profile = typeof options.profile === 'string' ? await loadProfile(options.profile) : options.profile;
  const dialect = compileProfile(profile);
  const limits = resolveLimits(options, profile);
  const joinOn: readonly string[] = profile.framing === 'nameop' ? ['login'] : profile.framing === 'raw' ? ['connect'] : ['connect', 'login', 'prompt'];
  if (!joinOn.includes(profile.joinOn)) {
    // Serving such a profile anyway would mean guessing its semantics; say so instead.
    throw new ServerOptionError(
      `profile "${profile.name}": the reference server joins ${profile.framing} members on ${joinOn.join(' or ')}, but the profile says joinOn "${profile.joinOn}"`,
    );
  }
  if (profile.identity === 'assigned' && (profile.framing !== 'line' || !GuestNames.fits(dialect))) {
    throw new ServerOptionError(
      `profile "${profile.name}": the reference server assigns names only in line dialects, as guestN, GuestN, gN, userN, N or GN; the profile's name pattern accepts none of them`,
    );
  }
  const log: Logger = options.log ?? (() => {});
  const counters: Counters = { accepted: 0, rejected: 0, evicted: 0, timedOut: 0 };
  const scheduler = new FlushScheduler();
  const ctx: ServerContext = { dialect, limits, log, counters, scheduler };
  const createSession = factories[profile.framing](ctx);
  const budget = new OutboundBudget(limits);
  const perAddress = new AddressCounter(limits.maxClientsPerAddress);
  const refusals = new RefusalLog(log);
  const sessions = new Map<Client, Session>();
  /** Refused connections on their way out: closed with the server too. */
  const refused = new Set<Client>();
  let nextId = 1;
  let closing: Promise<void> | undefined;

  const server = createServer({ allowHalfOpen: true, noDelay: true });

  const accept = (socket: Socket): void => {
    const id = nextId++;
    let addr = '?';
    // Every socket gets an 'error' listener first: an unhandled one would take the server down.
    socket.on('error', (err: NodeJS.ErrnoException) => log({ event: 'error', id, addr, code: err.code, message: err.message }));
    const { remoteAddress, remotePort } = socket;
    if (closing || remoteAddress === undefined || remotePort === undefined) return void socket.destroy();
    addr = formatAddress(remoteAddress, remotePort);
    counters.accepted++;
    log({ event: 'connect', id, addr });

    let session: Session | undefined;
    const client = new Client(id, socket, addr, scheduler, budget, (reason, queued) => session?.evicted(reason, queued));
    if (sessions.size >= limits.maxClients) return refuse(client, 'serverFull');
    const host = addressKey(remoteAddress);
    if (!perAddress.acquire(host)) return refuse(client, 'addressFull');
    const accepted = createSession(client);
    session = accepted;
    sessions.set(client, accepted);
    const door = guardDoor(client, accepted);
    socket.on('data', (chunk: Buffer) => {
      accepted.data(chunk);
      door.watchLine();
    });
    socket.on('end', () => accepted.end());
    socket.on('close', () => {
      sessions.delete(client);
      perAddress.release(host);
      door.dispose();
      accepted.closed();
      client.dispose();
      log({ event: 'close', id, addr });
    });
    accepted.start();
  };

  /**
   * The join deadline (a connection that never logs in or gives its name,
   * bytes or not) and the line deadline (a line dripped a byte at a time).
   * One timer each, re-armed lazily: no work per chunk beyond a check.
   */
  const guardDoor = (client: Client, session: Session) => {
    let joinTimer: NodeJS.Timeout | undefined;
    let lineTimer: NodeJS.Timeout | undefined;
    let framesAtLineStart = 0;
    if (limits.joinTimeoutMs !== null) {
      joinTimer = setTimeout(() => {
        joinTimer = undefined;
        if (session.isMember || client.socket.destroyed) return;
        counters.rejected++;
        refusals.refused(client.id, client.addr, 'joinTimeout');
        client.destroy();
      }, limits.joinTimeoutMs);
      joinTimer.unref();
    }
    const lineTimeoutMs = limits.lineTimeoutMs;
    const checkLine = (): void => {
      lineTimer = undefined;
      if (session.bufferedBytes === 0 || lineTimeoutMs === null) return;
      // A line ended since the timer started: the one pending now began later, give it its own time.
      if (session.framesReceived !== framesAtLineStart) return armLine();
      counters.timedOut++;
      session.expire('lineTimeout');
    };
    const armLine = (): void => {
      if (lineTimeoutMs === null) return;
      framesAtLineStart = session.framesReceived;
      lineTimer = setTimeout(checkLine, lineTimeoutMs);
      lineTimer.unref();
    };
    return {
      watchLine(): void {
        if (!lineTimer && session.bufferedBytes > 0) armLine();
      },
      dispose(): void {
        clearTimeout(joinTimer);
        clearTimeout(lineTimer);
      },
    };
  };

  const refuse = (client: Client, reason: RejectReason): void => {
    counters.rejected++;
    refusals.refused(client.id, client.addr, reason);
    refused.add(client);
    client.socket.on('close', () => {
      refused.delete(client);
      client.dispose();
      log({ event: 'close', id: client.id, addr: client.addr });
    });
    // What it sends is read and dropped; it only hears why, where the dialect can say so.
    client.socket.on('data', () => {});
    if (dialect.hasNotice('error')) {
      const text = reason === 'addressFull' ? 'server full: too many connections from your address' : 'server full';
      const bytes = noticeBytes(dialect, { type: 'error', code: NameopStatus.serverFull, text });
      if (bytes) client.send(bytes);
    }
    client.end();
  };

  server.on('connection', accept);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      heapRelief.acquire();
      resolve();
    });
  });
  // After listening, errors are accept failures (EMFILE...): report them, keep serving.
  server.on('error', (err: NodeJS.ErrnoException) => log({ event: 'error', code: err.code, message: err.message }));

  const info = server.address() as AddressInfo;
  return {
    address: { host: info.address, port: info.port },
    url: formatAddress(info.address, info.port),
    profile,
    limits,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          budget.stop();
          heapRelief.release();
          refusals.summarise();
          resolve();
        });
        for (const session of sessions.values()) session.shutdown();
        for (const client of refused) client.destroy();
      });
      return closing;
    },
    stats() {
      let members = 0;
      for (const session of sessions.values()) if (session.isMember) members++;
      return {
        ...counters,
        clients: sessions.size + refused.size,
        members,
        outboundBytes: budget.outboundBytes,
        outboundPeakBytes: budget.outboundPeakBytes,
      };
    },
  };
}
