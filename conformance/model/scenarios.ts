// Model-based property test: random scenarios of joins, leaves (FIN, RST,
// quit), chat lines cut into random writes, renames, member lists, private
// and group messages. A model of the spec says what each member must receive;
// each step is checked as it runs (deliveries are awaited with deadlines and a
// sync line flushes extras), and fast-check shrinks a failure to the smallest
// scenario, which the runner prints as a per-client transcript.
import fc from 'fast-check';
import { defineCase, type ConformanceCase } from '../../src/runner/case.js';
import type { TestClient } from '../../src/runner/client.js';
import { CaseContext, TargetUnreachable } from '../../src/runner/context.js';
import { expectDelivery } from '../../src/runner/delivery.js';
import { CaseStop, ViolationStop } from '../../src/runner/verdict.js';
import type { ServerEvent } from '../../src/profile/types.js';
import { expectLeaveNotices } from '../leave/leave.js';
import { memberList } from '../cmd/lists.js';

const SLOTS = ['u0', 'u1', 'u2', 'u3', 'u4'] as const;
type Slot = (typeof SLOTS)[number];

interface Model {
  /** Members in join order; commands name them by index (modulo), so every generated command applies. */
  present: Slot[];
  groups: Map<string, Set<Slot>>;
}

const at = (m: Readonly<Model>, pick: number): Slot => m.present[pick % m.present.length]!;

interface Real {
  readonly ctx: CaseContext;
  readonly members: Map<Slot, TestClient>;
  generation: number;
}

type Cmd = fc.AsyncCommand<Model, Real, false>;

/** Stops the scenario at the first violation, so fast-check sees a failure and shrinks. */
function settle(ctx: CaseContext): void {
  const first = ctx.violations[0];
  if (first) throw new ViolationStop(first);
}

function member(r: Real, slot: Slot): TestClient {
  const m = r.members.get(slot);
  if (!m) throw new Error(`model and real disagree: ${slot} is not connected`);
  return m;
}

const textArb = fc
  .string({ unit: 'grapheme', minLength: 0, maxLength: 24 })
  .map((s) => s.replace(/[\r\n]/g, ' '));
const pickArb = fc.nat({ max: 4 });
const sizesArb = fc.option(fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 }), { nil: undefined });

class Join implements Cmd {
  private slot: Slot = 'u0';
  check = (m: Readonly<Model>): boolean => m.present.length < SLOTS.length;
  async run(m: Model, r: Real): Promise<void> {
    this.slot = SLOTS.find((s) => !m.present.includes(s))!;
    await joinSlot(m, r, this.slot);
    settle(r.ctx);
  }
  toString = (): string => `join(${this.slot})`;
}

async function joinSlot(m: Model, r: Real, slot: Slot): Promise<void> {
  r.generation += 1;
  const client = await r.ctx.join(`${slot}.${r.generation}`);
  r.members.set(slot, client);
  m.present.push(slot);
}

class Say implements Cmd {
  private slot: Slot = 'u0';
  constructor(
    readonly pick: number,
    readonly texts: readonly string[],
    readonly sizes: readonly number[] | undefined,
  ) {}
  check = (m: Readonly<Model>): boolean => m.present.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    this.slot = at(m, this.pick);
    const from = member(r, this.slot);
    const sent = [];
    for (const t of this.texts) {
      const text = r.ctx.text(t);
      await r.ctx.say(from, text, this.sizes ? { sizes: this.sizes } : undefined);
      sent.push({ from, text });
    }
    await expectDelivery(r.ctx, sent, [...r.ctx.present]);
    settle(r.ctx);
  }
  toString = (): string => `say(${this.slot}, ${JSON.stringify(this.texts)}${this.sizes ? `, writes of ${this.sizes.join(',')} bytes` : ''})`;
}

class Burst implements Cmd {
  private slots: Slot[] = [];
  constructor(readonly lines: readonly (readonly [number, string])[]) {}
  check = (m: Readonly<Model>): boolean => m.present.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    this.slots = this.lines.map(([pick]) => at(m, pick));
    const sent = this.lines.map(([, t], i) => ({ from: member(r, this.slots[i]!), text: r.ctx.text(t) }));
    // Concurrent: every sender writes without waiting for the others.
    await Promise.all(sent.map((l) => r.ctx.say(l.from, l.text)));
    await expectDelivery(r.ctx, sent, [...r.ctx.present]);
    settle(r.ctx);
  }
  toString = (): string => `burst(${this.lines.map(([p, t], i) => `${this.slots[i] ?? `#${p}`}:${JSON.stringify(t)}`).join(', ')})`;
}

class Leave implements Cmd {
  private slot: Slot = 'u0';
  constructor(
    readonly pick: number,
    readonly how: 'fin' | 'rst' | 'quit',
    readonly lastWords: readonly string[],
  ) {}
  check = (m: Readonly<Model>): boolean => m.present.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    this.slot = at(m, this.pick);
    const leaver = member(r, this.slot);
    const sent = [];
    // RST may discard unread lines in the kernel: last words only before an orderly leave.
    const words = this.how === 'rst' ? [] : this.lastWords;
    for (const t of words) {
      const text = r.ctx.text(t);
      await r.ctx.say(leaver, text);
      sent.push({ from: leaver, text });
    }
    await r.ctx.leave(leaver, this.how);
    m.present.splice(m.present.indexOf(this.slot), 1);
    for (const g of m.groups.values()) g.delete(this.slot);
    r.members.delete(this.slot);
    const remaining = [...r.ctx.present];
    if (sent.length) {
      await expectDelivery(r.ctx, sent.map((l) => ({ ...l, to: remaining })), remaining, { missing: 'LEAVE-3', duplicate: 'CHAT-1', altered: 'CHAT-3', order: 'ORDER-1' });
    }
    if (r.ctx.dialect.hasNotice('leave')) {
      await expectLeaveNotices(r.ctx, leaver, remaining);
      for (const other of remaining) {
        const about = other.received.filter((x) => x.event && 'who' in x.event && r.ctx.isAbout(x.event.who, leaver));
        const leaveAt = about.findIndex((x) => x.event?.type === 'leave');
        if (leaveAt >= 0 && about.slice(leaveAt + 1).some((x) => x.event?.type === 'chat')) {
          r.ctx.violate('LEAVE-2', `${other.label} received a line from ${leaver.label} after its leave notice`, { expected: 'nothing after the leave notice', actual: JSON.stringify(about.slice(leaveAt + 1).find((x) => x.event?.type === 'chat')!.line) });
        }
      }
    }
    settle(r.ctx);
  }
  toString = (): string => `leave(${this.slot}, ${this.how}${this.lastWords.length && this.how !== 'rst' ? `, after saying ${JSON.stringify(this.lastWords)}` : ''})`;
}

class Rename implements Cmd {
  private slot: Slot = 'u0';
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>): boolean => m.present.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    this.slot = at(m, this.pick);
    const client = member(r, this.slot);
    const newName = r.ctx.name('nick');
    const before = client.received.length;
    await client.command({ type: 'rename', newName });
    const ok = await r.ctx.waitUntil(() => client.received.slice(before).some((x) => x.event?.type === 'renamed'));
    if (!ok) r.ctx.violate('CMD-2', `rename of ${client.label} was not acknowledged`, { expected: 'rename acknowledgement', actual: 'nothing' });
    client.name = newName;
    settle(r.ctx);
  }
  toString = (): string => `rename(${this.slot})`;
}

class Who implements Cmd {
  private slot: Slot = 'u0';
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>): boolean => m.present.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    this.slot = at(m, this.pick);
    const asker = member(r, this.slot);
    const listed = await memberList(r.ctx, asker);
    if (listed === undefined) {
      r.ctx.violate('CMD-1', `${asker.label} asked for the member list and got none`, { expected: 'a member list', actual: 'nothing' });
    } else {
      const ours = listed.filter((w) => r.ctx.clientAbout(w));
      const want = [...m.present].map((s) => member(r, s));
      const missing = want.filter((c) => !ours.some((w) => r.ctx.isAbout(w, c)));
      const extra = ours.filter((w) => !want.some((c) => r.ctx.isAbout(w, c)));
      if (missing.length || extra.length || ours.length !== want.length) {
        r.ctx.violate(extra.length ? 'CLEANUP-1' : 'CMD-1', `the member list of ${asker.label} is wrong`, {
          expected: want.map((c) => c.name).join(', '),
          actual: ours.map((w) => w.name ?? w.addr).join(', '),
        });
      }
    }
    settle(r.ctx);
  }
  toString = (): string => `who(${this.slot})`;
}

class Private implements Cmd {
  private names: [Slot, Slot] = ['u0', 'u1'];
  constructor(
    readonly fromPick: number,
    readonly toOffset: number,
    readonly text: string,
  ) {}
  check = (m: Readonly<Model>): boolean => m.present.length >= 2;
  async run(m: Model, r: Real): Promise<void> {
    const i = this.fromPick % m.present.length;
    // The target is another member: an offset of 1..n-1 from the sender.
    const j = (i + 1 + (this.toOffset % (m.present.length - 1))) % m.present.length;
    this.names = [m.present[i]!, m.present[j]!];
    const from = member(r, this.names[0]);
    const to = member(r, this.names[1]);
    const text = r.ctx.text(this.text);
    await from.command({ type: 'private', target: to.name!, text, name: from.name });
    const is = (e: ServerEvent | undefined): boolean => e?.type === 'private' && e.text === text;
    await r.ctx.waitUntil(() => to.received.some((x) => is(x.event)));
    await r.ctx.sync();
    for (const other of r.ctx.present) {
      const n = other.received.filter((x) => is(x.event)).length;
      const want = other === to ? 1 : 0;
      if (n !== want) r.ctx.violate('CMD-3', `${other.label} received a private message from ${from.label} to ${to.label} ${n} time(s)`, { expected: `${want}`, actual: `${n}` });
    }
    settle(r.ctx);
  }
  toString = (): string => `private(${this.names[0]} -> ${this.names[1]}, ${JSON.stringify(this.text)})`;
}

class GroupJoin implements Cmd {
  private slot: Slot = 'u0';
  constructor(
    readonly pick: number,
    readonly group: string,
  ) {}
  check = (m: Readonly<Model>): boolean => m.present.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    this.slot = at(m, this.pick);
    const client = member(r, this.slot);
    const group = `${r.ctx.settings.prefix}${this.group}`;
    await client.command({ type: 'groupJoin', group, name: client.name });
    const ok = await r.ctx.waitUntil(() => client.events.some((e) => e.type === 'groupJoin' && e.group === group && e.who.name === client.name));
    if (!ok) r.ctx.violate('CMD-5', `${client.label} joining ${group} was not acknowledged`, { expected: 'group join notice', actual: 'nothing' });
    m.groups.set(this.group, new Set([...(m.groups.get(this.group) ?? []), this.slot]));
    settle(r.ctx);
  }
  toString = (): string => `groupJoin(${this.slot}, ${this.group})`;
}

class GroupSay implements Cmd {
  private slot: Slot = 'u0';
  constructor(
    readonly pick: number,
    readonly group: string,
    readonly text: string,
  ) {}
  check = (m: Readonly<Model>): boolean => (m.groups.get(this.group)?.size ?? 0) > 0;
  async run(m: Model, r: Real): Promise<void> {
    const members = [...m.groups.get(this.group)!];
    this.slot = members[this.pick % members.length]!;
    const from = member(r, this.slot);
    const group = `${r.ctx.settings.prefix}${this.group}`;
    const text = r.ctx.text(this.text);
    await from.command({ type: 'group', group, text, name: from.name });
    const inGroup = [...(m.groups.get(this.group) ?? [])].map((s) => member(r, s));
    const is = (e: ServerEvent | undefined): boolean => e?.type === 'group' && e.group === group && e.text === text;
    await r.ctx.waitUntil(() => inGroup.every((c) => c.received.some((x) => is(x.event))));
    await r.ctx.sync();
    for (const other of r.ctx.present) {
      const n = other.received.filter((x) => is(x.event)).length;
      const want = inGroup.includes(other) ? 1 : 0;
      if (n !== want) r.ctx.violate('CMD-4', `${other.label} (${want ? 'in' : 'not in'} ${this.group}) received a group message ${n} time(s)`, { expected: `${want}`, actual: `${n}` });
    }
    settle(r.ctx);
  }
  toString = (): string => `groupSay(${this.slot}, ${this.group}, ${JSON.stringify(this.text)})`;
}

function commandArbs(ctx: CaseContext): fc.Arbitrary<Cmd>[] {
  const d = ctx.dialect;
  const slot = pickArb;
  const hows: ('fin' | 'rst' | 'quit')[] = d.hasCommand('quit') ? ['fin', 'rst', 'quit'] : ['fin', 'rst'];
  const arbs: fc.Arbitrary<Cmd>[] = [
    fc.constant(null).map(() => new Join()),
    fc.tuple(slot, fc.array(textArb, { minLength: 1, maxLength: 3 }), sizesArb).map(([s, t, z]) => new Say(s, t, z)),
    fc.array(fc.tuple(slot, textArb), { minLength: 2, maxLength: 6 }).map((ls) => new Burst(ls)),
    fc.tuple(slot, fc.constantFrom(...hows), fc.array(textArb, { maxLength: 2 })).map(([s, h, w]) => new Leave(s, h, w)),
  ];
  if (d.hasCommand('rename') && d.hasNotice('renamed')) arbs.push(slot.map((s) => new Rename(s)));
  if (d.hasCommand('who')) arbs.push(slot.map((s) => new Who(s)));
  if (d.hasCommand('private') && d.hasNotice('private')) arbs.push(fc.tuple(slot, slot, textArb).map(([a, b, t]) => new Private(a, b, t)));
  if (d.hasCommand('groupJoin') && d.hasCommand('group') && d.hasNotice('group')) {
    const group = fc.constantFrom('g1', 'g2');
    arbs.push(fc.tuple(slot, group).map(([s, g]) => new GroupJoin(s, g)));
    arbs.push(fc.tuple(slot, group, textArb).map(([s, g, t]) => new GroupSay(s, g, t)));
  }
  return arbs;
}

export const randomScenarios: ConformanceCase = defineCase({
  id: 'model/random-scenarios',
  title: 'Random scenarios of joins, leaves, chat and commands match the spec’s model',
  requirements: ['CHAT-1', 'CHAT-2', 'CHAT-3', 'JOIN-1', 'LEAVE-1', 'LEAVE-2', 'LEAVE-3', 'ORDER-1', 'CMD-1', 'CMD-2', 'CMD-3', 'CMD-4', 'NOTICE-1'],
  property: true,
  async run(ctx) {
    const { seed, runs, path } = ctx.settings;
    const [fcPath, replayPath] = path ? path.split('@') : [undefined, undefined];
    let runIndex = 0;
    let lastFailure: CaseContext | undefined;
    const property = fc.asyncProperty(fc.commands(commandArbs(ctx), { maxCommands: ctx.settings.quick ? 6 : 10, ...(replayPath ? { replayPath } : {}) }), async (cmds) => {
      runIndex += 1;
      const sub = new CaseContext(ctx.settings, ctx.caseId, 1000 + runIndex);
      try {
        // Every scenario starts with two members: the smallest room where delivery means anything.
        await fc.asyncModelRun(async () => {
          const model: Model = { present: [], groups: new Map() };
          const real: Real = { ctx: sub, members: new Map(), generation: 0 };
          await joinSlot(model, real, 'u0');
          await joinSlot(model, real, 'u1');
          return { model, real };
        }, cmds);
        // The notices every scenario's members received must all be true (NOTICE-1).
        const [untrue] = await sub.auditNotices();
        if (untrue) throw new ViolationStop(untrue);
      } catch (err) {
        // Only spec violations count as counterexamples; a dead target or kit error ends the search.
        if (err instanceof ViolationStop) lastFailure = sub;
        throw err;
      } finally {
        sub.closeAll();
      }
    });
    const started = performance.now();
    const details = await fc.check(property, {
      seed,
      numRuns: runs,
      ...(fcPath ? { path: fcPath } : {}),
      endOnFailure: false,
      interruptAfterTimeLimit: ctx.settings.quick ? 4000 : 20000 * ctx.settings.multiplier,
    });
    const error = details.errorInstance;
    if (error instanceof TargetUnreachable || error instanceof CaseStop) throw error;
    if (details.failed && details.counterexample && lastFailure) {
      ctx.adopt(lastFailure);
      const scenario = [...details.counterexample[0]].map(String).join('; ');
      const replay = /replayPath="([^"]+)"/.exec(String(details.counterexample[0]))?.[1];
      ctx.scenario = { text: scenario, path: `${details.counterexamplePath}${replay ? '@' + replay : ''}`, seed: details.seed };
      return;
    }
    if (details.failed) throw error instanceof Error ? error : new Error(String(error));
    if (details.interrupted || details.numRuns < runs) {
      ctx.inconclusive(`interrupted by the time limit after ${details.numRuns} of ${runs} runs (${Math.round(performance.now() - started)} ms)`);
    }
  },
});

export const modelCases: readonly ConformanceCase[] = [randomScenarios];
