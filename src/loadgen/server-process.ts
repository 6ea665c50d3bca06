// A server run as its own process (so its RSS is its own), started on port 0:
// it prints `listening on HOST:PORT` on stdout once it listens, and we read
// that line to learn where it is.
import { spawn } from 'node:child_process';
import { LineDecoder } from '../codec/index.js';

export interface ServerProcess {
  readonly host: string;
  readonly port: number;
  /** host:port */
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process has exited. */
  close(graceMs?: number): Promise<void>;
}

const LISTENING = /^listening on (\[[0-9a-fA-F:.]+\]|[^\s:]+):(\d{1,5})\b/;

export function spawnServerProcess(command: string, args: readonly string[], options: { readonly timeoutMs?: number; readonly label?: string } = {}): Promise<ServerProcess> {
  const label = options.label ?? command;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const decoder = new LineDecoder({ maxFrameBytes: 4096 });
    let stderr = '';
    let settled = false;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));

    const close = async (graceMs = 2_000): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
    };
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void close(200);
      reject(new Error(`${label}: ${reason}${stderr.trim() ? `\n${stderr.trim().slice(-2000)}` : ''}`));
    };
    const timer = setTimeout(() => fail(`no "listening on HOST:PORT" line within ${timeoutMs} ms`), timeoutMs);

    child.once('error', (err) => fail(`cannot start: ${err.message}`));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before listening`));
    // Keep both pipes drained for the process's whole life, or it would block on a full pipe.
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 16_384) stderr += chunk.toString('utf8');
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (settled) return;
      for (const item of decoder.push(chunk)) {
        if (item.kind !== 'frame') continue;
        const m = LISTENING.exec(item.frame.text);
        if (!m || child.pid === undefined) continue;
        settled = true;
        clearTimeout(timer);
        const host = m[1]!.replace(/^\[|\]$/g, '');
        const port = Number(m[2]);
        resolve({ host, port, url: `${m[1]}:${port}`, pid: child.pid, close });
        return;
      }
    });
  });
}
