// Line dialects (gopl-en, gopl-zh, who-rename and custom line profiles): a
// member joins on connect, identified by ADDR and a name (initially ADDR);
// each client line is read through the profile: say, who, rename or quit.
import { type Decoded, type LineFrame, LineDecoder } from '../codec/index.js';
import type { ServerEvent, Who } from '../profile/types.js';
import type { Client } from './client.js';
import type { LeaveReason } from './log.js';
import { BaseSession } from './base-session.js';
import { Room } from './room.js';
import { noticeBytes, type ServerContext, type SessionFactory } from './session.js';

export function lineSessions(ctx: ServerContext): SessionFactory {
  const room = new Room<LineSession>();
  return (client) => new LineSession(client, ctx, room);
}

class LineSession extends BaseSession<LineFrame> {
  /** Set by rename; notices name the member by it where the profile says {name}. */
  private name: string;

  constructor(
    client: Client,
    ctx: ServerContext,
    private readonly room: Room<LineSession>,
  ) {
    super(client, ctx, new LineDecoder({ maxFrameBytes: ctx.limits.maxLineBytes, crlf: 'strip', trailing: 'frame' }));
    this.name = client.addr;
  }

  protected get logName(): string {
    return this.name;
  }

  private get who(): Who {
    return { addr: this.client.addr, name: this.name };
  }

  override start(): void {
    super.start();
    const { dialect } = this.ctx;
    this.sendIfDefined({ type: 'welcome', who: this.who });
    this.room.add(this);
    this.joined();
    const join = dialect.hasNotice('join') ? noticeBytes(dialect, { type: 'join', who: this.who }) : undefined;
    if (join) this.room.broadcast(join, dialect.profile.selfJoin ? undefined : this);
  }

  protected receive(item: Decoded<LineFrame>): void {
    if (item.kind === 'error') {
      // An over-long line ends the session (as Go's line scanner does); other bad lines are ignored.
      if (item.error.code === 'FRAME_TOO_LONG') this.disconnect('tooLong');
      return;
    }
    const { text } = item.frame;
    const command = this.ctx.dialect.parseCommand(text);
    switch (command?.type) {
      case 'who':
        return this.listMembers();
      case 'rename':
        return this.rename(command.newName);
      case 'quit':
        return this.disconnect('quit');
      case 'say':
        return this.say(command.text);
      default:
        // Commands a line server does not implement (private, groups...) are said as they were typed.
        return this.say(text);
    }
  }

  private say(text: string): void {
    const { dialect } = this.ctx;
    const bytes = noticeBytes(dialect, { type: 'chat', who: this.who, text });
    // A text the codec cannot frame as one line (a CR inside) is dropped like invalid UTF-8.
    if (bytes) this.room.broadcast(bytes, dialect.profile.echo ? undefined : this);
  }

  private listMembers(): void {
    this.sendIfDefined({ type: 'whoHeader' });
    if (!this.ctx.dialect.hasNotice('whoEntry')) return;
    for (const member of this.room.list()) this.sendIfDefined({ type: 'whoEntry', who: member.who });
  }

  private rename(newName: string): void {
    // A CR would make every later notice naming this member unframeable, its leave notice included.
    if (newName.includes('\r')) return;
    this.name = newName;
    this.sendIfDefined({ type: 'renamed', who: this.who });
  }

  protected depart(reason: LeaveReason, announce: boolean): void {
    this.room.remove(this);
    if (!announce) return;
    const { dialect } = this.ctx;
    const type = reason === 'idle' && dialect.hasNotice('idleLeave') ? 'idleLeave' : 'leave';
    if (!dialect.hasNotice(type)) return;
    const bytes = noticeBytes(dialect, { type, who: this.who });
    if (bytes) this.room.broadcast(bytes);
  }

  private sendIfDefined(event: ServerEvent): void {
    if (!this.ctx.dialect.hasNotice(event.type)) return;
    const bytes = noticeBytes(this.ctx.dialect, event);
    if (bytes) this.client.send(bytes);
  }
}
