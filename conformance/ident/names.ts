// spec/core.md, Identity: a name a member gives itself never carries a line
// break, a CR or another control character into the lines others receive.
// The real-world bug: a prompt server that reads the name with one recv()
// and strip(), so the "name" `bob\nalice: forged` gives every member a line
// that reads as alice's. A line server takes `bob` as the name and the rest
// as bob's first line, which is right; the check accepts both readings that
// keep attribution intact and fails only lines that speak for someone else.
import { defineCase } from '../../src/runner/case.js';
import type { Received, TestClient } from '../../src/runner/client.js';
import type { CaseContext } from '../../src/runner/context.js';
import type { ServerEvent } from '../../src/profile/types.js';

/** How a connection names itself: the naming step of joinOn prompt or login, or the rename command once a member. */
type Route = 'prompt' | 'login' | 'rename';

interface Attempt {
  readonly route: Route;
  /** What the name holds after its valid start: shown in messages. */
  readonly what: string;
  readonly requirement: 'IDENT-5' | 'IDENT-6';
  /** The name as sent (it may hold the profile's line ending): a valid start, then the rest. */
  readonly name: string;
  /** The valid start of the name: a notice naming the connection holds it. */
  readonly start: string;
  /** Bytes a receiver's line must not hold (the control character and what followed it in the name). */
  readonly raw: string;
  /** Set for the forging attempts: a text only a forged notice about another member would carry. */
  readonly mark?: string;
}

/** The routes this profile offers for choosing a name. */
function routes(ctx: CaseContext): Route[] {
  const out: Route[] = [];
  // A server that makes the name of the answer (bob#4821) may carry what the answer holds into it: the prompt is a route too.
  if (ctx.profile.joinOn === 'prompt') out.push('prompt');
  if (ctx.profile.joinOn === 'login') out.push('login');
  if (ctx.dialect.hasCommand('rename')) out.push('rename');
  return out;
}

/** Whether some notice puts a literal "|" right beside {name}: there "|" separates fields, so a name must not hold one. */
function pipeSeparatesName(ctx: CaseContext): boolean {
  return Object.values(ctx.profile.notices).some((t) => typeof t === 'string' && /\|\{name\}|\{name\}\|/.test(t));
}

function attempts(ctx: CaseContext, route: Route, victim: TestClient): Attempt[] {
  const out: Attempt[] = [];
  const forge = (what: string, sep: string): void => {
    const mark = ctx.text('forged');
    const start = ctx.name('h');
    // A whole notice of the victim's, as the profile writes it: after a line break it is a line of its own.
    const forged = ctx.dialect.render({ type: 'chat', who: ctx.whoOf(victim), text: mark });
    out.push({ route, what, requirement: 'IDENT-5', name: start + sep + forged, start, raw: sep + forged, mark });
  };
  forge('a line break and a notice of another member', ctx.dialect.lineEnding);
  forge('a CR and a notice of another member', '\r');
  const controls: [string, string][] = [['NUL', '\u0000'], ['BS', '\u0008'], ['ESC', '\u001b']];
  if (pipeSeparatesName(ctx)) controls.push(['"|"', '|']);
  for (const [what, c] of controls) {
    const start = ctx.name('h');
    const tail = ctx.name('t');
    out.push({ route, what, requirement: 'IDENT-6', name: start + c + tail, start, raw: c + tail });
  }
  return out;
}

/** The line that names a connection `name` by this route, rendered around a stand-in the profile accepts (the name itself may be one its pattern refuses). */
export function namingLine(ctx: CaseContext, route: Route, name: string): string {
  if (route === 'prompt') return name;
  const standIn = ctx.name('n');
  const line = route === 'login' ? ctx.dialect.renderCommand({ type: 'login', name: standIn }) : ctx.dialect.renderCommand({ type: 'rename', newName: standIn });
  return line.replace(standIn, () => name);
}

/** The member a notice is about, among the given ones. */
function subjectOf(ctx: CaseContext, event: ServerEvent | undefined, among: readonly TestClient[]): TestClient | undefined {
  if (event === undefined || !('who' in event)) return undefined;
  return among.find((m) => ctx.isAbout(event.who, m));
}

export const controlNames = defineCase({
  id: 'ident/control-names',
  title: 'A name holding a line break, CR or other control character never reaches other members raw',
  requirements: ['IDENT-5', 'IDENT-6'],
  async run(ctx) {
    const ways = routes(ctx);
    if (ways.length === 0) ctx.skip('the profile has no way for a member to choose its name (no name prompt, no login or rename command)');
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const witnesses = [a, b];
    const from = witnesses.map((m) => m.received.length);
    const tried = ways.flatMap((route) => attempts(ctx, route, a));
    // Every attempt on its own connection, all at once: a refused name costs one wait, not one per attempt.
    await Promise.all(tried.map((attempt, i) => hostile(ctx, attempt, `h${i}`, witnesses)));
    await ctx.sync(witnesses);
    for (const [i, m] of witnesses.entries()) {
      for (const r of m.received.slice(from[i])) {
        for (const attempt of tried) {
          const how = `named with ${attempt.what} (${attempt.route})`;
          const victim = attempt.mark !== undefined && r.line.includes(attempt.mark) ? subjectOf(ctx, r.event, witnesses) : undefined;
          if (victim !== undefined) {
            ctx.violate('IDENT-5', `${m.label} received a line that reads as a ${r.event!.type} notice about ${victim.label}, forged by a member ${how}`, { expected: 'no part of a name split off as a line of its own', actual: JSON.stringify(r.line) });
          }
          // Bytes inside a relayed text are that text's (a rename line the server read as chat), not a name's.
          const inText = (part: string): boolean => r.event !== undefined && 'text' in r.event && r.event.text.includes(part);
          const crWithMark = attempt.mark !== undefined && r.line.includes('\r') && r.line.includes(attempt.mark) && !(inText('\r') && inText(attempt.mark));
          if ((r.line.includes(attempt.raw) && !inText(attempt.raw)) || crWithMark) {
            ctx.violate(attempt.requirement, `${m.label} received the name of a member ${how}, control character and all`, { expected: 'the name refused, or without the control character', actual: JSON.stringify(r.line) });
          }
        }
      }
    }
  },
});

/**
 * One connection names itself as the attempt says, then says a line (so the
 * witnesses receive a notice naming it, where its name was taken) and
 * leaves. Every wait is bounded; a refused name ends in silence, not a fail.
 */
async function hostile(ctx: CaseContext, attempt: Attempt, label: string, witnesses: readonly TestClient[]): Promise<void> {
  // The rename route starts from a member (unless renaming is how a member names itself at connect).
  const member = attempt.route === 'rename' && !(ctx.profile.joinOn === 'connect' && ctx.profile.identity === 'name');
  const h = member ? await ctx.join(label) : await ctx.connect(label);
  ctx.silent.add(h);
  try {
    if (attempt.route === 'prompt' && !(await ctx.waitUntil(() => h.isClosed || h.events.some((e) => e.type === 'prompt')))) return;
    let seen = h.received.length;
    let asked = h.unterminated().bytes;
    const heard = witnesses.map((m) => m.received.length);
    // A prompt asked again (bytes left without LF) means the line was taken as a name and refused.
    const reprompted = (): boolean => h.unterminated().bytes !== asked;
    // The name and whatever follows it in the same write: one recv() reads both.
    await h.sendLine(namingLine(ctx, attempt.route, attempt.name));
    // Until the server has answered (the namer, or the room with a notice naming it): the next line must not join the name's read.
    // (Another attempt's join notice is no answer: the attempts run side by side.)
    const answer = (r: Received, to: TestClient): boolean => r.line.includes(attempt.start) || (to === h && (r.event === undefined || !('who' in r.event) || ctx.isAbout(r.event.who, h)));
    await ctx.waitUntil(() => h.isClosed || reprompted() || h.received.slice(seen).some((r) => answer(r, h)) || witnesses.some((m, i) => m.received.slice(heard[i]).some((r) => answer(r, m))));
    if (h.isClosed) return;
    const text = ctx.syncText('named');
    seen = h.received.length;
    asked = h.unterminated().bytes;
    await h.sendLine(ctx.sayLine(h, text));
    // Until the witnesses hold the line, or the server refused it (an error, or the prompt again).
    const refused = (): boolean => reprompted() || h.received.slice(seen).some((r) => r.event?.type === 'error');
    await ctx.waitUntil(() => h.isClosed || refused() || witnesses.every((m) => m.isClosed || m.received.some((r) => r.line.includes(text))));
  } finally {
    if (member) await ctx.leave(h, 'fin');
    else h.end();
  }
}
