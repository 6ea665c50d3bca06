// The wild corpus: small single-file servers in the styles people really
// write (Python asyncio, Python socketserver, Node net, Go, C), each with a
// hand-written profile beside it, each correct or with the bug its style
// typically has. They join the kill matrix (test/targets/corpus.ts) and
// test/wild.test.ts runs each once with its profile.
import { execFile } from 'node:child_process';
import { mkdirSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../../src/paths.js';
import type { CorpusEntry } from '../targets/corpus.js';
import { launched } from '../targets/launched.js';

export const wildDir = (...parts: string[]): string => packagePath('test', 'wild', ...parts);

/** The hand-written profile of a wild server (a path the kit loads). */
export const wildProfile = (server: string): string => wildDir(`${server}.profile.json`);

function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ ok: boolean; missing: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, missing: false, output: stdout });
      resolve({ ok: false, missing: (err as NodeJS.ErrnoException).code === 'ENOENT', output: `${stderr}${stdout}`.trim() || err.message });
    });
  });
}

let python: Promise<string | undefined> | undefined;
/** Why the Python servers cannot run here, or undefined. */
export function pythonUnavailable(): Promise<string | undefined> {
  python ??= run('python3', ['--version'], { timeoutMs: 10_000 }).then((r) => (r.ok ? undefined : r.missing ? 'python3 is not on PATH' : `python3 does not run: ${r.output}`));
  return python;
}

type Built = { ok: true } | { ok: false; missing: boolean; reason: string };

const buildDir = join(tmpdir(), 'chat-conformance-wild');

/**
 * A compiled server, built into a temp dir once per process (skipped when the
 * binary is newer than its source): `build(out)` writes it to a name of this
 * process's own, renamed when done, so parallel test processes never run a
 * half-written binary. `unavailable` is the corpus entry's: the reason when
 * the toolchain is missing, an error when the build fails.
 */
function compiled(binary: string, source: string, build: (out: string) => Promise<Built>): { build: () => Promise<Built>; unavailable: () => Promise<string | undefined> } {
  let once: Promise<Built> | undefined;
  const run = (): Promise<Built> =>
    (once ??= (async () => {
      try {
        if (statSync(binary).mtimeMs > statSync(source).mtimeMs) return { ok: true as const };
      } catch {
        // not built yet
      }
      mkdirSync(buildDir, { recursive: true });
      const partial = `${binary}.${process.pid}`;
      const built = await build(partial);
      if (built.ok) renameSync(partial, binary);
      return built;
    })());
  return {
    build: run,
    unavailable: async () => {
      const built = await run();
      if (built.ok) return undefined;
      if (built.missing) return built.reason;
      throw new Error(built.reason);
    },
  };
}

/** A Go server of the corpus: test/wild/<dir>/ (its own go.mod), built once per process. */
function goServer(dir: string): ReturnType<typeof compiled> & { binary: string } {
  const binary = join(buildDir, dir);
  const built = compiled(binary, wildDir(dir, 'main.go'), async (out) => {
    const version = await run('go', ['version'], { timeoutMs: 10_000 });
    if (!version.ok) return { ok: false, missing: true, reason: version.missing ? 'go is not on PATH (Debian: apt-get install golang-go)' : `go does not run: ${version.output}` };
    const base = join(tmpdir(), 'chat-conformance-go');
    const env = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOCACHE: process.env.GOCACHE ?? join(base, 'cache'), GOPATH: process.env.GOPATH ?? join(base, 'path') };
    const build = await run('go', ['build', '-o', out, '.'], { cwd: wildDir(dir), env, timeoutMs: 180_000 });
    return build.ok ? { ok: true } : { ok: false, missing: false, reason: `go build test/wild/${dir} failed: ${build.output}` };
  });
  return { ...built, binary };
}

const goRooms = goServer('go-rooms');
const goBinary = goRooms.binary;
/** Builds test/wild/go-rooms once per process. */
export const buildGoRooms = goRooms.build;
const goUnavailable = goRooms.unavailable;
const goMotd = goServer('go-motd');

/** A C server of the corpus: test/wild/<stem>.c, compiled with `cc -O2 -Wall` once per process. */
function cServer(stem: string): ReturnType<typeof compiled> & { binary: string } {
  const binary = join(buildDir, stem);
  const built = compiled(binary, wildDir(`${stem}.c`), async (out) => {
    const build = await run('cc', ['-O2', '-Wall', '-o', out, wildDir(`${stem}.c`)], { timeoutMs: 120_000 });
    if (build.ok) return { ok: true };
    return { ok: false, missing: build.missing, reason: build.missing ? 'cc is not on PATH (Debian: apt-get install gcc)' : `cc test/wild/${stem}.c failed: ${build.output}` };
  });
  return { ...built, binary };
}

const cSelect = cServer('c-select');
const cPollNick = cServer('c-poll-nick');

const spawn = (label: string, file: string, args: readonly string[]): Pick<CorpusEntry, 'command' | 'start'> => launched(() => ({ file, args, label }));

interface WildServer {
  readonly name: string;
  /** The file stem of its profile: test/wild/<profile>.profile.json. */
  readonly profile: string;
  readonly kind: 'correct' | 'seed';
  /** How it is written (test/wild/README.md's coverage table). */
  readonly style: string;
  readonly labels: readonly string[];
  readonly description: string;
  /** Its name prompt is a line of its own, LF-terminated (a profile's prompt reads the same either way). */
  readonly promptLine?: true;
  readonly unavailable?: () => Promise<string | undefined>;
  start: CorpusEntry['start'];
  command: CorpusEntry['command'];
}

const servers: readonly WildServer[] = [
  {
    name: 'wild:py-asyncio-guests',
    style: 'Python asyncio',
    profile: 'py-asyncio-guests',
    kind: 'correct',
    labels: [],
    description: 'Python asyncio: guest names assigned at connect, timestamped notices, /nick announced to the room',
    unavailable: pythonUnavailable,
    ...spawn('py-asyncio-guests', 'python3', [wildDir('py-asyncio-guests.py'), '--port', '0']),
  },
  {
    name: 'wild:py-threading-prompt',
    style: 'Python socketserver',
    profile: 'py-threading-prompt',
    kind: 'correct',
    labels: [],
    description: 'Python socketserver (threading): a three-line banner, a name prompt without LF, CR LF both ways',
    unavailable: pythonUnavailable,
    ...spawn('py-threading-prompt', 'python3', [wildDir('py-threading-prompt.py'), '--port', '0']),
  },
  {
    name: 'wild:py-threading-prompt-recv-name',
    style: 'Python socketserver',
    profile: 'py-threading-prompt',
    kind: 'seed',
    labels: ['IDENT-5'],
    description: "the same Python server with its style's usual bug: the name is one recv() and strip(), so a line break in it forges lines",
    unavailable: pythonUnavailable,
    ...spawn('py-threading-prompt --recv-name', 'python3', [wildDir('py-threading-prompt.py'), '--port', '0', '--recv-name']),
  },
  {
    name: 'wild:py-selectors-addr',
    style: 'Python selectors',
    profile: 'py-selectors-addr',
    kind: 'correct',
    labels: [],
    description: 'Python selectors loop: members known by address, no echo, a greeting that names no one',
    unavailable: pythonUnavailable,
    ...spawn('py-selectors-addr', 'python3', [wildDir('py-selectors-addr.py'), '--port', '0']),
  },
  {
    name: 'wild:node-login',
    style: 'Node net',
    profile: 'node-login',
    kind: 'correct',
    labels: [],
    description: 'Node net: /login without self-join, /users without a header, /msg without the target, errors without a code',
    ...spawn('node-login', process.execPath, [wildDir('node-login.mjs'), '--port', '0']),
  },
  {
    name: 'wild:node-login-chunks',
    style: 'Node net',
    profile: 'node-login',
    kind: 'seed',
    // Two lines in one read become one message: the second is lost (CHAT-1) or merged into the first (CHAT-3).
    labels: ['FRAME-1', 'FRAME-2', 'CHAT-1', 'CHAT-3'],
    description: "the same Node server with its style's usual bug: each 'data' event is one message",
    ...spawn('node-login --chunks', process.execPath, [wildDir('node-login.mjs'), '--port', '0', '--chunks']),
  },
  {
    name: 'wild:node-irc-nick',
    style: 'Node net',
    profile: 'node-irc-nick',
    kind: 'correct',
    labels: [],
    description: 'Node net with IRC habits: NICK login with its own join, no echo, /names with a header, numbered errors, keepalive PINGs',
    ...spawn('node-irc-nick', process.execPath, [wildDir('node-irc-nick.mjs'), '--port', '0']),
  },
  {
    name: 'wild:node-nick-addr',
    style: 'Node net',
    profile: 'node-nick-addr',
    kind: 'correct',
    labels: [],
    description: 'Node net, the oldest tutorials\' style: named by address at connect, /nick NAME announced to everyone, no echo',
    ...spawn('node-nick-addr', process.execPath, [wildDir('node-nick-addr.mjs'), '--port', '0']),
  },
  {
    name: 'wild:go-rooms',
    style: 'Go net',
    profile: 'go-rooms',
    kind: 'correct',
    labels: [],
    description: 'Go (chapter 8 style, fixed): names user1, user2... assigned at connect, /who on one line',
    unavailable: goUnavailable,
    ...spawn('go-rooms', goBinary, ['-addr', '127.0.0.1:0']),
  },
  {
    name: 'wild:go-rooms-nolf',
    style: 'Go net',
    profile: 'go-rooms',
    kind: 'seed',
    labels: ['FRAME-3'],
    description: 'the same Go server writing with fmt.Fprint instead of Fprintln: no line ends with LF',
    unavailable: goUnavailable,
    ...spawn('go-rooms -nolf', goBinary, ['-addr', '127.0.0.1:0', '-nolf']),
  },
  {
    name: 'wild:go-motd',
    style: 'Go broadcaster',
    profile: 'go-motd',
    kind: 'correct',
    labels: [],
    description: 'Go (chapter 8 broadcaster, fixed): a MOTD that changes per connection, a name prompt, names made unique with a discriminator (bob#4821), a "> " input prompt line',
    unavailable: goMotd.unavailable,
    ...spawn('go-motd', goMotd.binary, ['-addr', '127.0.0.1:0']),
  },
  {
    name: 'wild:go-motd-unbuffered',
    style: 'Go broadcaster',
    profile: 'go-motd',
    kind: 'seed',
    // The broadcaster blocks on the stopped reader's channel: the room stalls once its socket buffers are full.
    labels: ['ISOLATION-1', 'ISOLATION-2'],
    description: "the same Go server with the book's bug: unbuffered client channels and a blocking send, so one member that stops reading stalls the room",
    unavailable: goMotd.unavailable,
    ...spawn('go-motd -bug', goMotd.binary, ['-addr', '127.0.0.1:0', '-bug']),
  },
  {
    name: 'wild:c-select',
    style: 'C select',
    profile: 'c-select',
    kind: 'correct',
    labels: [],
    description: "C select() loop (Beej's guide style, fixed): members known by address, no echo, a 1024-byte line buffer",
    unavailable: cSelect.unavailable,
    ...spawn('c-select', cSelect.binary, ['-port', '0']),
  },
  {
    name: 'wild:c-select-stale-slot',
    style: 'C select',
    profile: 'c-select',
    kind: 'seed',
    // The reset member is never announced as gone (LEAVE-1); its stale slot later doubles the lines of the connection that reuses its fd.
    labels: ['LEAVE-1'],
    description: "the same C server with its style's usual bug: the recv() error branch (a reset) closes the socket but never frees the client's slot",
    unavailable: cSelect.unavailable,
    ...spawn('c-select -bug', cSelect.binary, ['-port', '0', '-bug']),
  },
  {
    name: 'wild:c-poll-nick',
    style: 'C poll',
    profile: 'c-poll-nick',
    kind: 'correct',
    labels: [],
    promptLine: true,
    description: 'C poll() loop with non-blocking sockets and an output buffer per client: a name prompt in a line of its own, a welcome with the count online, no echo',
    unavailable: cPollNick.unavailable,
    ...spawn('c-poll-nick', cPollNick.binary, ['-port', '0']),
  },
  {
    name: 'wild:c-poll-nick-short-writes',
    style: 'C poll',
    profile: 'c-poll-nick',
    kind: 'seed',
    // Lines lost or cut at a member whose socket buffer is full: the paused reader does not get what it is owed.
    labels: ['ISOLATION-5'],
    promptLine: true,
    description: "the same C server with its style's usual bug: each line is one bare send() whose short count and EAGAIN are ignored",
    unavailable: cPollNick.unavailable,
    ...spawn('c-poll-nick -bug', cPollNick.binary, ['-port', '0', '-bug']),
  },
];

export const wildServers: readonly WildServer[] = servers;

/** The wild servers as kill-matrix entries. */
export const wildCorpus: readonly CorpusEntry[] = servers.map((s) => ({
  name: s.name,
  profile: wildProfile(s.profile),
  kind: s.kind,
  labels: s.labels,
  description: s.description,
  ...(s.unavailable ? { unavailable: s.unavailable } : {}),
  start: s.start,
  command: s.command,
}));
