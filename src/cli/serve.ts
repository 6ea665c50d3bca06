// `chat-conformance serve`: the reference server on a port, until SIGINT or
// SIGTERM. Quiet by default; `--log json` prints one JSON line per event.
import { parseArgs } from 'node:util';
import { builtinProfileNames, loadProfile, ProfileError } from '../profile/index.js';
import {
  DEFAULT_MAX_CLIENTS,
  DEFAULT_QUEUE_BYTES,
  type LogEvent,
  type RunningServer,
  ServerOptionError,
  type ServerOptions,
  startServer,
} from '../reference-server/index.js';

export const SERVE_HELP = `Usage: chat-conformance serve [options]

Runs the reference server: what a correct server of the dialect does.

Options:
  --profile name|file     dialect: ${builtinProfileNames.join(', ')}, or a profile JSON file (default gopl-en)
  --host addr             address to listen on (default 127.0.0.1)
  --port N                port to listen on, 0 for any free port (default 8000)
  --max-line-bytes N      longest accepted line, LF excluded (default: the profile's, 65536)
  --max-clients N         open connections at most; more are refused (default ${DEFAULT_MAX_CLIENTS})
  --queue-bytes N         outbound bytes a client may have pending before it is evicted (default ${DEFAULT_QUEUE_BYTES})
  --idle-timeout ms       disconnect members silent this long, 0 for never (default: the profile's)
  --log json              print one JSON line per connection event and error
  -h, --help              this help

Stops on SIGINT or SIGTERM: stops accepting, flushes, closes every connection, exits 0.
`;

export interface ServeIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Resolves when the server should stop; default: the first SIGINT or SIGTERM. */
  readonly stopped?: () => Promise<void>;
}

const processIo: ServeIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

class UsageError extends Error {}

function integer(flag: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function serveCommand(argv: string[], io: ServeIo = processIo): Promise<number> {
  let options: ServerOptions;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        profile: { type: 'string', default: 'gopl-en' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8000' },
        'max-line-bytes': { type: 'string' },
        'max-clients': { type: 'string' },
        'queue-bytes': { type: 'string' },
        'idle-timeout': { type: 'string' },
        log: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.out(SERVE_HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    if (values.log !== undefined && values.log !== 'json') throw new UsageError(`--log takes "json", got ${JSON.stringify(values.log)}`);
    if (values.host === '') throw new UsageError('--host must not be empty');
    const idle = integer('idle-timeout', values['idle-timeout'], 0);
    const json = values.log === 'json';
    options = {
      profile: await loadProfile(values.profile),
      host: values.host,
      port: integer('port', values.port, 0, 65535)!,
      ...(values['max-line-bytes'] !== undefined ? { maxLineBytes: integer('max-line-bytes', values['max-line-bytes'], 1) } : {}),
      ...(values['max-clients'] !== undefined ? { maxClients: integer('max-clients', values['max-clients'], 1) } : {}),
      ...(values['queue-bytes'] !== undefined ? { queueBytes: integer('queue-bytes', values['queue-bytes'], 1) } : {}),
      ...(idle !== undefined ? { idleTimeoutMs: idle === 0 ? null : idle } : {}),
      ...(json ? { log: (event: LogEvent) => io.out(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`) } : {}),
    };
  } catch (err) {
    // parseArgs throws TypeErrors with a code for unknown or malformed options.
    const known = err instanceof UsageError || err instanceof ProfileError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (!known) throw err;
    // One line: parseArgs explains over three.
    io.err(`chat-conformance serve: ${(err as Error).message.split('\n')[0]} (see --help)\n`);
    return 2;
  }

  let server: RunningServer;
  try {
    server = await startServer(options);
  } catch (err) {
    if (err instanceof ServerOptionError) {
      io.err(`chat-conformance serve: ${err.message} (see --help)\n`);
      return 2;
    }
    const { code, message } = err as NodeJS.ErrnoException;
    io.err(`chat-conformance serve: cannot listen on ${options.host}:${options.port}: ${code ?? message}\n`);
    return 1;
  }
  io.out(`listening on ${server.url} (profile ${server.profile.name})\n`);
  await (io.stopped ?? untilSignal)();
  await server.close();
  return 0;
}
