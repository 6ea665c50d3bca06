// spec/core.md, Join: one join notice per other member, the joiner's own
// notice only where the profile says so, one welcome for the joiner alone.
import { defineCase } from '../../src/runner/case.js';
import type { TestClient } from '../../src/runner/client.js';
import type { CaseContext } from '../../src/runner/context.js';

export const joinNotices = defineCase({
  id: 'join/notices',
  title: 'A joiner is announced once to every other member, and to itself only where the profile says',
  requirements: ['JOIN-1', 'JOIN-2', 'JOIN-3', 'JOIN-4', 'IDENT-4'],
  needs: ['notice:join'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const c = await ctx.join('c');
    await ctx.sync();
    checkJoinCounts(ctx, [a, b, c]);
  },
});

export const joinMany = defineCase({
  id: 'join/sequence',
  title: 'Each member receives exactly one join notice per later joiner',
  requirements: ['JOIN-1', 'JOIN-2'],
  needs: ['notice:join'],
  async run(ctx) {
    const members: TestClient[] = [];
    const n = ctx.settings.quick ? 4 : 8;
    for (let i = 0; i < n; i += 1) members.push(await ctx.join(`m${i}`));
    await ctx.sync();
    checkJoinCounts(ctx, members);
  },
});

export const welcome = defineCase({
  id: 'join/welcome',
  title: 'The joiner alone receives its welcome notice, exactly once',
  requirements: ['JOIN-3', 'IDENT-4'],
  needs: ['notice:welcome'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    await ctx.sync();
    if (!/\{(addr|name)\}/.test(ctx.profile.notices.welcome ?? '')) {
      // A fixed greeting names no one: each member must hold exactly one, its own.
      for (const receiver of [a, b]) {
        const n = receiver.events.filter((e) => e.type === 'welcome').length;
        if (n !== 1) ctx.violate('JOIN-3', `${receiver.label} received ${n} welcome notice(s)`, { expected: '1', actual: `${n}` });
      }
      return;
    }
    for (const receiver of [a, b]) {
      for (const subject of [a, b]) {
        const n = ctx.eventsAbout(receiver, 'welcome', subject);
        const want = receiver === subject ? 1 : 0;
        if (n !== want) {
          ctx.violate('JOIN-3', `${receiver.label} received ${n} welcome notice(s) for ${subject.label}`, {
            expected: `${want}`,
            actual: `${n}`,
          });
        }
      }
      const foreign = receiver.events.filter((e) => e.type === 'welcome' && e.who.addr !== undefined && e.who.addr !== receiver.addr && !ctx.clientAbout(e.who));
      if (foreign.length && receiver.events.filter((e) => e.type === 'welcome').length === foreign.length) {
        ctx.violate('IDENT-4', `${receiver.label}'s welcome names an address other than its own`, {
          expected: receiver.addr,
          actual: foreign.map((e) => ('who' in e ? e.who.addr : '')).join(', '),
        });
      }
    }
  },
});

function checkJoinCounts(ctx: CaseContext, members: readonly TestClient[]): void {
  for (const [i, receiver] of members.entries()) {
    for (const [j, subject] of members.entries()) {
      const n = ctx.eventsAbout(receiver, 'join', subject);
      let want: number;
      let req: string;
      if (receiver === subject) {
        want = ctx.profile.selfJoin ? 1 : 0;
        req = 'JOIN-2';
      } else {
        // A member learns of those who join after it; earlier members joined before it was there.
        want = j > i ? 1 : 0;
        req = 'JOIN-1';
      }
      if (n !== want) {
        ctx.violate(req, `${receiver.label} received ${n} join notice(s) for ${subject.label}`, {
          expected: `${want} × ${JSON.stringify(ctx.dialect.render({ type: 'join', who: ctx.whoOf(subject) }))}`,
          actual: `${n}`,
        });
      }
    }
  }
  if (ctx.profile.identity === 'addr') {
    // A join notice with an address none of our clients has, arriving right when ours should: IDENT-4.
    for (const receiver of members) {
      const strays = receiver.events.filter((e) => e.type === 'join' && !ctx.clientAbout(e.who));
      const expectedJoins = members.filter((_, j) => j > members.indexOf(receiver)).length;
      const ours = receiver.events.filter((e) => e.type === 'join' && ctx.clientAbout(e.who)).length;
      if (strays.length > 0 && ours < expectedJoins) {
        ctx.violate('IDENT-4', `${receiver.label} received join notices naming addresses that are not the joiners' own`, {
          expected: members.map((m) => m.addr).join(', '),
          actual: strays.map((e) => ('who' in e ? JSON.stringify(e.who) : '')).join(', '),
        });
      }
    }
  }
}
