// The kill matrix: the kit must fail every corpus server with a planted or
// seed bug on one of that bug's labelled requirements, for each of 5 fixed
// seeds, and must not fail the correct servers (the planted-bug server with
// no fault, the buffered Go peer, the reference server for every built-in
// profile). Two runs at a time; about 3 minutes on 2 cores. The wild corpus
// (test/wild/) runs once per server in test/wild.test.ts and in full in
// `npm run killmatrix`.
import { describe, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { corpus as fullCorpus, type CorpusEntry } from './targets/corpus.js';
import { crashers } from './crashers/corpus.js';
import { wildCorpus } from './wild/corpus.js';

// The crashers run whole suites against servers that spin or wedge (a minute a
// run): test/crashers.test.ts judges each with --only in seconds, and
// `npm run killmatrix` measures them over the five seeds.
// The wild corpus (test/wild/) runs once per server in test/wild.test.ts.
// fault:serial-accept wedges the room in a full run (see test/planted-bugs.test.ts, which checks its
// ROBUST-8 with the accept-path case alone); `npm run killmatrix` still runs it.
const corpus = fullCorpus.filter((e) => !crashers.includes(e) && !wildCorpus.includes(e) && e.name !== 'fault:serial-accept');
import { entryVerdict, falseAlarms, formatEntryLine, runMatrix, seedsCaught, type EntryResult } from './targets/matrix.js';

describe('kill matrix', { concurrency: 1 }, () => {
  const pending = new Map<CorpusEntry, { promise: Promise<EntryResult>; resolve: (r: EntryResult) => void; reject: (e: unknown) => void }>();
  for (const entry of corpus) {
    let resolve!: (r: EntryResult) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<EntryResult>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => {}); // surfaced by the entry's own test
    pending.set(entry, { promise, resolve, reject });
  }

  before(() => {
    runMatrix(corpus, { concurrency: 2, onEntry: (r) => pending.get(r.entry)!.resolve(r) }).catch((err: unknown) => {
      for (const p of pending.values()) p.reject(err);
    });
  });

  for (const entry of corpus) {
    const what = entry.kind === 'correct' ? 'no fail' : `fails ${entry.labels.join(' or ')}`;
    test(`${entry.name} [${entry.profile}]: ${what}`, { timeout: 240_000 }, async (t) => {
      const result = await pending.get(entry)!.promise;
      t.diagnostic(formatEntryLine(result));
      if (result.skipped) return t.skip(result.skipped);
      const notRun = result.runs.filter((r) => !r.ran);
      assert.deepEqual(notRun.map((r) => `seed ${r.seed}: ${r.note}`), [], `${entry.name}: the kit could not judge every run`);
      const alarms = falseAlarms(result);
      assert.deepEqual(alarms, [], `${entry.name}: the kit failed ${alarms.join(', ')}, which this server does not break\n${formatEntryLine(result)}`);
      if (entry.kind !== 'correct') {
        assert.equal(seedsCaught(result), result.runs.length, `${entry.name}: not caught on ${entry.labels.join('/')} in every seed\n${formatEntryLine(result)}`);
      }
      assert.equal(entryVerdict(result), 'ok');
    });
  }
});
