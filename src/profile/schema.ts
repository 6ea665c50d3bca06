// The profile format as one zod 4 schema: it is the TypeScript type
// (z.output), the runtime validator, and the source of the published JSON
// Schema (scripts/gen-schemas.ts writes spec/schema/profile.schema.json).
// Templates and patterns are plain strings here; load.ts checks what JSON
// Schema cannot say (placeholders known and allowed, patterns compile).
import { z } from 'zod';
import { placeholders } from './template.js';
import type { ClientCommandType, ServerEventType } from './types.js';

const template = (what: string) => z.string().describe(`Template of ${what}.`);

const fixedLine = (what: string) => z.string().min(1).max(1024).describe(`Template of ${what} ({*} only).`);

const pattern = z
  .string()
  .min(1)
  .describe('Regular expression source (JavaScript, compiled with the u flag) that replaces the placeholder default.');

const Patterns = z
  .strictObject(Object.fromEntries(placeholders.map((p) => [p, pattern.optional()])) as Record<
    (typeof placeholders)[number],
    z.ZodOptional<typeof pattern>
  >)
  .describe('Regex overrides per placeholder; placeholders not named keep their default pattern.');

const Notices = z
  .strictObject({
    welcome: template('the greeting only the joiner receives ({addr} {name})').optional(),
    join: template('the join notice ({addr} {name})').optional(),
    chat: template('a chat line ({text}; {addr} {name})'),
    leave: template('the leave notice after a disconnect or quit ({addr} {name})').optional(),
    idleLeave: template('the notice that a member timed out ({addr} {name})').optional(),
    renamed: template('the acknowledgement of a rename ({addr} {name} = the new name, {oldName}); renameAudience says who receives it').optional(),
    whoHeader: template('the line before the member list (no placeholders)').optional(),
    whoEntry: template('one line of the member list ({addr} {name}); without whoHeader the list is the run of these lines answering who').optional(),
    private: template('a private message ({text}; {target} {addr} {name})').optional(),
    group: template('a group message ({group} {text}; {addr} {name})').optional(),
    groupJoin: template('a group join notice ({group}; {addr} {name})').optional(),
    groupList: template('the list of groups ({items})').optional(),
    userList: template('the list of members ({items})').optional(),
    profileUpdated: template('the acknowledgement of a profile update ({text}; {addr} {name})').optional(),
    error: template('an error reply ({code} {text}, both optional; without {code} no code is checked)').optional(),
    prompt: template('the name prompt of joinOn "prompt", often sent without LF ({*} only)').optional(),
  })
  .describe('Server lines by event type. Only chat is required; a missing type is a notice the dialect does not have.');

const Commands = z
  .strictObject({
    say: template('a chat line the client sends ({text}; {name} {addr})'),
    quit: template('the quit command ({name})').optional(),
    login: template('the login command ({name})').optional(),
    who: template('the member list request ({name})').optional(),
    rename: template('the rename command ({name} is the NEW name)').optional(),
    private: template('a private message ({target} {text}; {name})').optional(),
    group: template('a group message ({group} {text}; {name})').optional(),
    groupJoin: template('joining a group ({group}; {name})').optional(),
    groupList: template('the group list request ({name})').optional(),
    profile: template('a profile update ({text}; {name})').optional(),
  })
  .describe('Client lines by command type; {name} is the sender except in rename. Only say is required.');

/** A deadline the server keeps, in ms (up to 10 minutes), or null where the profile declares none. */
const declaredDeadline = (description: string) => z.number().int().positive().max(600_000).nullable().default(null).describe(description);

export const ProfileSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Optional link to this JSON Schema, for editors.'),
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/)
      .max(64)
      .describe('Short name: lower-case letters, digits, ".", "_", "-".'),
    description: z.string().default('').describe('One line about the server this profile describes.'),
    source: z.string().optional().describe('Where the dialect comes from (e.g. the seed article file).'),
    framing: z
      .enum(['line', 'nameop', 'raw'])
      .describe('line: LF-terminated lines; nameop: LF-terminated Name|Op|Msg frames; raw: chunks relayed unchanged.'),
    defaultPort: z.number().int().min(1).max(65535).describe('The port the server listens on by default.'),
    identity: z
      .enum(['addr', 'name', 'assigned'])
      .describe('How notices name a member: by the address the server sees, by a name the client chooses, or by a name the server assigns at connect.'),
    joinOn: z
      .enum(['connect', 'login', 'prompt'])
      .describe('When a connection becomes a room member: when accepted, at its login command, or when it answers the name prompt.'),
    echo: z.boolean().describe('Whether the sender receives its own chat line.'),
    selfJoin: z.boolean().describe('Whether the joiner receives its own join notice.'),
    idleTimeoutMs: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('Milliseconds of silence after which the server announces an idle leave; null for none.'),
    joinTimeoutMs: declaredDeadline('Milliseconds a connection may take to become a member (login, prompt answer) before the server closes it (JOIN-5); null when none is declared.'),
    lineTimeoutMs: declaredDeadline('Milliseconds a line may take from its first byte to its LF before the server ends the connection (FRAME-10); null when none is declared.'),
    maxLineBytes: z
      .number()
      .int()
      .min(256)
      .max(1_048_576)
      .default(65536)
      .describe('Longest line in bytes, LF excluded: 256 B to 1 MiB (spec/core.md, ROBUST-1).'),
    listSeparator: z
      .string()
      .min(1)
      .regex(/^[^\r\n]+$/)
      .default('|')
      .describe('What joins the items of {items}.'),
    patterns: Patterns.default({}),
    banner: z
      .array(fixedLine('a banner line'))
      .max(64)
      .default([])
      .describe('Fixed lines the server sends on connect (before or after the welcome); never room events.'),
    ignore: z
      .array(fixedLine('a line that is not a room event (MOTD, "> " prompt, typing indicator)'))
      .max(64)
      .default([])
      .describe('Lines that are not room events: recorded in transcripts, never unrecognised.'),
    ignorePatterns: z
      .array(pattern.describe('Regular expression source (JavaScript, u flag) of whole lines that are not room events.'))
      .max(64)
      .default([])
      .describe('Like ignore, as regular expressions matched against the whole line.'),
    clientLineEnding: z
      .enum(['lf', 'crlf'])
      .default('lf')
      .describe('What the kit ends its own lines with. Server lines may end with LF or CR LF either way.'),
    renameAudience: z
      .enum(['requester', 'room'])
      .default('requester')
      .describe('Who receives notices.renamed: the member that renamed itself only, or every member of the room.'),
    notices: Notices,
    commands: Commands,
  })
  .meta({
    title: 'chat-conformance dialect profile',
    description: 'How one chat server dialect puts events and commands on the wire. See spec/profiles.md.',
  });

/** A validated profile, defaults filled in. */
export type Profile = z.output<typeof ProfileSchema>;
/** What a profile file may contain (defaulted fields optional). */
export type ProfileInput = z.input<typeof ProfileSchema>;
export type Framing = Profile['framing'];

// The template keys are the event and command types: the compiler fails here when types.ts gains one.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type NoticeKeysAreEventTypes = Assert<Same<keyof Profile['notices'], ServerEventType>>;
export type CommandKeysAreCommandTypes = Assert<Same<keyof Profile['commands'], ClientCommandType>>;
