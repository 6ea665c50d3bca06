// spec/line.md, Framing: a line is a line however TCP cuts or joins it.
import { defineCase } from '../../src/runner/case.js';
import { CHAT_RULES, expectDelivery, type DeliveryRules } from '../../src/runner/delivery.js';
import { LIST_REPLIES } from '../cmd/replies.js';

/** raw: a sender's bytes after its last LF are relayed as a line after this long without bytes from it (spec/line.md, raw). */
const RAW_FLUSH_MS = 500;
const framingRules = (id: string): DeliveryRules => ({ missing: id, duplicate: id, altered: id, order: id, echo: id, unexpected: id });
/** Two whole lines of one sender swapped is not a framing fault (FRAME-2 alone names the order): ORDER-1. */
const inOrder = (rules: DeliveryRules): DeliveryRules => ({ ...rules, order: 'ORDER-1' });

export const splitWrites = defineCase({
  id: 'frame/split-writes',
  title: 'A line cut into small writes with delays between them arrives as one line',
  requirements: ['FRAME-1'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const sent = [];
    for (let i = 0; i < (ctx.settings.quick ? 1 : 3); i += 1) {
      const text = ctx.text(`split write ${i} ${'x'.repeat(ctx.rng.int(5, 40))}`);
      // A few writes, the last size repeating: 3 to 15 ms between them.
      const sizes = [ctx.rng.int(1, 4), ctx.rng.int(1, 7), ctx.rng.int(8, 16)];
      await ctx.say(a, text, { sizes, delayMs: ctx.rng.int(3, 15) });
      sent.push({ from: a, text });
    }
    // Another member's whole line between the two halves of a's line: a server
    // that relays chunks as they come (seed 000) interleaves them inside a line.
    const text = ctx.text(`split around another line ${'y'.repeat(ctx.rng.int(5, 40))}`);
    const bytes = Buffer.from(ctx.sayLine(a, text) + ctx.dialect.lineEnding, 'utf8');
    const cut = ctx.rng.int(1, bytes.length - 2);
    ctx.noteSaid(a, text);
    ctx.silent.add(a); // no keepalive of a's may land between its halves
    await a.sendBytes(bytes.subarray(0, cut), undefined, 0, `${JSON.stringify(text)}, first ${cut} bytes`);
    const other = ctx.text('between the halves');
    const seen = a.received.length;
    await ctx.say(b, other);
    // a hears b's line (or what the server made of it) before it finishes its own.
    await ctx.waitUntil(() => a.received.length > seen || a.isClosed);
    await a.sendBytes(bytes.subarray(cut), undefined, 0, `${JSON.stringify(text)}, the rest`);
    ctx.silent.delete(a);
    sent.push({ from: a, text }, { from: b, text: other });
    await expectDelivery(ctx, sent, [a, b], inOrder(framingRules('FRAME-1')));
  },
});

const isListReply = (type: string): boolean => (LIST_REPLIES as readonly string[]).includes(type);

export const coalescedWrites = defineCase({
  id: 'frame/coalesced-writes',
  title: 'Several lines in one write arrive as separate lines, in order (a command among them is answered too)',
  requirements: ['FRAME-2'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    // The three lines before the command are a few hundred bytes each, the two after it short: a server's
    // buffers then hold long lines followed by short ones (the reply and the last lines).
    const texts = Array.from({ length: 5 }, (_, i) => ctx.text(`coalesced ${i}${i < 3 ? ` ${'x'.repeat(200)}` : ''}`));
    const d = ctx.dialect;
    // Where the dialect has a member list, the list command sits in the middle of the write: a server must
    // answer it and still deliver the lines around it (its reply must not take the place of the room's lines).
    const ask = d.hasCommand('who') && LIST_REPLIES.some((t) => d.hasNotice(t)) ? d.renderCommand({ type: 'who', name: a.name }) : undefined;
    const start = a.received.length;
    if (ask === undefined) await ctx.sayInOneWrite(a, texts, `${texts.length} lines in one write`);
    else {
      for (const text of texts) ctx.noteSaid(a, text);
      const lines = texts.map((t) => ctx.sayLine(a, t));
      lines.splice(3, 0, ask);
      await a.sendBytes(Buffer.from(lines.map((l) => l + d.lineEnding).join(''), 'utf8'), undefined, 0, `${texts.length} lines and the list command (4th) in one write`);
    }
    await expectDelivery(ctx, texts.map((text) => ({ from: a, text })), [a, b], framingRules('FRAME-2'));
    if (ask !== undefined && !(await ctx.waitUntil(() => a.received.slice(start).some((r) => r.event !== undefined && isListReply(r.event.type)))))
      ctx.fail('FRAME-2', 'the member-list command written between chat lines in one write got no answer', { expected: `a member list after ${JSON.stringify(ask)}`, actual: 'no list' });
  },
});

export const crlf = defineCase({
  id: 'frame/crlf',
  title: 'A line ending in CR LF is the same line without the CR',
  requirements: ['FRAME-4'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const plain = ctx.text('lf');
    const text = ctx.text('crlf');
    await a.sendLine(ctx.sayLine(a, plain)); // LF, or CR LF where the profile's server needs it
    await a.sendLine(ctx.sayLine(a, text), { eol: '\r\n' });
    await expectDelivery(ctx, [{ from: a, text: plain }, { from: a, text }], [a, b], framingRules('FRAME-4'));
    // FRAME-4 is about the CR: a text that keeps it (or is mangled by it) is FRAME-4's. A line of which
    // nothing at all arrived is lost, whatever its terminator: CHAT-1 (CHAT-2 for the echo).
    for (const m of ctx.audienceOf(a).filter((r) => r === a || r === b)) {
      if (!m.isClosed && !m.received.some((r) => r.line.includes(text))) {
        ctx.violate(m === a ? 'CHAT-2' : 'CHAT-1', `${m.label} received nothing of a line ${a.label} ended with CR LF`, { expected: JSON.stringify(text), actual: 'no line holding its text' });
      }
    }
    // The kit strips one CR before LF on every server line; a server that kept the client's CR in the
    // text relays it as "...text\r\n", which shows as a CR on that line and not on the LF one.
    for (const m of ctx.audienceOf(a).filter((r) => r === a || r === b)) {
      const ended = (t: string): boolean | undefined => m.received.find((r) => r.event?.type === 'chat' && r.event.text === t && ctx.isAbout(r.event.who, a))?.cr === true;
      if (ended(text) && !ended(plain)) {
        ctx.violate('FRAME-4', `the CR of a's CR LF line stayed in the text ${m.label} received`, { expected: JSON.stringify(text), actual: JSON.stringify(`${text}\r`) });
      }
    }
  },
});

export const utf8Split = defineCase({
  id: 'frame/utf8-split',
  title: 'Multi-byte UTF-8 characters split across writes arrive intact',
  requirements: ['FRAME-5'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const text = ctx.text('héllo wörld 聊天室 😀 ĳ');
    // Writes of 1 byte cut every multi-byte character in the middle.
    await ctx.say(a, text, { sizes: [1], delayMs: 0 });
    const text2 = ctx.text('日本語のテキスト 🎉');
    await ctx.say(a, text2, { sizes: [2, 3, 5], delayMs: 2 });
    await expectDelivery(ctx, [{ from: a, text }, { from: a, text: text2 }], [a, b], inOrder(framingRules('FRAME-5')));
  },
});

export const finalLineWithoutLf = defineCase({
  id: 'frame/final-line-no-lf',
  title: 'A last line without LF before the end of the stream is still a line',
  requirements: ['FRAME-6'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const text = ctx.text('no newline');
    await a.sendLine(ctx.sayLine(a, text), { eol: '' });
    await ctx.leave(a, 'fin');
    // Where the profile has a leave notice it is the barrier: the line must come before it.
    await expectDelivery(ctx, [{ from: a, text, to: [b] }], [b], framingRules('FRAME-6'));
    if (ctx.dialect.hasNotice('leave')) {
      await ctx.waitForNotice('leave', () => ctx.eventsAbout(b, 'leave', a) > 0);
      const about = b.received.filter((r) => r.event && 'who' in r.event && ctx.isAbout(r.event.who, a));
      const lineAt = about.findIndex((r) => r.event?.type === 'chat' && r.event.text === text);
      const leaveAt = about.findIndex((r) => r.event?.type === 'leave');
      if (lineAt >= 0 && leaveAt >= 0 && leaveAt < lineAt) {
        ctx.violate('FRAME-6', `${b.label} received ${a.label}'s final line after its leave notice`, { expected: 'the line, then the leave notice', actual: 'the leave notice, then the line' });
      }
    }
  },
});

export const rawPauseEndsLine = defineCase({
  id: 'frame/raw-pause',
  title: 'raw: bytes without LF and then a pause are relayed as a line; bytes after them start a new one',
  requirements: ['FRAME-9'],
  needs: ['framing:raw'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const first = ctx.text('no newline, then a pause');
    await a.sendLine(ctx.sayLine(a, first), { eol: '' });
    // Nothing else from a until the pause has ended the line (raw's flush is 500 ms after the last byte):
    // no barrier, which would be glued to the unterminated bytes.
    const to = ctx.profile.echo ? [a, b] : [b];
    await expectDelivery(ctx, [{ from: a, text: first, to }], to, framingRules('FRAME-9'), { timeoutMs: RAW_FLUSH_MS + ctx.wait(0.5), sync: false, barrier: false });
    const second = ctx.text('a line of its own');
    await ctx.say(a, second);
    await expectDelivery(ctx, [{ from: a, text: first, to }, { from: a, text: second, to }], to, framingRules('FRAME-9'));
  },
});

export const serverLines = defineCase({
  id: 'frame/server-lines',
  title: 'Every server line ends with LF and carries exactly one notice',
  requirements: ['FRAME-3'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const sent = [];
    for (let i = 0; i < 10; i += 1) {
      const from = i % 2 ? a : b;
      const text = ctx.text(`line ${i}`);
      await ctx.say(from, text);
      sent.push({ from, text });
    }
    // FRAME-3 is the shape of server lines: a line no notice matches. Lost, doubled or swapped whole lines are delivery faults.
    await expectDelivery(ctx, sent, [a, b], { ...CHAT_RULES, altered: 'FRAME-3' });
  },
});

export const nameopPipeInMsg = defineCase({
  id: 'frame/nameop-pipe-in-msg',
  title: 'A nameop Msg holding "|" is delivered whole',
  requirements: ['FRAME-7'],
  needs: ['framing:nameop'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const texts = [ctx.text('a|b|c'), ctx.text('|leading and trailing|'), ctx.text('bob|5|spoof|looking')];
    for (const text of texts) await ctx.say(a, text);
    await expectDelivery(ctx, texts.map((text) => ({ from: a, text })), [a, b], framingRules('FRAME-7'));
  },
});

export const longLinesWithinMax = defineCase({
  id: 'frame/long-lines',
  title: 'Lines from 1 KiB up to one byte under the maximum line length arrive whole',
  requirements: ['FRAME-8'],
  async run(ctx) {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const max = ctx.profile.maxLineBytes;
    // Whole-line sizes (the say line before LF): past the usual fixed buffers, and one byte under the
    // maximum (Go's bufio.Scanner counts the LF in its 64 KiB: the gopl seeds take 65,535 bytes at most).
    const sizes = [...new Set([1024, 4097, 16 * 1024, max - 1].filter((n) => n < max))];
    const sent = [];
    for (const size of sizes) {
      const head = ctx.text(`${size} bytes `);
      const overhead = Buffer.byteLength(ctx.sayLine(a, head));
      if (overhead >= size) continue;
      const text = head + 'L'.repeat(size - overhead);
      await ctx.say(a, text);
      sent.push({ from: a, text });
    }
    await expectDelivery(ctx, sent, [a, b], { missing: 'FRAME-8', duplicate: 'CHAT-1', altered: 'FRAME-8', order: 'ORDER-1', echo: 'FRAME-8' }, { timeoutMs: ctx.wait(2) });
  },
});
