// A node:test reporter that prints only the closing line CI reads:
// "N passed, N failed[, N skipped]" (suites are not counted, only tests,
// except a skipped suite, which counts as one skip).
export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const details = event.data.details ?? {};
    if (details.type === 'suite') {
      // A skipped describe runs none of its tests: counted as one skip, or it would vanish from the line.
      if (event.type === 'test:pass' && event.data.skip) skipped += 1;
      continue;
    }
    // A file that fails to load is reported as a failed top-level test.
    if (event.type === 'test:fail') failed += 1;
    else if (event.data.skip || event.data.todo) skipped += 1;
    else passed += 1;
  }
  yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}
