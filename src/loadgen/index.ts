// The load generator: drive any server speaking a profile and measure
// delivery rate, latency, loss, duplication, reordering and server RSS.
export { runBench, type BenchOutcome } from './run.js';
export { BENCH_DEFAULTS, BenchOptionError, checkOptions, type BenchOptions } from './options.js';
export { formatReportJson, formatReportText, type BenchReport } from './report.js';
export { readRss, RssSampler, type RssSummary } from './rss.js';
export { LatencyHistogram } from './histogram.js';
export { DeliveryLedger } from './ledger.js';
export { formatPayload, parsePayload, type BenchPayload } from './payload.js';
export { parseTarget } from './target.js';
