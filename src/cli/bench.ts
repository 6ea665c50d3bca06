// `chat-conformance bench`: drive any server speaking a profile with N clients
// and report delivery rate, latency, loss and server RSS. Exit 0 when the run
// completed (losses are printed, not fatal), 2 on a usage error, 3 when the
// target cannot be reached.
import { parseArgs } from 'node:util';
import { BenchOptionError, formatReportJson, formatReportText, parseTarget, runBench } from '../loadgen/index.js';
import { compileProfile, loadProfile, ProfileError, type Dialect } from '../profile/index.js';

export const BENCH_USAGE = `usage: chat-conformance bench --target HOST:PORT --profile P --clients N --senders S --messages M
                             [--rate R/s] [--window W] [--paused K] [--padding B]
                             [--pid PID] [--timeout MS] [--json]

  --target    the server to drive (127.0.0.1:8888, [::1]:8888)
  --profile   a built-in profile name or a profile JSON file
  --clients   measured clients (all receive); --senders of them send --messages lines each
  --rate      lines per second per sender (default: unpaced, limited by the window)
  --window    most unacknowledged lines per sender (default 16)
  --paused    extra members that stop reading after joining (slow consumers, not measured)
  --padding   extra bytes in each chat text (default 0)
  --pid       the server's process id: sample its RSS from /proc/PID/status
  --timeout   deadline for the whole run in ms (default 60000)
  --json      print the report as JSON

exit status: 0 run completed (even with losses), 2 usage error, 3 target unreachable`;

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function integer(flag: string, text: string | undefined, min: number): Parsed<number | undefined> {
  if (text === undefined) return { ok: true, value: undefined };
  if (!/^\d{1,9}$/.test(text) || Number(text) < min) return { ok: false, reason: `--${flag} must be an integer >= ${min}, got ${JSON.stringify(text)}` };
  return { ok: true, value: Number(text) };
}

function rate(text: string | undefined): Parsed<number | undefined> {
  if (text === undefined) return { ok: true, value: undefined };
  const m = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(text);
  if (!m || !(Number(m[1]) > 0)) return { ok: false, reason: `--rate must be a positive number of lines per second (e.g. 100 or 100/s), got ${JSON.stringify(text)}` };
  return { ok: true, value: Number(m[1]) };
}

/** Where the command writes; tests pass their own. */
export interface BenchIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: BenchIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

export async function benchCommand(argv: string[], io: BenchIo = processIo): Promise<number> {
  const usage = (reason: string): number => {
    io.err(`bench: ${reason}\n\n${BENCH_USAGE}\n`);
    return 2;
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: 'string' },
        profile: { type: 'string' },
        clients: { type: 'string' },
        senders: { type: 'string' },
        messages: { type: 'string' },
        rate: { type: 'string' },
        window: { type: 'string' },
        paused: { type: 'string' },
        padding: { type: 'string' },
        pid: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return usage((err as Error).message);
  }
  if (values.help) {
    io.out(`${BENCH_USAGE}\n`);
    return 0;
  }
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  for (const required of ['target', 'profile', 'clients', 'senders', 'messages']) {
    if (str(required) === undefined) return usage(`--${required} is required`);
  }
  const target = parseTarget(str('target')!);
  if (!target.ok) return usage(target.reason);

  const parsed = {
    clients: integer('clients', str('clients'), 1),
    senders: integer('senders', str('senders'), 0),
    messages: integer('messages', str('messages'), 0),
    window: integer('window', str('window'), 1),
    paused: integer('paused', str('paused'), 0),
    padding: integer('padding', str('padding'), 0),
    pid: integer('pid', str('pid'), 1),
    timeout: integer('timeout', str('timeout'), 1),
    rate: rate(str('rate')),
  };
  const nums: Record<string, number | undefined> = {};
  for (const [key, result] of Object.entries(parsed)) {
    if (!result.ok) return usage(result.reason);
    nums[key] = result.value;
  }

  let dialect: Dialect;
  try {
    dialect = compileProfile(await loadProfile(str('profile')!));
  } catch (err) {
    if (err instanceof ProfileError) return usage(`profile: ${err.message}`);
    throw err;
  }

  try {
    const outcome = await runBench({
      host: target.host,
      port: target.port,
      dialect,
      clients: nums.clients!,
      senders: nums.senders!,
      messages: nums.messages!,
      ratePerSender: nums.rate,
      window: nums.window,
      paused: nums.paused,
      paddingBytes: nums.padding,
      pid: nums.pid,
      timeoutMs: nums.timeout,
    });
    if (outcome.kind === 'unreachable') {
      io.err(`bench: ${outcome.message}\n`);
      return 3;
    }
    io.out(`${values.json ? formatReportJson(outcome.report) : formatReportText(outcome.report)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof BenchOptionError) return usage(err.message);
    throw err;
  }
}
