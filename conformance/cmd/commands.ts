// spec/core.md, Commands: who / list users, rename, private and group messages.
import { defineCase } from '../../src/runner/case.js';
import type { TestClient } from '../../src/runner/client.js';
import { expectDelivery } from '../../src/runner/delivery.js';
import type { ServerEvent } from '../../src/profile/types.js';
import { memberList } from './lists.js';

export const who = defineCase({
  id: 'cmd/who',
  title: 'The member list names exactly the current members, once each, to the requester only',
  requirements: ['CMD-1'],
  needs: ['command:who'],
  async run(ctx) {
    const members = [await ctx.join('a'), await ctx.join('b'), await ctx.join('c')];
    const [a, b] = members as [TestClient, TestClient, TestClient];
    const bBefore = b.received.length;
    const listed = await memberList(ctx, a);
    if (listed === undefined) return ctx.fail('CMD-1', 'no member list arrived', { expected: 'a member list', actual: recent(a) });
    for (const m of members) {
      const n = listed.filter((w) => ctx.isAbout(w, m)).length;
      if (n !== 1) ctx.violate('CMD-1', `${m.label} is listed ${n} time(s)`, { expected: '1', actual: listed.map(show).join(', ') });
    }
    await ctx.sync([a, b]);
    const leaked = b.received.slice(bBefore).filter((r) => r.event?.type === 'whoHeader' || r.event?.type === 'whoEntry' || r.event?.type === 'userList');
    if (leaked.length) ctx.violate('CMD-1', `${b.label} received a member list it did not ask for`, { expected: 'nothing', actual: leaked.map((r) => JSON.stringify(r.line)).join(', ') });
  },
});

export const rename = defineCase({
  id: 'cmd/rename',
  title: 'rename is acknowledged to the requester only (or to the room, as the profile says) and later notices carry the new name',
  requirements: ['CMD-2', 'CHAT-4'],
  needs: ['command:rename'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    // Only what follows the rename is its acknowledgement: where members name themselves right after
    // connecting (joinOn connect, identity name), a and b already hold the notices of those renames.
    const aBefore = a.received.length;
    const bBefore = b.received.length;
    const newName = ctx.name('nick');
    const oldName = a.name;
    const expected = ctx.dialect.render({ type: 'renamed', who: { ...ctx.whoOf(a), name: newName }, ...(oldName !== undefined ? { oldName } : {}) });
    await a.command({ type: 'rename', newName });
    const toA = (): typeof a.received => a.received.slice(aBefore).filter((r) => r.event?.type === 'renamed');
    const acked = await ctx.waitUntil(() => toA().length > 0);
    if (!acked) ctx.violate('CMD-2', 'rename was not acknowledged', { expected, actual: recent(a) });
    a.name = newName;
    const text = ctx.text('after rename');
    await ctx.say(a, text);
    await expectDelivery(ctx, [{ from: a, text }], [a, b], { missing: 'CMD-2', duplicate: 'CHAT-1', altered: 'CHAT-3', order: 'ORDER-1', sender: 'CMD-2' });
    const toB = b.received.slice(bBefore).filter((r) => r.event?.type === 'renamed');
    if (ctx.profile.renameAudience === 'room') {
      // Announced to the room (IRC's "* old is now known as new"): b holds exactly one, naming both names where the template does.
      if (toB.length !== 1) ctx.violate('CMD-2', `${b.label} received ${toB.length} announcement(s) of ${a.label}'s rename`, { expected: `1 × ${JSON.stringify(expected)}`, actual: toB.length ? toB.map((r) => JSON.stringify(r.line)).join(', ') : recent(b) });
      for (const [m, lines] of [[a, toA()], [b, toB]] as const) {
        const wrong = lines.filter((r) => r.event?.type === 'renamed' && ((r.event.who.name !== undefined && r.event.who.name !== newName) || (r.event.oldName !== undefined && r.event.oldName !== oldName)));
        if (wrong.length) ctx.violate('CMD-2', `the rename announcement ${m.label} received names the wrong member`, { expected, actual: JSON.stringify(wrong[0]!.line) });
      }
    } else if (toB.length) ctx.violate('CMD-2', `${b.label} received the rename acknowledgement meant for ${a.label}`, { expected: 'nothing', actual: JSON.stringify(toB[0]!.line) });
    // Every later notice naming a carries the new name: its entry in the member list, its leave notice.
    if (ctx.dialect.hasCommand('who')) {
      const listed = await memberList(ctx, b);
      const entries = (listed ?? []).filter((w) => ctx.isAbout(w, a));
      if (listed !== undefined && entries.some((w) => w.name !== undefined && w.name !== newName)) {
        ctx.violate('CMD-2', `the member list names ${a.label} by its old name after its rename`, { expected: `${a.label} listed as ${JSON.stringify(newName)}`, actual: entries.map(show).join(', ') });
      }
    }
    if (ctx.dialect.hasNotice('leave')) {
      await ctx.leave(a, 'fin');
      await ctx.waitForNotice('leave', () => ctx.eventsAbout(b, 'leave', a) > 0);
      const notice = b.events.find((e) => e.type === 'leave' && ctx.isAbout(e.who, a));
      if (notice?.type === 'leave' && notice.who.name !== undefined && notice.who.name !== newName) {
        ctx.violate('CMD-2', `${a.label}'s leave notice names it by its old name after its rename`, { expected: ctx.dialect.render({ type: 'leave', who: ctx.whoOf(a) }), actual: ctx.dialect.render(notice) });
      }
    }
  },
});

export const privateMessage = defineCase({
  id: 'cmd/private',
  title: 'A private message reaches its target exactly once and no one else',
  requirements: ['CMD-3'],
  needs: ['command:private', 'notice:private'],
  async run(ctx) {
    const [a, b, c] = [await ctx.join('a'), await ctx.join('b'), await ctx.join('c')];
    const texts = [ctx.text('psst'), ctx.text('with | pipes | inside')];
    for (const text of texts) await a.command({ type: 'private', target: b.name!, text, name: a.name });
    const isOurs = (e: ServerEvent | undefined, text: string): boolean => e?.type === 'private' && e.text === text && e.who.name === a.name;
    await ctx.waitUntil(() => texts.every((t) => b.received.some((r) => isOurs(r.event, t))));
    await ctx.sync([a, b, c]);
    for (const text of texts) {
      const counts = [a, b, c].map((m) => m.received.filter((r) => isOurs(r.event, text)).length);
      if (counts[1] !== 1) ctx.violate('CMD-3', `the target received a private message ${counts[1]} time(s)`, { expected: `1 × ${JSON.stringify(ctx.dialect.render({ type: 'private', who: ctx.whoOf(a), target: b.name!, text }))}`, actual: `${counts[1]}` });
      if (counts[2]! > 0) ctx.violate('CMD-3', `a third member received a private message for ${b.label}`, { expected: '0', actual: `${counts[2]}` });
      if (counts[0]! > 0) ctx.violate('CMD-3', 'the sender received its own private message back', { expected: '0', actual: `${counts[0]}` });
      const asChat = c.received.filter((r) => r.event?.type === 'chat' && r.event.text.includes(text));
      if (asChat.length) ctx.violate('CMD-3', 'a private message was broadcast to the room as chat', { expected: 'nothing on c', actual: JSON.stringify(asChat[0]!.line) });
    }
  },
});

export const privateUnknown = defineCase({
  id: 'cmd/private-unknown-target',
  title: 'A private message to an unknown member is answered with an error to the sender only',
  requirements: ['CMD-6'],
  needs: ['command:private', 'notice:error'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const before = b.received.length;
    const errors = (): Extract<ServerEvent, { type: 'error' }>[] => a.events.filter((e): e is Extract<ServerEvent, { type: 'error' }> => e.type === 'error');
    const nameop = ctx.profile.framing === 'nameop';
    await a.command({ type: 'private', target: ctx.name('nobody'), text: ctx.text('hello?'), name: a.name });
    const ok = await ctx.waitUntil(() => errors().length >= 1);
    if (!ok) ctx.violate('CMD-6', 'no error for a private message to an unknown member', { expected: 'an error reply', actual: recent(a) });
    // nameop: the code is 404, and an empty target is a name nobody holds too (spec/nameop.md, Errors).
    if (nameop && ok) {
      await a.sendLine(`${a.name}|5||${ctx.text('to nobody')}`);
      if (!(await ctx.waitUntil(() => errors().length >= 2))) ctx.violate('CMD-6', 'no error for a private message to an empty target', { expected: '*|0|404|...', actual: recent(a) });
      const codes = errors().map((e) => e.code);
      if (codes.some((c) => c !== undefined && c !== 404)) ctx.violate('CMD-6', 'a private message to a name nobody holds got another error than 404', { expected: '404, 404', actual: codes.join(', ') });
    }
    await ctx.sync([a, b]);
    if (b.received.slice(before).some((r) => r.event?.type === 'error')) ctx.violate('CMD-6', 'another member received the error', { expected: 'nothing', actual: recent(b) });
  },
});

export const groups = defineCase({
  id: 'cmd/groups',
  title: 'A group is created on join, listed, and its messages reach exactly its members',
  requirements: ['CMD-4', 'CMD-5'],
  needs: ['command:groupJoin', 'command:group', 'notice:group'],
  async run(ctx) {
    const [a, b, c] = [await ctx.join('a'), await ctx.join('b'), await ctx.join('c')];
    const group = ctx.name('g');
    for (const m of [a, b]) {
      await m.command({ type: 'groupJoin', group, name: m.name });
      const ok = await ctx.waitUntil(() => m.events.some((e) => e.type === 'groupJoin' && e.group === group && e.who.name === m.name));
      if (!ok) ctx.fail('CMD-5', `${m.label} joining group ${group} was not acknowledged`, { expected: ctx.dialect.render({ type: 'groupJoin', who: ctx.whoOf(m), group }), actual: recent(m) });
    }
    if (ctx.dialect.hasCommand('groupList') && ctx.dialect.hasNotice('groupList')) {
      const start = c.received.length;
      await c.command({ type: 'groupList', name: c.name });
      const ok = await ctx.waitUntil(() => c.received.slice(start).some((r) => r.event?.type === 'groupList'));
      const list = c.received.slice(start).find((r) => r.event?.type === 'groupList')?.event;
      if (!ok || list?.type !== 'groupList' || !list.items.includes(group)) {
        ctx.violate('CMD-5', `the group list does not include ${group}`, { expected: group, actual: list?.type === 'groupList' ? list.items.join(', ') || '(empty)' : recent(c) });
      }
    }
    const text = ctx.text('to the group | only');
    await a.command({ type: 'group', group, text, name: a.name });
    const isIt = (e: ServerEvent | undefined): boolean => e?.type === 'group' && e.group === group && e.text === text && e.who.name === a.name;
    await ctx.waitUntil(() => [a, b].every((m) => m.received.some((r) => isIt(r.event))));
    await ctx.sync([a, b, c]);
    for (const [m, want] of [[a, 1], [b, 1], [c, 0]] as const) {
      const n = m.received.filter((r) => isIt(r.event)).length;
      if (n !== want) ctx.violate('CMD-4', `${m.label} (${want ? 'a member' : 'not a member'} of ${group}) received the group message ${n} time(s)`, { expected: `${want}`, actual: `${n}` });
    }
  },
});

function recent(c: TestClient): string {
  return c.received.slice(-3).map((r) => JSON.stringify(r.line)).join(', ') || 'nothing';
}

function show(w: { addr?: string; name?: string }): string {
  return w.name ?? w.addr ?? '?';
}


export const groupNonMember = defineCase({
  id: 'cmd/group-non-member',
  title: 'A group message from a member outside the group is refused and not relayed',
  requirements: ['CMD-7'],
  needs: ['command:groupJoin', 'command:group', 'notice:group', 'notice:error'],
  async run(ctx) {
    const [a, c] = [await ctx.join('a'), await ctx.join('c')];
    const group = ctx.name('g');
    await a.command({ type: 'groupJoin', group, name: a.name });
    const joined = await ctx.waitUntil(() => a.events.some((e) => e.type === 'groupJoin' && e.group === group));
    if (!joined) return ctx.inconclusive(`joining group ${group} was not acknowledged`);
    const errorsBefore = c.events.filter((e) => e.type === 'error').length;
    const text = ctx.text('from outside the group');
    await c.command({ type: 'group', group, text, name: c.name });
    await ctx.waitUntil(() => c.events.filter((e) => e.type === 'error').length > errorsBefore || a.events.some((e) => e.type === 'group' && e.text === text));
    await ctx.sync([a, c]);
    const relayed = [a, c].filter((m) => m.events.some((e) => e.type === 'group' && e.text === text));
    if (relayed.length) ctx.violate('CMD-7', `a group message from ${c.label}, not in ${group}, was relayed`, { expected: 'not relayed', actual: relayed.map((m) => `${m.label} received it`).join(', ') });
    const errors = (): Extract<ServerEvent, { type: 'error' }>[] => c.events.filter((e): e is Extract<ServerEvent, { type: 'error' }> => e.type === 'error').slice(errorsBefore);
    if (errors().length === 0) return ctx.violate('CMD-7', 'the refused group message got no error', { expected: 'an error frame to the sender', actual: recent(c) });
    if (ctx.profile.framing !== 'nameop') return;
    // nameop: 403 for a group the sender is not in; 404 for one that does not exist, the empty group included.
    await c.command({ type: 'group', group: ctx.name('nogroup'), text, name: c.name });
    await c.sendLine(`${c.name}|6||${text}`);
    await ctx.waitUntil(() => errors().length >= 3);
    await ctx.sync([a, c]);
    const codes = errors().map((e) => e.code);
    const expected = [403, 404, 404];
    if (codes.length !== 3 || codes.some((code, i) => code !== undefined && code !== expected[i])) {
      ctx.violate('CMD-7', 'group messages the server must refuse got other errors than the spec names', { expected: '403 (not a member), 404 (no such group), 404 (empty group)', actual: codes.join(', ') || 'none' });
    }
    if ([a, c].some((m) => m.events.some((e) => e.type === 'group' && e.text === text && e.group !== group))) ctx.violate('CMD-7', 'a group message to a group that does not exist was relayed', { expected: 'not relayed', actual: recent(a) });
  },
});
