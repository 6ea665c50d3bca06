// Where the package's data lives (profiles/, fixtures/, spec/), whether the
// code runs from dist/, from a helper's dist-*/, or from an installed package.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'chat-conformance') return (cached = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('chat-conformance: cannot find the package root (package.json)');
    dir = parent;
  }
}

export const packagePath = (...parts: string[]): string => join(packageRoot(), ...parts);

export function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}
