// What the wild corpus covers together (issue 8 §4, and every profile feature
// of spec/profiles.md): each feature is a test on a server's hand-written
// profile, its style or its labels, so the table in test/wild/README.md is
// computed, not claimed (test/wild-coverage.test.ts compares the two).
import { readFileSync } from 'node:fs';
import { loadProfile, parseProfile, type Profile } from '../../src/profile/index.js';
import { wildProfile, wildServers } from './corpus.js';

interface Server {
  readonly name: string;
  readonly style: string;
  readonly labels: readonly string[];
  readonly profile: Profile;
  readonly promptLine: boolean;
}

const has = (t: string | undefined, what: string): boolean => t !== undefined && t.includes(what);

export const FEATURES: readonly { readonly feature: string; readonly test: (s: Server) => boolean }[] = [
  { feature: 'Python asyncio', test: (s) => s.style === 'Python asyncio' },
  { feature: 'Python socketserver', test: (s) => s.style === 'Python socketserver' },
  { feature: 'Python selectors', test: (s) => s.style === 'Python selectors' },
  { feature: 'Node `net`', test: (s) => s.style === 'Node net' },
  { feature: 'Go', test: (s) => s.style.startsWith('Go') },
  { feature: 'C (`select()`)', test: (s) => s.style === 'C select' },
  { feature: 'C (`poll()`)', test: (s) => s.style === 'C poll' },
  { feature: 'members by address (`identity: addr`)', test: (s) => s.profile.identity === 'addr' },
  { feature: 'names the server assigns (`identity: assigned`)', test: (s) => s.profile.identity === 'assigned' },
  { feature: 'a name prompt without LF (`joinOn: prompt`)', test: (s) => s.profile.joinOn === 'prompt' && !s.promptLine },
  { feature: 'a name prompt in a line of its own (`joinOn: prompt`)', test: (s) => s.profile.joinOn === 'prompt' && s.promptLine },
  { feature: 'a login command (`joinOn: login`)', test: (s) => s.profile.joinOn === 'login' },
  { feature: 'an IRC-style `NICK name` login', test: (s) => /^NICK /.test(s.profile.commands.login ?? '') },
  { feature: 'a name set by a rename after connect (`joinOn: connect`, `identity: name`)', test: (s) => s.profile.joinOn === 'connect' && s.profile.identity === 'name' },
  { feature: 'a login without self-join (`selfJoin: false`)', test: (s) => s.profile.joinOn === 'login' && !s.profile.selfJoin },
  { feature: 'the joiner sees its own join (`selfJoin: true`)', test: (s) => s.profile.selfJoin },
  { feature: 'no echo (`echo: false`)', test: (s) => !s.profile.echo },
  { feature: 'a welcome naming the joiner', test: (s) => has(s.profile.notices.welcome, '{name}') || has(s.profile.notices.welcome, '{addr}') },
  { feature: 'a welcome naming no one', test: (s) => s.profile.notices.welcome !== undefined && !has(s.profile.notices.welcome, '{') },
  { feature: 'a banner of several lines', test: (s) => (s.profile.banner ?? []).length >= 2 },
  { feature: 'lines to ignore as templates (`ignore`)', test: (s) => (s.profile.ignore ?? []).length > 0 },
  { feature: 'lines to ignore as patterns (`ignorePatterns`)', test: (s) => (s.profile.ignorePatterns ?? []).length > 0 },
  { feature: 'CR LF from the server and to it (`clientLineEnding: crlf`)', test: (s) => s.profile.clientLineEnding === 'crlf' },
  { feature: 'a welcome with a fact of the moment (`{*}`: how many are online)', test: (s) => has(s.profile.notices.welcome, '{*}') },
  { feature: 'timestamps in notices (`{*}`)', test: (s) => has(s.profile.notices.chat, '{*}') },
  { feature: 'a rename announced to the room with the old name', test: (s) => s.profile.renameAudience === 'room' && has(s.profile.notices.renamed, '{oldName}') },
  { feature: 'a member list without header', test: (s) => s.profile.notices.whoEntry !== undefined && s.profile.notices.whoHeader === undefined },
  { feature: 'a member list with a header', test: (s) => s.profile.notices.whoEntry !== undefined && s.profile.notices.whoHeader !== undefined },
  { feature: 'a member list on one line (`userList`)', test: (s) => s.profile.notices.userList !== undefined },
  { feature: 'private lines without `{target}`', test: (s) => s.profile.notices.private !== undefined && !has(s.profile.notices.private, '{target}') },
  { feature: 'private lines with `{target}`', test: (s) => has(s.profile.notices.private, '{target}') },
  { feature: 'errors without `{code}`', test: (s) => s.profile.notices.error !== undefined && !has(s.profile.notices.error, '{code}') },
  { feature: 'errors with `{code}`', test: (s) => has(s.profile.notices.error, '{code}') },
  { feature: 'a rename acknowledged to the requester only', test: (s) => s.profile.notices.renamed !== undefined && s.profile.renameAudience === 'requester' },
  { feature: 'a prompt answered, the name assigned (`joinOn: prompt`, `identity: assigned`)', test: (s) => s.profile.joinOn === 'prompt' && s.profile.identity === 'assigned' },
  { feature: 'an idle timeout (`idleTimeoutMs`, `idleLeave`)', test: (s) => s.profile.idleTimeoutMs != null && s.profile.notices.idleLeave !== undefined },
  { feature: 'groups (`group`, `groupJoin`, `groupList`)', test: (s) => s.profile.notices.group !== undefined && s.profile.notices.groupJoin !== undefined },
  { feature: 'profile updates (`profileUpdated`)', test: (s) => s.profile.notices.profileUpdated !== undefined },
  { feature: 'a `listSeparator`', test: (s) => s.profile.listSeparator !== '|' || s.profile.notices.userList !== undefined },
  { feature: 'a `patterns.name`', test: (s) => s.profile.patterns?.name !== undefined },
  { feature: 'lines without LF (fails FRAME-3)', test: (s) => s.labels.includes('FRAME-3') },
  { feature: 'one read taken as one message (fails FRAME-1/CHAT-1)', test: (s) => s.labels.includes('FRAME-1') },
  { feature: 'a name read with one recv() (fails IDENT-5)', test: (s) => s.labels.includes('IDENT-5') },
  { feature: 'a reset member never announced as gone (fails LEAVE-1)', test: (s) => s.labels.includes('LEAVE-1') },
  { feature: 'one member that stops reading stalls the room (fails ISOLATION-1)', test: (s) => s.labels.includes('ISOLATION-1') },
  { feature: 'short writes ignored: lines lost or cut at a full socket (fails ISOLATION-5)', test: (s) => s.labels.includes('ISOLATION-5') },
];

/** The seeds' built-in profiles (the core kill-matrix corpus), one column: what the wild corpus need not repeat. */
const SEEDS = ['gopl-en', 'gopl-zh', 'who-rename', 'nameop', 'raw'] as const;
export const SEEDS_COLUMN = 'seeds (built-in)';

export async function wildCoverage(): Promise<{ readonly servers: readonly string[]; readonly rows: readonly { readonly feature: string; readonly by: readonly string[] }[] }> {
  const servers: Server[] = wildServers.map((w) => ({
    name: w.name.replace(/^wild:/, ''),
    style: w.style,
    labels: w.labels,
    promptLine: w.promptLine === true,
    profile: parseProfile(JSON.parse(readFileSync(wildProfile(w.profile), 'utf8')), wildProfile(w.profile)),
  }));
  const seeds = await Promise.all(SEEDS.map(async (name) => ({ name: SEEDS_COLUMN, style: 'seed', labels: [], promptLine: false, profile: await loadProfile(name) })));
  servers.push(...seeds);
  return {
    servers: [...new Set(servers.map((s) => s.name))],
    rows: FEATURES.map(({ feature, test }) => ({ feature, by: [...new Set(servers.filter(test).map((s) => s.name))] })),
  };
}

/** The Markdown table of test/wild/README.md. */
export async function coverageTable(): Promise<string> {
  const { servers, rows } = await wildCoverage();
  const head = `| Feature | ${servers.join(' | ')} |`;
  const rule = `|---|${servers.map(() => ':-:').join('|')}|`;
  const body = rows.map((r) => `| ${r.feature} | ${servers.map((s) => (r.by.includes(s) ? 'x' : '')).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}
