// The preflight: before the first case, two clients join as the profile says
// and exchange one line. When that does not work, the run stops with one
// diagnosis — what each client received, which template a line nearly
// matched, what the profile does not describe — instead of thirty identical
// fails. `chat-conformance check` runs only this.
import { CaseContext, TargetUnreachable, type RunSettings } from '../runner/context.js';
import type { TestClient, TranscriptEntry } from '../runner/client.js';
import { deadline, now } from '../runner/clock.js';
import { CaseStop, ViolationStop, caseLevel, verdictOf, violation, type CaseResult, type Violation } from '../runner/verdict.js';
import { ProfileError } from '../profile/index.js';
import { nearestTemplate, type KnownValues } from './nearest.js';

export const PREFLIGHT_ID = 'preflight/two-members';
export const PREFLIGHT_TITLE = 'Preflight: two clients join as the profile says and exchange one line';

/**
 * Why the preflight failed, and whose fault it is:
 * - `unreachable`: nothing to judge (refused, closes every connection, never sends a byte): exit 3;
 * - `profile`: the profile does not describe this server: exit 2;
 * - `server`: the server breaks a requirement at the first step (its lines lack LF, say): a fail, exit 1.
 */
export type PreflightKind = 'unreachable' | 'profile' | 'server';

export interface PreflightFailure {
  readonly ok: false;
  readonly kind: PreflightKind;
  /** One line: what is wrong. */
  readonly summary: string;
  /** The evidence and what to change, one line each. */
  readonly details: readonly string[];
  /** For `server`: the requirements the server broke. */
  readonly violations: readonly Violation[];
  readonly transcript: readonly TranscriptEntry[];
  readonly durationMs: number;
}

export type PreflightResult = { readonly ok: true; readonly durationMs: number } | PreflightFailure;

/** Per-client figures in the diagnosis are cut to this many bytes and lines. */
const SHOWN_BYTES = 160;
const SHOWN_LINES = 6;

export async function runPreflight(settings: RunSettings): Promise<PreflightResult> {
  const ctx = new CaseContext(settings, PREFLIGHT_ID, -1);
  const started = now();
  let stop: unknown;
  const work = (async (): Promise<void> => {
    const a = await ctx.join('a');
    const b = await ctx.join('b');
    const text = ctx.text('preflight');
    await ctx.say(a, text);
    const ok = await ctx.waitUntil(() => b.isClosed || ctx.hasChat(b, a, text));
    if (!ok || !ctx.hasChat(b, a, text)) {
      ctx.fail('CHAT-1', `b did not receive the line a said after both joined`, {
        expected: safeRender(ctx, a, text),
        actual: shownLines(b).join(', ') || '(nothing)',
      });
    }
  })();
  work.catch(() => {});
  try {
    // Two joins and one line: a few waits at most, whatever the membership protocol.
    await deadline(work, settings.waitMs * 6, () => new CaseStop('inconclusive', `the preflight took over ${settings.waitMs * 6} ms`));
  } catch (err) {
    stop = err;
  } finally {
    ctx.closeAll();
  }
  const durationMs = Math.round(now() - started);
  // The line went through, but a line the profile does not describe (a welcome it lacks, say) would be
  // "a line no one sent" in every case that checks a delivery: one diagnosis here instead of thirty fails.
  if (stop === undefined && undescribed(ctx).length === 0) return { ok: true, durationMs };
  const found = diagnose(ctx, stop);
  return { ok: false, ...found, violations: found.violations ?? ctx.violations, transcript: ctx.transcript.slice(-200), durationMs };
}

function safeRender(ctx: CaseContext, from: TestClient, text: string): string {
  try {
    return ctx.dialect.render({ type: 'chat', who: ctx.whoOf(from), text });
  } catch (err) {
    return `(cannot render: ${(err as Error).message})`;
  }
}

/** A string as the server sent it, escaped (JSON), cut to SHOWN_BYTES. */
export function escaped(bytes: Buffer | string, limit = SHOWN_BYTES): string {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  const cut = text.length > limit ? text.slice(0, limit) : text;
  return `${JSON.stringify(cut)}${text.length > limit ? '…' : ''}`;
}

function shownLines(client: TestClient): string[] {
  return client.received.slice(0, SHOWN_LINES).map((r) => JSON.stringify(r.line));
}

/** What one client got: bytes, lines (each with how the profile read it), bytes still waiting for an LF. */
function describeClient(ctx: CaseContext, client: TestClient): string[] {
  const head = client.head.subarray(0, client.headLength);
  const state = client.isClosed ? 'then the server closed the connection' : 'connection still open';
  const out = [
    `${client.label} (${client.addr}) received ${client.bytesReceived} byte(s) in ${client.received.length} line(s), ${client.unframedBytes} byte(s) without LF; ${state}`,
  ];
  if (client.bytesReceived > 0) out.push(`  first bytes: ${escaped(head)}`);
  for (const r of client.received.slice(0, SHOWN_LINES)) {
    const noise = r.event ? undefined : ctx.dialect.noise(r.line);
    out.push(`  line ${JSON.stringify(r.line.slice(0, SHOWN_BYTES))}: ${r.event ? `read as ${r.event.type}` : noise ? `a ${noise} line` : 'matches no notice of the profile'}`);
  }
  if (client.received.length > SHOWN_LINES) out.push(`  (… ${client.received.length - SHOWN_LINES} more line(s))`);
  if (client.unframedBytes > 0) out.push(`  waiting without LF: ${escaped(client.unframedTail())}`);
  const sent = ctx.transcript.filter((e) => e.client === client.label && e.kind === 'send').map((e) => (e.kind === 'send' ? e.text : ''));
  if (sent.length) out.push(`  the kit sent: ${sent.slice(0, 4).join(', ')}${sent.length > 4 ? ', …' : ''}`);
  return out;
}

function knownValues(ctx: CaseContext): KnownValues {
  const texts = [...ctx.said].map((s) => s.slice(s.indexOf('\u0000') + 1));
  return {
    addrs: ctx.clients.map((c) => c.addr),
    names: ctx.clients.flatMap((c) => (c.name ? [c.name] : [])),
    texts,
  };
}

/** A partial line that reads as a question the server waits on: "Enter your name: ", "name?", "> ". */
const PROMPT_LIKE = /[:?>]\s*$/u;

function profilePrompt(ctx: CaseContext): string | undefined {
  const notices = ctx.profile.notices as Record<string, unknown>;
  return typeof notices.prompt === 'string' ? notices.prompt : undefined;
}

/** Whether a tail without LF holds what should have been whole lines: a notice, or a text the kit said. */
function holdsLines(ctx: CaseContext, tail: string, known: KnownValues): boolean {
  if (known.texts.some((t) => tail.includes(t))) return true;
  const limit = Math.min(tail.length, 256);
  for (let k = 4; k <= limit; k += 1) {
    const event = ctx.dialect.match(tail.slice(0, k));
    if (event && event.type !== 'chat') return true;
  }
  return false;
}

type Diagnosis = Pick<PreflightFailure, 'kind' | 'summary' | 'details'> & { readonly violations?: readonly Violation[] };

export function diagnose(ctx: CaseContext, stop: unknown): Diagnosis {
  const clients = ctx.clients;
  const evidence = clients.flatMap((c) => describeClient(ctx, c));
  const waited = `${(ctx.settings.waitMs / 1000).toFixed(1)} s`;
  const target = `${ctx.settings.target.host}:${ctx.settings.target.port}`;

  if (stop instanceof TargetUnreachable) {
    if (clients.length === 0) return { kind: 'unreachable', summary: stop.message, details: [`nothing listens there, or a firewall drops the connection: check --target`] };
    return { kind: 'unreachable', summary: `${target} accepted ${clients.length} connection(s), then refused the next: ${stop.connectError.code}`, details: evidence };
  }
  const total = clients.reduce((n, c) => n + c.bytesReceived, 0);
  if (total === 0 && clients.length > 0 && clients.every((c) => c.isClosed)) {
    return {
      kind: 'unreachable',
      summary: `${target} closes every connection at once without sending a byte (${clients.length} tried)`,
      details: [...evidence, 'is --target the chat server? A server that refuses the kit (an allow-list, a connection limit) cannot be judged'],
    };
  }
  if (total === 0) {
    const said = ctx.said.size > 0;
    return {
      kind: 'unreachable',
      summary: `${target} accepted the connections but sent nothing in ${waited}${said ? ', not even after a chat line' : ''}`,
      details: [
        ...evidence,
        'is --target the chat server? If the server waits for the client to speak first (a name, a login command), the profile must say so (joinOn "login" or "prompt")',
      ],
    };
  }

  const known = knownValues(ctx);
  const prompt = profilePrompt(ctx);
  for (const c of clients) {
    if (c.unframedBytes === 0) continue;
    const tail = c.unframedTail().toString('utf8');
    if (ctx.dialect.isPrompt(tail)) continue; // the profile's own prompt, waiting for an answer
    if (holdsLines(ctx, tail, known) || c.unframedBytes > 512) {
      const summary = `the server's lines do not end with LF (FRAME-3): ${c.label} holds ${c.unframedBytes} byte(s) with no LF`;
      return {
        kind: 'server',
        summary,
        violations: [violation('FRAME-3', `${c.label} received ${c.unframedBytes} byte(s) that no LF ends`, { expected: 'every server line ends with LF', actual: escaped(tail) })],
        details: [...evidence, 'every line a server sends must end with LF (spec/line.md, FRAME-3): the kit cannot tell where one notice ends and the next begins'],
      };
    }
    if (PROMPT_LIKE.test(tail) && c.received.every((r) => r.event === undefined || r.event.type !== 'chat')) {
      if (prompt === undefined) {
        return {
          kind: 'profile',
          summary: `the server sent ${escaped(tail)} without LF and waits: a prompt the profile does not describe`,
          details: [...evidence, `describe it: "notices": { "prompt": ${JSON.stringify(tail)} } and "joinOn": "prompt" (the kit answers with its name)`],
        };
      }
      const miss = nearestTemplate(tail, ctx.profile, known);
      return {
        kind: 'profile',
        summary: `the server's prompt ${escaped(tail)} is not the profile's prompt ${JSON.stringify(prompt)}`,
        details: [...evidence, ...(miss ? [nearMissLine(miss)] : [])],
      };
    }
  }

  const unknown = undescribed(ctx);
  if (unknown.length > 0) {
    const misses = unknown.slice(0, 4).map((line) => ({ line, miss: nearestTemplate(line, ctx.profile, known) }));
    const first = misses.find((m) => m.miss)?.miss;
    return {
      kind: 'profile',
      summary: first
        ? `your profile says ${quote(first.template)} (${first.where}), the server sent ${quote(first.line)}`
        : `the server sent ${unknown.length} line(s) the profile does not describe, e.g. ${quote(unknown[0]!)}`,
      details: [
        ...evidence,
        ...misses.map(({ line, miss }) => (miss ? nearMissLine(miss) : `${quote(line)} is like no template of the profile: describe it (a notice, "banner", or "ignore")${ownNameHint(ctx, line)}`)),
        ...stopLine(stop),
      ],
    };
  }

  if (stop instanceof ViolationStop) {
    const v = stop.violation;
    return {
      kind: 'server',
      summary: `${v.requirement}: ${v.message}`,
      details: [...evidence, ...(v.expected ? [`expected: ${v.expected}`] : []), ...(v.actual ? [`actual:   ${v.actual}`] : []), ...hintFor(ctx, v)],
    };
  }
  if (stop instanceof ProfileError) {
    return { kind: 'profile', summary: `the profile cannot describe what the server does: ${stop.message}`, details: evidence };
  }
  const message = stop instanceof Error ? stop.message : String(stop);
  return { kind: 'profile', summary: `the preflight did not complete: ${message}`, details: evidence };
}

/** Lines the clients received that match no notice of the profile and are not its banner or ignored lines. */
function undescribed(ctx: CaseContext): string[] {
  return [...new Set(ctx.clients.flatMap((c) => c.received.filter((r) => r.event === undefined && ctx.dialect.noise(r.line) === undefined).map((r) => r.line)))];
}

/**
 * A line that names the very client that received it (by its name, or its address) is most often
 * the server's welcome, where the profile has none: the template to try, with the name or address as
 * a placeholder and numbers (a member count) as {*}.
 */
function ownNameHint(ctx: CaseContext, line: string): string {
  if (ctx.profile.notices.welcome !== undefined) return '';
  for (const client of ctx.clients) {
    if (!client.received.some((r) => r.line === line)) continue;
    const keys = ctx.profile.identity === 'addr' ? (['addr', 'name'] as const) : (['name', 'addr'] as const);
    const own = keys.find((key) => client[key] !== undefined && client[key] !== '' && line.includes(client[key]!));
    if (own === undefined) continue;
    const literal = (part: string): string => part.replace(/\{/g, '{{').replace(/\}/g, '}}').replace(/\d+/g, '{*}');
    const template = line.split(client[own]!).map(literal).join(`{${own}}`);
    return `; it names ${client.label}, which received it: if it is the server's welcome, "notices": { "welcome": ${JSON.stringify(template)} }`;
  }
  return '';
}

function stopLine(stop: unknown): string[] {
  if (stop instanceof ViolationStop) return [`(the step that failed: ${stop.violation.requirement}: ${stop.violation.message})`];
  if (stop instanceof Error) return [`(the step that failed: ${stop.message})`];
  return [];
}

/** What to check in the profile when a step failed with every line understood. */
function hintFor(ctx: CaseContext, v: Violation): string[] {
  const p = ctx.profile;
  switch (v.requirement) {
    case 'CHAT-2':
      return p.echo ? ['the profile says the sender gets its own line ("echo": true); if the server does not echo, set "echo": false'] : [];
    case 'JOIN-2':
      return ['the profile says how a login is acknowledged (selfJoin, joinOn): check them against the server'];
    case 'JOIN-3':
      return ['the profile has a welcome notice: if the server sends none, remove notices.welcome'];
    case 'JOIN-1':
      return ['the profile has a join notice: if the server announces joins otherwise, or not at all, change notices.join'];
    default:
      return [];
  }
}

const quote = (s: string): string => `\`${s.length > SHOWN_BYTES ? `${s.slice(0, SHOWN_BYTES)}…` : s}\``;

function nearMissLine(m: { where: string; template: string; line: string; templatePart: string; linePart: string }): string {
  return `your profile says ${quote(m.template)} (${m.where}), the server sent ${quote(m.line)}: they differ at ${quote(m.templatePart)} / ${quote(m.linePart)}`;
}

/** The diagnosis as the CLI prints it. */
export function formatPreflight(result: Pick<PreflightFailure, 'kind' | 'summary' | 'details'>): string[] {
  const word = result.kind === 'profile' ? 'the profile does not describe this server' : result.kind === 'server' ? 'the server fails at the first step' : 'nothing to judge';
  return [`preflight failed (${word}): ${result.summary}`, ...result.details.map((d) => `  ${d}`)];
}

/** A preflight the server itself failed, as the run's one failing case. */
export function preflightResult(failure: PreflightFailure, replayBase: string): CaseResult {
  const violations = failure.violations.length
    ? failure.violations
    : [violation('FRAME-3', failure.summary)];
  const requirements = [...new Set(violations.map((v) => v.requirement))];
  return {
    id: PREFLIGHT_ID,
    title: PREFLIGHT_TITLE,
    requirements,
    level: caseLevel(requirements),
    verdict: verdictOf(violations),
    durationMs: failure.durationMs,
    message: failure.summary,
    violations,
    counterexample: { transcript: failure.transcript, replay: replayBase.replace(/^npx chat-conformance/, 'npx chat-conformance check') },
  };
}
