// Running the built CLI as a user would, with a deadline, and small local
// targets for it (silent, flooding): the CLI tests' shared harness.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { packagePath } from '../../src/paths.js';

export const MAIN = packagePath('dist/src/cli/main.js');

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface CliOptions {
  readonly timeoutMs?: number;
  readonly env?: Record<string, string | undefined>;
  /** Called with the child once started (to signal it, or close its stdout). */
  readonly onSpawn?: (child: ChildProcessWithoutNullStreams) => void;
  readonly onStdout?: (text: string, child: ChildProcessWithoutNullStreams) => void;
  readonly cwd?: string;
}

/** Runs `chat-conformance ...args`; NO_COLOR unless the env says otherwise; SIGKILL and reject at the deadline. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, GITHUB_ACTIONS: undefined, ...options.env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(process.execPath, [MAIN, ...args], { env: env as NodeJS.ProcessEnv, ...(options.cwd ? { cwd: options.cwd } : {}) });
    let stdout = '';
    let stderr = '';
    const limit = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chat-conformance ${args.join(' ')} did not finish in ${limit} ms\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`));
    }, limit);
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 8 * 1024 * 1024) stdout += d.toString();
      options.onStdout?.(stdout, child);
    });
    child.stdout.on('error', () => {});
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 8 * 1024 * 1024) stderr += d.toString();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
    options.onSpawn?.(child);
  });
}

export interface LocalTarget {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: () => number;
  close(): Promise<void>;
}

/** A TCP target on 127.0.0.1:0 whose behaviour per connection is given; every socket is destroyed on close. */
export async function localTarget(onConnection: (socket: Socket) => void): Promise<LocalTarget> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((s) => {
    count += 1;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onConnection(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => count,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Accepts, reads and never answers. */
export const silentTarget = (): Promise<LocalTarget> => localTarget((s) => s.resume());

/** Resolves once cond() holds; rejects after timeoutMs. */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
