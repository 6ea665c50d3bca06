// spec/core.md, Commands: a reply to one member's command (lists, errors,
// acknowledgements) is not a room event; it reaches the requester alone.
import { defineCase } from '../../src/runner/case.js';
import type { TestClient } from '../../src/runner/client.js';
import type { CaseContext } from '../../src/runner/context.js';
import type { ServerEventType } from '../../src/profile/types.js';
import { namingLine } from '../ident/names.js';

/** The notices that answer a member-list command, whichever the dialect has. */
export const LIST_REPLIES = ['whoHeader', 'whoEntry', 'userList'] as const satisfies readonly ServerEventType[];

/** One command whose answer goes to the requester alone, and the notices that answer it. */
interface Ask {
  readonly what: string;
  readonly replies: readonly ServerEventType[];
  send(a: TestClient): Promise<void>;
}

/** The requester-only commands this profile has, each with a reply notice the profile can read. */
function asks(ctx: CaseContext): Ask[] {
  const d = ctx.dialect;
  const has = (type: ServerEventType): boolean => d.hasNotice(type);
  const out: Ask[] = [];
  if (d.hasCommand('who') && LIST_REPLIES.some(has)) {
    out.push({ what: 'the member list', replies: LIST_REPLIES, send: (a) => a.command({ type: 'who', name: a.name }) });
  }
  if (d.hasCommand('groupList') && has('groupList')) {
    out.push({ what: 'the group list', replies: ['groupList'], send: (a) => a.command({ type: 'groupList', name: a.name }) });
  }
  if (d.hasCommand('profile') && has('profileUpdated')) {
    out.push({ what: 'the profile-update acknowledgement', replies: ['profileUpdated'], send: (a) => a.command({ type: 'profile', text: ctx.text('profile'), name: a.name }) });
  }
  if (has('error')) {
    if (d.hasCommand('private')) {
      out.push({ what: 'the error for a private message to nobody', replies: ['error'], send: (a) => a.command({ type: 'private', target: ctx.name('nobody'), text: ctx.text('to nobody'), name: a.name }) });
    }
    const refused = ['', ' ', '!', '~ ~', 'x'.repeat(300)].find((n) => !d.patterns.name.test(n));
    if (d.hasCommand('rename') && refused !== undefined) {
      // A name the profile's own pattern refuses: a server that answers it at all answers with an error.
      out.push({ what: 'the error for a rename to a bad name', replies: ['error'], send: (a) => a.sendLine(namingLine(ctx, 'rename', refused)) });
    }
    if (ctx.profile.framing === 'nameop') {
      // An unknown op: error 400 (nameop.md, Errors).
      out.push({ what: 'the error for an unknown op', replies: ['error'], send: (a) => a.sendLine(`${a.name ?? ''}|42|`) });
    }
  }
  return out;
}

export const replyAudience = defineCase({
  id: 'cmd/reply-audience',
  title: "Replies to one member's commands (lists, acknowledgements, errors) reach that member only",
  requirements: ['CMD-8'],
  async run(ctx) {
    const list = asks(ctx);
    const renames = ctx.dialect.hasCommand('rename') && ctx.dialect.hasNotice('renamed') && ctx.profile.renameAudience !== 'room';
    if (list.length === 0 && !renames) ctx.skip('the profile has no command answered to the requester alone (member or group list, profile update, rename acknowledged to the requester, an error it can provoke)');
    const [a, b, c] = [await ctx.join('a'), await ctx.join('b'), await ctx.join('c')];
    const others = [b, c];
    const from = others.map((m) => m.received.length);
    const aFrom = a.received.length;
    for (const ask of list) await ask.send(a);
    const replyTypes = new Set<ServerEventType>(list.flatMap((ask) => ask.replies));
    if (renames) {
      // Last, so every earlier command carries the name a logged in with.
      replyTypes.add('renamed');
      const newName = ctx.name('renamed');
      await a.command({ type: 'rename', newName });
      await ctx.waitUntil(() => a.isClosed || a.received.slice(aFrom).some((r) => r.event?.type === 'renamed'));
      a.name = newName;
    }
    // Each reply the requester is owed, or one wait: then a barrier from the requester, which the server
    // handles after every command above, so anything it sent b or c for them has arrived.
    const answered = (ask: Ask): boolean => a.received.slice(aFrom).some((r) => r.event !== undefined && ask.replies.includes(r.event.type));
    await ctx.waitUntil(() => a.isClosed || list.every(answered));
    await ctx.sync([a, b, c]);
    for (const [i, m] of others.entries()) {
      const leaked = m.received.slice(from[i]).filter((r) => r.event !== undefined && replyTypes.has(r.event.type));
      if (leaked.length === 0) continue;
      const kinds = [...new Set(leaked.map((r) => r.event!.type))];
      const asked = [...list.filter((ask) => ask.replies.some((t) => kinds.includes(t))).map((ask) => ask.what), ...(kinds.includes('renamed') ? ['the rename acknowledgement'] : [])];
      ctx.violate('CMD-8', `${m.label} received ${asked.join(', ')} meant for ${a.label}`, { expected: `nothing on ${m.label}`, actual: leaked.slice(0, 3).map((r) => JSON.stringify(r.line)).join(', ') });
    }
  },
});
