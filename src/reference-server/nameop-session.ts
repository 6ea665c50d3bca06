// The canonical nameop protocol (Name|Op|Msg + LF both ways): a connection
// binds a name at login and becomes a member; every later frame must carry
// that name. Errors go to the offending connection only, as `*|0|CODE|reason`.
import { type CodecErrorCode, type Decoded, MAX_NAME_BYTES, type NameopFrame, NameopDecoder, nameHoldsControl } from '../codec/index.js';
import type { ServerEvent, Who } from '../profile/types.js';
import type { Client } from './client.js';
import type { LeaveReason } from './log.js';
import { BaseSession, decoderInput } from './base-session.js';
import { NameopDirectory } from './nameop-directory.js';
import { noticeBytes, type ServerContext, type SessionFactory } from './session.js';

/** Client ops, numbered as the public project behind seed 001. */
export const NameopOp = {
  say: 1,
  quit: 2,
  login: 3,
  profile: 4,
  private: 5,
  group: 6,
  groupJoin: 7,
  groupList: 8,
  userList: 9,
} as const;

export const NameopStatus = {
  badRequest: 400,
  loginRequired: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  tooLong: 413,
  serverFull: 503,
} as const;

/** Names starting with `*` are the server's own (`*|0|...`, `*|8|...`). */
const isReserved = (name: string): boolean => name.startsWith('*');

/** A group or target name under the same rule as Name: 1..64 bytes, no "|", CR or LF. */
const isName = (text: string): boolean =>
  text.length > 0 && Buffer.byteLength(text, 'utf8') <= MAX_NAME_BYTES && !/[|\r\n]/.test(text);

const decodingReasons: Partial<Record<CodecErrorCode, string>> = {
  MISSING_FIELD: 'bad request: expected Name|Op|Msg',
  BAD_OP: 'bad request: Op must be 1 to 9 decimal digits',
  BAD_NAME: 'bad request: Name must be 1 to 64 bytes without "|", CR or LF',
  INVALID_UTF8: 'bad request: invalid UTF-8',
  BARE_CR: 'bad request: CR inside a frame',
};

export function nameopSessions(ctx: ServerContext): SessionFactory {
  const directory = new NameopDirectory<NameopSession>(ctx.scheduler);
  return (client) => new NameopSession(client, ctx, directory);
}

class NameopSession extends BaseSession<Decoded<NameopFrame>> {
  /** Bound at login; undefined until then. */
  private name: string | undefined;

  constructor(
    client: Client,
    ctx: ServerContext,
    private readonly directory: NameopDirectory<NameopSession>,
  ) {
    super(client, ctx, (deliver) => decoderInput(new NameopDecoder({ maxFrameBytes: ctx.limits.maxLineBytes, crlf: 'strip', trailing: 'frame' }), deliver));
  }

  protected get logName(): string {
    return this.name ?? this.client.addr;
  }

  private get who(): Who {
    return { name: this.name ?? '', addr: this.client.addr };
  }

  protected receive(item: Decoded<NameopFrame>): void {
    if (item.kind === 'error') {
      if (item.error.code !== 'FRAME_TOO_LONG') {
        return this.fail(NameopStatus.badRequest, decodingReasons[item.error.code] ?? `bad request: ${item.error.message}`);
      }
      this.fail(NameopStatus.tooLong, 'frame too long');
      return this.disconnect('tooLong');
    }
    const { name, op, msg } = item.frame;
    // The decoder keeps a CR that is not right before the LF; no reply could carry it.
    if (msg.includes('\r')) return this.fail(NameopStatus.badRequest, 'bad request: CR inside a frame');
    if (op < NameopOp.say || op > NameopOp.userList) return this.fail(NameopStatus.badRequest, `bad request: unknown op ${op}`);

    if (this.name === undefined) {
      if (op === NameopOp.login) return this.login(name);
      if (op === NameopOp.quit) return this.disconnect('quit');
      return this.fail(NameopStatus.loginRequired, 'login required');
    }
    if (op === NameopOp.login) return this.fail(NameopStatus.badRequest, 'bad request: already logged in');
    if (name !== this.name) return this.fail(NameopStatus.forbidden, 'forbidden: Name is not the name bound to this connection');

    switch (op) {
      case NameopOp.say:
        return this.say(msg);
      case NameopOp.quit:
        return this.disconnect('quit');
      case NameopOp.profile:
        return this.reply({ type: 'profileUpdated', who: this.who, text: msg });
      case NameopOp.private:
        return this.sendPrivate(msg);
      case NameopOp.group:
        return this.sendToGroup(msg);
      case NameopOp.groupJoin:
        return this.joinGroup(msg);
      case NameopOp.groupList:
        return this.reply({ type: 'groupList', items: this.directory.groupNames() });
      case NameopOp.userList:
        return this.reply({ type: 'userList', items: this.directory.room.list().map((m) => m.name ?? '') });
    }
  }

  private login(name: string): void {
    if (isReserved(name)) return this.fail(NameopStatus.badRequest, 'bad request: names starting with "*" are reserved');
    if (nameHoldsControl(name)) return this.fail(NameopStatus.badRequest, 'bad request: a name holds no control character');
    if (!this.directory.login(this, name)) return this.fail(NameopStatus.conflict, 'conflict: name taken');
    this.name = name;
    this.joined();
    const { dialect } = this.ctx;
    const join = noticeBytes(dialect, { type: 'join', who: this.who });
    if (join) this.directory.room.broadcast(join, dialect.profile.selfJoin ? undefined : this);
  }

  private say(text: string): void {
    const { dialect } = this.ctx;
    const bytes = noticeBytes(dialect, { type: 'chat', who: this.who, text });
    if (bytes) this.directory.room.broadcast(bytes, dialect.profile.echo ? undefined : this);
  }

  /** Msg = target|text: the target alone receives it. */
  private sendPrivate(msg: string): void {
    const bar = msg.indexOf('|');
    if (bar < 0) return this.fail(NameopStatus.badRequest, 'bad request: expected target|text');
    const target = msg.slice(0, bar);
    const recipient = isName(target) ? this.directory.memberNamed(target) : undefined;
    if (!recipient) return this.fail(NameopStatus.notFound, 'not found: no such user');
    const bytes = noticeBytes(this.ctx.dialect, { type: 'private', who: this.who, target, text: msg.slice(bar + 1) });
    if (bytes) recipient.client.send(bytes);
  }

  /** Msg = group|text: every member of the group, the sender included. */
  private sendToGroup(msg: string): void {
    const bar = msg.indexOf('|');
    if (bar < 0) return this.fail(NameopStatus.badRequest, 'bad request: expected group|text');
    const group = msg.slice(0, bar);
    const members = this.directory.group(group);
    if (!members) return this.fail(NameopStatus.notFound, 'not found: no such group');
    if (!members.has(this)) return this.fail(NameopStatus.forbidden, 'forbidden: not a member of the group');
    const bytes = noticeBytes(this.ctx.dialect, { type: 'group', who: this.who, group, text: msg.slice(bar + 1) });
    if (bytes) for (const member of members) member.client.send(bytes);
  }

  /** Msg = group: created if absent; every member of it, the joiner included, sees the join. */
  private joinGroup(group: string): void {
    if (!isName(group)) return this.fail(NameopStatus.badRequest, 'bad request: group must be 1 to 64 bytes without "|"');
    const outcome = this.directory.joinGroup(this, group);
    if (outcome === 'full') return this.fail(NameopStatus.serverFull, 'server full: too many groups');
    const bytes = noticeBytes(this.ctx.dialect, { type: 'groupJoin', who: this.who, group });
    if (!bytes) return;
    // Joining again is acknowledged to the joiner alone: the others already know.
    if (outcome === 'already') this.client.send(bytes);
    else for (const member of this.directory.group(group) ?? []) member.client.send(bytes);
  }

  protected depart(reason: LeaveReason, announce: boolean): void {
    if (this.name === undefined) return;
    this.directory.logout(this, this.name);
    if (!announce) return;
    const bytes = noticeBytes(this.ctx.dialect, { type: 'leave', who: this.who });
    if (bytes) this.directory.room.broadcast(bytes);
  }

  private reply(event: ServerEvent): void {
    const bytes = noticeBytes(this.ctx.dialect, event);
    if (bytes) this.client.send(bytes);
  }

  private fail(code: number, text: string): void {
    this.reply({ type: 'error', code, text });
  }
}
