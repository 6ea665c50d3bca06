// `chat-conformance probe --target host:port [--out profile.json]`: drafts a
// profile from a live server and checks it with the preflight. Exit 0 a
// draft that passes the preflight, 2 no usable draft (or a usage error),
// 3 the target is unreachable.
import { writeFileSync } from 'node:fs';
import { formatPreflight } from '../preflight/index.js';
import { probeServer } from '../probe/index.js';
import { parseTarget, RunOptionError } from '../runner/run.js';
import { reachable } from '../preflight/index.js';
import { numberOption, parseSubcommandLine, type OptionSpec } from './args.js';
import { EXIT } from './run.js';

const PROBE_OPTIONS = {
  target: { type: 'string' },
  out: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, OptionSpec>;

export const PROBE_HELP = `Usage: chat-conformance probe --target host:port [--out profile.json]

Drafts a profile for your server: clients connect one after another, say a
line, and try the usual commands (/nick, /name, /who, /users, /list, /msg,
/quit, ...); what they receive becomes templates. Nothing hostile is sent,
and it takes under 30 s. The draft is then checked with the preflight.
Read the draft before you trust it: it says what it saw and what it guessed.

Options:
  --target host:port        the server (required)
  --out FILE                write the draft there (default: print it only)
  --timeout ms              the longest wait for one reaction (default 1500)
  -h, --help                this help

Then: chat-conformance check --target host:port --profile FILE, and run.
`;

export async function probeCommand(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const values = parseSubcommandLine('probe', argv, PROBE_OPTIONS, err);
  if (!values) return EXIT.usage;
  if (values.help) {
    out.write(PROBE_HELP);
    return EXIT.ok;
  }
  let target;
  let waitMs: number | undefined;
  try {
    if (values.target === undefined) throw new RunOptionError('--target host:port is required');
    target = parseTarget(values.target);
    waitMs = numberOption('--timeout', values.timeout, 'a positive number of ms', (n) => n > 0);
  } catch (e) {
    err.write(`chat-conformance probe: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const why = await reachable(target, waitMs ?? 2000);
  if (why) {
    err.write(`chat-conformance probe: cannot connect to ${target.host}:${target.port}: ${why}\n`);
    return EXIT.unreachable;
  }
  const result = await probeServer({ target, ...(waitMs !== undefined ? { waitMs } : {}) });
  if (result.profile) {
    const json = `${JSON.stringify(result.profile, null, 2)}\n`;
    out.write(`Draft profile:\n${json}`);
    if (values.out !== undefined) {
      try {
        writeFileSync(values.out, json);
        out.write(`written to ${values.out}\n`);
      } catch (e) {
        err.write(`chat-conformance probe: cannot write ${values.out}: ${(e as Error).message}\n`);
        return EXIT.usage;
      }
    }
  }
  out.write('\nSeen:\n');
  for (const s of result.sure) out.write(`  ${s}\n`);
  out.write('Guessed or not found:\n');
  for (const s of result.guessed) out.write(`  ${s}\n`);
  if (result.problem) {
    out.write(`\nNo usable draft: ${result.problem}\n`);
    return EXIT.usage;
  }
  if (result.preflight?.ok) {
    out.write(`\nPreflight with the draft: passed (${result.preflight.durationMs} ms). Next: chat-conformance --target ${values.target} --profile ${values.out ?? 'FILE'}\n`);
    return EXIT.ok;
  }
  if (result.preflight) for (const line of formatPreflight(result.preflight)) out.write(`${line}\n`);
  return EXIT.usage;
}
