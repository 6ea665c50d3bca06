// Line dialects (gopl-en, gopl-zh, who-rename and custom line profiles): a
// member joins as the profile's joinOn says (on connect, at its login command,
// or when it answers the name prompt), identified by ADDR and a name (ADDR,
// the name it chose, or a guest name this server assigns); each member line
// is read through the profile: say, who, rename or quit.
import { nameHoldsControl } from '../codec/index.js';
import type { ServerEvent, Who } from '../profile/types.js';
import type { Client } from './client.js';
import type { LeaveReason } from './log.js';
import { BaseSession, LINE_TOO_LONG, type LineItem, scannerInput } from './base-session.js';
import { Room } from './room.js';
import { parseTemplate } from '../profile/index.js';
import { GuestNames } from './guest-names.js';
import { noticeBytes, type ServerContext, type SessionFactory } from './session.js';

export function lineSessions(ctx: ServerContext): SessionFactory {
  const room = new Room<LineSession>(ctx.scheduler);
  const names = new GuestNames(ctx.dialect);
  return (client) => new LineSession(client, ctx, room, names);
}

/** Fixed lines (banner, ignore): the template's literal text, {*} rendered as nothing. */
function fixedLine(template: string): Buffer {
  return Buffer.from(parseTemplate(template).map((p) => (p.kind === 'literal' ? p.text : '')).join('') + '\n', 'utf8');
}

class LineSession extends BaseSession<LineItem> {
  /** Set by rename; notices name the member by it where the profile says {name}. */
  private name: string;
  /** Until the member has joined: what its next line is expected to be (joinOn prompt or login, or identity name on connect). */
  private naming: 'prompt' | 'login' | 'rename' | undefined;

  constructor(
    client: Client,
    ctx: ServerContext,
    private readonly room: Room<LineSession>,
    private readonly guests: GuestNames,
  ) {
    super(client, ctx, (deliver) => scannerInput(ctx.limits.maxLineBytes, deliver));
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
    const { profile } = this.ctx.dialect;
    for (const line of profile.banner) this.client.send(fixedLine(line));
    if (profile.joinOn === 'prompt') {
      this.naming = 'prompt';
      // The prompt is left waiting without LF, as servers that read the answer on the same line do.
      this.client.send(Buffer.from(this.ctx.dialect.render({ type: 'prompt' }), 'utf8'));
    } else if (profile.joinOn === 'login') this.naming = 'login';
    else if (profile.identity === 'name') this.naming = 'rename';
    else this.enter();
  }

  /** Becomes a member: welcome, room, join notice, then the profile's first ignored line (an input prompt, say). */
  private enter(): void {
    const { dialect } = this.ctx;
    this.naming = undefined;
    if (dialect.profile.identity === 'assigned') this.name = this.guests.next();
    this.sendIfDefined({ type: 'welcome', who: this.who });
    this.room.add(this);
    this.joined();
    const join = dialect.hasNotice('join') ? noticeBytes(dialect, { type: 'join', who: this.who }) : undefined;
    if (join) this.room.broadcast(join, dialect.profile.selfJoin ? undefined : this);
    const ignored = dialect.profile.ignore[0];
    if (ignored !== undefined) this.client.send(fixedLine(ignored));
  }

  /** A line before membership: the name (prompt), the login command, or the naming rename. */
  private name_(text: string): void {
    const { dialect } = this.ctx;
    let name: string | undefined;
    if (this.naming === 'prompt') name = text;
    else {
      const command = dialect.parseCommand(text);
      if (this.naming === 'login' && command?.type === 'login') name = command.name;
      else if (this.naming === 'rename' && command?.type === 'rename') name = command.newName;
    }
    // Assigned names ignore what the client answers; chosen ones must fit the profile's pattern.
    const acceptable = dialect.profile.identity === 'assigned' || (name !== undefined && dialect.patterns.name.test(name) && !nameHoldsControl(name));
    if (!acceptable) {
      this.sendIfDefined({ type: 'error', code: 400, text: name === undefined ? 'not a member yet' : 'bad name' });
      if (this.naming === 'prompt') this.client.send(Buffer.from(dialect.render({ type: 'prompt' }), 'utf8'));
      return;
    }
    if (dialect.profile.identity !== 'assigned') this.name = name!;
    if (this.naming === 'rename') this.sendIfDefined({ type: 'renamed', who: this.who, oldName: this.client.addr });
    this.enter();
  }

  protected receive(text: LineItem): void {
    if (typeof text !== 'string') {
      // An over-long line ends the session (as Go's line scanner does); other bad lines are ignored.
      if (text === LINE_TOO_LONG) this.disconnect('tooLong');
      return;
    }
    if (this.naming !== undefined) return this.name_(text);
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
    // A CR would make every later notice naming this member unframeable, its leave notice included; other controls hide or repaint it (IDENT-6).
    if (nameHoldsControl(newName)) return;
    const oldName = this.name;
    this.name = newName;
    const { dialect } = this.ctx;
    if (dialect.profile.renameAudience === 'room') {
      const bytes = dialect.hasNotice('renamed') ? noticeBytes(dialect, { type: 'renamed', who: this.who, oldName }) : undefined;
      if (bytes) this.room.broadcast(bytes);
    } else this.sendIfDefined({ type: 'renamed', who: this.who, oldName });
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
