// One kill-matrix run in a worker thread: each kit run gets its own event
// loop, so one run's 24 MB flood cannot delay another run's timers (the
// keepalives and idle-timeout cases of who-rename are timed to the 100 ms).
import { parentPort, workerData } from 'node:worker_threads';
import { corpus } from './corpus.js';
import { runEntry, type RunMode } from './matrix.js';

const { name, seed, mode } = workerData as { name: string; seed: number; mode: RunMode };
const entry = corpus.find((e) => e.name === name);
if (!entry) throw new Error(`no corpus entry named ${name}`);
parentPort!.postMessage(await runEntry(entry, seed, mode));
