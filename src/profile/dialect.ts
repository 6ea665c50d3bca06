// A compiled profile: every template becomes one anchored RegExp with named
// groups, once. match() reads a server line as an event, render() writes one;
// parseCommand()/renderCommand() do the same for client lines.
import type { Profile } from './schema.js';
import {
  checkFields,
  fixedLineFields,
  commandFields,
  defaultPatterns,
  noticeFields,
  parseTemplate,
  placeholders,
  TemplateSyntaxError,
  wildcardPattern,
  type FieldRule,
  type Placeholder,
  type TemplatePart,
} from './template.js';
import { refuseIndistinct } from './distinct.js';
import {
  ProfileError,
  type ClientCommand,
  type ClientCommandType,
  type ServerEvent,
  type ServerEventType,
  type Who,
} from './types.js';

/** Order in which match() tries notices: chat, whose {text} is the most general, comes last. */
export const noticePriority: readonly ServerEventType[] = [
  'prompt',
  'welcome',
  'join',
  'leave',
  'idleLeave',
  'renamed',
  'whoHeader',
  'whoEntry',
  'private',
  'group',
  'groupJoin',
  'groupList',
  'userList',
  'profileUpdated',
  'error',
  'chat',
];

/** Order in which parseCommand() tries commands: say is the catch-all, tried last. */
export const commandPriority: readonly ClientCommandType[] = [
  'login',
  'quit',
  'who',
  'rename',
  'private',
  'group',
  'groupJoin',
  'groupList',
  'profile',
  'say',
];

export interface Dialect {
  readonly profile: Profile;
  /** Full-match RegExp of each placeholder as this profile sets it (for generators and checks). */
  readonly patterns: Readonly<Record<Placeholder, RegExp>>;
  /** The server line for an event, without LF. Throws ProfileError if the profile lacks the notice or a value does not fit its pattern. */
  render(event: ServerEvent): string;
  /** The first reading of a server line, in noticePriority order; undefined when no notice matches. */
  match(line: string): ServerEvent | undefined;
  /** Every reading, one per matching notice, in noticePriority order (several only where the dialect is ambiguous). */
  matchAll(line: string): ServerEvent[];
  /** The client line for a command, without LF. Throws ProfileError if the profile lacks the command. */
  renderCommand(cmd: ClientCommand): string;
  /** The server's view of a client line, in commandPriority order; undefined when no command matches. */
  parseCommand(line: string): ClientCommand | undefined;
  hasNotice(type: ServerEventType): boolean;
  hasCommand(type: ClientCommandType): boolean;
  /** 'banner' or 'ignore' when the line is one the profile says is not a room event (checked before match). */
  noise(line: string): 'banner' | 'ignore' | undefined;
  /** Whether a partial line (no LF yet) is the name prompt; always false without notices.prompt. */
  isPrompt(partial: string): boolean;
  /** What the kit ends its own lines with (clientLineEnding). */
  readonly lineEnding: '\n' | '\r\n';
}

interface CompiledTemplate<T extends string> {
  readonly type: T;
  readonly where: string;
  readonly parts: readonly TemplatePart[];
  readonly regex: RegExp;
}

type Values = Partial<Record<Placeholder, string>>;
type Groups = Readonly<Record<string, string | undefined>>;

const escapeRegExp = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

function compilePatterns(profile: Profile): Record<Placeholder, string> {
  const out = { ...defaultPatterns };
  for (const p of placeholders) {
    const source = profile.patterns?.[p];
    if (source === undefined) continue;
    try {
      new RegExp(source, 'u');
    } catch (err) {
      throw new ProfileError(`patterns.${p}: not a valid regular expression (u flag): ${(err as Error).message}`, `patterns.${p}`);
    }
    out[p] = source;
  }
  if (profile.patterns?.oldName === undefined) out.oldName = out.name;
  return out;
}

function compileTemplate<T extends string>(
  type: T,
  source: string,
  where: string,
  rule: FieldRule,
  patterns: Record<Placeholder, string>,
): CompiledTemplate<T> {
  let parts: TemplatePart[];
  try {
    parts = parseTemplate(source);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new ProfileError(`${where}: ${err.message} in ${JSON.stringify(source)}`, where);
    throw err;
  }
  const problem = checkFields(parts, rule);
  if (problem) throw new ProfileError(`${where}: ${JSON.stringify(source)} ${problem}`, where);
  const seen = new Set<Placeholder>();
  let body = '';
  for (const part of parts) {
    if (part.kind === 'literal') body += escapeRegExp(part.text);
    else if (part.kind === 'wildcard') body += `(?:${wildcardPattern})`;
    else if (seen.has(part.field)) body += `\\k<${part.field}>`; // a repeated placeholder must repeat the same value
    else {
      seen.add(part.field);
      body += `(?<${part.field}>(?:${patterns[part.field]}))`;
    }
  }
  let regex: RegExp;
  try {
    regex = new RegExp(`^${body}$`, 'u');
  } catch (err) {
    throw new ProfileError(`${where}: the template does not compile with the profile's patterns: ${(err as Error).message}`, where);
  }
  return { type, where, parts, regex };
}

function renderParts(parts: readonly TemplatePart[], values: Values, what: string): string {
  let out = '';
  for (const part of parts) {
    if (part.kind === 'literal') out += part.text;
    else if (part.kind === 'field') {
      const value = values[part.field];
      if (value === undefined) throw new ProfileError(`${what}: has no ${part.field} for {${part.field}}`);
      out += value;
    }
  }
  return out;
}

function need(groups: Groups, field: Placeholder): string {
  return groups[field] ?? '';
}

function compileFixedLine(source: string, where: string, patterns: Record<Placeholder, string>): RegExp {
  return compileTemplate('fixed', source, where, fixedLineFields, patterns).regex;
}

/** Membership settings the kit could not act on: each needs a notice or command the profile lacks. */
function refuseUnjoinable(profile: Profile, notices: ReadonlyMap<ServerEventType, CompiledTemplate<ServerEventType>>): void {
  const names = (type: ServerEventType): boolean => notices.get(type)?.parts.some((p) => p.kind === 'field' && p.field === 'name') ?? false;
  if (profile.joinOn === 'login' && profile.commands.login === undefined)
    throw new ProfileError('joinOn "login" needs commands.login', 'commands.login');
  if (profile.joinOn === 'prompt' && !notices.has('prompt'))
    throw new ProfileError('joinOn "prompt" needs notices.prompt (the text the server asks for a name with)', 'notices.prompt');
  if (profile.identity === 'name' && profile.joinOn === 'connect' && profile.commands.rename === undefined)
    throw new ProfileError('identity "name" with joinOn "connect" needs commands.rename: the kit names itself with it after connecting', 'commands.rename');
  if (profile.identity === 'assigned' && !names('welcome') && !(profile.selfJoin && names('join')))
    throw new ProfileError(
      'identity "assigned" needs a line that tells the joiner its name: notices.welcome with {name}, or notices.join with {name} and selfJoin true',
      'identity',
    );
}

function whoOf(groups: Groups): Who {
  const who: { addr?: string; name?: string } = {};
  if (groups.addr !== undefined) who.addr = groups.addr;
  if (groups.name !== undefined) who.name = groups.name;
  return who;
}

function eventOf(type: ServerEventType, g: Groups, separator: string): ServerEvent | undefined {
  switch (type) {
    case 'welcome':
    case 'join':
    case 'leave':
    case 'idleLeave':
    case 'whoEntry':
      return { type, who: whoOf(g) };
    case 'renamed':
      return g.oldName !== undefined ? { type, who: whoOf(g), oldName: g.oldName } : { type, who: whoOf(g) };
    case 'whoHeader':
    case 'prompt':
      return { type };
    case 'chat':
    case 'profileUpdated':
      return { type, who: whoOf(g), text: need(g, 'text') };
    case 'private':
      return g.target !== undefined
        ? { type, who: whoOf(g), target: g.target, text: need(g, 'text') }
        : { type, who: whoOf(g), text: need(g, 'text') };
    case 'group':
      return { type, who: whoOf(g), group: need(g, 'group'), text: need(g, 'text') };
    case 'groupJoin':
      return { type, who: whoOf(g), group: need(g, 'group') };
    case 'groupList':
    case 'userList': {
      const items = need(g, 'items');
      return { type, items: items === '' ? [] : items.split(separator) };
    }
    case 'error': {
      if (g.code === undefined) return { type, text: need(g, 'text') };
      // A profile may loosen {code}; a reading whose code is not a number is no reading.
      const code = Number(g.code);
      return Number.isSafeInteger(code) && code >= 0 ? { type, code, text: need(g, 'text') } : undefined;
    }
  }
}

function commandOf(type: ClientCommandType, g: Groups): ClientCommand {
  const sender = g.name !== undefined ? { name: g.name } : {};
  switch (type) {
    case 'say':
      return { type, text: need(g, 'text'), ...sender, ...(g.addr !== undefined ? { addr: g.addr } : {}) };
    case 'quit':
    case 'who':
    case 'groupList':
      return { type, ...sender };
    case 'login':
      return { type, name: need(g, 'name') };
    case 'rename':
      return { type, newName: need(g, 'name') };
    case 'private':
      return { type, target: need(g, 'target'), text: need(g, 'text'), ...sender };
    case 'group':
      return { type, group: need(g, 'group'), text: need(g, 'text'), ...sender };
    case 'groupJoin':
      return { type, group: need(g, 'group'), ...sender };
    case 'profile':
      return { type, text: need(g, 'text'), ...sender };
  }
}

function eventValues(event: ServerEvent, separator: string, what: string): Values {
  const values: Values = {};
  const e = event as Partial<Record<string, unknown>>;
  const who = e.who as Partial<Record<string, unknown>> | undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  if (who) {
    values.addr = str(who.addr);
    values.name = str(who.name);
  }
  values.oldName = str(e.oldName);
  values.text = str(e.text);
  values.target = str(e.target);
  values.group = str(e.group);
  if (e.code !== undefined) {
    if (!Number.isSafeInteger(e.code) || (e.code as number) < 0) throw new ProfileError(`${what}: code ${String(e.code)} is not a non-negative integer`);
    values.code = String(e.code);
  }
  if (e.items !== undefined) {
    const items = e.items;
    if (!Array.isArray(items) || items.some((i) => typeof i !== 'string')) throw new ProfileError(`${what}: items is not a list of strings`);
    // These would read back as a different list.
    const bad = items.find((i: string) => i.includes(separator));
    if (bad !== undefined) throw new ProfileError(`${what}: item ${JSON.stringify(bad)} holds the list separator ${JSON.stringify(separator)}`);
    if (items.length === 1 && items[0] === '') throw new ProfileError(`${what}: a list of one empty item reads back as the empty list`);
    values.items = items.join(separator);
  }
  return values;
}

function commandValues(cmd: ClientCommand): Values {
  const c = cmd as Partial<Record<string, unknown>>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    name: str(cmd.type === 'rename' ? c.newName : c.name),
    addr: str(c.addr),
    text: str(c.text),
    target: str(c.target),
    group: str(c.group),
  };
}

export function compileProfile(profile: Profile): Dialect {
  const source = compilePatterns(profile);
  const patterns = Object.fromEntries(placeholders.map((p) => [p, new RegExp(`^(?:${source[p]})$`, 'u')])) as Record<
    Placeholder,
    RegExp
  >;
  const separator = profile.listSeparator ?? '|';

  const notices = new Map<ServerEventType, CompiledTemplate<ServerEventType>>();
  for (const type of noticePriority) {
    const text = profile.notices[type];
    if (text !== undefined) notices.set(type, compileTemplate(type, text, `notices.${type}`, noticeFields[type], source));
  }
  if (!notices.has('chat')) throw new ProfileError('notices.chat: the chat template is required', 'notices.chat');
  const commands = new Map<ClientCommandType, CompiledTemplate<ClientCommandType>>();
  for (const type of commandPriority) {
    const text = profile.commands[type];
    if (text !== undefined) commands.set(type, compileTemplate(type, text, `commands.${type}`, commandFields[type], source));
  }
  if (!commands.has('say')) throw new ProfileError('commands.say: the say template is required', 'commands.say');

  const noise: { where: string; regex: RegExp; kind: 'banner' | 'ignore' }[] = [
    ...(profile.banner ?? []).map((t, i) => ({ where: `banner[${i}]`, regex: compileFixedLine(t, `banner[${i}]`, source), kind: 'banner' as const })),
    ...(profile.ignore ?? []).map((t, i) => ({ where: `ignore[${i}]`, regex: compileFixedLine(t, `ignore[${i}]`, source), kind: 'ignore' as const })),
    ...(profile.ignorePatterns ?? []).map((p, i) => {
      const where = `ignorePatterns[${i}]`;
      try {
        return { where, regex: new RegExp(`^(?:${p})$`, 'u'), kind: 'ignore' as const };
      } catch (err) {
        throw new ProfileError(`${where}: not a valid regular expression (u flag): ${(err as Error).message}`, where);
      }
    }),
  ];
  refuseIndistinct([...notices.values()], noise, patterns, separator);
  refuseUnjoinable(profile, notices);
  const prompt = notices.get('prompt');

  // Values are checked against their patterns so that a rendered line can be read back.
  const checkValues = (parts: readonly TemplatePart[], values: Values, what: string): void => {
    for (const part of parts) {
      if (part.kind !== 'field') continue;
      const value = values[part.field];
      if (value !== undefined && !patterns[part.field].test(value)) {
        throw new ProfileError(`${what}: ${part.field} ${JSON.stringify(value)} does not match the {${part.field}} pattern /${source[part.field]}/u`);
      }
    }
  };

  const readings = (line: string, all: boolean): ServerEvent[] => {
    const out: ServerEvent[] = [];
    for (const t of notices.values()) {
      const m = t.regex.exec(line);
      if (!m) continue;
      const event = eventOf(t.type, m.groups ?? {}, separator);
      if (!event) continue;
      out.push(event);
      if (!all) break;
    }
    return out;
  };

  return {
    profile,
    patterns,
    render(event) {
      const t = notices.get(event.type);
      if (!t) throw new ProfileError(`profile "${profile.name}" has no ${event.type} notice`, `notices.${event.type}`);
      const what = `render ${event.type} (profile "${profile.name}")`;
      const values = eventValues(event, separator, what);
      checkValues(t.parts, values, what);
      return renderParts(t.parts, values, what);
    },
    match: (line) => readings(line, false)[0],
    matchAll: (line) => readings(line, true),
    renderCommand(cmd) {
      const t = commands.get(cmd.type);
      if (!t) throw new ProfileError(`profile "${profile.name}" has no ${cmd.type} command`, `commands.${cmd.type}`);
      const what = `render command ${cmd.type} (profile "${profile.name}")`;
      const values = commandValues(cmd);
      checkValues(t.parts, values, what);
      return renderParts(t.parts, values, what);
    },
    parseCommand(line) {
      for (const t of commands.values()) {
        const m = t.regex.exec(line);
        if (m) return commandOf(t.type, m.groups ?? {});
      }
      return undefined;
    },
    hasNotice: (type) => notices.has(type),
    hasCommand: (type) => commands.has(type),
    noise: (line) => noise.find((n) => n.regex.test(line))?.kind,
    isPrompt: (partial) => prompt !== undefined && prompt.regex.test(partial),
    lineEnding: profile.clientLineEnding === 'crlf' ? '\r\n' : '\n',
  };
}
