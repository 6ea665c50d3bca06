// A corpus server as src/supervise starts it: the same options serve the
// matrix's supervised runs (command) and the tests that only need it running
// (start). The one way this project's corpora start a server process; a
// module of its own, so that every corpus can use it without an import cycle.
import { startServerProcess, type SuperviseOptions } from '../../src/supervise/index.js';
import type { CorpusEntry } from './corpus.js';

export function launched(command: () => SuperviseOptions | Promise<SuperviseOptions>): Pick<CorpusEntry, 'command' | 'start'> {
  return {
    command: async () => command(),
    start: async () => {
      const proc = await startServerProcess(await command());
      return { url: proc.url, close: () => proc.close(1000) };
    },
  };
}
