// A process entry for the shutdown test: `serve` exactly as main.ts runs it,
// without main.ts's forced exit, so a hang on shutdown shows.
import { serveCommand } from '../../src/cli/serve.js';

process.exitCode = await serveCommand(process.argv.slice(2));
