// The crashers: servers that crash, wedge, spin or leak the way tutorial chat
// servers do, in Go (built without -race), Python and Node. Each runs under
// the kit's supervision (src/supervise), so a crash is charged to the case
// that caused it, the server restarts, every later case is judged, and the
// resource cases know its pid.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { buildGoProgram } from '../../bench/peers/build.js';
import type { SuperviseOptions } from '../../src/supervise/index.js';
import type { CorpusEntry, CorpusProfile } from '../targets/corpus.js';
import { launched } from '../targets/launched.js';
import { pythonUnavailable } from '../wild/corpus.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Sources live beside the compiled file's source: dist/test/crashers -> test/crashers. */
const sources = join(here, '..', '..', '..', 'test', 'crashers');
const goBinary = join(tmpdir(), 'chat-conformance-crashers', 'gopl-bugs');

export type GoBug = 'race' | 'deadlock' | 'spin' | 'leak' | 'bloat';

/** Builds test/crashers/gopl-bugs (once; skipped when the binary is newer than its source). */
export async function buildCrashers(): Promise<{ ok: true } | { ok: false; missingGo: boolean; reason: string }> {
  const built = await buildGoProgram(sources, 'gopl-bugs', goBinary);
  return built.ok ? { ok: true } : { ok: false, missingGo: built.missingGo, reason: built.reason };
}

export async function goBugCommand(bug: GoBug): Promise<SuperviseOptions> {
  const built = await buildCrashers();
  if (!built.ok) throw new Error(`cannot build gopl-bugs: ${built.reason}`);
  // QUIT: a wedged Go server prints every goroutine's stack, the deadlock among them.
  return { file: goBinary, args: ['-bug', bug, '-addr', '127.0.0.1:{port}'], label: `gopl-bugs -bug ${bug}`, dumpSignal: 'SIGQUIT' };
}

export const pythonCommand = (script: string): SuperviseOptions => ({ file: 'python3', args: [join(sources, script), '--port', '{port}'], label: `python3 ${script}` });
export const wedgeCommand = (): SuperviseOptions => ({ file: process.execPath, args: [join(here, 'wedge.js'), '--port', '{port}'], label: 'node wedge.js', dumpSignal: 'SIGQUIT' });

function crasher(
  name: string,
  profile: CorpusProfile,
  labels: readonly string[],
  description: string,
  command: () => Promise<SuperviseOptions> | SuperviseOptions,
  needsGo = false,
  unavailable?: () => Promise<string | undefined>,
): CorpusEntry {
  return {
    name,
    profile,
    kind: 'planted',
    labels,
    description,
    ...(needsGo ? { needsGo } : {}),
    ...(unavailable ? { unavailable } : {}),
    supervised: true,
    ...launched(command),
  };
}

export const crashers: readonly CorpusEntry[] = [
  crasher('crash:go-map-race', 'gopl-en', ['PROC-1', 'ROBUST-5', 'CHAT-1', 'PROC-3'], 'Go, member map without a lock: "fatal error: concurrent map writes" under churn', () => goBugCommand('race'), true),
  crasher('crash:go-deadlock', 'gopl-en', ['PROC-1', 'CLEANUP-2', 'ROBUST-4', 'ROBUST-5', 'LEAVE-1'], 'Go, lock order inverted on a reset: two members that reset at once wedge the room', () => goBugCommand('deadlock'), true),
  crasher('crash:go-spin', 'gopl-en', ['PROC-2'], 'Go, a cleanup loop that polls without sleeping after the first disconnect', () => goBugCommand('spin'), true),
  crasher('crash:go-leak', 'gopl-en', ['PROC-3'], "Go, a departed member's writer goroutine never ends and keeps its connection open", () => goBugCommand('leak'), true),
  crasher('crash:go-bloat', 'gopl-en', ['PROC-4'], "Go, each member's queue a slice without bound: a member that stops reading makes the server keep every line sent to it", () => goBugCommand('bloat'), true),
  crasher('crash:py-sigpipe', 'gopl-en', ['LEAVE-1'], 'Python, announces a reset member\'s leave to it too: killed by SIGPIPE', () => pythonCommand('sigpipe.py'), false, pythonUnavailable),
  crasher('crash:py-reset-before-login', 'nameop', ['PROC-1', 'ROBUST-4', 'ROBUST-5'], 'Python, a reset before login ends its event loop with a traceback', () => pythonCommand('reset_before_login.py'), false, pythonUnavailable),
  crasher('crash:py-unbounded-writer', 'gopl-en', ['PROC-4'], 'Python asyncio, each line relayed with writer.write() and no limit: a member that stops reading makes the transport keep every line sent to it', () => pythonCommand('unbounded_writer.py'), false, pythonUnavailable),
  crasher('crash:node-wedge', 'gopl-en', ['ROBUST-1'], 'Node, relays nothing after a line over 1,000 bytes while still accepting', wedgeCommand),
];
