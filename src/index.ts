// chat-conformance as a library: run the suites, start the reference server,
// read and write the wire formats, load dialect profiles.
export { runConformance, selectCases, parseTarget, RunOptionError, type RunOptions, type Report } from './runner/run.js';
export type { CaseResult, Verdict, Violation, Counterexample } from './runner/verdict.js';
export { ReportSchema } from './runner/report-schema.js';
export { toJUnit, toJson, writeReport, writeReports, checkWritable, parseReportSpec, ReportError, RENDERERS, type ReportSpec, type ReportFormat } from './report/index.js';
export { renderHtmlReport } from './report/html.js';
export { allCases } from '../conformance/index.js';
export { requirements, requirement, type Requirement, type Level } from './spec/requirements.js';
export { startServer, type RunningServer, type ServerOptions } from './reference-server/index.js';
export * as codec from './codec/index.js';
export { loadProfile, parseProfile, compileProfile, builtinProfileNames, ProfileError, type Profile, type Dialect } from './profile/index.js';
export type { ServerEvent, ClientCommand, Who } from './profile/types.js';
