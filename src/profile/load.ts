// Loading a profile: a built-in name (profiles/NAME.json) or a path to a
// user's JSON file, validated by the zod schema and then compiled once so
// that a bad template or pattern is reported at load time, not at first use.
import { readFile } from 'node:fs/promises';
import { packagePath } from '../paths.js';
import { compileProfile } from './dialect.js';
import { ProfileSchema, type Profile } from './schema.js';
import { ProfileError } from './types.js';

/** The profiles shipped in profiles/ (a test checks this list against the directory). */
export const builtinProfileNames: readonly string[] = ['gopl-en', 'gopl-zh', 'who-rename', 'nameop', 'raw'];

const issuePath = (path: readonly PropertyKey[]): string => (path.length === 0 ? '(top level)' : path.map(String).join('.'));

/** Validates parsed JSON as a profile; `source` names the file in error messages. */
export function parseProfile(json: unknown, source = 'profile'): Profile {
  const result = ProfileSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `  ${issuePath(i.path)}: ${i.message}`);
    const first = result.error.issues[0];
    throw new ProfileError(`${source}: not a valid profile:\n${issues.join('\n')}`, first ? issuePath(first.path) : undefined);
  }
  try {
    compileProfile(result.data);
  } catch (err) {
    if (err instanceof ProfileError) throw new ProfileError(`${source}: ${err.message}`, err.where);
    throw err;
  }
  return result.data;
}

/** A built-in profile name, or a path to a profile JSON file. */
export async function loadProfile(nameOrPath: string): Promise<Profile> {
  const builtin = builtinProfileNames.includes(nameOrPath);
  // A bare word is meant as a built-in name; anything with a slash or .json is a path.
  if (!builtin && !/[/\\]|\.json$/i.test(nameOrPath)) {
    throw new ProfileError(
      `unknown built-in profile "${nameOrPath}"; known: ${builtinProfileNames.join(', ')} (or give a path to a .json file)`,
    );
  }
  const file = builtin ? packagePath('profiles', `${nameOrPath}.json`) : nameOrPath;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ProfileError(`${file}: cannot read the profile: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ProfileError(`${file}: invalid JSON: ${(err as Error).message}`);
  }
  return parseProfile(json, file);
}
