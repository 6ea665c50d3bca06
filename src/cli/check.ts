// `chat-conformance check --target host:port --profile P`: runs only the
// preflight and prints its diagnosis. Exit 0 the profile fits, 1 the server
// fails at the first step, 2 the profile does not describe the server (or a
// usage error), 3 unreachable or silent.
import { ProfileError } from '../profile/index.js';
import { checkProfile, formatPreflight } from '../preflight/index.js';
import { parseTarget, RunOptionError } from '../runner/run.js';
import { numberOption, parseSubcommandLine, UsageError, type OptionSpec } from './args.js';
import { checkProfileName, EXIT } from './run.js';

const CHECK_OPTIONS = {
  target: { type: 'string' },
  profile: { type: 'string' },
  timeout: { type: 'string' },
  'timeout-multiplier': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, OptionSpec>;

export const CHECK_HELP = `Usage: chat-conformance check --target host:port [--profile name|file] [options]

Checks that the profile describes the server: two clients join as the profile
says and exchange one line. On failure it prints one diagnosis: what each
client received, which template a line nearly matched, what is missing.

Options:
  --target host:port        the server to check (required)
  --profile name|file       the dialect (default gopl-en)
  --timeout ms              deadline of one wait (default 2000)
  --timeout-multiplier x    scale every wait, for slow targets
  -h, --help                this help

Exit codes: 0 the profile fits, 1 the server fails at the first step (e.g. lines
without LF), 2 the profile does not describe the server (or a usage error),
3 the target is unreachable, closes every connection or never sends a byte.
`;

export async function checkCommand(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const values = parseSubcommandLine('check', argv, CHECK_OPTIONS, err);
  if (!values) return EXIT.usage;
  if (values.help) {
    out.write(CHECK_HELP);
    return EXIT.ok;
  }
  try {
    if (values.target === undefined) throw new RunOptionError('--target host:port is required');
    const target = parseTarget(values.target);
    const profile = values.profile ?? 'gopl-en';
    checkProfileName(profile);
    const timeoutMs = numberOption('--timeout', values.timeout, 'a positive number of ms', (n) => n > 0);
    const multiplier = numberOption('--timeout-multiplier', values['timeout-multiplier'], 'a positive number', (n) => n > 0);
    const result = await checkProfile({
      target,
      profile,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(multiplier !== undefined ? { timeoutMultiplier: multiplier } : {}),
    });
    if (result.ok) {
      out.write(`preflight passed: two clients joined as profile ${profile} says and exchanged a line (${result.durationMs} ms)\n`);
      return EXIT.ok;
    }
    for (const line of formatPreflight(result)) out.write(`${line}\n`);
    return result.kind === 'server' ? EXIT.failed : result.kind === 'profile' ? EXIT.usage : EXIT.unreachable;
  } catch (e) {
    if (e instanceof RunOptionError || e instanceof ProfileError || e instanceof UsageError) {
      err.write(`chat-conformance check: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
