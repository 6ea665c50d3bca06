// The corpus: servers with known bugs, each labelled with the requirements
// its bug violates, and servers known to be correct. The kill matrix runs the
// kit against every entry; a planted bug the kit does not fail on one of its
// labels is a blind spot of the kit, and a fail on a correct server is a
// false alarm. Every server runs in its own process, so a crash stays there.
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGoPeers } from '../../bench/peers/build.js';
import type { Fault } from './fault-server.js';
import type { SuperviseOptions } from '../../src/supervise/index.js';
import { launched } from './launched.js';
import { crashers } from '../crashers/corpus.js';
import { wildCorpus } from '../wild/corpus.js';

export type CorpusProfile = 'gopl-en' | 'gopl-zh' | 'who-rename' | 'nameop' | 'raw' | typeof NAMEOP_DEADLINES;

/** nameop with 1 s join and line deadlines declared (JOIN-5, FRAME-10). */
export const NAMEOP_DEADLINES = 'fixtures/dialects/nameop-deadlines.json';

export interface RunningTarget {
  /** 127.0.0.1:PORT */
  readonly url: string;
  close(): Promise<void>;
}

export interface CorpusEntry {
  readonly name: string;
  /** A built-in profile, or the path of a hand-written profile file (the wild corpus). */
  readonly profile: CorpusProfile | string;
  /** What the server is: a planted bug, a seed's design as written, or a correct server. */
  readonly kind: 'planted' | 'seed' | 'correct';
  /** The requirements its bug violates: the kit must fail one of them. Empty for a correct server. */
  readonly labels: readonly string[];
  readonly description: string;
  /** Requirement sections (FRAME, JOIN...) the kit must not fail on, beyond the labels (seeds whose bug is elsewhere). */
  readonly noFailIn?: readonly string[];
  /** The server's idle timeout, short so the idle cases run under --quick; the kit is told it. */
  readonly idleTimeoutMs?: number;
  /** Needs the Go toolchain (the gopl peers). */
  readonly needsGo?: boolean;
  /** Why this entry cannot run here (a missing interpreter), or undefined; the matrix then skips it with the reason. */
  readonly unavailable?: () => Promise<string | undefined>;
  /** Starts it (by src/supervise, from command()) for a run against its address. */
  start(): Promise<RunningTarget>;
  /** How src/supervise starts it: the matrix runs it with runConformance({ server }). */
  command(): Promise<SuperviseOptions>;
  /**
   * The matrix runs it under the kit's supervision, as --server-cmd does (a crash charged to the case, the
   * server restarted, the resource cases run on its pid); otherwise as a remote target (--target).
   */
  readonly supervised?: boolean;
}

/** who-rename servers run with this idle timeout instead of the dialect's 60 s. */
export const SHORT_IDLE_MS = 1000;

const here = dirname(fileURLToPath(import.meta.url));
/** This build's launcher and CLI (dist/ or a helper's dist-NAME/). */
const launcher = join(here, 'launch.js');
const cli = join(here, '..', '..', 'src', 'cli', 'main.js');

const node = (label: string, args: readonly string[]): Pick<CorpusEntry, 'command' | 'start'> => launched(() => ({ file: process.execPath, args, label }));

function faultEntry(fault: Exclude<Fault, 'none'>, profile: CorpusProfile, labels: readonly string[], description: string): CorpusEntry {
  const idle = profile === 'who-rename' ? SHORT_IDLE_MS : undefined;
  return {
    name: `fault:${fault}`,
    profile,
    kind: 'planted',
    labels,
    description,
    ...(idle !== undefined ? { idleTimeoutMs: idle } : {}),
    ...node(`fault ${fault}`, [launcher, 'fault', '--profile', profile, '--fault', fault, ...(idle !== undefined ? ['--idle-timeout', String(idle)] : [])]),
  };
}

function correctFaultServer(profile: CorpusProfile): CorpusEntry {
  const idle = profile === 'who-rename' ? SHORT_IDLE_MS : undefined;
  return {
    name: `fault:none/${basename(profile, '.json')}`,
    profile,
    kind: 'correct',
    labels: [],
    description: `the planted-bug server with no fault (${profile})`,
    ...(idle !== undefined ? { idleTimeoutMs: idle } : {}),
    ...node(`fault none ${profile}`, [launcher, 'fault', '--profile', profile, '--fault', 'none', ...(idle !== undefined ? ['--idle-timeout', String(idle)] : [])]),
  };
}

function referenceServer(profile: CorpusProfile): CorpusEntry {
  const idle = profile === 'who-rename' ? SHORT_IDLE_MS : undefined;
  return {
    name: `reference/${profile}`,
    profile,
    kind: 'correct',
    labels: [],
    description: `the reference server (chat-conformance serve --profile ${profile})`,
    ...(idle !== undefined ? { idleTimeoutMs: idle } : {}),
    ...node(`reference ${profile}`, [cli, 'serve', '--profile', profile, '--port', '0', ...(idle !== undefined ? ['--idle-timeout', String(idle)] : [])]),
  };
}

function goPeer(name: 'gopl-unbuffered' | 'gopl-buffered', args: readonly string[]): Pick<CorpusEntry, 'command' | 'start'> {
  return launched(async () => {
    const built = await buildGoPeers();
    if (!built.ok) throw new Error(`cannot start ${name}: ${built.reason}`);
    return { file: built.binaries[name], args: ['-addr', '127.0.0.1:0', ...args], label: name };
  });
}

/** The servers written in this project's style (planted bugs, seeds, correct servers, crashers). */
export const coreCorpus: readonly CorpusEntry[] = [
  // Planted bugs: one deviation each in an otherwise correct server (fault-server.ts).
  faultEntry('no-leave-notice', 'gopl-en', ['LEAVE-1'], 'no leave notice when a member disconnects'),
  faultEntry('leave-names-last-joiner', 'gopl-en', ['NOTICE-1', 'LEAVE-1'], 'the leave notice names the latest joiner (a variable every connection overwrites), who is still there'),
  faultEntry('join-deadline-ignored', NAMEOP_DEADLINES, ['JOIN-5'], 'declares a 1 s login deadline and never closes a connection that does not log in'),
  faultEntry('line-deadline-not-rearmed', NAMEOP_DEADLINES, ['FRAME-10'], "the line deadline's timer is cleared only when no byte is pending, so a frame that starts in the read that ended the previous one inherits its deadline"),
  faultEntry('self-join', 'gopl-en', ['JOIN-2'], 'the joiner also gets its own join notice'),
  faultEntry('no-echo', 'gopl-en', ['CHAT-2'], 'the sender does not get its own line'),
  faultEntry('drop-1-in-N', 'gopl-en', ['CHAT-1'], 'every 10th chat delivery to another member is dropped'),
  faultEntry('duplicate-1-in-N', 'gopl-en', ['CHAT-1'], 'every 10th chat delivery to another member is sent twice'),
  faultEntry('reorder', 'gopl-en', ['ORDER-1'], "pairs of a sender's consecutive lines are swapped"),
  faultEntry('chunk-framing', 'gopl-en', ['FRAME-1', 'FRAME-2'], 'each TCP read is one message: no line framing'),
  faultEntry('drop-last-byte', 'gopl-en', ['CHAT-3', 'FRAME-1', 'FRAME-2'], 'each TCP read, its last byte dropped, is one message'),
  faultEntry('leave-before-last-lines', 'gopl-en', ['LEAVE-3'], "the leave is announced before the leaver's final lines are relayed"),
  faultEntry('crash-on-long-line', 'gopl-en', ['ROBUST-1'], 'the process exits on a line over 1,000 bytes'),
  faultEntry('crash-on-missing-pipe', 'nameop', ['ROBUST-3'], 'the process exits on a frame without "|"'),
  faultEntry('crash-on-rename-without-pipe', 'who-rename', ['ROBUST-3'], 'the process exits on "rename" plus 2 or more characters without "|"'),
  faultEntry('sync-fanout', 'gopl-en', ['ISOLATION-1', 'ISOLATION-2'], "each delivery waits for the previous write to drain: one slow reader stalls the room"),
  faultEntry('who-lists-departed', 'who-rename', ['CLEANUP-1'], 'who still lists members that left'),
  faultEntry('idle-no-disconnect', 'who-rename', ['IDLE-2'], 'a timed-out member is announced but stays connected and is still relayed'),
  faultEntry('nameop-spoofing', 'nameop', ['IDENT-2'], 'say frames are relayed under their Name even when it is not the bound name'),
  faultEntry('private-leak', 'nameop', ['CMD-3'], 'a private message also reaches a third member'),
  faultEntry('group-leak', 'nameop', ['CMD-4'], 'a group message reaches the whole room'),
  faultEntry('silent-eviction', 'gopl-en', ['ISOLATION-3'], 'a member evicted for not reading is dropped without a leave notice'),
  faultEntry('group-without-membership-check', 'nameop', ['CMD-7'], 'a group message from a member outside the group is relayed to the group'),
  faultEntry('malformed-relayed', 'nameop', ['ROBUST-7'], 'a frame short of a field is relayed as a say instead of getting error 400'),
  faultEntry('drop-for-slow', 'gopl-en', ['ISOLATION-5'], 'a member whose queue is full is kept in the room and its lines are silently dropped'),
  faultEntry('serial-accept', 'nameop', ['ROBUST-8'], 'a connection is taken in only after the previous one sent its first line'),
  faultEntry('truncate-4k', 'gopl-en', ['FRAME-8'], 'chat texts over 4 KiB are cut to 4 KiB'),
  faultEntry('empty-line-ends-session', 'gopl-en', ['CHAT-5'], "an empty line ends the sender's session (a parser that takes each line's first word fails on it)"),
  faultEntry('partial-line-holds-idle', 'who-rename', ['IDLE-4'], 'the idle timer stops while a line is unfinished: a member that sends part of a line is never timed out'),
  faultEntry('list-replaces-pending', 'who-rename', ['FRAME-2'], "a member-list reply starts the member's output of the turn afresh (strcpy where strcat belongs): its lines queued earlier in the turn are lost"),
  faultEntry('replies-to-room', 'nameop', ['CMD-8'], 'the profile-update acknowledgement and the group list go to every member, not the requester alone'),

  // The seeds' designs as written.
  {
    name: 'seed:who-rename',
    profile: 'who-rename',
    kind: 'seed',
    labels: ['FRAME-1', 'FRAME-2', 'ROBUST-3', 'IDLE-2', 'IDENT-5'],
    description: 'seed 003 as written: a read minus its last byte is a message, rename without "|" crashes, timed-out members stay',
    idleTimeoutMs: SHORT_IDLE_MS,
    ...node('seed who-rename', [launcher, 'seed-who-rename', '--idle-timeout', String(SHORT_IDLE_MS)]),
  },
  {
    name: 'seed:raw',
    profile: 'raw',
    kind: 'seed',
    labels: ['ISOLATION-1', 'FRAME-1'],
    description: 'seed 000 as written: each read relayed unchanged to everyone, writes in turn (a slow reader stalls all)',
    ...node('seed raw', [launcher, 'seed-raw']),
  },
  {
    name: 'seed:nameop',
    profile: 'nameop',
    kind: 'seed',
    labels: ['FRAME-1', 'FRAME-2', 'FRAME-7', 'IDENT-2', 'ROBUST-3', 'IDENT-5'],
    description: 'seed 001 as written: a read is a frame split on every "|", no "|" crashes, Name trusted',
    ...node('seed nameop', [launcher, 'seed-nameop']),
  },
  {
    name: 'seed:gopl-en',
    profile: 'gopl-en',
    kind: 'seed',
    labels: ['ISOLATION-1'],
    description: 'seed 004 as written (Go): unbuffered per-client channels, a slow reader stalls the room',
    noFailIn: ['FRAME', 'JOIN', 'CHAT', 'LEAVE'],
    needsGo: true,
    ...goPeer('gopl-unbuffered', ['-dialect', 'en']),
  },
  {
    name: 'seed:gopl-zh',
    profile: 'gopl-zh',
    kind: 'seed',
    labels: ['ISOLATION-1'],
    description: 'seed 002 as written (Go, the gopl design in Chinese): a slow reader stalls the room',
    noFailIn: ['FRAME', 'JOIN', 'CHAT', 'LEAVE'],
    needsGo: true,
    ...goPeer('gopl-unbuffered', ['-dialect', 'zh']),
  },

  // Correct servers: the kit must not fail them.
  correctFaultServer('gopl-en'),
  correctFaultServer('who-rename'),
  correctFaultServer('nameop'),
  correctFaultServer(NAMEOP_DEADLINES),
  {
    name: 'go:gopl-buffered',
    profile: 'gopl-en',
    kind: 'correct',
    labels: [],
    description: 'seed 004 with buffered channels and slow-client eviction (Go)',
    needsGo: true,
    ...goPeer('gopl-buffered', []),
  },
  referenceServer('gopl-en'),
  referenceServer('gopl-zh'),
  referenceServer('who-rename'),
  referenceServer('nameop'),
  referenceServer('raw'),

  // Servers that crash, wedge, spin or leak (test/crashers/), run under supervision.
  ...crashers,
];

/**
 * Everything `npm run killmatrix` measures: the core corpus and the wild one (test/wild/: servers in the
 * styles people write, with hand-written profiles; in CI each runs once, in test/wild.test.ts).
 */
export const corpus: readonly CorpusEntry[] = [...coreCorpus, ...wildCorpus];
