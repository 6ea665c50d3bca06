// Templates: the text of a notice or command with {placeholders}. This file
// parses a template into parts and says which placeholders each notice and
// command may use; dialect.ts turns the parts into regular expressions.
import type { ClientCommandType, ServerEventType } from './types.js';

export const placeholders = ['addr', 'name', 'oldName', 'text', 'target', 'group', 'code', 'items'] as const;
export type Placeholder = (typeof placeholders)[number];

const octet = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ipv4 = `${octet}(?:\\.${octet}){3}`;
const port = '(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d{2}|6[0-4]\\d{3}|[1-5]\\d{4}|[1-9]\\d{0,3}|0)';
// Loose about where "::" may go, strict about the characters: "[1.2.3.4:5]" is not IPv6.
const ipv6 = `\\[(?:[0-9A-Fa-f]{0,4}:){2,8}(?:[0-9A-Fa-f]{0,4}|${ipv4})(?:%[0-9A-Za-z._~-]+)?\\]`;

/**
 * Default regex source of each placeholder (compiled with the `u` flag).
 * {addr} is tight (IPv4:port or [IPv6]:port, port 0..65535, no trailing ":")
 * so that "127.0.0.1:5: x" splits only one way.
 */
export const defaultPatterns: Readonly<Record<Placeholder, string>> = {
  addr: `(?:${ipv4}|${ipv6}):${port}`,
  name: '[^|\\r\\n]{1,64}',
  // A former name: the profile's name pattern unless patterns.oldName says otherwise (dialect.ts).
  oldName: '[^|\\r\\n]{1,64}',
  text: '[^\\n]*',
  target: '[^|\\r\\n]{1,64}',
  group: '[^|\\r\\n]{1,64}',
  code: '\\d{1,9}',
  items: '[^\\n]*',
};

/** The {*} wildcard: any text up to the next literal, never captured. */
export const wildcardPattern = '[^\\n]*?';

export type TemplatePart =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'field'; readonly field: Placeholder }
  | { readonly kind: 'wildcard' };

/** Why a template text is not a template; the caller adds where it is. */
export class TemplateSyntaxError extends Error {}

/**
 * Splits a template into literal text, {placeholders} and {*}. "{{" and "}}"
 * are a literal brace; any other lone brace is an error.
 */
export function parseTemplate(source: string): TemplatePart[] {
  if (/[\r\n]/.test(source)) throw new TemplateSyntaxError('a template is one line: it may not hold CR or LF');
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  const flush = (): void => {
    if (literal !== '') parts.push({ kind: 'literal', text: literal });
    literal = '';
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === '{' && source[i + 1] === '{') {
      literal += '{';
      i += 2;
    } else if (c === '}' && source[i + 1] === '}') {
      literal += '}';
      i += 2;
    } else if (c === '}') {
      throw new TemplateSyntaxError(`unbalanced "}" at offset ${i} (write "}}" for a literal brace)`);
    } else if (c === '{') {
      const end = source.indexOf('}', i + 1);
      const inner = end < 0 ? '' : source.slice(i + 1, end);
      if (end < 0 || inner.includes('{')) {
        throw new TemplateSyntaxError(`unbalanced "{" at offset ${i} (write "{{" for a literal brace)`);
      }
      flush();
      if (inner === '*') parts.push({ kind: 'wildcard' });
      else if ((placeholders as readonly string[]).includes(inner)) parts.push({ kind: 'field', field: inner as Placeholder });
      else {
        throw new TemplateSyntaxError(`unknown placeholder {${inner}} (known: ${placeholders.map((p) => `{${p}}`).join(' ')} {*})`);
      }
      i = end + 1;
    } else {
      literal += c;
      i += 1;
    }
  }
  flush();
  return parts;
}

/** The placeholders a template must use and those it may use besides. */
export interface FieldRule {
  readonly required: readonly Placeholder[];
  readonly optional: readonly Placeholder[];
}

// A notice carries every field of its event; who-fields ({addr}, {name}) are
// the dialect's choice, and the event's `who` holds exactly those it names.
const who = ['addr', 'name'] as const;
export const noticeFields: Readonly<Record<ServerEventType, FieldRule>> = {
  welcome: { required: [], optional: who },
  join: { required: [], optional: who },
  leave: { required: [], optional: who },
  idleLeave: { required: [], optional: who },
  renamed: { required: [], optional: ['addr', 'name', 'oldName'] },
  whoHeader: { required: [], optional: [] },
  whoEntry: { required: [], optional: who },
  // A private line may leave out its recipient (the one who reads it is the recipient).
  private: { required: ['text'], optional: ['target', 'addr', 'name'] },
  group: { required: ['group', 'text'], optional: who },
  groupJoin: { required: ['group'], optional: who },
  groupList: { required: ['items'], optional: [] },
  userList: { required: ['items'], optional: [] },
  profileUpdated: { required: ['text'], optional: who },
  // Error lines without a code are common ("Unknown command"); code checks then do not apply.
  error: { required: [], optional: ['code', 'text'] },
  prompt: { required: [], optional: [] },
  chat: { required: ['text'], optional: who },
};

// In command templates {name} is the sender, except in rename (the new name).
export const commandFields: Readonly<Record<ClientCommandType, FieldRule>> = {
  say: { required: ['text'], optional: ['name', 'addr'] },
  quit: { required: [], optional: ['name'] },
  login: { required: ['name'], optional: [] },
  who: { required: [], optional: ['name'] },
  rename: { required: ['name'], optional: [] },
  private: { required: ['target', 'text'], optional: ['name'] },
  group: { required: ['group', 'text'], optional: ['name'] },
  groupJoin: { required: ['group'], optional: ['name'] },
  groupList: { required: [], optional: ['name'] },
  profile: { required: ['text'], optional: ['name'] },
};

/** Banner, ignore and prompt lines are fixed text: they may hold {*} and nothing else. */
export const fixedLineFields: FieldRule = { required: [], optional: [] };

/** Checks a parsed template against its rule; returns the problem or undefined. */
export function checkFields(parts: readonly TemplatePart[], rule: FieldRule): string | undefined {
  const used = new Set(parts.flatMap((p) => (p.kind === 'field' ? [p.field] : [])));
  const missing = rule.required.filter((f) => !used.has(f));
  if (missing.length > 0) return `must use ${missing.map((f) => `{${f}}`).join(' and ')}`;
  const allowed = new Set<Placeholder>([...rule.required, ...rule.optional]);
  const extra = [...used].filter((f) => !allowed.has(f));
  if (extra.length > 0) {
    const may = [...allowed].map((f) => `{${f}}`).join(' ') || 'none';
    return `may not use ${extra.map((f) => `{${f}}`).join(' ')} (placeholders allowed here: ${may} and {*})`;
  }
  return undefined;
}
