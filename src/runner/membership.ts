// The membership protocol, in one place: how a connection becomes a member
// the way the profile says (answer the name prompt, log in, name itself with
// the rename command, or just connect), how the kit learns the name the
// server calls it (its address, the name it chose, or the name the server
// assigned), and which sign tells the kit it is in the room (its own join
// notice, its welcome, or a barrier line). Cases join through CaseContext.join;
// the preflight and the liveness probe call admit() and judge nothing.
import type { ServerEvent } from '../profile/types.js';
import { TestClient } from './client.js';
import type { CaseContext } from './context.js';

export interface JoinOptions {
  /** The name to log in with, answer the prompt with, or rename to; generated from patterns.name when absent. */
  readonly name?: string;
}

/** Why a connection did not become a member: the requirement it breaks and the evidence. */
export interface AdmitFailure {
  readonly ok: false;
  /** The step that did not complete. */
  readonly step: 'prompt' | 'login' | 'rename' | 'self-join' | 'welcome' | 'name';
  readonly requirement: string;
  readonly message: string;
  readonly expected?: string;
  readonly actual: string;
}

export type AdmitResult = { readonly ok: true } | AdmitFailure;

/** The name prompt as the profile writes it, for messages ({*} shown as "…"). */
function promptText(ctx: CaseContext): string {
  return ctx.profile.notices.prompt?.replace(/\{\*\}/g, '…') ?? '';
}

/**
 * Makes a connected client a member as the profile says, and sets
 * `client.name`. Judges nothing itself: a missing prompt, acknowledgement or
 * sign comes back as an AdmitFailure naming the requirement it would break.
 * Other members' join notices for it are the caller's to check (JOIN-1).
 */
export async function admit(ctx: CaseContext, client: TestClient, options: JoinOptions = {}): Promise<AdmitResult> {
  const p = ctx.profile;
  const d = ctx.dialect;
  const failure = (step: AdmitFailure['step'], requirement: string, message: string, expected?: string): AdmitFailure => ({
    ok: false,
    step,
    requirement,
    message,
    ...(expected !== undefined ? { expected } : {}),
    actual: lastLines(client).actual,
  });
  const chosen = (): string => options.name ?? ctx.name(client.label);

  if (p.joinOn === 'prompt') {
    const prompted = await ctx.waitUntil(() => client.isClosed || client.events.some((e) => e.type === 'prompt'));
    if (!prompted || client.isClosed) {
      return failure('prompt', 'JOIN-4', `${client.label} was not asked for its name`, JSON.stringify(promptText(ctx)));
    }
    const name = chosen();
    if (p.identity !== 'assigned') client.name = name;
    await client.sendLine(name);
  } else if (p.joinOn === 'login') {
    client.name = chosen();
    await client.command({ type: 'login', name: client.name });
  } else if (p.identity === 'name') {
    // joinOn "connect" with a chosen name: the kit names itself with the rename command at once.
    const name = chosen();
    client.name = name;
    await client.command({ type: 'rename', newName: name });
    if (d.hasNotice('renamed')) {
      const acked = await ctx.waitUntil(() => client.isClosed || client.events.some((e) => e.type === 'renamed' && (e.who.name === undefined || e.who.name === name)));
      if (!acked || client.isClosed) {
        return failure('rename', 'JOIN-4', `${client.label} named itself ${name} after connecting and got no acknowledgement`, renderOr(ctx, { type: 'renamed', who: { ...ctx.whoOf(client), name } }));
      }
    }
  } else if (p.identity === 'addr') {
    client.name = client.addr;
  }

  // An assigned name is read from the first line that names the joiner: its welcome, else its own join notice.
  const learnFrom = (type: 'welcome' | 'join'): ServerEvent | undefined =>
    client.events.find((e) => e.type === type && (e.who.addr === undefined || e.who.addr === client.addr) && e.who.name !== undefined && !ctx.clients.some((c) => c !== client && c.name === e.who.name));
  const welcomeNames = templateNames(ctx, 'welcome');

  if (d.hasNotice('welcome')) {
    const ok = await ctx.waitUntil(() => client.isClosed || client.events.some((e) => e.type === 'welcome' && isOwnWelcome(ctx, e, client)));
    if (!ok || client.isClosed) {
      return failure('welcome', 'JOIN-3', `${client.label} (${client.addr}) received no welcome notice`, renderOr(ctx, { type: 'welcome', who: ctx.whoOf(client) }));
    }
    if (p.identity === 'assigned' && welcomeNames) {
      const e = learnFrom('welcome');
      if (e && 'who' in e && e.who.name !== undefined) client.name = e.who.name;
    }
  }
  if (p.selfJoin && d.hasNotice('join')) {
    const own = (): boolean => {
      if (p.identity === 'assigned' && client.name === undefined) {
        const e = learnFrom('join');
        if (e && 'who' in e && e.who.name !== undefined) client.name = e.who.name;
      }
      return client.name !== undefined && client.events.some((e) => e.type === 'join' && ctx.isAbout(e.who, client));
    };
    const ok = await ctx.waitUntil(() => client.isClosed || own());
    if (!ok || client.isClosed) {
      const what = p.joinOn === 'login' ? `login of ${client.name} was not acknowledged with its own join notice` : `${client.label} received no join notice of its own`;
      return failure('self-join', 'JOIN-2', what, client.name !== undefined ? renderOr(ctx, { type: 'join', who: ctx.whoOf(client) }) : undefined);
    }
  }
  if (client.name === undefined) {
    return failure('name', 'JOIN-4', `${client.label} was not told the name the server assigned it (no welcome or own join notice naming it)`);
  }
  return { ok: true };
}

/**
 * Connects and makes the client a member the kit can count on: admits it,
 * waits for every present member's join notice for it (JOIN-1), then a
 * barrier line proves it receives room events. A failed step ends the case
 * with the requirement it breaks.
 */
export async function joinMember(ctx: CaseContext, label: string, options: JoinOptions = {}): Promise<TestClient> {
  const client = await ctx.connect(label);
  const admitted = await admit(ctx, client, options);
  if (!admitted.ok) {
    ctx.fail(admitted.requirement, admitted.message, { ...(admitted.expected !== undefined ? { expected: admitted.expected } : {}), actual: admitted.actual });
  }
  if (ctx.dialect.hasNotice('join')) {
    const others = ctx.present.filter((m) => !m.isClosed);
    const ok = await ctx.waitUntil(() => others.every((m) => m.events.some((e) => e.type === 'join' && ctx.isAbout(e.who, client))));
    if (!ok) {
      const missing = others.filter((m) => !m.events.some((e) => e.type === 'join' && ctx.isAbout(e.who, client)));
      ctx.fail('JOIN-1', `${missing.map((m) => m.label).join(', ')} received no join notice for ${label}`, {
        expected: renderOr(ctx, { type: 'join', who: ctx.whoOf(client) }),
        actual: missing.map((m) => `${m.label}: ${recentLines(m)}`).join('; '),
      });
    }
  }
  ctx.present.push(client);
  await barrier(ctx, client);
  return client;
}

/**
 * A chat line the new member must receive. Where the profile echoes, its own:
 * the server handles it after the join, on the same connection. Otherwise
 * the joiner speaks first and another member must hear it (the line follows
 * the login or prompt answer on the joiner's connection, so the server has
 * made it a member by then), and only then does that member speak to it: no
 * notice proves the joiner is in the room before a line from elsewhere is handled.
 */
async function barrier(ctx: CaseContext, client: TestClient): Promise<void> {
  const others = ctx.present.filter((m) => m !== client && !m.isClosed);
  if (!ctx.profile.echo && others.length === 0) return;
  const steps: [TestClient, TestClient][] = ctx.profile.echo ? [[client, client]] : [[client, others[0]!], [others[0]!, client]];
  for (const [speaker, hearer] of steps) {
    const text = ctx.syncText('join');
    await ctx.say(speaker, text);
    const ok = await ctx.waitUntil(() => hearer.isClosed || speaker.isClosed || ctx.hasChat(hearer, speaker, text));
    if (!ok) {
      const req = speaker === hearer ? 'CHAT-2' : 'CHAT-1';
      const what = hearer === client ? `new member ${client.label} did not receive a chat line sent after it joined` : `${hearer.label} did not receive a chat line of new member ${client.label}`;
      ctx.fail(req, what, { expected: renderOr(ctx, { type: 'chat', who: ctx.whoOf(speaker), text }), actual: recentLines(hearer) });
    }
  }
}

/** Whether a welcome is this client's: it names the client, or names no one (a fixed greeting counts for whoever receives it). */
function isOwnWelcome(ctx: CaseContext, e: ServerEvent, client: TestClient): boolean {
  if (e.type !== 'welcome') return false;
  if (e.who.addr !== undefined) return e.who.addr === client.addr;
  if (e.who.name !== undefined && ctx.profile.identity !== 'assigned' && client.name !== undefined) return e.who.name === client.name;
  return true;
}

function templateNames(ctx: CaseContext, type: 'welcome' | 'join'): boolean {
  return /\{name\}/.test(ctx.profile.notices[type] ?? '');
}

/** The expected line, or a description when the values cannot be rendered (e.g. a name not yet known). */
function renderOr(ctx: CaseContext, event: ServerEvent): string {
  try {
    return ctx.dialect.render(event);
  } catch {
    return `a ${event.type} line (${ctx.profile.notices[event.type as keyof typeof ctx.profile.notices] ?? 'no template'})`;
  }
}

export function recentLines(client: TestClient, n = 4): string {
  const lines = client.received.slice(-n).map((r) => JSON.stringify(r.line));
  return lines.length ? lines.join(', ') : '(nothing)';
}

export function lastLines(client: TestClient): { actual: string } {
  const tail = client.unterminated();
  const waiting = tail.bytes > 0 ? ` then ${tail.bytes} byte(s) without LF: ${JSON.stringify(tail.text)}${tail.bytes > tail.text.length ? '…' : ''}` : '';
  return { actual: recentLines(client) + waiting + (client.isClosed ? ' then the connection was closed' : '') + hintFor(client) };
}

/** Lines none of whose notices the profile knows: most likely the wrong --profile for this server. */
function hintFor(client: TestClient): string {
  const unknown = client.received.length > 0 && client.received.every((r) => TestClient.unrecognised(r));
  return unknown ? ' (no line matched a notice of this profile: is --profile right for this server?)' : '';
}
