// `chat-conformance serve`: the reference server on a port, until SIGINT or
// SIGTERM. Quiet by default; `--log json` prints one JSON line per event.
import { parseArgs } from 'node:util';
import { builtinProfileNames, loadProfile, ProfileError } from '../profile/index.js';
import {
  DEFAULT_EVICT_AFTER_MS,
  DEFAULT_JOIN_TIMEOUT_MS,
  DEFAULT_LINE_TIMEOUT_MS,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_CLIENTS_PER_ADDRESS,
  DEFAULT_OUTBOUND_BUDGET_BYTES,
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
  --max-clients-per-address N
                          open connections from one IP address at most (default ${DEFAULT_MAX_CLIENTS_PER_ADDRESS})
  --queue-bytes N         outbound bytes a client may have pending and never be evicted (default ${DEFAULT_QUEUE_BYTES})
  --evict-after ms        a client over --queue-bytes whose writes the kernel refuses this long is evicted (default ${DEFAULT_EVICT_AFTER_MS})
  --outbound-budget N     outbound bytes of all clients together; over it the largest non-draining queues are evicted (default ${DEFAULT_OUTBOUND_BUDGET_BYTES})
  --join-timeout ms       close a connection not joined (logged in, named) this long after connecting, 0 for never (default ${DEFAULT_JOIN_TIMEOUT_MS})
  --line-timeout ms       close a connection whose line is not ended (LF) this long after it began, 0 for never (default ${DEFAULT_LINE_TIMEOUT_MS})
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
        'max-clients-per-address': { type: 'string' },
        'evict-after': { type: 'string' },
        'outbound-budget': { type: 'string' },
        'join-timeout': { type: 'string' },
        'line-timeout': { type: 'string' },
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
    const joinTimeout = integer('join-timeout', values['join-timeout'], 0);
    const lineTimeout = integer('line-timeout', values['line-timeout'], 0);
    const positive = (flag: string): number | undefined => integer(flag, values[flag as 'queue-bytes'], 1);
    const json = values.log === 'json';
    options = {
      profile: await loadProfile(values.profile),
      host: values.host,
      port: integer('port', values.port, 0, 65535)!,
      ...(values['max-line-bytes'] !== undefined ? { maxLineBytes: integer('max-line-bytes', values['max-line-bytes'], 1) } : {}),
      ...(values['max-clients'] !== undefined ? { maxClients: integer('max-clients', values['max-clients'], 1) } : {}),
      ...(values['queue-bytes'] !== undefined ? { queueBytes: integer('queue-bytes', values['queue-bytes'], 1) } : {}),
      ...(idle !== undefined ? { idleTimeoutMs: idle === 0 ? null : idle } : {}),
      ...(joinTimeout !== undefined ? { joinTimeoutMs: joinTimeout === 0 ? null : joinTimeout } : {}),
      ...(lineTimeout !== undefined ? { lineTimeoutMs: lineTimeout === 0 ? null : lineTimeout } : {}),
      ...(values['max-clients-per-address'] !== undefined ? { maxClientsPerAddress: positive('max-clients-per-address') } : {}),
      ...(values['evict-after'] !== undefined ? { evictAfterMs: positive('evict-after') } : {}),
      ...(values['outbound-budget'] !== undefined ? { outboundBudgetBytes: positive('outbound-budget') } : {}),
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
