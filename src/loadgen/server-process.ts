// A server run as its own process (so its RSS is its own), started on port 0:
// it prints `listening on HOST:PORT` on stdout once it listens, and we read
// that line to learn where it is. A thin name over src/supervise, the one
// implementation of starting and watching a server.
import { startServerProcess, type ServerProcess } from '../supervise/index.js';

export type { ServerProcess };

export function spawnServerProcess(command: string, args: readonly string[], options: { readonly timeoutMs?: number; readonly label?: string } = {}): Promise<ServerProcess> {
  return startServerProcess({ file: command, args, startTimeoutMs: options.timeoutMs ?? 10_000, label: options.label ?? command });
}
