// Build and start the Go peers (gopl-unbuffered, gopl-buffered): the seed 004
// server as written and with the usual fix, run against the kit as baselines.
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../../src/supervise/index.js';
import { packagePath } from '../../src/paths.js';

export const peerNames = ['gopl-unbuffered', 'gopl-buffered'] as const;
export type PeerName = (typeof peerNames)[number];

export type BuildResult =
  | { readonly ok: true; readonly binaries: Readonly<Record<PeerName, string>> }
  /** missingGo: no usable `go` command (a build failure with Go present is not that). */
  | { readonly ok: false; readonly missingGo: boolean; readonly reason: string };

const INSTALL_HINT = 'install Go 1.19 or later (Debian/Ubuntu: apt-get install golang-go)';

const peersDir = (): string => packagePath('bench', 'peers');
const binaryPath = (name: PeerName): string => join(peersDir(), 'bin', name);

/** The environment for `go`: local toolchain only, caches under tmp when HOME is not writable. */
function goEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
  let homeWritable = false;
  try {
    if (env.HOME) {
      accessSync(env.HOME, constants.W_OK);
      homeWritable = true;
    }
  } catch {
    homeWritable = false;
  }
  if (!homeWritable) {
    const base = join(tmpdir(), 'chat-conformance-go');
    env.GOCACHE ??= join(base, 'cache');
    env.GOPATH ??= join(base, 'path');
  }
  return env;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; missing: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: goEnv(), timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true });
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      resolve({ ok: false, missing, output: `${stderr}${stdout}`.trim() || err.message });
    });
  });
}

const mtime = (path: string): number | undefined => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
};

/**
 * Builds one Go program (package directory `pkg` of the module in `moduleDir`)
 * into `binary`, unless the binary is newer than its sources. Shared with the
 * crashers corpus (test/crashers/).
 */
export async function buildGoProgram(moduleDir: string, pkg: string, binary: string): Promise<BuildResult | { ok: true }> {
  const version = await run('go', ['version'], moduleDir, 10_000);
  if (!version.ok)
    return { ok: false, missingGo: true, reason: version.missing ? `go is not on PATH: ${INSTALL_HINT}` : `go does not run (${version.output}): ${INSTALL_HINT}` };
  mkdirSync(join(binary, '..'), { recursive: true });
  const built = mtime(binary);
  const sources = [join(moduleDir, pkg, 'main.go'), join(moduleDir, 'go.mod')].map(mtime);
  if (sources.some((m) => m === undefined)) return { ok: false, missingGo: false, reason: `missing source for ${pkg} under ${moduleDir}` };
  if (built !== undefined && sources.every((m) => m! < built)) return { ok: true };
  const build = await run('go', ['build', '-o', binary, `./${pkg}`], moduleDir, 180_000);
  return build.ok ? { ok: true } : { ok: false, missingGo: false, reason: `go build ${pkg} failed: ${build.output}` };
}

/** Builds both peers into bench/peers/bin/ (skipping a binary newer than its sources). */
export async function buildGoPeers(): Promise<BuildResult> {
  const dir = peersDir();
  const version = await run('go', ['version'], dir, 10_000);
  if (!version.ok)
    return {
      ok: false,
      missingGo: true,
      reason: version.missing ? `go is not on PATH: ${INSTALL_HINT}` : `go does not run (${version.output}): ${INSTALL_HINT}`,
    };
  mkdirSync(join(dir, 'bin'), { recursive: true });
  for (const name of peerNames) {
    const built = mtime(binaryPath(name));
    const sources = [join(dir, name, 'main.go'), join(dir, 'go.mod')].map(mtime);
    if (sources.some((m) => m === undefined)) return { ok: false, missingGo: false, reason: `missing source for ${name} under ${dir}` };
    if (built !== undefined && sources.every((m) => m! < built)) continue;
    const build = await run('go', ['build', '-o', binaryPath(name), `./${name}`], dir, 180_000);
    if (!build.ok) return { ok: false, missingGo: false, reason: `go build ${name} failed: ${build.output}` };
  }
  return { ok: true, binaries: { 'gopl-unbuffered': binaryPath('gopl-unbuffered'), 'gopl-buffered': binaryPath('gopl-buffered') } };
}

export interface RunningPeer {
  /** host:port */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  close(): Promise<void>;
}

/** Starts a built peer on 127.0.0.1, port 0 (builds first if needed); throws with the reason when Go is missing. */
export async function startPeer(name: PeerName): Promise<RunningPeer> {
  const built = await buildGoPeers();
  if (!built.ok) throw new Error(`cannot start ${name}: ${built.reason}`);
  const proc: ServerProcess = await startServerProcess({ file: built.binaries[name], args: ['-addr', '127.0.0.1:0'], label: name });
  return { url: proc.url, host: proc.host, port: proc.port, pid: proc.pid, close: () => proc.close() };
}
