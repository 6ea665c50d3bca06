// Bare connections: sockets without a transcript, for cases that need
// hundreds or thousands of them (connect/disconnect cycles, churn waves, a
// flood's sender). Each reads and drops what the server sends, so the kit
// keeps nothing of it, and joins the room the way the profile says where
// that takes one line: the login command, or its name after a prompt.
import { connect, type Socket } from 'node:net';
import type { CaseContext } from '../../src/runner/context.js';
import { formatAddr } from '../../src/runner/client.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The line that makes a fresh connection a member, or undefined where connecting is joining (no name generated then). */
function joinLine(ctx: CaseContext, label: string, name?: string): string | undefined {
  if (ctx.profile.joinOn === 'login') return ctx.dialect.renderCommand({ type: 'login', name: name ?? ctx.name(label) }) + ctx.dialect.lineEnding;
  if (ctx.profile.joinOn === 'prompt') return (name ?? ctx.name(label)) + ctx.dialect.lineEnding;
  return undefined;
}

/** Closes by FIN (destroyed a second later if the server never closes its side) or by RST. */
export function closeBare(socket: Socket, how: 'fin' | 'rst'): void {
  if (socket.destroyed) return;
  if (how === 'rst') socket.resetAndDestroy();
  else {
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  }
}

/** A connection that joins (sending its join line at once) and drops what it reads; errors are ignored. */
function openBare(ctx: CaseContext, label: string): Socket {
  const { host, port } = ctx.settings.target;
  const socket = connect({ host, port });
  socket.on('data', () => {});
  socket.on('error', () => {});
  const line = joinLine(ctx, label);
  if (line) socket.once('connect', () => socket.write(line));
  return socket;
}

/**
 * One short visit: connect, join where the profile has a login, wait for the
 * server's first bytes (at most holdMs after connecting), then close by FIN
 * or RST. Resolves within two waits whatever the server does.
 */
export function visit(ctx: CaseContext, how: 'fin' | 'rst', holdMs: number, login: boolean): Promise<void> {
  return new Promise((resolve) => {
    const { host, port } = ctx.settings.target;
    const socket: Socket = connect({ host, port });
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(hold);
      clearTimeout(limit);
      closeBare(socket, how);
      resolve();
    };
    const hold = setTimeout(finish, holdMs + ctx.wait());
    const limit = setTimeout(finish, ctx.wait() * 2);
    socket.on('data', () => finish());
    socket.once('error', () => finish());
    socket.once('connect', () => {
      const line = login ? joinLine(ctx, 'v') : undefined;
      if (line) socket.write(line);
      clearTimeout(hold);
      setTimeout(finish, holdMs).unref();
    });
  });
}

/** A member on a bare socket that reads and drops everything (logged in where the profile needs it). */
export interface BareMember {
  readonly socket: Socket;
  readonly name: string;
  readonly addr: string;
  /** Bytes the server sent it so far. */
  received(): number;
  /** Resolves once it has received at least n bytes, it closed, or timeoutMs passed. */
  /** Resolves true once n bytes were received, false at the deadline or when the socket closes first. */
  receivedAtLeast(n: number, timeoutMs: number): Promise<boolean>;
}

export async function bareMember(ctx: CaseContext, label: string): Promise<BareMember> {
  const { host, port } = ctx.settings.target;
  const socket = connect({ host, port });
  let received = 0;
  socket.on('data', (chunk: Buffer) => void (received += chunk.length));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), ctx.wait());
    socket.once('connect', () => (clearTimeout(timer), resolve()));
    socket.once('error', (err) => (clearTimeout(timer), reject(err)));
  }).catch((err: Error) => ctx.inconclusive(`the ${label} could not connect: ${err.message}`));
  socket.on('error', () => {});
  const addr = formatAddr(socket.localAddress ?? '', socket.localPort ?? 0);
  const named = ctx.profile.joinOn === 'login' || ctx.profile.joinOn === 'prompt';
  const name = named ? ctx.name(label) : addr;
  const line = named ? joinLine(ctx, label, name) : undefined;
  if (line) socket.write(line);
  await sleep(100);
  const receivedAtLeast = (n: number, timeoutMs: number): Promise<boolean> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (received < n && !socket.destroyed) return;
        done();
      };
      const done = (): void => {
        clearTimeout(timer);
        socket.off('data', check);
        socket.off('close', done);
        resolve(received >= n);
      };
      const timer = setTimeout(done, timeoutMs);
      socket.on('data', check);
      socket.once('close', done);
      check();
    });
  return { socket, name, addr, received: () => received, receivedAtLeast };
}

export interface ChurnWaves {
  /** Waves of connections; each wave connects while the previous one leaves. */
  readonly waves: number;
  /** Connections per wave. */
  readonly size: number;
  /** Pause between waves, ms. */
  readonly gapMs: number;
  /** Chat lines a chatting member sends per wave (one write), so broadcasts run while members come and go. */
  readonly linesPerWave: number;
}

/**
 * Overlapping churn: wave after wave of connections join while the previous
 * wave leaves (every other one by RST) and a member chats, so the server adds
 * members, removes members and walks its member list for a broadcast all at
 * the same moment. A member table shared without a lock (Go's map, a Python
 * dict iterated in another thread) meets itself here within a second or so,
 * where one burst of connects then disconnects meets it only now and then.
 * At most 2 × size connections are open at once; waves × size in all.
 */
export async function churnWaves(ctx: CaseContext, options: ChurnWaves): Promise<void> {
  const chatter = await bareMember(ctx, 'chatter');
  const say = (i: number): string => ctx.dialect.renderCommand({ type: 'say', text: ctx.text(`churn ${i}`), name: chatter.name, addr: chatter.addr }) + ctx.dialect.lineEnding;
  let previous: Socket[] = [];
  try {
    for (let w = 0; w < options.waves; w += 1) {
      const next = Array.from({ length: options.size }, (_, i) => openBare(ctx, `w${w}.${i}`));
      previous.forEach((s, i) => closeBare(s, i % 2 ? 'rst' : 'fin'));
      previous = next;
      if (!chatter.socket.destroyed && chatter.socket.writableLength < 64 * 1024) {
        chatter.socket.write(Array.from({ length: options.linesPerWave }, (_, i) => say(w * options.linesPerWave + i)).join(''));
      }
      await sleep(options.gapMs);
    }
  } finally {
    previous.forEach((s, i) => closeBare(s, i % 2 ? 'rst' : 'fin'));
    closeBare(chatter.socket, 'fin');
  }
}
