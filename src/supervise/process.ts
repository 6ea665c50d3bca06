// One server process under the kit's control: started in a process group of
// its own (a shell command's children die with it), its output captured in a
// bounded ring, its exit watched, and known to be ready once it accepts a
// connection or prints its ready line.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { constants as osConstants } from 'node:os';
import type { Readable } from 'node:stream';
import { OutputRing, headline, type OutputLine, type OutputOptions } from './output.js';

export interface ServerCommand {
  /** A shell command (`sh -c`); `{port}` is replaced by the port the kit chose. */
  readonly command?: string;
  /** Or a program and its arguments, without a shell (`{port}` replaced in each). */
  readonly file?: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
  /** Added to the kit's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Ready once a line of its output matches. A named group `port` (or, with no
   * `{port}` in the command, the second group) says where it listens.
   */
  readonly ready?: RegExp;
  /** Deadline to be ready, in ms. Default 10,000. */
  readonly startTimeoutMs?: number;
  readonly host?: string;
  readonly output?: OutputOptions;
  /** Shown in messages. Default: the command. */
  readonly label?: string;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** "killed by SIGABRT"; a shell reports its child's death by signal N as status 128 + N, so that is named too. */
export function describeExit(e: ExitStatus): string {
  if (e.signal) return `killed by ${e.signal}`;
  const n = (e.code ?? 0) - 128;
  const name = n > 0 ? Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0] : undefined;
  return `exited with status ${e.code}${name ? ` (killed by ${name})` : ''}`;
}

/** The server did not become ready: why, with the output that explains it. */
export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
  constructor(
    message: string,
    readonly exit: ExitStatus | undefined,
    readonly output: readonly OutputLine[],
  ) {
    super(message);
  }
}

/** The conventional ready line of the kit's own servers and peers: `listening on HOST:PORT`. */
export const LISTENING_LINE = /^listening on (\[[0-9a-fA-F:.]+\]|[^\s:]+):(\d{1,5})\b/;

/** A free loopback port (the kernel's choice; free a moment ago, which is what every such helper can promise). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Whether host:port accepts a connection; the probe closes with FIN, never RST, and sends nothing. */
export function accepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (ok) {
        socket.end();
        setTimeout(() => socket.destroy(), 200).unref();
      } else socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', () => {}); // read and drop a greeting, so closing never RSTs on unread data
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

const CASE_MARK = '--- chat-conformance: case ';
/** How long an exited server's pipes may take to deliver its last output. */
const PIPE_DRAIN_MS = 500;

export class ServerProcess {
  exit: ExitStatus | undefined;
  readonly exited: Promise<ExitStatus>;
  private closing = false;

  constructor(
    private readonly child: ChildProcess,
    readonly host: string,
    public port: number,
    readonly output: OutputRing,
    readonly label: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        // 'exit' can come before the last of its output is read: wait for both
        // pipes to end (bounded: a child of a shell may hold them open).
        const ended = (s: Readable | null): Promise<void> => (s && !s.closed ? new Promise((r) => s.once('close', () => r())) : Promise.resolve());
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((r) => (timer = setTimeout(r, PIPE_DRAIN_MS)));
        void Promise.race([Promise.all([ended(child.stdout), ended(child.stderr)]), deadline]).then(() => {
          clearTimeout(timer);
          output.flush();
          this.exit = { code, signal };
          resolve(this.exit);
        });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get url(): string {
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** True when it exited and the kit did not ask it to. */
  get crashed(): boolean {
    return this.exit !== undefined && !this.closing;
  }

  /** Marks the start of a case in its output (and log): evidence is taken from here on. */
  markCase(id: string): void {
    this.output.note(`case ${id}`);
  }

  /** Sends a signal to the whole process group (e.g. SIGQUIT for a Go stack dump). */
  signal(signal: NodeJS.Signals): void {
    if (this.exit === undefined) killGroup(this.child, signal);
  }

  /** SIGTERM to the group, SIGKILL after graceMs; resolves once it has exited. */
  async close(graceMs = 2000): Promise<void> {
    this.closing = true;
    if (this.exit !== undefined) return;
    killGroup(this.child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(this.child, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // Children that ignored SIGTERM while their leader exited.
    killGroup(this.child, 'SIGKILL');
  }

  /** Headline and last lines of what it printed (for a crash report). */
  evidence(lines = 40): { headline?: string; output: string[] } {
    // Only what it printed since the current case began: an old traceback is not this crash's.
    const recent = this.output.tail(4000);
    const mark = recent.findLastIndex((l) => l.text.startsWith(CASE_MARK));
    const since = mark >= 0 ? recent.slice(mark + 1) : recent;
    const tail = since.slice(-lines);
    // Output longer than the ring: its first lines (a dump's headline) are kept apart.
    const h = headline([...this.output.scrolledHead(), ...since]);
    return { ...(h ? { headline: h } : {}), output: tail.map((l) => (l.stream === 'stderr' ? l.text : `(stdout) ${l.text}`)) };
  }
}

/** Starts the server and resolves once it is ready; rejects with ServerStartError otherwise. */
export async function startServerProcess(spec: ServerCommand): Promise<ServerProcess> {
  const host = spec.host ?? '127.0.0.1';
  const timeoutMs = spec.startTimeoutMs ?? 10_000;
  const usesPort = (spec.command ?? [spec.file ?? '', ...(spec.args ?? [])].join(' ')).includes('{port}');
  const chosen = usesPort ? await freePort(host) : 0;
  const fill = (s: string): string => s.replaceAll('{port}', String(chosen));
  if (!spec.command && !spec.file) throw new ServerStartError('no server command', undefined, []);
  const label = spec.label ?? spec.command ?? [spec.file, ...(spec.args ?? [])].join(' ');
  const output = new OutputRing(spec.output);
  const child = spec.command
    ? spawn('/bin/sh', ['-c', fill(spec.command)], { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(spec.file!, (spec.args ?? []).map(fill), { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A kit that exits (even by an uncaught error) takes its servers with it.
    process.once('exit', () => {
      for (const c of live) killGroup(c, 'SIGKILL');
    });
  }
  // Drain both pipes for the process's whole life, or it would block on a full pipe.
  child.stdout!.on('data', (chunk: Buffer) => output.push('stdout', chunk));
  child.stderr!.on('data', (chunk: Buffer) => output.push('stderr', chunk));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const proc = new ServerProcess(child, host, chosen, output, label);

  const fail = async (why: string): Promise<never> => {
    await proc.close(200);
    const said = output.tail(10).map((l) => l.text);
    throw new ServerStartError(`${label}: ${why}${said.length ? `\n${said.join('\n')}` : ''}`, proc.exit, output.tail(40));
  };
  const started = Date.now();
  const readyLine = new Promise<number | undefined>((resolve) => {
    const pattern = spec.ready ?? (usesPort ? undefined : LISTENING_LINE);
    if (!pattern) return;
    output.onLine((line) => {
      const m = pattern.exec(line.text);
      if (!m) return;
      const port = m.groups?.port ?? (usesPort ? undefined : m[2]);
      resolve(port === undefined ? undefined : Number(port));
    });
  });
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());

  if (spec.ready || !usesPort) {
    const first = await Promise.race([readyLine, proc.exited.then((e) => ({ exit: e })), spawnError.then((e) => ({ error: e })), timeout]);
    if (first === 'timeout') return fail(`printed no line matching ${String(spec.ready ?? LISTENING_LINE)} within ${timeoutMs} ms`);
    if (typeof first === 'object' && first !== null && 'exit' in first) return fail(`${describeExit(first.exit)} before it was ready`);
    if (typeof first === 'object' && first !== null && 'error' in first) return fail(`cannot start: ${first.error.message}`);
    if (typeof first === 'number') proc.port = first;
    if (proc.port === 0) return fail('its ready line does not say the port (use {port} in the command, or a (?<port>...) group)');
  }
  // Ready means accepting: poll until a connection succeeds (closed with FIN, never a member).
  for (;;) {
    if (proc.exit) return fail(`${describeExit(proc.exit)} before it accepted a connection`);
    const left = timeoutMs - (Date.now() - started);
    if (left <= 0) return fail(`did not accept a connection on ${proc.url} within ${timeoutMs} ms`);
    if (await accepts(host, proc.port, Math.min(500, left))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return proc;
}
