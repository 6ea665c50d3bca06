// The profile module: what a dialect is (schema), how its templates read and
// write lines (dialect), and where profiles come from (load).
export { ProfileSchema, type Profile, type ProfileInput, type Framing } from './schema.js';
export { compileProfile, noticePriority, commandPriority, type Dialect } from './dialect.js';
export { loadProfile, parseProfile, builtinProfileNames } from './load.js';
export { parseTemplate, placeholders, defaultPatterns, wildcardPattern, noticeFields, commandFields } from './template.js';
export type { Placeholder, TemplatePart, FieldRule } from './template.js';
export { ProfileError } from './types.js';
export type { Who, ServerEvent, ServerEventType, ClientCommand, ClientCommandType } from './types.js';
