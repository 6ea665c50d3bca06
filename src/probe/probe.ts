// `chat-conformance probe`: drafts a profile from a live server. Clients
// connect one after another with pauses; what each receives (banner, prompt,
// welcome, join notices) is diffed into templates; the usual commands are
// tried and kept when their effect is recognisable; the draft is then
// checked with the preflight. Bounded: a fixed number of clients and
// attempts, each wait capped, the whole probe under a deadline.
import { randomBytes } from 'node:crypto';
import { compileProfile, parseProfile, ProfileError, type Profile } from '../profile/index.js';
import type { Target } from '../runner/client.js';
import { checkProfile } from '../preflight/check.js';
import type { PreflightResult } from '../preflight/preflight.js';
import { assignedNames, ERRORISH, namePatternFor, namingTemplate, oneWordApart, templateOf, varyingTemplate, type Values } from './infer.js';
import { allQuiet, ProbeClient } from './wire.js';

export interface ProbeOptions {
  readonly target: Target;
  /** The longest the probe waits for one reaction of the server. Default 1500 ms. */
  readonly waitMs?: number;
  /** Deadline of the whole probe. Default 30 s. */
  readonly deadlineMs?: number;
}

export interface ProbeResult {
  /** The drafted profile (JSON), or undefined when no draft could be made. */
  readonly profile: Record<string, unknown> | undefined;
  /** What the probe saw happen. */
  readonly sure: readonly string[];
  /** What it assumed, or could not find. */
  readonly guessed: readonly string[];
  /** The preflight with the draft. */
  readonly preflight: PreflightResult | undefined;
  /** Why there is no draft. */
  readonly problem?: string;
}

const PROMPT_LIKE = /[:?>]\s*$/u;
/** A whole line that asks for a name ("Enter your nickname:", "What is your name?"): a prompt that ends with LF. */
const NAME_QUESTION = /(name|nick|handle|who are you)\W*[:?]\s*$/iu;
const LOGIN_COMMANDS = ['/login {name}', '/nick {name}', 'NICK {name}', '/name {name}', 'login {name}'];
const RENAME_COMMANDS = ['/nick {name}', '/name {name}', 'rename|{name}', 'NICK {name}'];
const WHO_COMMANDS = ['/who', '/users', '/list', '/names', 'who'];
const PRIVATE_COMMANDS = ['/msg {target} {text}', '/w {target} {text}', '/whisper {target} {text}', '/pm {target} {text}'];
const QUIT_COMMANDS = ['/quit', 'quit', '/exit'];
const LINE_SIZES = [60_000, 16_000, 4000, 1000];
/** A long probe line's last bytes go out after a pause (the server reads the partial line first). */
const LINE_TAIL_BYTES = 100;
const LINE_PAUSE_MS = 500;
const NAME_PATTERN = '[A-Za-z0-9_]{1,16}';

class ProbeFailed extends Error {}

interface Member {
  readonly client: ProbeClient;
  name: string | undefined;
}

const fill = (command: string, values: Record<string, string>): string => command.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');

export async function probeServer(options: ProbeOptions): Promise<ProbeResult> {
  const waitMs = options.waitMs ?? 1500;
  const deadlineAt = performance.now() + (options.deadlineMs ?? 30_000);
  const { target } = options;
  const clients: ProbeClient[] = [];
  const sure: string[] = [];
  const guessed: string[] = [];
  const run = `pr${randomBytes(2).toString('hex')}`;
  let eol = '\n';

  const open = async (label: string): Promise<ProbeClient> => {
    if (performance.now() > deadlineAt) throw new ProbeFailed('the probe ran out of time');
    const c = await ProbeClient.open(label, target, waitMs, eol);
    clients.push(c);
    return c;
  };
  const settle = (...cs: ProbeClient[]): Promise<void> => allQuiet(cs, Math.min(waitMs, Math.max(0, deadlineAt - performance.now())), 300);
  const newLines = (c: ProbeClient, from: number): string[] => c.lines.slice(from);

  const notices: Record<string, string> = {};
  const commands: Record<string, string> = { say: '{text}' };
  const profile: Record<string, unknown> = {
    name: `probed-${target.port}`,
    description: `Drafted by chat-conformance probe from ${target.host}:${target.port}; read it before you trust it.`,
    framing: 'line',
    defaultPort: target.port,
  };
  let identity: 'addr' | 'name' | 'assigned' = 'addr';
  let joinOn: 'connect' | 'login' | 'prompt' = 'connect';
  let prompt: string | undefined;
  let loginCommand: string | undefined;
  let namePattern = NAME_PATTERN;
  const banner: string[] = [];
  const ignore: string[] = [];

  try {
    // 1. The first client: banner, prompt, welcome.
    const aClient = await open('a');
    await aClient.quiet(waitMs, 300, 500);
    if (aClient.crlf) eol = aClient.eol = '\r\n';
    const aConnect = [...aClient.lines];
    const aConnected = aConnect.length;
    const a: Member = { client: aClient, name: undefined };
    const lastLine = aConnect.at(-1);
    if (aClient.partial && PROMPT_LIKE.test(aClient.partial)) {
      prompt = aClient.partial;
      sure.push(`the server asks for a name without LF: ${JSON.stringify(prompt)}; the first line answers it`);
    } else if (!aClient.partial && lastLine !== undefined && NAME_QUESTION.test(lastLine)) {
      // The question is the last line before the server waits: a prompt, not the banner's end.
      prompt = aConnect.pop()!;
      sure.push(`the server asks for a name in a line of its own: ${JSON.stringify(prompt)}; the first line answers it`);
    }
    if (prompt !== undefined) {
      joinOn = 'prompt';
      identity = 'name';
      a.name = `${run}a`;
      aClient.send(a.name);
      await settle(aClient);
    }
    // The prompt waits without LF, so the server's next line arrives glued to it: take it off.
    const unprompted = (l: string): string => (prompt !== undefined && l.startsWith(prompt) ? l.slice(prompt.length) : l);
    const aAfterPrompt = newLines(aClient, aConnected).map(unprompted);

    // 2. The second client: what the first sees of it is the join notice.
    const aMark = aClient.lines.length;
    const bClient = await open('b');
    const b: Member = { client: bClient, name: undefined };
    await bClient.quiet(waitMs, 300, 500);
    const bConnect = [...bClient.lines];
    const bConnected = bConnect.length;
    if (prompt !== undefined && bConnect.at(-1) === prompt) bConnect.pop();
    if (prompt !== undefined) {
      b.name = `${run}b`;
      bClient.send(b.name);
    }
    await settle(aClient, bClient);
    const bAfterPrompt = newLines(bClient, bConnected).map(unprompted);

    // Banner and welcome: lines the same for both, and lines that differ only in the client's values.
    let welcome: string | undefined;
    const n = Math.min(aConnect.length, bConnect.length);
    for (let i = 0; i < n; i += 1) {
      const la = aConnect[i]!;
      const lb = bConnect[i]!;
      if (la === lb) {
        banner.push(templateOf(la, {})!);
        continue;
      }
      const ta = templateOf(la, { addr: aClient.addr });
      if (ta !== undefined && ta === templateOf(lb, { addr: bClient.addr }) && ta.includes('{addr}')) {
        welcome ??= ta;
        continue;
      }
      const names = oneWordApart(la, lb);
      if (names && prompt === undefined) {
        identity = 'assigned';
        a.name = names[0];
        b.name = names[1];
        welcome ??= templateOf(la, { addr: aClient.addr, name: names[0] });
        sure.push(`the server names each client at connect (${names[0]}, ${names[1]}), in ${JSON.stringify(la)}`);
        continue;
      }
      // Per-connection facts (a MOTD's visitor number, who is online): not room events.
      const varying = varyingTemplate(la, lb);
      if (varying !== undefined && !ignore.includes(varying)) {
        ignore.push(varying);
        sure.push(`a line on connect that changes with each connection: ignored as ${JSON.stringify(varying)}`);
      }
    }
    if (prompt !== undefined && a.name && b.name) {
      // The welcome names the member: as it answered, or as the server decided (bob#4821, guest7).
      for (let i = 0; i < Math.min(aAfterPrompt.length, bAfterPrompt.length) && welcome === undefined; i += 1) {
        const [la, lb] = [aAfterPrompt[i]!, bAfterPrompt[i]!];
        const t = templateOf(la, { name: a.name, addr: aClient.addr });
        if (t?.includes('{name}') && t === templateOf(lb, { name: b.name, addr: bClient.addr })) {
          welcome = t;
          break;
        }
        const names = assignedNames(la, lb, a.name, b.name);
        if (!names || (names[0] === a.name && names[1] === b.name)) {
          // The names as answered, with a fact of the moment beside them (how many are online).
          welcome = namingTemplate(la, lb, { name: a.name, addr: aClient.addr }, { name: b.name, addr: bClient.addr });
          continue;
        }
        sure.push(`the server names each client itself after its answer (${a.name} -> ${names[0]}, ${b.name} -> ${names[1]}), in ${JSON.stringify(la)}`);
        identity = 'assigned';
        [a.name, b.name] = names;
        namePattern = namePatternFor(names);
        welcome = templateOf(la, { name: a.name, addr: aClient.addr });
      }
    }
    if (welcome) {
      notices.welcome = welcome;
      sure.push(`each client gets its own welcome: ${JSON.stringify(welcome)}`);
    }
    if (banner.length) sure.push(`a banner of ${banner.length} line(s) on connect`);

    const learnJoin = (seen: readonly string[], joiner: Member, joinerLines: readonly string[]): void => {
      const values = (m: Member): Values => ({ addr: m.client.addr, ...(m.name ? { name: m.name } : {}) });
      for (const line of seen) {
        if (banner.includes(templateOf(line, {})!)) continue;
        const t = templateOf(line, values(joiner));
        if (t === undefined || !(t.includes('{addr}') || t.includes('{name}'))) continue;
        notices.join = t;
        const self = joinerLines.some((l) => templateOf(l, values(joiner)) === t);
        profile.selfJoin = self;
        sure.push(`the others see a join notice: ${JSON.stringify(t)}${self ? ', the joiner too' : ', not the joiner'}`);
        return;
      }
    };
    learnJoin(newLines(aClient, aMark), b, bClient.lines);

    // 3. Chat, and a login when chat does not flow without one.
    const trySay = async (from: Member, to: Member): Promise<{ chat?: string; echo: boolean; ownCopy?: string }> => {
      const text = `${run} hello ${from.client.label}`;
      const marks = [from.client.lines.length, to.client.lines.length];
      from.client.send(text);
      await settle(from.client, to.client);
      const values = { text, addr: from.client.addr, ...(from.name ? { name: from.name } : {}) };
      const got = newLines(to.client, marks[1]!).find((l) => l.includes(text));
      const own = newLines(from.client, marks[0]!).find((l) => l.includes(text));
      if (!got) return { echo: own !== undefined };
      const chat = templateOf(got, values, ['text']);
      if (!chat) return { echo: own !== undefined };
      // The sender's copy in another form ("You: hello") is not an echo of the chat line: a line to ignore.
      const ownTemplate = own === undefined ? undefined : templateOf(own, values, ['text']);
      if (ownTemplate !== undefined && ownTemplate !== chat) return { chat, echo: false, ownCopy: ownTemplate };
      return { chat, echo: own !== undefined };
    };
    let said = await trySay(a, b);
    if (!said.chat && joinOn === 'connect') {
      for (const command of LOGIN_COMMANDS) {
        const aFrom = aClient.lines.length;
        a.name = `${run}a`;
        aClient.send(fill(command, { name: a.name }));
        await settle(aClient, bClient);
        const reply = newLines(aClient, aFrom).find((l) => l.includes(a.name!));
        if (!reply || ERRORISH.test(reply)) continue;
        loginCommand = command;
        joinOn = 'login';
        identity = 'name';
        commands.login = command;
        const aMark2 = aClient.lines.length;
        const bFrom = bClient.lines.length;
        b.name = `${run}b`;
        bClient.send(fill(command, { name: b.name }));
        await settle(aClient, bClient);
        const t = templateOf(reply, { name: a.name, addr: aClient.addr });
        const bReply = newLines(bClient, bFrom);
        if (t && bReply.some((l) => templateOf(l, { name: b.name!, addr: bClient.addr }) === t)) notices.welcome = t;
        sure.push(`clients log in with ${JSON.stringify(command)}; the server answers ${JSON.stringify(reply)}`);
        learnJoin(newLines(aClient, aMark2), b, bReply);
        break;
      }
      if (loginCommand) said = await trySay(a, b);
    }
    if (!said.chat) throw new ProbeFailed('a line one client said did not reach the other (tried plain lines and the usual login commands)');
    notices.chat = said.chat;
    profile.echo = said.echo;
    sure.push(`chat lines read ${JSON.stringify(said.chat)}; the sender ${said.echo ? 'gets' : 'does not get'} its own line`);
    const ownCopy = said.ownCopy;
    if (ownCopy !== undefined) {
      const pattern = ownCopy.replace(/\{(?:text|name|addr)\}/g, '{*}');
      ignore.push(pattern);
      sure.push(`the sender gets its own line in another form, ${JSON.stringify(ownCopy)}: ignored as ${JSON.stringify(pattern)}`);
    }
    if (identity === 'addr' && !said.chat.includes('{addr}') && said.chat.includes('{name}')) identity = 'name';
    // A line a member said, as the others get it or as the sender gets it back: not a reply to a command.
    const isRelay = (line: string, from: Member, text: string): boolean => {
      const t = templateOf(line, { text, addr: from.client.addr, ...(from.name ? { name: from.name } : {}) });
      return t === notices.chat || (ownCopy !== undefined && t === ownCopy);
    };

    // 4. Rename, where members have names.
    if (identity !== 'addr') {
      for (const command of RENAME_COMMANDS) {
        if (command === loginCommand) continue;
        const newName = `${run}n${RENAME_COMMANDS.indexOf(command)}`;
        const line = fill(command, { name: newName });
        const marks = [aClient.lines.length, bClient.lines.length];
        bClient.send(line);
        await settle(aClient, bClient);
        const bSaw = newLines(bClient, marks[1]!).filter((l) => !isRelay(l, b, line));
        const aSaw = newLines(aClient, marks[0]!).filter((l) => !isRelay(l, b, line));
        const ack = bSaw.find((l) => l.includes(newName) && !ERRORISH.test(l));
        if (!ack) continue;
        const t = templateOf(ack, { name: newName, oldName: b.name, addr: bClient.addr });
        if (!t) continue;
        notices.renamed = t;
        commands.rename = command;
        profile.renameAudience = aSaw.includes(ack) ? 'room' : 'requester';
        sure.push(`${JSON.stringify(command)} renames; ${profile.renameAudience === 'room' ? 'the room' : 'the requester'} gets ${JSON.stringify(t)}`);
        b.name = newName;
        break;
      }
      if (!commands.rename) guessed.push(`no rename command found (tried ${RENAME_COMMANDS.join(', ')})`);
    } else if (said.chat.includes('{addr}')) {
      // Known by address until they name themselves (`/nick bob` right after connect): a rename shows when the
      // sender's next line carries the new name where its address was.
      for (const command of RENAME_COMMANDS) {
        const newName = `${run}n${RENAME_COMMANDS.indexOf(command)}`;
        const line = fill(command, { name: newName });
        const marks = [aClient.lines.length, bClient.lines.length];
        bClient.send(line);
        await settle(aClient, bClient);
        const ack = newLines(bClient, marks[1]!).find((l) => l.includes(newName) && !ERRORISH.test(l) && !isRelay(l, b, line));
        if (!ack) continue;
        const text = `${run} named`;
        const from = aClient.lines.length;
        bClient.send(text);
        await settle(aClient, bClient);
        const got = newLines(aClient, from).find((l) => l.includes(text));
        const chat = got === undefined ? undefined : templateOf(got, { text, name: newName }, ['text', 'name']);
        const t = templateOf(ack, { name: newName, oldName: bClient.addr });
        if (chat === undefined || chat !== said.chat.replace('{addr}', '{name}') || t === undefined) continue;
        identity = 'name';
        notices.chat = chat;
        notices.renamed = t;
        commands.rename = command;
        profile.renameAudience = newLines(aClient, marks[0]!).includes(ack) ? 'room' : 'requester';
        // The name pattern admits the addresses members are known by until they rename (the old name of a first rename).
        namePattern = `[A-Za-z0-9_.:]{1,${Math.max(16, aClient.addr.length, bClient.addr.length)}}`;
        b.name = newName;
        a.name = `${run}a`;
        aClient.send(fill(command, { name: a.name }));
        await settle(aClient, bClient);
        sure.push(`members are known by address until they rename with ${JSON.stringify(command)} (${profile.renameAudience === 'room' ? 'the room' : 'the requester'} gets ${JSON.stringify(t)}); chat lines then read ${JSON.stringify(chat)}`);
        break;
      }
    }

    // 5. The member list.
    const subject = (m: Member): string => (identity === 'addr' ? m.client.addr : m.name!);
    for (const command of WHO_COMMANDS) {
      const from = aClient.lines.length;
      const fromB = bClient.lines.length;
      aClient.send(command);
      await settle(aClient, bClient);
      const reply = newLines(aClient, from).filter((l) => !isRelay(l, a, command));
      if (reply.length === 0 || newLines(bClient, fromB).some((l) => reply.includes(l) && !isRelay(l, a, command))) continue;
      const [sa, sb] = [subject(a), subject(b)];
      const both = reply.find((l) => l.includes(sa) && l.includes(sb));
      if (both) {
        const i = Math.min(both.indexOf(sa), both.indexOf(sb));
        const j = Math.max(both.indexOf(sa) + sa.length, both.indexOf(sb) + sb.length);
        const items = both.slice(i, j);
        const separator = items.slice(items.indexOf(sa) === 0 ? sa.length : sb.length, items.length - (items.endsWith(sb) ? sb.length : sa.length));
        const t = templateOf(both, { items }, ['items']);
        if (!t || separator === '') continue;
        notices.userList = t;
        profile.listSeparator = separator;
        commands.who = command;
        sure.push(`${JSON.stringify(command)} lists the members on one line: ${JSON.stringify(t)}, separated by ${JSON.stringify(separator)}`);
        break;
      }
      const entries = reply.map((l) => (l.includes(sa) ? templateOf(l, identity === 'addr' ? { addr: sa } : { name: sa, addr: aClient.addr }) : l.includes(sb) ? templateOf(l, identity === 'addr' ? { addr: sb } : { name: sb, addr: bClient.addr }) : undefined));
      const first = entries.findIndex((e) => e !== undefined);
      const entry = entries[first];
      if (entry === undefined || entries.filter((e) => e === entry).length < 2) continue;
      notices.whoEntry = entry;
      commands.who = command;
      if (first > 0 && !ERRORISH.test(reply[first - 1]!)) notices.whoHeader = templateOf(reply[first - 1]!, {})!;
      sure.push(`${JSON.stringify(command)} lists the members one per line: ${JSON.stringify(entry)}${notices.whoHeader ? ` after ${JSON.stringify(notices.whoHeader)}` : ', no header'}`);
      break;
    }
    if (!commands.who) guessed.push(`no member list command found (tried ${WHO_COMMANDS.join(', ')})`);

    // 6. Private messages, where members have names.
    if (identity !== 'addr') {
      for (const command of PRIVATE_COMMANDS) {
        const text = `${run} psst ${PRIVATE_COMMANDS.indexOf(command)}`;
        const line = fill(command, { target: b.name!, text });
        const fromB = bClient.lines.length;
        aClient.send(line);
        await settle(aClient, bClient);
        const got = newLines(bClient, fromB).find((l) => l.includes(text) && !isRelay(l, a, line));
        if (!got) continue;
        const t = templateOf(got, { text, target: b.name, name: a.name, addr: aClient.addr }, ['text']);
        if (!t) continue;
        notices.private = t;
        commands.private = command;
        sure.push(`${JSON.stringify(command)} sends a private line: ${JSON.stringify(t)}`);
        break;
      }
      if (!commands.private) guessed.push(`no private message command found (tried ${PRIVATE_COMMANDS.join(', ')})`);
    }

    // 7. Long lines: the longest one still relayed.
    let maxLine: number | undefined;
    for (const size of LINE_SIZES) {
      if (performance.now() > deadlineAt - 3 * waitMs) break;
      const c = await open(`l${size}`);
      const m: Member = { client: c, name: undefined };
      await c.quiet(waitMs, 300, 300);
      if (joinOn === 'prompt') c.send(`${run}l${LINE_SIZES.indexOf(size)}`);
      if (joinOn === 'login') c.send(fill(loginCommand!, { name: `${run}l${LINE_SIZES.indexOf(size)}` }));
      if (joinOn !== 'connect') await settle(c, aClient);
      const text = `${run}~${'x'.repeat(size - run.length - 1)}`;
      const from = aClient.lines.length;
      // With a pause before its end: one write of 60,000 bytes is often one read, and a server that bounds
      // the partial line it buffers relays it then, but not when the kernel splits it (as in a run, at random).
      await c.sendWithPause(text, LINE_TAIL_BYTES, Math.min(waitMs, LINE_PAUSE_MS));
      await settle(c, aClient);
      const ok = newLines(aClient, from).some((l) => l.includes(text));
      m.client.destroy();
      await settle(aClient);
      if (ok) {
        maxLine = size;
        break;
      }
    }
    profile.maxLineBytes = maxLine === undefined || maxLine >= LINE_SIZES[0]! ? 65536 : maxLine;
    guessed.push(maxLine === undefined ? 'the longest line: none of the probe lines got through; left at 65536' : `the longest line the server relays: at least ${maxLine} bytes (maxLineBytes ${String(profile.maxLineBytes)})`);

    // 8. Quit, else a close: the leave notice.
    const markA = aClient.lines.length;
    for (const command of QUIT_COMMANDS) {
      bClient.send(command);
      await settle(aClient, bClient);
      if (bClient.closed) {
        commands.quit = command;
        sure.push(`${JSON.stringify(command)} leaves and the server closes the connection`);
        break;
      }
    }
    if (!bClient.closed) {
      bClient.end();
      await settle(aClient, bClient);
    }
    const leave = newLines(aClient, markA)
      // A quit command the server does not have comes back as b's chat line, not as its leave.
      .filter((l) => !QUIT_COMMANDS.some((command) => isRelay(l, b, command)))
      .map((l) => templateOf(l, { addr: bClient.addr, ...(b.name ? { name: b.name } : {}) }))
      .find((t) => t !== undefined && (t.includes('{addr}') || t.includes('{name}')) && t !== notices.chat && !t.includes('{text}'));
    if (leave) {
      notices.leave = leave;
      sure.push(`the others see a leave notice: ${JSON.stringify(leave)}`);
    } else guessed.push('no leave notice seen when a client left');
  } catch (err) {
    for (const c of clients) c.destroy();
    return { profile: undefined, sure, guessed, preflight: undefined, problem: err instanceof Error ? err.message : String(err) };
  } finally {
    for (const c of clients) c.destroy();
  }

  if (prompt !== undefined) notices.prompt = templateOf(prompt, {})!;
  Object.assign(profile, {
    identity,
    joinOn,
    selfJoin: profile.selfJoin ?? false,
    ...(banner.length ? { banner } : {}),
    ...(ignore.length ? { ignore } : {}),
    ...(eol === '\r\n' ? { clientLineEnding: 'crlf' } : {}),
    ...(identity !== 'addr' ? { patterns: { name: namePattern } } : {}),
    notices,
    commands,
  });
  guessed.push('no idle timeout (the probe does not wait for one): set idleTimeoutMs if your server has one');
  guessed.push('no join or line deadline (the probe does not wait for them): set joinTimeoutMs or lineTimeoutMs if your server closes connections that do not log in, or lines that do not end, in time');
  if (identity !== 'addr') guessed.push(`names match ${namePattern} (the names the kit makes up follow it)`);

  // A draft the loader refuses loses the notice it names, a few times at most.
  let loaded: Profile | undefined;
  for (let attempt = 0; attempt < 5 && !loaded; attempt += 1) {
    try {
      loaded = parseProfile(profile, 'draft');
    } catch (err) {
      const where = err instanceof ProfileError ? err.where : undefined;
      const noise = where ? /^ignore\[(\d+)\]$/.exec(where) : null;
      if (noise) {
        // An ignore template that would swallow a notice's line is dropped, not the notice.
        ignore.splice(Number(noise[1]), 1);
        if (ignore.length) profile.ignore = ignore;
        else delete profile.ignore;
        guessed.push(`left out ${where}: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      const m = where ? /^(notices|commands)\.(\w+)$/.exec(where) : null;
      if (!m || m[2] === 'chat' || m[2] === 'say') return { profile, sure, guessed, preflight: undefined, problem: `the draft is not a valid profile: ${(err as Error).message}` };
      delete (m[1] === 'notices' ? notices : commands)[m[2]!];
      guessed.push(`left out ${where}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (!loaded) return { profile, sure, guessed, preflight: undefined, problem: 'the draft is not a valid profile' };
  const noise = recurringNoise(loaded, clients);
  if (noise.length) {
    try {
      loaded = parseProfile({ ...profile, ignorePatterns: noise }, 'draft');
      profile.ignorePatterns = noise;
      sure.push(`lines that are no room event came again and again to several clients (a keepalive?): ignored as ${noise.map((p) => JSON.stringify(p)).join(', ')}`);
    } catch (err) {
      guessed.push(`lines no template reads came again and again (${noise.join(', ')}), but ignoring them is refused: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const preflight = await checkProfile({ target, profile: loaded, timeoutMs: waitMs });
  return { profile, sure, guessed, preflight };
}

/**
 * Lines the draft reads as nothing that several clients received again and
 * again, the same but for their digits (a keepalive `PING :1733000000`, a
 * clock): patterns for ignorePatterns, digits as [0-9]+. A line one client
 * received, or an error reply to a command the probe tried, is not one of them.
 */
export function recurringNoise(profile: Profile, clients: readonly { readonly lines: readonly string[] }[]): string[] {
  const dialect = compileProfile(profile);
  const perClient = clients.map((c) => {
    const counts = new Map<string, number>();
    for (const line of c.lines) {
      if (line === '' || ERRORISH.test(line) || dialect.noise(line) !== undefined || dialect.match(line) !== undefined) continue;
      const pattern = line.split(/[0-9]+/u).map((part) => part.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')).join('[0-9]+');
      counts.set(pattern, (counts.get(pattern) ?? 0) + 1);
    }
    return counts;
  });
  const patterns = new Set(perClient.flatMap((counts) => [...counts].filter(([, n]) => n >= 2).map(([p]) => p)));
  return [...patterns].filter((p) => perClient.filter((counts) => (counts.get(p) ?? 0) >= 2).length >= 2).slice(0, 4);
}
