// Runs one corpus server in this process, so that a planted crash takes down
// only this process: `node dist/test/targets/launch.js SERVER [options]`,
// SERVER one of fault, seed-who-rename, seed-raw, seed-nameop. Prints
// `listening on 127.0.0.1:PORT` once it listens; stops on SIGTERM or SIGINT.
import { parseArgs } from 'node:util';
import { faults, isFault, startFaultServer } from './fault-server.js';
import { startSeedNameop } from './seed-nameop.js';
import { startSeedRaw } from './seed-raw.js';
import { startSeedWhoRename } from './seed-who-rename.js';
import type { RunningSeed } from './blocking-fanout.js';

export const launchable = ['fault', 'seed-who-rename', 'seed-raw', 'seed-nameop'] as const;
export type Launchable = (typeof launchable)[number];

const USAGE = `usage: launch.js ${launchable.join('|')} [--profile P] [--fault F] [--idle-timeout MS] [--port N]
  faults: ${faults.join(', ')}`;

function usage(problem: string): never {
  process.stderr.write(`launch.js: ${problem}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { profile: { type: 'string' }, fault: { type: 'string' }, 'idle-timeout': { type: 'string' }, port: { type: 'string' } },
    });
  } catch (err) {
    usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  const which = positionals[0];
  if (positionals.length !== 1 || !(launchable as readonly string[]).includes(which!)) usage(`expected one server name, got ${JSON.stringify(positionals)}`);
  const number = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) usage(`--${flag} must be a non-negative integer, got ${JSON.stringify(text)}`);
    return n;
  };
  const idleTimeoutMs = number('idle-timeout', values['idle-timeout']);
  const port = number('port', values.port) ?? 0;

  let server: RunningSeed;
  switch (which as Launchable) {
    case 'fault': {
      const fault = values.fault ?? 'none';
      if (!isFault(fault)) usage(`unknown fault ${JSON.stringify(fault)}`);
      server = await startFaultServer({ profile: values.profile ?? 'gopl-en', fault, port, ...(idleTimeoutMs !== undefined ? { idleTimeoutMs: idleTimeoutMs || null } : {}) });
      break;
    }
    case 'seed-who-rename':
      server = await startSeedWhoRename({ port, ...(idleTimeoutMs ? { idleTimeoutMs } : {}) });
      break;
    case 'seed-raw':
      server = await startSeedRaw({ port });
      break;
    case 'seed-nameop':
      server = await startSeedNameop({ port });
      break;
  }
  process.stdout.write(`listening on 127.0.0.1:${server.port}\n`);
  const stop = (): void => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`launch.js: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
