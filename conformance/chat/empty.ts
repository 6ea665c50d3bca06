// spec/core.md, Chat delivery: empty lines and empty chat texts. Correct
// servers differ (some relay `alice: `, some drop the line), so either is
// accepted; what is judged is that every member is treated alike and that
// the sender's next line is read and delivered as usual.
import { defineCase } from '../../src/runner/case.js';
import type { Received, TestClient } from '../../src/runner/client.js';
import type { CaseContext } from '../../src/runner/context.js';
import { expectDelivery, type SentLine } from '../../src/runner/delivery.js';

/**
 * The lines a receiver holds after `from` (and after the line holding `after`, the previous probe's
 * marker, which may arrive after `from` was taken) up to the first line holding `until`: those the
 * empty line may have become.
 */
function window(m: TestClient, from: number, after: string | undefined, until: string): Received[] {
  let rest = m.received.slice(from);
  if (after !== undefined) rest = rest.slice(rest.findIndex((r) => r.line.includes(after)) + 1);
  const end = rest.findIndex((r) => r.line.includes(until));
  return end < 0 ? rest : rest.slice(0, end);
}

/** A line an empty line from `sender` can become: its chat notice with blank text, or a line no template reads (a bare relayed LF). */
function fromEmpty(ctx: CaseContext, r: Received, sender: TestClient): boolean {
  const e = r.event;
  if (e?.type === 'chat') return ctx.clientAbout(e.who) === sender && !ctx.isSyncText(e.text) && e.text.trim() === '';
  return e === undefined && r.note === undefined;
}

export const emptyLines = defineCase({
  id: 'chat/empty-lines',
  title: 'An empty line reaches every member alike (once or not at all) and the next line is unaffected',
  requirements: ['CHAT-5'],
  async run(ctx) {
    const [a, b, c] = [await ctx.join('a'), await ctx.join('b'), await ctx.join('c')];
    const audience = ctx.audienceOf(a);
    // The empty line itself, and (where the dialect frames its say command, as nameop's `alice|1|`) an empty say.
    const probes: { what: string; line: string }[] = [{ what: 'an empty line', line: '' }];
    let emptySay: string | undefined;
    try {
      emptySay = ctx.sayLine(a, '');
    } catch {
      emptySay = undefined; // the profile's text pattern refuses an empty text
    }
    if (emptySay !== undefined && emptySay !== '') probes.push({ what: `a chat line with empty text (${JSON.stringify(emptySay)})`, line: emptySay });
    const sent: SentLine[] = [];
    const checks: { what: string; from: number[]; after: string | undefined; marker: string }[] = [];
    for (const probe of probes) {
      const from = audience.map((m) => m.received.length);
      await a.sendLine(probe.line);
      // The sender's next line: it must arrive whole, once, at everyone, whatever became of the empty one.
      const marker = ctx.text(`after ${probe.what}`);
      await ctx.say(a, marker);
      sent.push({ from: a, text: marker });
      checks.push({ what: probe.what, from, after: checks.at(-1)?.marker, marker });
    }
    await expectDelivery(ctx, sent, [a, b, c], { missing: 'CHAT-5', duplicate: 'CHAT-1', altered: 'CHAT-3', order: 'ORDER-1', echo: 'CHAT-5', unexpected: 'CHAT-2', sender: 'CHAT-4' }, { ignoreUnrecognised: true });
    for (const { what, from, after, marker } of checks) {
      const counts = audience.map((m, i) => window(m, from[i]!, after, marker).filter((r) => fromEmpty(ctx, r, a)));
      const shown = audience.map((m, i) => `${m.label}: ${counts[i]!.length ? counts[i]!.map((r) => JSON.stringify(r.line)).join(', ') : 'nothing'}`).join('; ');
      const n = counts.map((l) => l.length);
      // The sender is left out of the comparison: a reply only it gets ("empty message ignored") may be a line its profile cannot read.
      const others = n.filter((_, i) => audience[i] !== a);
      if (n.some((k) => k > 1)) ctx.violate('CHAT-5', `${what} from ${a.label} was relayed more than once to a member`, { expected: 'one line per member, or none', actual: shown });
      else if (others.some((k) => k !== others[0])) ctx.violate('CHAT-5', `${what} from ${a.label} reached some members and not others`, { expected: 'every other member alike: one line each, or none', actual: shown });
    }
  },
});
