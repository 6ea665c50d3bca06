// `npm run sample:failure`: the README's "Sample failure" block, made from a
// real run — the leave cases against the corpus server that announces a leave
// before relaying the leaver's last lines (test/targets/fault-server.ts) —
// printed by the CLI itself and written between the markers in README.md.
// Usage: node dist/scripts/sample-failure.js [--print]  (--print: stdout only, README untouched)
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { runCommand } from '../src/cli/run.js';
import type { Output } from '../src/cli/output.js';
import { packagePath } from '../src/paths.js';
import { startFaultServer } from '../test/targets/fault-server.js';

export const BEGIN = '<!-- sample-failure: written by npm run sample:failure -->';
export const END = '<!-- /sample-failure -->';

/** The block's text: the command line, then what it printed, in a fenced block between the markers. */
export async function sampleFailure(): Promise<{ block: string; code: number }> {
  const server = await startFaultServer({ profile: 'gopl-en', fault: 'leave-before-last-lines' });
  let printed = '';
  const capture: Output = { isTTY: false, write: (text) => void (printed += text) };
  try {
    const args = ['--target', `127.0.0.1:${server.port}`, '--profile', 'gopl-en', '--only', 'leave/*', '--seed=7'];
    const code = await runCommand([...args, '--no-color'], capture, capture);
    const shown = args.map((a) => (/[*\s]/.test(a) ? `'${a}'` : a)).join(' ');
    return { block: [BEGIN, '```', `$ npx chat-conformance ${shown}`, printed.trimEnd(), '```', END].join('\n'), code };
  } finally {
    await server.close();
  }
}

/** README.md with the block between the markers replaced; an error when the markers are missing. */
export function replaceBlock(readme: string, block: string): string {
  const from = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no ${BEGIN} … ${END} markers`);
  return readme.slice(0, from) + block + readme.slice(to + END.length);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { print: { type: 'boolean' } } });
  delete process.env.GITHUB_ACTIONS; // no annotations in the README
  const { block, code } = await sampleFailure();
  if (code !== 1) {
    console.error(`sample:failure: the run exited ${code}, not 1 (a failure): the README keeps its block\n${block}`);
    process.exit(2);
  }
  if (values.print) console.log(block);
  else {
    const file = packagePath('README.md');
    writeFileSync(file, replaceBlock(readFileSync(file, 'utf8'), block));
    console.log(`wrote the sample failure (${block.split('\n').length} lines) into ${file}`);
  }
}
