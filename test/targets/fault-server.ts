// The planted-bug server: one small chat server, correct with fault 'none',
// for the gopl-en, gopl-zh, who-rename and nameop dialects. Each other fault
// is one small local deviation from that server, so when the kit misses one
// the blind spot is exactly that deviation. It reads through the project's
// codec and writes through the profile, like any well-built server would;
// only the framing faults split bytes by hand, because that is their bug.
import { createServer, type Socket } from 'node:net';
import { encodeLine, LineDecoder, nameHoldsControl, parseNameop, type CodecErrorCode, type Decoded, type LineFrame } from '../../src/codec/index.js';
import { compileProfile, loadProfile } from '../../src/profile/index.js';
import type { ServerEvent, Who } from '../../src/profile/types.js';
import { addressOf, BlockingFanout, listenTarget } from './blocking-fanout.js';

export const faults = [
  'none',
  'no-leave-notice',
  'self-join',
  'no-echo',
  'drop-1-in-N',
  'duplicate-1-in-N',
  'reorder',
  'chunk-framing',
  'drop-last-byte',
  'leave-before-last-lines',
  'crash-on-long-line',
  'crash-on-missing-pipe',
  'crash-on-rename-without-pipe',
  'sync-fanout',
  'who-lists-departed',
  'idle-no-disconnect',
  'nameop-spoofing',
  'private-leak',
  'group-leak',
  'group-without-membership-check',
  'silent-eviction',
  'malformed-relayed',
  'drop-for-slow',
  'serial-accept',
  'truncate-4k',
  'replies-to-room',
  'empty-line-ends-session',
  'partial-line-holds-idle',
  'list-replaces-pending',
  'leave-names-last-joiner',
  'join-deadline-ignored',
  'line-deadline-not-rearmed',
] as const;
export type Fault = (typeof faults)[number];

export const isFault = (s: string): s is Fault => (faults as readonly string[]).includes(s);

/** drop-1-in-N and duplicate-1-in-N act on every Nth chat delivery to a member other than the sender. */
export const EVERY_NTH = 10;
/** reorder holds a sender's line this long for a next line to swap it with. */
const REORDER_HOLD_MS = 30;
/** leave-before-last-lines relays a line this long after it arrived (the leave notice goes at once). */
const RELAY_DELAY_MS = 20;
/** crash-on-long-line: the process dies on a line longer than this. */
const CRASH_LINE_BYTES = 1000;
/** Stands for the text when a chunked message is rendered: any text the chat template accepts. */
const TEXT_SLOT = 'TEXT-SLOT';
/** A member with more outbound bytes than this pending is evicted (announced as a leave). */
const QUEUE_LIMIT_BYTES = 1024 * 1024;
/** drop-for-slow: past this many pending bytes, a member's lines are skipped. */
const DROP_QUEUE_BYTES = 256 * 1024;
/** truncate-4k: chat texts are cut to this many bytes. */
const TRUNCATE_BYTES = 4096;
/** After our FIN, a peer that does not close is destroyed this much later. */
const LINGER_MS = 2000;

const Status = { badRequest: 400, loginRequired: 401, forbidden: 403, notFound: 404, conflict: 409, tooLong: 413 } as const;

export interface FaultServerOptions {
  readonly profile: string;
  readonly fault: Fault;
  /** Idle timeout in ms; default: the profile's (null: none). */
  readonly idleTimeoutMs?: number | null;
  /** The idle timer restarts on every read, as a Go read deadline set before each read does (a correct design, not a fault); default: on every complete line. */
  readonly idleResetsOnRead?: boolean;
  /** An empty line is dropped and its sender alone gets this line, which no notice reads (a correct design, not a fault); default: relayed as any chat line. */
  readonly emptyLineAnswer?: string;
  readonly port?: number;
}

export interface RunningFaultServer {
  readonly port: number;
  /** 127.0.0.1:PORT */
  readonly url: string;
  close(): Promise<void>;
}

interface Member {
  readonly socket: Socket;
  readonly addr: string;
  /** ADDR until a rename (line dialects); the bound name after login (nameop). */
  name: string | undefined;
  /** Reading and answering; false for good once the member left or was evicted. */
  live: boolean;
  inRoom: boolean;
  readonly decoder: LineDecoder;
  idleTimer: NodeJS.Timeout | undefined;
  /** reorder: the line waiting to be swapped with the sender's next one. */
  held: { text: string; timer: NodeJS.Timeout } | undefined;
  /** leave-before-last-lines: lines waiting for their relay. */
  readonly delayed: string[];
  /** list-replaces-pending: this turn's output, written at the end of the turn. */
  pending: Buffer[];
  /** idle-no-disconnect: announced as timed out but still connected. */
  timedOut: boolean;
  /** The line deadline's timer, running while a line is unfinished (the profile's lineTimeoutMs). */
  lineTimer: NodeJS.Timeout | undefined;
}

export async function startFaultServer(options: FaultServerOptions): Promise<RunningFaultServer> {
  const dialect = compileProfile(await loadProfile(options.profile));
  const { profile } = dialect;
  const fault = options.fault;
  const idleTimeoutMs = options.idleTimeoutMs === undefined ? profile.idleTimeoutMs : options.idleTimeoutMs;
  const nameop = profile.framing === 'nameop';
  /** One TCP read is one message under these faults (the bug): no codec on input. */
  const chunked = fault === 'chunk-framing' || fault === 'drop-last-byte';

  /** Room members in join (login) order. */
  const room = new Set<Member>();
  /** who-lists-departed: everyone who ever joined, which the member list wrongly reads. */
  const everJoined: Member[] = [];
  const names = new Map<string, Member>();
  /** Groups in creation order; a group is gone once its last member left the room. */
  const groups = new Map<string, Set<Member>>();
  const sockets = new Set<Socket>();
  let deliveries = 0;

  // ---- output -------------------------------------------------------------------

  /** sync-fanout: one queue for the whole room, each write waited for before the next. */
  const fanout = new BlockingFanout();

  const bytesOf = (event: ServerEvent): Buffer | undefined => {
    let line: string;
    try {
      if (chunked && event.type === 'chat') {
        // A message read as one chunk may hold LFs, which no template accepts: it goes out as it came.
        line = dialect.render({ ...event, text: TEXT_SLOT }).replace(TEXT_SLOT, () => event.text);
      } else line = dialect.render(event);
    } catch {
      return undefined; // a value the profile cannot carry (e.g. a name its pattern refuses)
    }
    // The framing faults relay what they read, LFs and all: that is their bug.
    if (chunked) return Buffer.from(`${line}\n`, 'utf8');
    const encoded = encodeLine(line);
    return encoded.ok ? encoded.bytes : undefined;
  };

  const write = (to: Member, bytes: Buffer): void => {
    if (!to.live || to.socket.destroyed) return;
    if (fault === 'sync-fanout') return fanout.send([to.socket], bytes);
    // drop-for-slow: the bug is keeping a slow member in the room and silently skipping its lines once
    // a smaller queue is full (so the loss shows even when the kernel's buffers absorb most of a flood).
    if (fault === 'drop-for-slow' && to.socket.writableLength + bytes.length > DROP_QUEUE_BYTES) return;
    if (to.socket.writableLength + bytes.length > QUEUE_LIMIT_BYTES) return evict(to);
    if (fault === 'list-replaces-pending') {
      // A turn's output is collected per member and written at the end of the turn (correct so far).
      if (to.pending.length === 0) setImmediate(() => to.pending.length > 0 && to.socket.write(Buffer.concat(to.pending.splice(0))));
      to.pending.push(bytes);
      return;
    }
    to.socket.write(bytes);
  };

  const send = (to: Member, event: ServerEvent): void => {
    const bytes = bytesOf(event);
    if (bytes) write(to, bytes);
  };

  const broadcast = (event: ServerEvent, except?: Member): void => {
    const bytes = bytesOf(event);
    if (bytes) for (const m of [...room]) if (m !== except) write(m, bytes);
  };

  const who = (m: Member): Who => ({ addr: m.addr, name: m.name ?? m.addr });

  // ---- membership ---------------------------------------------------------------

  const enter = (m: Member): void => {
    room.add(m);
    m.inRoom = true;
    everJoined.push(m);
    const selfJoin = fault === 'self-join' ? true : profile.selfJoin;
    if (dialect.hasNotice('join')) broadcast({ type: 'join', who: who(m) }, selfJoin ? undefined : m);
  };

  /** Leaves the room once and tells the others, as the dialect says. */
  const depart = (m: Member, how: 'leave' | 'idleLeave' | 'evicted'): void => {
    if (!m.inRoom) return;
    releaseHeld(m);
    room.delete(m);
    m.inRoom = false;
    if (m.name !== undefined && names.get(m.name) === m) names.delete(m.name);
    for (const [g, members] of groups) if (members.delete(m) && members.size === 0) groups.delete(g);
    if (fault === 'no-leave-notice') return;
    // silent-eviction: the bug is dropping a slow reader without telling the room.
    if (fault === 'silent-eviction' && how === 'evicted') return;
    const type = how === 'idleLeave' && dialect.hasNotice('idleLeave') ? 'idleLeave' : 'leave';
    // leave-names-last-joiner: the leaver's name comes from a variable each new connection overwrites.
    const named = fault === 'leave-names-last-joiner' ? (everJoined.at(-1) ?? m) : m;
    if (dialect.hasNotice(type)) broadcast({ type, who: who(named) });
  };

  /** Leaves, stops reading, and ends our side once what is queued is written. */
  const disconnect = (m: Member): void => {
    if (fault === 'leave-before-last-lines' && m.delayed.length > 0) {
      // The bug: the leave is announced now, the lines it sent before go out later.
      depart(m, 'leave');
      setTimeout(() => disconnect(m), RELAY_DELAY_MS * 2).unref();
      return;
    }
    depart(m, 'leave');
    m.live = false;
    clearTimeout(m.idleTimer);
    if (!m.socket.destroyed) {
      m.socket.end();
      setTimeout(() => m.socket.destroy(), LINGER_MS).unref();
    }
  };

  const evict = (m: Member): void => {
    if (!m.live) return;
    m.live = false;
    // After the fan-out in progress, so every member sees that event before the leave.
    queueMicrotask(() => {
      depart(m, 'evicted');
      m.socket.destroy();
    });
  };

  const idle = (m: Member): void => {
    if (!m.live || !m.inRoom) return;
    if (fault === 'idle-no-disconnect') {
      // The bug: announced and out of the room, yet still connected and still heard.
      m.timedOut = true;
      depart(m, 'idleLeave');
      return;
    }
    depart(m, 'idleLeave');
    disconnect(m);
  };

  // ---- chat ---------------------------------------------------------------------

  /** One chat line from m (named `as`) to the room: the step where delivery faults are planted. */
  const relay = (m: Member, text: string, as: Who = who(m)): void => {
    const bytes = bytesOf({ type: 'chat', who: as, text });
    if (!bytes) return;
    const echo = fault === 'no-echo' ? false : profile.echo;
    for (const to of [...room]) {
      if (to === m) {
        if (echo) write(to, bytes);
        continue;
      }
      deliveries += 1;
      const nth = deliveries % EVERY_NTH === 0;
      if (fault === 'drop-1-in-N' && nth) continue;
      write(to, bytes);
      if (fault === 'duplicate-1-in-N' && nth) write(to, bytes);
    }
  };

  const say = (m: Member, text: string): void => {
    // truncate-4k: the bug is a fixed 4 KiB message buffer.
    if (fault === 'truncate-4k' && Buffer.byteLength(text) > TRUNCATE_BYTES) text = Buffer.from(text).subarray(0, TRUNCATE_BYTES).toString('utf8').replace(/\uFFFD$/, '');
    if (fault !== 'reorder') return relay(m, text);
    // The bug: each pair of consecutive lines from one sender goes out swapped.
    if (m.held) {
      const first = m.held;
      m.held = undefined;
      clearTimeout(first.timer);
      relay(m, text);
      relay(m, first.text);
      return;
    }
    m.held = { text, timer: setTimeout(() => releaseHeld(m), REORDER_HOLD_MS) };
  };

  const releaseHeld = (m: Member): void => {
    const held = m.held;
    if (!held) return;
    m.held = undefined;
    clearTimeout(held.timer);
    relay(m, held.text);
  };

  // ---- line dialects ------------------------------------------------------------

  const lineCommand = (m: Member, text: string): void => {
    if (fault === 'crash-on-rename-without-pipe' && text.length >= 8 && text.startsWith('rename') && !text.includes('|')) {
      // The seed's strings.Split(msg, "|")[1], as written.
      throw new RangeError(`index out of range [1] with length 1 (rename without "|": ${JSON.stringify(text.slice(0, 40))})`);
    }
    // empty-line-ends-session: the bug is a parser that takes the first word of every line (Python's
    // line.split()[0]) and raises on an empty one; the session's handler dies and the member leaves.
    if (fault === 'empty-line-ends-session' && text.trim() === '') return disconnect(m);
    if (options.emptyLineAnswer !== undefined && text === '') return void write(m, Buffer.from(`${options.emptyLineAnswer}\n`, 'utf8'));
    const command = dialect.parseCommand(text);
    switch (command?.type) {
      case 'who': {
        // list-replaces-pending: the bug is starting the member's output afresh for the list (C's strcpy
        // where strcat belongs): lines queued for it earlier in the turn are lost.
        if (fault === 'list-replaces-pending') m.pending.length = 0;
        send(m, { type: 'whoHeader' });
        const listed = fault === 'who-lists-departed' ? everJoined : [...room];
        for (const member of listed) send(m, { type: 'whoEntry', who: who(member) });
        return;
      }
      case 'rename':
        if (nameHoldsControl(command.newName)) return;
        m.name = command.newName;
        return send(m, { type: 'renamed', who: who(m) });
      case 'quit':
        return disconnect(m);
      case 'say':
        return say(m, command.text);
      default:
        return say(m, text);
    }
  };

  // ---- nameop -------------------------------------------------------------------

  const fail = (m: Member, code: number, text: string): void => send(m, { type: 'error', code, text });

  const isName = (s: string): boolean => s.length > 0 && Buffer.byteLength(s) <= 64 && !/[|\r\n]/.test(s);

  const reasons: Partial<Record<CodecErrorCode, string>> = {
    MISSING_FIELD: 'bad request: expected Name|Op|Msg',
    BAD_OP: 'bad request: bad Op',
    BAD_NAME: 'bad request: bad Name',
  };

  const nameopFrame = (m: Member, text: string): void => {
    if (fault === 'crash-on-missing-pipe' && !text.includes('|')) {
      // The seed's strings.Split(frame, "|")[1], as written.
      throw new RangeError(`index out of range [1] with length 1 (frame without "|": ${JSON.stringify(text.slice(0, 40))})`);
    }
    const parsed = parseNameop(text);
    // malformed-relayed: the bug is serving a frame short of a field as a say, as the seed's split does.
    if (fault === 'malformed-relayed' && parsed.kind === 'error' && parsed.error.code === 'MISSING_FIELD' && m.name !== undefined) return say(m, text);
    if (parsed.kind === 'error') return fail(m, Status.badRequest, reasons[parsed.error.code] ?? 'bad request');
    const { name, op, msg } = parsed.frame;
    if (/\r/.test(msg)) return fail(m, Status.badRequest, 'bad request: CR inside a frame');
    if (op < 1 || op > 9) return fail(m, Status.badRequest, `bad request: unknown op ${op}`);
    if (m.name === undefined) {
      if (op === 3) return login(m, name);
      if (op === 2) return disconnect(m);
      return fail(m, Status.loginRequired, 'login required');
    }
    if (op === 3) return fail(m, Status.badRequest, 'bad request: already logged in');
    if (name !== m.name) {
      // nameop-spoofing: the bug is trusting the frame's Name instead of the bound one.
      if (fault === 'nameop-spoofing' && op === 1) return relay(m, msg, { ...who(m), name });
      return fail(m, Status.forbidden, 'forbidden: Name is not the name bound to this connection');
    }
    switch (op) {
      case 1:
        return say(m, msg);
      case 2:
        return disconnect(m);
      case 4:
        return reply(m, { type: 'profileUpdated', who: who(m), text: msg });
      case 5:
        return sendPrivate(m, msg);
      case 6:
        return sendToGroup(m, msg);
      case 7:
        return joinGroup(m, msg);
      case 8:
        return reply(m, { type: 'groupList', items: [...groups.keys()] });
      case 9:
        return send(m, { type: 'userList', items: [...room].map((r) => r.name ?? '') });
    }
  };

  /** A reply to m's own command. replies-to-room: the bug is the broadcast helper where a write to m belongs. */
  const reply = (m: Member, event: ServerEvent): void => {
    if (fault !== 'replies-to-room') return send(m, event);
    for (const to of [...room]) send(to, event);
  };

  const login = (m: Member, name: string): void => {
    if (name.startsWith('*')) return fail(m, Status.badRequest, 'bad request: names starting with "*" are reserved');
    if (nameHoldsControl(name)) return fail(m, Status.badRequest, 'bad request: a name holds no control character');
    if (names.has(name)) return fail(m, Status.conflict, 'conflict: name taken');
    names.set(name, m);
    m.name = name;
    enter(m);
  };

  const sendPrivate = (m: Member, msg: string): void => {
    const bar = msg.indexOf('|');
    if (bar < 0) return fail(m, Status.badRequest, 'bad request: expected target|text');
    const target = msg.slice(0, bar);
    const to = isName(target) ? names.get(target) : undefined;
    if (!to) return fail(m, Status.notFound, 'not found: no such user');
    const event: ServerEvent = { type: 'private', who: who(m), target, text: msg.slice(bar + 1) };
    send(to, event);
    if (fault === 'private-leak') {
      // The bug: the first other member also gets it.
      const third = [...room].find((r) => r !== m && r !== to);
      if (third) send(third, event);
    }
  };

  const sendToGroup = (m: Member, msg: string): void => {
    const bar = msg.indexOf('|');
    if (bar < 0) return fail(m, Status.badRequest, 'bad request: expected group|text');
    const group = msg.slice(0, bar);
    const members = groups.get(group);
    if (!members) return fail(m, Status.notFound, 'not found: no such group');
    // group-without-membership-check: the bug is checking only that the group exists.
    if (!members.has(m) && fault !== 'group-without-membership-check') return fail(m, Status.forbidden, 'forbidden: not a member of the group');
    const event: ServerEvent = { type: 'group', who: who(m), group, text: msg.slice(bar + 1) };
    // group-leak: the bug is sending to the room instead of the group.
    for (const to of fault === 'group-leak' ? [...room] : [...members]) send(to, event);
  };

  const joinGroup = (m: Member, group: string): void => {
    if (!isName(group)) return fail(m, Status.badRequest, 'bad request: bad group name');
    let members = groups.get(group);
    if (!members) groups.set(group, (members = new Set()));
    const event: ServerEvent = { type: 'groupJoin', who: who(m), group };
    if (members.has(m)) return send(m, event);
    members.add(m);
    for (const to of members) send(to, event);
  };

  // ---- input --------------------------------------------------------------------

  /**
   * The profile's line deadline: a line must end within lineTimeoutMs of its first byte. After each read,
   * a line still unfinished that began in this read (the buffer was empty, or the read ended a line) gets
   * its own timer; one that was already pending keeps the one it has.
   */
  const watchLine = (m: Member, endedLine: boolean): void => {
    if (profile.lineTimeoutMs === null || !m.live) return;
    if (m.decoder.bufferedBytes === 0) {
      clearTimeout(m.lineTimer);
      m.lineTimer = undefined;
      return;
    }
    // line-deadline-not-rearmed: the bug is a timer cleared only when the buffer empties, so a line
    // that starts in the read that ended the one before inherits that line's deadline.
    if (m.lineTimer !== undefined && (!endedLine || fault === 'line-deadline-not-rearmed')) return;
    clearTimeout(m.lineTimer);
    m.lineTimer = setTimeout(() => disconnect(m), profile.lineTimeoutMs);
    m.lineTimer.unref();
  };

  const armIdle = (m: Member): void => {
    if (idleTimeoutMs === null) return;
    m.idleTimer = setTimeout(() => idle(m), idleTimeoutMs);
    m.idleTimer.unref();
  };

  const handle = (m: Member, text: string): void => {
    if (!m.live) return;
    // partial-line-holds-idle stops the timer while a line is unfinished: only a whole line starts it again.
    if (fault === 'partial-line-holds-idle') {
      clearTimeout(m.idleTimer);
      armIdle(m);
    } else m.idleTimer?.refresh();
    if (nameop) return nameopFrame(m, text);
    if (m.timedOut) {
      // idle-no-disconnect: out of the room, yet its lines are still relayed.
      const bytes = bytesOf({ type: 'chat', who: who(m), text });
      if (bytes) for (const to of [...room]) write(to, bytes);
      return;
    }
    lineCommand(m, text);
  };

  const frame = (m: Member, item: Decoded<LineFrame>): void => {
    if (!m.live) return;
    if (item.kind === 'error') {
      if (fault === 'crash-on-long-line' && item.error.code === 'FRAME_TOO_LONG') {
        // The decoder's limit is CRASH_LINE_BYTES under this fault: this is the crash, not a bound.
        throw new RangeError(`line longer than ${CRASH_LINE_BYTES} bytes`);
      }
      if (item.error.code !== 'FRAME_TOO_LONG') {
        if (nameop) fail(m, Status.badRequest, `bad request: ${item.error.code === 'INVALID_UTF8' ? 'invalid UTF-8' : 'CR inside a frame'}`);
        return; // line dialects drop invalid lines
      }
      if (nameop) fail(m, Status.tooLong, 'frame too long');
      return disconnect(m);
    }
    if (fault === 'leave-before-last-lines') {
      m.delayed.push(item.frame.text);
      setTimeout(() => {
        const text = m.delayed.shift();
        if (text !== undefined) handleLate(m, text);
      }, RELAY_DELAY_MS).unref();
      return;
    }
    handle(m, item.frame.text);
  };

  /** leave-before-last-lines: a delayed line, relayed even after its sender's leave notice. */
  const handleLate = (m: Member, text: string): void => {
    if (m.inRoom) return handle(m, text);
    const command = dialect.parseCommand(text);
    if (command?.type === 'say') relay(m, command.text);
  };

  /** chunk-framing and drop-last-byte: one TCP read is one message (the bug). */
  const chunk = (m: Member, data: Buffer): void => {
    const bytes = fault === 'drop-last-byte' ? data.subarray(0, data.length - 1) : data.at(-1) === 0x0a ? data.subarray(0, data.length - 1) : data;
    handle(m, bytes.toString('utf8'));
  };

  // serial-accept: the bug is reading each connection's first line in the accept loop: a connection
  // is taken in only once the one before it sent a complete line (or closed).
  let blocker: Member | undefined;
  const waiting: Socket[] = [];
  const unblock = (m: Member): void => {
    if (blocker !== m) return;
    blocker = undefined;
    // A real accept loop reads EOF from a connection that closed while it waited and moves on.
    let next = waiting.shift();
    while (next && next.destroyed) next = waiting.shift();
    if (next) takeIn(next);
  };

  const accept = (socket: Socket): void => {
    if (fault === 'serial-accept' && blocker !== undefined) {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        const i = waiting.indexOf(socket);
        if (i >= 0) waiting.splice(i, 1);
      });
      socket.on('error', () => {});
      socket.pause();
      waiting.push(socket);
      return;
    }
    takeIn(socket);
  };

  const takeIn = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const addr = addressOf(socket);
    if (addr === undefined) return void socket.destroy();
    socket.setNoDelay(true);
    const maxFrameBytes = fault === 'crash-on-long-line' ? CRASH_LINE_BYTES : profile.maxLineBytes;
    const m: Member = {
      socket,
      addr,
      name: nameop ? undefined : addr,
      live: true,
      inRoom: false,
      decoder: new LineDecoder({ maxFrameBytes, crlf: 'strip', trailing: 'frame' }),
      idleTimer: undefined,
      held: undefined,
      delayed: [],
      pending: [],
      timedOut: false,
      lineTimer: undefined,
    };
    armIdle(m);
    // The profile's join deadline (login dialects): closed unless logged in by then; join-deadline-ignored never closes.
    if (nameop && profile.joinTimeoutMs !== null && fault !== 'join-deadline-ignored') {
      setTimeout(() => m.live && !m.inRoom && disconnect(m), profile.joinTimeoutMs).unref();
    }
    if (fault === 'serial-accept') {
      blocker = m;
      socket.on('close', () => unblock(m));
    }
    socket.on('data', (data: Buffer) => {
      if (fault === 'serial-accept' && data.includes(0x0a)) queueMicrotask(() => unblock(m));
      if (!m.live) return;
      if (chunked) return chunk(m, data);
      if (options.idleResetsOnRead) m.idleTimer?.refresh();
      let endedLine = false;
      for (const item of m.decoder.push(data)) {
        endedLine = true;
        frame(m, item);
      }
      watchLine(m, endedLine);
      // partial-line-holds-idle: the bug is a timer stopped on every read and restarted by a complete line only.
      if (fault === 'partial-line-holds-idle' && m.decoder.bufferedBytes > 0) clearTimeout(m.idleTimer);
    });
    if (fault === 'serial-accept') socket.resume(); // paused while it waited, now that 'data' is heard
    socket.on('end', () => {
      // The last line may lack its LF; it still comes before the leave notice.
      if (m.live && !chunked) for (const item of m.decoder.end()) frame(m, item);
      if (m.timedOut) return void socket.end();
      disconnect(m);
    });
    socket.on('close', () => {
      clearTimeout(m.idleTimer);
      clearTimeout(m.lineTimer);
      if (m.live) disconnect(m);
      m.live = false;
    });
    if (!nameop) {
      if (dialect.hasNotice('welcome')) send(m, { type: 'welcome', who: who(m) });
      enter(m);
    }
  };

  const server = createServer({ allowHalfOpen: true }, accept);
  const running = await listenTarget(server, sockets, options.port);
  return { ...running, url: `127.0.0.1:${running.port}` };
}
