// Reading the member list, whichever way the dialect sends it: one
// userList frame (nameop), a header and one entry line per member
// (who-rename), or entry lines alone; only a sync line after it can show
// the list to be complete (without echo, another member's answer to the
// asker's line; alone, its own entry and a quiet spell).
import type { TestClient } from '../../src/runner/client.js';
import type { CaseContext } from '../../src/runner/context.js';
import type { Who } from '../../src/profile/types.js';

export async function memberList(ctx: CaseContext, asker: TestClient): Promise<Who[] | undefined> {
  const start = asker.received.length;
  const since = (): typeof asker.received => asker.received.slice(start);
  await asker.command({ type: 'who', name: asker.name });
  if (ctx.dialect.hasNotice('userList')) {
    const ok = await ctx.waitUntil(() => since().some((r) => r.event?.type === 'userList'));
    if (!ok) return undefined;
    const event = since().find((r) => r.event?.type === 'userList')!.event;
    return event?.type === 'userList' ? event.items.map((name) => ({ name })) : undefined;
  }
  // Without a header, the list is the run of entry lines answering the command (never empty: the asker is a member).
  const opener = ctx.dialect.hasNotice('whoHeader') ? 'whoHeader' : 'whoEntry';
  const header = await ctx.waitUntil(() => since().some((r) => r.event?.type === opener));
  if (!header) return undefined;
  if (ctx.profile.echo || ctx.present.some((m) => m !== asker && !m.isClosed)) await ctx.sync([asker]);
  else await quiet(ctx, asker, start);
  const lines = since();
  // Without a header the list starts at its first entry: a sync line that arrived before it does not end it.
  const first = lines.findIndex((r) => r.event?.type === opener);
  const from = opener === 'whoHeader' ? first : first - 1;
  const to = lines.findIndex((r, i) => i > from && r.event?.type === 'chat' && ctx.isSyncText(r.event.text));
  return lines
    .slice(from + 1, to < 0 ? undefined : to)
    .flatMap((r) => (r.event?.type === 'whoEntry' ? [r.event.who] : []));
}

/**
 * Alone in a room without echo no line can follow the list to show it
 * complete. The list names the asker at least: wait for that entry (a wait at
 * most), then until nothing more has arrived for a twentieth of a wait, so
 * an entry written after the header, or a departed member's, is not missed.
 */
async function quiet(ctx: CaseContext, asker: TestClient, from: number): Promise<void> {
  await ctx.waitUntil(() => asker.isClosed || asker.received.slice(from).some((r) => r.event?.type === 'whoEntry' && ctx.isAbout(r.event.who, asker)));
  const until = performance.now() + ctx.wait();
  while (!asker.isClosed && performance.now() < until) {
    const seen = asker.received.length;
    if (!(await ctx.waitUntil(() => asker.isClosed || asker.received.length !== seen, ctx.wait(0.05)))) return;
  }
}
