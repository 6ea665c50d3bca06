#!/usr/bin/env node
// chat-conformance: dispatch to a subcommand; the default is a conformance run.
import { benchCommand } from './bench.js';
import { checkCommand } from './check.js';
import { probeCommand } from './probe.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';

// `chat-conformance | head` closes our stdout early: that is the reader's choice, not an error,
// and the run goes on to its verdict and reports (later writes are dropped; see cli/output.ts).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

const subcommands: Record<string, (args: string[]) => Promise<number>> = {
  serve: serveCommand,
  bench: benchCommand,
  probe: probeCommand,
  check: checkCommand,
  run: runCommand,
};
const [first, ...rest] = process.argv.slice(2);
const sub = first !== undefined && Object.hasOwn(subcommands, first) ? subcommands[first] : undefined;
// Anything else (options, or nothing) is a conformance run.
const code = sub ? await sub(rest) : await runCommand(process.argv.slice(2));
process.exitCode = code;
// A target that keeps a socket half-open must not keep the kit alive once it has reported.
setTimeout(() => process.exit(code), 2000).unref();
