// spec/nameop.md, Identity: a name bound at login belongs to its connection.
import { defineCase } from '../../src/runner/case.js';
import type { TestClient } from '../../src/runner/client.js';
import type { CaseContext } from '../../src/runner/context.js';

const sawChat = (ctx: CaseContext, m: TestClient, text: string): boolean => m.events.some((e) => e.type === 'chat' && e.text === text);
/** The codes of the error notices a client received, from index `from` of its events on (undefined: the dialect's errors carry none). */
const errorCodes = (m: TestClient, from = 0): (number | undefined)[] => m.events.slice(from).flatMap((e) => (e.type === 'error' ? [e.code] : []));
/** A code that is not the one the spec names; a dialect whose errors carry no code cannot be wrong here. */
const wrongCode = (want: number) => (code: number | undefined): boolean => code !== undefined && code !== want;

export const takenName = defineCase({
  id: 'ident/taken-name',
  title: 'Logging in with a name bound to another connection is refused, and the owner keeps it',
  requirements: ['IDENT-1'],
  needs: ['framing:nameop', 'command:login', 'notice:error'],
  async run(ctx) {
    const owner = await ctx.join('owner');
    const observer = await ctx.join('observer');
    const thief = await ctx.connect('thief');
    await thief.command({ type: 'login', name: owner.name! });
    const answered = await ctx.waitUntil(() => thief.events.length > 0 || thief.isClosed);
    const acked = thief.events.some((e) => e.type === 'join' && e.who.name === owner.name);
    const codes = errorCodes(thief);
    if (!answered || acked || codes.length !== 1 || wrongCode(409)(codes[0])) {
      ctx.violate('IDENT-1', `a second login as ${owner.name} was not refused with error 409`, { expected: 'one error frame, code 409', actual: thief.received.map((r) => JSON.stringify(r.line)).join(', ') || (thief.isClosed ? 'connection closed' : 'nothing') });
    }
    // The owner itself logging in again (as itself or as a fresh name) is refused too: one connection, one name.
    const ownerEvents = owner.events.length;
    const second = ctx.name('second');
    await owner.command({ type: 'login', name: owner.name! });
    await owner.command({ type: 'login', name: second });
    await ctx.waitUntil(() => errorCodes(owner, ownerEvents).length >= 2 || owner.isClosed);
    const ownerCodes = errorCodes(owner, ownerEvents);
    if (ownerCodes.length !== 2 || ownerCodes.some(wrongCode(400))) {
      ctx.violate('IDENT-1', `a member already logged in as ${owner.name} that logs in again got ${ownerCodes.length} error(s)`, { expected: 'two error frames, code 400 (already logged in)', actual: ownerCodes.length ? ownerCodes.join(', ') : owner.isClosed ? 'connection closed' : 'none' });
    }
    await ctx.sync([owner, observer]);
    const joins = observer.events.filter((e) => e.type === 'join' && e.who.name === owner.name).length;
    if (joins > 0) ctx.violate('IDENT-1', `${observer.label} received a join notice for ${owner.name} from the second login`, { expected: 'none (it joined before the observer)', actual: `${joins}` });
    // Whatever the thief sends as that name must not reach the room.
    const text = ctx.text('spoken by the thief');
    await thief.command({ type: 'say', text, name: owner.name });
    const mine = ctx.text('spoken by the owner');
    await ctx.say(owner, mine);
    await ctx.waitUntil(() => sawChat(ctx, observer, mine));
    await ctx.sync([owner, observer]);
    const rebound = observer.events.filter((e) => e.type === 'join' && e.who.name === second).length;
    if (rebound > 0) ctx.violate('IDENT-1', `a member already logged in could bind a second name, ${second}`, { expected: 'no join notice for it', actual: `${rebound} join notice(s)` });
    if (sawChat(ctx, observer, text)) ctx.violate('IDENT-1', 'a connection that tried to take a bound name could speak as it', { expected: 'nothing from the thief', actual: JSON.stringify(text) });
    if (!sawChat(ctx, observer, mine)) ctx.violate('IDENT-1', 'the owner lost its name after another login attempt', { expected: JSON.stringify(mine), actual: 'not delivered' });
  },
});

export const spoofedName = defineCase({
  id: 'ident/spoofed-name',
  title: 'A frame whose Name is not the bound name gets an error and is not relayed',
  requirements: ['IDENT-2'],
  needs: ['framing:nameop', 'command:login', 'notice:error'],
  async run(ctx) {
    const victim = await ctx.join('victim');
    const spoofer = await ctx.join('spoofer');
    const observer = await ctx.join('observer');
    const group = ctx.name('g');
    const hasGroups = ctx.dialect.hasCommand('groupJoin') && ctx.dialect.hasCommand('group');
    if (hasGroups) {
      await victim.command({ type: 'groupJoin', group, name: victim.name });
      await ctx.waitUntil(() => victim.events.some((e) => e.type === 'groupJoin' && e.group === group));
    }
    const errorsBefore = spoofer.events.filter((e) => e.type === 'error').length;
    const text = ctx.text('I am not who I say');
    // Every op that acts as the named member: say, private, group message, quit.
    const frames = [
      { type: 'say', text, name: victim.name },
      ...(ctx.dialect.hasCommand('private') ? [{ type: 'private', target: observer.name!, text, name: victim.name } as const] : []),
      ...(hasGroups ? [{ type: 'group', group, text, name: victim.name } as const] : []),
      ...(ctx.dialect.hasCommand('quit') ? [{ type: 'quit', name: victim.name } as const] : []),
    ] as const;
    for (const frame of frames) await spoofer.command(frame);
    const errors = (): number => spoofer.events.filter((e) => e.type === 'error').length - errorsBefore;
    await ctx.waitUntil(() => errors() >= frames.length || sawChat(ctx, observer, text));
    await ctx.sync([victim, spoofer, observer]);
    const relayed = [victim, observer].filter((m) => m.events.some((e) => 'text' in e && e.type !== 'error' && e.text === text));
    if (relayed.length) ctx.violate('IDENT-2', `a frame naming ${victim.name} sent by ${spoofer.name} was relayed`, { expected: 'not relayed', actual: relayed.map((m) => `${m.label} received it`).join(', ') });
    const announced = observer.events.filter((e) => e.type === 'leave' && e.who.name === victim.name);
    if (announced.length) ctx.violate('IDENT-2', `a quit frame naming ${victim.name} sent by ${spoofer.name} made ${victim.name} leave`, { expected: 'no leave notice', actual: JSON.stringify(ctx.dialect.render(announced[0]!)) });
    const codes = errorCodes(spoofer).slice(errorsBefore);
    if (codes.length !== frames.length || codes.some(wrongCode(403))) ctx.violate('IDENT-2', `${frames.length} spoofed frames got ${codes.length} error(s)`, { expected: `${frames.length} error frames to the sender, code 403`, actual: codes.length ? `codes ${codes.join(', ')}` : 'none' });
  },
});

export const beforeLogin = defineCase({
  id: 'ident/before-login',
  title: 'Frames before login (but login and quit) are refused and not relayed',
  requirements: ['IDENT-3'],
  needs: ['framing:nameop', 'command:login', 'notice:error'],
  async run(ctx) {
    const member = await ctx.join('member');
    const group = ctx.name('g');
    if (ctx.dialect.hasCommand('groupJoin')) {
      await member.command({ type: 'groupJoin', group, name: member.name });
      await ctx.waitUntil(() => member.events.some((e) => e.type === 'groupJoin' && e.group === group));
    }
    const stranger = await ctx.connect('stranger');
    const name = ctx.name('stranger');
    const text = ctx.text('before login');
    const frames = [
      { type: 'say', text, name },
      ...(ctx.dialect.hasCommand('private') ? [{ type: 'private', target: member.name!, text, name } as const] : []),
      ...(ctx.dialect.hasCommand('group') ? [{ type: 'group', group, text, name } as const] : []),
      ...(ctx.dialect.hasCommand('groupJoin') ? [{ type: 'groupJoin', group, name } as const] : []),
    ] as const;
    for (const frame of frames) await stranger.command(frame);
    const errors = (): number => stranger.events.filter((e) => e.type === 'error').length;
    await ctx.waitUntil(() => errors() >= frames.length);
    await ctx.sync([member]);
    const codes = errorCodes(stranger);
    if (codes.length !== frames.length || codes.some(wrongCode(401))) ctx.violate('IDENT-3', `${frames.length} frames before login got ${codes.length} error(s)`, { expected: `${frames.length} error frames, code 401`, actual: stranger.received.map((r) => JSON.stringify(r.line)).join(', ') || 'nothing' });
    const leaked = member.events.filter((e) => ('text' in e && e.type !== 'error' && e.text === text) || (e.type === 'groupJoin' && e.who.name === name));
    if (leaked.length) ctx.violate('IDENT-3', 'a frame sent before login was relayed', { expected: 'not relayed', actual: `${leaked.length} delivery(ies) to ${member.label}` });
  },
});
