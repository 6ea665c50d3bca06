// Types of dialect profiles and of the events they put on the wire. The zod
// schema in schema.ts is the source of the Profile type and of the published
// JSON Schema; these are the runtime shapes everything else uses.

/** How a member is named in a notice: fields present depend on the template. */
export interface Who {
  readonly addr?: string;
  readonly name?: string;
}

/** One line the server sends, as the kit understands it. */
export type ServerEvent =
  | { readonly type: 'welcome'; readonly who: Who }
  | { readonly type: 'join'; readonly who: Who }
  | { readonly type: 'chat'; readonly who: Who; readonly text: string }
  | { readonly type: 'leave'; readonly who: Who }
  | { readonly type: 'idleLeave'; readonly who: Who }
  /** `who` is the member under its new name; `oldName` is present when the template carries {oldName}. */
  | { readonly type: 'renamed'; readonly who: Who; readonly oldName?: string }
  | { readonly type: 'whoHeader' }
  | { readonly type: 'whoEntry'; readonly who: Who }
  /** `target` is absent when the template does not name the recipient. */
  | { readonly type: 'private'; readonly who: Who; readonly target?: string; readonly text: string }
  | { readonly type: 'group'; readonly who: Who; readonly group: string; readonly text: string }
  | { readonly type: 'groupJoin'; readonly who: Who; readonly group: string }
  | { readonly type: 'groupList'; readonly items: readonly string[] }
  | { readonly type: 'userList'; readonly items: readonly string[] }
  | { readonly type: 'profileUpdated'; readonly who: Who; readonly text: string }
  /** `code` is absent when the template has no {code}; `text` is "" when it has no {text}. */
  | { readonly type: 'error'; readonly code?: number; readonly text: string }
  /** The name prompt of a `joinOn: "prompt"` dialect, read from a whole line or from a partial line left waiting. */
  | { readonly type: 'prompt' };

export type ServerEventType = ServerEvent['type'];

/** One line a client sends, as the kit means it. */
export type ClientCommand =
  | { readonly type: 'say'; readonly text: string; readonly name?: string; readonly addr?: string }
  | { readonly type: 'quit'; readonly name?: string }
  | { readonly type: 'login'; readonly name: string }
  | { readonly type: 'who'; readonly name?: string }
  | { readonly type: 'rename'; readonly newName: string }
  | { readonly type: 'private'; readonly target: string; readonly text: string; readonly name?: string }
  | { readonly type: 'group'; readonly group: string; readonly text: string; readonly name?: string }
  | { readonly type: 'groupJoin'; readonly group: string; readonly name?: string }
  | { readonly type: 'groupList'; readonly name?: string }
  | { readonly type: 'profile'; readonly text: string; readonly name?: string };

export type ClientCommandType = ClientCommand['type'];

/**
 * Everything that can be wrong with a profile or with its use: unknown
 * built-in, unreadable file, invalid JSON, schema violation, bad template or
 * pattern, a notice or command the profile lacks, a value its pattern refuses.
 * `where` is the place in the profile (e.g. "notices.chat") when there is one.
 */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(message);
  }
}
