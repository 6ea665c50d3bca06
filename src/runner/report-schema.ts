// The JSON report's schema, from one zod definition: the runtime check the
// tests use and the published spec/schema/report.schema.json.
import { z } from 'zod';

const Verdict = z.enum(['pass', 'fail', 'warn', 'skip', 'inconclusive', 'error']);
const Level = z.enum(['MUST', 'SHOULD', 'MAY']);

const at = z.number().describe('milliseconds since the case started');
const client = z.string().describe('the test client label (a, b, slow, u0.1, ...)');

const TranscriptEntry = z.discriminatedUnion('kind', [
  z.strictObject({ at, client, kind: z.literal('connect'), addr: z.string() }),
  z.strictObject({ at, client, kind: z.literal('send'), text: z.string(), writes: z.number().int().positive() }),
  z.strictObject({ at, client, kind: z.literal('recv'), line: z.string(), event: z.looseObject({ type: z.string() }).optional().describe('the dialect event the line matched; absent when unrecognised'), note: z.enum(['banner', 'ignored', 'partial-prompt']).optional().describe('a line that is no room event but one the profile describes') }),
  z.strictObject({ at, client, kind: z.literal('garbage'), detail: z.string() }),
  z.strictObject({ at, client, kind: z.enum(['fin', 'rst', 'closed-by-server', 'pause', 'resume']) }),
]);

const Violation = z.strictObject({
  requirement: z.string().regex(/^[A-Z]+-\d+$/),
  level: Level,
  message: z.string(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  confirmed: z.string().optional().describe('how the case itself ruled out a timing accident; a fail whose MUST violations all have it is not replayed'),
});

const ServerIncident = z.strictObject({
  kind: z.enum(['crash', 'dead-room']),
  status: z.string().describe('"killed by SIGABRT", "exited with status 2", or "still running"'),
  headline: z.string().optional().describe('the first line of the trace: Go panic or fatal error, Python exception, Node error'),
  output: z.array(z.string()).describe("the last lines the server printed (stdout lines marked '(stdout)')"),
});

const CaseResult = z.strictObject({
  id: z.string().regex(/^[a-z]+\/[A-Za-z0-9-]+$/),
  title: z.string(),
  requirements: z.array(z.string()),
  level: Level,
  verdict: Verdict,
  durationMs: z.number().int().nonnegative(),
  message: z.string().optional(),
  violations: z.array(Violation).optional(),
  counterexample: z
    .strictObject({
      transcript: z.array(TranscriptEntry),
      replay: z.string().describe('a command line that replays the failing case'),
      scenario: z.string().optional().describe('the smallest failing scenario of a property case'),
      flaky: z.boolean().optional().describe('true when the replay did not fail again'),
    })
    .optional(),
  transcript: z
    .strictObject({
      entries: z.array(TranscriptEntry),
      cut: z.number().int().positive().optional().describe('earlier entries not kept (the run\'s transcript budget was short); all of them when entries is empty'),
    })
    .optional()
    .describe('the transcript of a case without a counterexample (a pass), kept when an HTML report is asked for'),
  server: ServerIncident.optional().describe('the server crashed, or its room stopped serving, during this case'),
  notRun: z
    .enum(['stopped', 'target-down', 'room-stopped'])
    .optional()
    .describe('set when the case was not run: the run had stopped (deadline, interrupt, crash loop), or an earlier case left the target down or its room not serving'),
});

export const ReportSchema = z
  .strictObject({
    tool: z.literal('chat-conformance'),
    version: z.string(),
    target: z.string(),
    profile: z.string(),
    seed: z.number().int(),
    verdict: Verdict,
    startedAt: z.iso.datetime(),
    durationMs: z.number().int().nonnegative(),
    summary: z.strictObject({ pass: z.number(), fail: z.number(), warn: z.number(), skip: z.number(), inconclusive: z.number(), error: z.number() }),
    stopped: z.string().optional(),
    unreachable: z.boolean().optional(),
    preflight: z
      .strictObject({ kind: z.enum(['unreachable', 'profile', 'server']), summary: z.string(), details: z.array(z.string()) })
      .optional()
      .describe('set when the preflight (two members exchange a line before the first case) failed: whose fault, and the diagnosis'),
    incidents: z
      .array(z.strictObject({ case: z.string(), kind: z.enum(['crash', 'dead-room']), status: z.string(), headline: z.string().optional() }))
      .optional()
      .describe('each crash or dead room once, in order (supervised runs; a dead room also without supervision)'),
    restarts: z.number().int().nonnegative().optional().describe('times the supervised server was started again'),
    cases: z.array(CaseResult),
    gate: z
      .strictObject({
        strict: z.boolean(),
        baseline: z.string().optional().describe('the --baseline file'),
        exitCode: z.number().int().describe('the exit code: 0 passes CI'),
        failing: z.array(z.string()).describe('cases that fail the run: fail, error, inconclusive, and warn with --strict, less the known failures'),
        known: z.array(z.string()).describe('cases the baseline expects not to pass: they fail nothing'),
        fixed: z.array(z.string()).describe('cases in the baseline that passed: the baseline can shrink'),
      })
      .optional()
      .describe('the run as a CI gate (--strict, --baseline): set by the command line, absent from a library run'),
    requirements: z.record(z.string().regex(/^[A-Z]+-\d+$/), z.strictObject({ level: Level, text: z.string() })).optional().describe('the level and text of every requirement the cases name'),
  })
  .describe('A chat-conformance run: one entry per case, with the evidence behind each fail or warn.');
