#!/usr/bin/env node
// chat-conformance: dispatch to a subcommand; the default is a conformance run.
import { benchCommand } from './bench.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';

const [first, ...rest] = process.argv.slice(2);
let code: number;
switch (first) {
  case 'serve':
    code = await serveCommand(rest);
    break;
  case 'bench':
    code = await benchCommand(rest);
    break;
  case 'run':
    code = await runCommand(rest);
    break;
  default:
    code = await runCommand(process.argv.slice(2));
}
process.exitCode = code;
// A target that keeps a socket half-open must not keep the kit alive once it has reported.
setTimeout(() => process.exit(code), 2000).unref();
