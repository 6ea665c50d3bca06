// spec/nameop.md, Identity: a name bound at login belongs to its connection.
import { defineCase } from '../../src/runner/case.js';
import type { TestClient } from '../../src/runner/client.js';
import type { CaseContext } from '../../src/runner/context.js';

const sawChat = (ctx: CaseContext, m: TestClient, text: string): boolean => m.events.some((e) => e.type === 'chat' && e.text === text);

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
    if (!answered || acked || !thief.events.some((e) => e.type === 'error')) {
      ctx.violate('IDENT-1', `a second login as ${owner.name} was not refused with an error`, { expected: 'an error frame', actual: thief.received.map((r) => JSON.stringify(r.line)).join(', ') || (thief.isClosed ? 'connection closed' : 'nothing') });
    }
    // Whatever the thief sends as that name must not reach the room.
    const text = ctx.text('spoken by the thief');
    await thief.command({ type: 'say', text, name: owner.name });
    const mine = ctx.text('spoken by the owner');
    await ctx.say(owner, mine);
    await ctx.waitUntil(() => sawChat(ctx, observer, mine));
    await ctx.sync([owner, observer]);
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
    const errorsBefore = spoofer.events.filter((e) => e.type === 'error').length;
    const text = ctx.text('I am not who I say');
    await spoofer.command({ type: 'say', text, name: victim.name });
    await ctx.waitUntil(() => spoofer.events.filter((e) => e.type === 'error').length > errorsBefore || sawChat(ctx, observer, text));
    await ctx.sync([victim, spoofer, observer]);
    const relayed = [victim, observer].filter((m) => sawChat(ctx, m, text));
    if (relayed.length) ctx.violate('IDENT-2', `a frame naming ${victim.name} sent by ${spoofer.name} was relayed`, { expected: 'not relayed', actual: relayed.map((m) => `${m.label} received it`).join(', ') });
    if (spoofer.events.filter((e) => e.type === 'error').length === errorsBefore) ctx.violate('IDENT-2', 'the spoofed frame got no error', { expected: 'an error frame to the sender', actual: 'none' });
  },
});

export const beforeLogin = defineCase({
  id: 'ident/before-login',
  title: 'say, private and group frames before login are refused and not relayed',
  requirements: ['IDENT-3'],
  needs: ['framing:nameop', 'command:login', 'notice:error'],
  async run(ctx) {
    const member = await ctx.join('member');
    const stranger = await ctx.connect('stranger');
    const name = ctx.name('stranger');
    const text = ctx.text('before login');
    await stranger.command({ type: 'say', text, name });
    if (ctx.dialect.hasCommand('private')) await stranger.command({ type: 'private', target: member.name!, text, name });
    await ctx.waitUntil(() => stranger.events.some((e) => e.type === 'error'));
    await ctx.sync([member]);
    if (!stranger.events.some((e) => e.type === 'error')) ctx.violate('IDENT-3', 'a frame before login got no error', { expected: 'an error frame', actual: stranger.received.map((r) => JSON.stringify(r.line)).join(', ') || 'nothing' });
    const leaked = member.events.filter((e) => (e.type === 'chat' || e.type === 'private') && e.text === text);
    if (leaked.length) ctx.violate('IDENT-3', 'a frame sent before login was relayed', { expected: 'not relayed', actual: `${leaked.length} delivery(ies) to ${member.label}` });
  },
});
