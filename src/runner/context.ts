// The CaseContext: what a case uses to drive the target. It owns the case's
// clients, their shared transcript, the run's deadlines and the membership
// protocol (connect, log in, wait for the notices, sync), so cases read as
// the scenario they check and nothing else.
import type { Dialect } from '../profile/index.js';
import type { Profile } from '../profile/index.js';
import type { ClientCommand, ServerEvent, Who } from '../profile/types.js';
import { ConnectError, TestClient, type Recorder, type Target, type TranscriptEntry } from './client.js';
import { now, Signal } from './clock.js';
import { untilHeard } from './resend.js';
import type { RunMemory } from './memory.js';
import { AUDITED_AFTER_EVERY_CASE, CaseStop, ViolationStop, violation, type Violation, type ViolationDetail } from './verdict.js';
import { makeRng, type Rng } from './rng.js';
import { clipEvent, clipText } from '../evidence/clip.js';
import { admit, joinMember, recentLines, type JoinOptions } from './membership.js';
import { generateName, type NameField } from './names.js';
import { ProfileError } from '../profile/types.js';

/** A transcript entry whose line, text and event fields are cut to the stored-line limit. */
function clipEntry(entry: TranscriptEntry): TranscriptEntry {
  switch (entry.kind) {
    case 'recv':
      return { ...entry, line: clipText(entry.line), event: clipEvent(entry.event) };
    case 'send':
      return { ...entry, text: clipText(entry.text) };
    case 'garbage':
      return { ...entry, detail: clipText(entry.detail) };
    default:
      return entry;
  }
}
import type { ResourceProbe } from '../supervise/resources.js';

export interface RunSettings {
  readonly target: Target;
  readonly dialect: Dialect;
  readonly seed: number;
  /** Runs per property case. */
  readonly runs: number;
  readonly quick: boolean;
  /** One wait's deadline, already multiplied by --timeout-multiplier. */
  readonly waitMs: number;
  readonly multiplier: number;
  /** The target's idle timeout, when the profile has one (may be overridden on the command line). */
  readonly idleTimeoutMs: number | null;
  /** Prefix of every name and text this run sends, so runs against one server do not interfere. */
  readonly prefix: string;
  /** fast-check replay path, for --path. */
  readonly path?: string;
  /** The command line that reaches this target with this profile; replay lines extend it. */
  readonly replayBase: string;
  /** Aborts the run (SIGINT, SIGTERM, SIGHUP): every wait of the running case ends at once. */
  readonly abort?: AbortSignal;
  /** The server's resources, when the kit knows its pid (--server-cmd, --pid); resource cases skip without. */
  readonly resources?: ResourceProbe;
  /** What the run has learned about the target (notices it never sends); shared by its cases. */
  readonly memory?: RunMemory;
}

/** The target stopped accepting connections: the runner turns this into "target down". */
/** RunMemory's key for "the server disconnects a member it announced as gone" (NOTICE-1's wait). */
const ANNOUNCED_CLOSE = 'close after leave notice';

export class TargetUnreachable extends Error {
  constructor(readonly connectError: ConnectError) {
    super(connectError.message);
  }
}

export type LeaveHow = 'fin' | 'rst' | 'quit';

export class CaseContext implements Recorder {
  readonly epoch = now();
  readonly signal: Signal;
  readonly transcript: TranscriptEntry[] = [];
  readonly violations: Violation[] = [];
  readonly clients: TestClient[] = [];
  /** Members the kit knows to be in the room, in join order. */
  readonly present: TestClient[] = [];
  readonly rng: Rng;
  /** Members exempt from keepalives: the subjects of idle-timeout cases. */
  readonly silent = new Set<TestClient>();
  private keepalive: NodeJS.Timeout | undefined;
  /** Every chat text this case sent, by sender label: a later check ignores an earlier check's lines. */
  readonly said = new Set<string>();
  /** Set by property cases: the shrunk scenario that failed, and how to replay it. */
  scenario: { text: string; path: string; seed: number } | undefined;
  private counter = 0;

  constructor(
    readonly settings: RunSettings,
    readonly caseId: string,
    caseIndex: number,
  ) {
    this.rng = makeRng(settings.seed ^ (caseIndex * 0x9e3779b1));
    this.signal = new Signal(settings.abort);
    // Names and texts differ from case to case: a case's FIN may reach the server after the next case logs in.
    this.counter = caseIndex * 1000;
  }

  get dialect(): Dialect {
    return this.settings.dialect;
  }

  get profile(): Profile {
    return this.settings.dialect.profile;
  }

  /** The per-wait deadline, optionally scaled (e.g. 3 for a wait that covers many lines). */
  wait(factor = 1): number {
    return this.settings.waitMs * factor;
  }

  record(entry: TranscriptEntry): void {
    // Bounded: a flooding target must not grow the kit without limit, in count or in length.
    if (this.transcript.length < 20_000) this.transcript.push(clipEntry(entry));
  }

  /** A text no other run or case sends: prefix, case, sequence, then the payload. */
  text(payload = ''): string {
    this.counter += 1;
    return `${this.settings.prefix}.${this.counter}${payload ? ' ' + payload : ''}`;
  }

  /** A name unique to this run (login, prompt answer, rename, group) that the profile's pattern for it accepts. */
  name(label: string, field: NameField = 'name'): string {
    this.counter += 1;
    const taken = new Set(this.clients.flatMap((c) => (c.name !== undefined ? [c.name] : [])));
    const name = generateName(this.dialect, field, this.settings.prefix, label, this.counter, this.rng, taken);
    if (name === undefined) throw new ProfileError(`cannot generate a ${field} that patterns.${field} /${this.dialect.patterns[field].source}/ accepts`, `patterns.${field}`);
    return name;
  }

  /** A sync line's text: checks ignore it (isSyncText). */
  syncText(kind: string): string {
    return `${this.settings.prefix}~${kind}${++this.counter}`;
  }

  isSyncText(text: string): boolean {
    return text.startsWith(`${this.settings.prefix}~`);
  }

  waitUntil(cond: () => boolean, timeoutMs = this.wait()): Promise<boolean> {
    return this.signal.waitUntil(cond, timeoutMs);
  }

  /**
   * Waits for notices of one type (leave notices...): as waitUntil, but once the run
   * has shown that the server never sends them (RunMemory), the wait is short.
   */
  async waitForNotice(type: ServerEvent['type'], cond: () => boolean, factor = 1): Promise<boolean> {
    const whole = this.wait(factor);
    const ok = await this.waitUntil(cond, this.settings.memory?.patience(type, whole) ?? whole);
    this.settings.memory?.note(type, ok, this.clients.some((c) => c.events.some((e) => e.type === type)));
    return ok;
  }

  // ---- verdict helpers --------------------------------------------------------

  /** Records a violation and goes on (the case may find more). */
  violate(id: string, message: string, detail?: ViolationDetail): void {
    if (this.violations.some((v) => v.requirement === id && v.message === message)) return;
    this.violations.push(violation(id, message, detail));
  }

  /** Records a violation and ends the case. */
  fail(id: string, message: string, detail?: ViolationDetail): never {
    const v = violation(id, message, detail);
    this.violations.push(v);
    throw new ViolationStop(v);
  }

  inconclusive(reason: string): never {
    throw new CaseStop('inconclusive', reason);
  }

  skip(reason: string): never {
    throw new CaseStop('skip', reason);
  }

  // ---- connections and membership -----------------------------------------------

  /**
   * Connects. Three waits: a server with a small listen backlog (Python's socketserver keeps 5) that is
   * still taking in an earlier burst drops SYNs, and the kernel tries again after 1 s, then 2 s more;
   * a refused connection fails at once whatever the timeout.
   */
  async connect(label: string, timeoutMs = this.wait(3)): Promise<TestClient> {
    try {
      const client = await TestClient.connect(label, this.settings.target, this.dialect, this, { timeoutMs });
      this.clients.push(client);
      return client;
    } catch (err) {
      if (err instanceof ConnectError) throw new TargetUnreachable(err);
      throw err;
    }
  }

  /**
   * Connects and makes the client a member the kit can count on, as the
   * profile says (src/runner/membership.ts): prompt, login or rename, its
   * welcome and own join notice, every present member's join notice, a barrier.
   */
  async join(label: string, options: JoinOptions = {}): Promise<TestClient> {
    const client = await joinMember(this, label, options);
    this.startKeepalive();
    return client;
  }

  /**
   * Where the target has an idle timeout, every member but the idle cases'
   * subjects says a sync line now and then, so that a long case (a flood, a
   * churn) is not cut short by members timing out while they only listen.
   */
  startKeepalive(): void {
    const idle = this.settings.idleTimeoutMs;
    if (idle === null || this.keepalive) return;
    this.keepalive = setInterval(() => {
      for (const m of this.present) {
        if (!m.isClosed && !this.silent.has(m)) void this.say(m, `${this.settings.prefix}~keepalive`);
      }
    }, Math.max(20, idle / 3));
    this.keepalive.unref();
  }

  /** Records a text sent by other means than say() (raw bytes), so checks know it was sent. */
  noteSaid(client: TestClient, text: string): void {
    this.said.add(`${client.label}\u0000${text}`);
  }

  /** Removes a member by FIN, RST or the quit command. */
  leave(client: TestClient, how: LeaveHow): Promise<void> {
    const i = this.present.indexOf(client);
    if (i >= 0) this.present.splice(i, 1);
    if (how === 'fin') client.end();
    else if (how === 'rst') client.reset();
    else return client.command({ type: 'quit', name: client.name });
    return Promise.resolve();
  }

  /** Sends a chat line as this member (fills in the sender fields dialects need). */
  say(client: TestClient, text: string, split?: { sizes?: readonly number[]; delayMs?: number }): Promise<void> {
    this.said.add(`${client.label}\u0000${text}`);
    return client.command(this.sayCommand(client, text), split);
  }

  /** The line (without LF) that says `text` as this member, for cases that write bytes themselves. */
  sayLine(client: TestClient, text: string): string {
    return this.dialect.renderCommand(this.sayCommand(client, text));
  }

  /** Says several lines in a single write: the server sees them all in one segment. */
  sayInOneWrite(client: TestClient, texts: readonly string[], shown: string): Promise<void> {
    for (const text of texts) this.noteSaid(client, text);
    return client.sendBytes(Buffer.from(texts.map((t) => this.sayLine(client, t) + this.dialect.lineEnding).join(''), 'utf8'), undefined, 0, shown);
  }

  sayCommand(client: TestClient, text: string): ClientCommand {
    return { type: 'say', text, name: client.name ?? 'anonymous', addr: client.addr };
  }

  /** The room's receivers of a chat line from `from`: every present member, the sender only where the profile echoes. */
  audienceOf(from: TestClient): TestClient[] {
    return this.present.filter((m) => m !== from || this.profile.echo);
  }

  /**
   * A barrier: one member says a sync line and every given member must receive
   * it. What the server delivered to them before it has then arrived too
   * (per-sender FIFO on the sync speaker's side, and the kit's lines were
   * sent before). Returns false when the barrier itself timed out.
   */
  async sync(members: readonly TestClient[] = this.present): Promise<boolean> {
    const live = members.filter((m) => !m.isClosed && this.present.includes(m));
    if (live.length === 0) return true;
    const speaker = live[0]!;
    const receivers = this.profile.echo ? live : live.filter((m) => m !== speaker);
    if (receivers.length === 0) return this.syncAlone(speaker);
    return this.heardFrom(speaker, receivers);
  }

  /**
   * `speaker` says sync lines (another after each pause, untilHeard) until each
   * receiver holds one of them or is closed; false at the deadline.
   */
  private async heardFrom(speaker: TestClient, receivers: readonly TestClient[], give: () => boolean = () => false): Promise<boolean> {
    const texts: string[] = [];
    const again = async (): Promise<void> => {
      const text = this.syncText('sync');
      texts.push(text);
      await this.say(speaker, text);
    };
    const heard = (): boolean => give() || receivers.every((m) => m.isClosed || texts.some((t) => this.hasChat(m, speaker, t)));
    await again();
    return untilHeard((c, ms) => this.waitUntil(c, ms), heard, again, this.wait(), () => speaker.isClosed);
  }

  /**
   * One member of a dialect without echo cannot hear itself: another present
   * member hears its line, then answers; the answer reaches it after all the
   * server sent it before (e.g. the entry lines trailing a list header).
   * Alone in the room, nothing can prove that (see lists.ts for a list).
   */
  private async syncAlone(member: TestClient): Promise<boolean> {
    const other = this.present.find((m) => m !== member && !m.isClosed);
    if (!other) return true;
    const gone = (): boolean => member.isClosed || other.isClosed;
    if (!(await this.heardFrom(member, [other], gone))) return false;
    return this.heardFrom(other, [member], gone);
  }

  /** Liveness probe: two fresh members exchange one line, exactly once. */
  async alive(): Promise<{ ok: true } | { ok: false; why: string }> {
    let a: TestClient | undefined;
    let b: TestClient | undefined;
    try {
      a = await this.connect('probe-a');
      b = await this.connect('probe-b');
    } catch (err) {
      a?.destroy();
      return { ok: false, why: err instanceof Error ? err.message : String(err) };
    }
    // Not join(): that would judge JOIN-*; the probe only needs one delivery.
    try {
      for (const m of [a, b]) {
        const admitted = await admit(this, m);
        if (!admitted.ok) return { ok: false, why: `${admitted.message} (${admitted.step})` };
      }
      // b must be in the room before a speaks: b's own echo shows it; without echo, a hearing b's line does
      // (b's line follows its login on its own connection), which shows a is in the room too.
      const [first, second] = [a, b];
      const gone = (): boolean => first.isClosed || second.isClosed;
      await this.probeLines(second, this.profile.echo ? second : first, this.wait(), gone);
      // A slow moment is not a dead room: the exchange has three waits.
      if (await this.probeLines(first, second, this.wait(3), gone)) return { ok: true };
      return { ok: false, why: 'two new members could not exchange a line' };
    } finally {
      a.close();
      b.close();
    }
  }

  /** A probe client says lines (another after each pause) until `hearer` holds one of them. */
  private async probeLines(speaker: TestClient, hearer: TestClient, timeoutMs: number, gone: () => boolean): Promise<boolean> {
    const texts = new Set<string>();
    const again = async (): Promise<void> => {
      const text = this.text(`probe-${speaker.label}`);
      texts.add(text);
      await speaker.command({ type: 'say', text, name: speaker.name, addr: speaker.addr });
    };
    const heard = (): boolean => hearer.received.some((r) => r.event?.type === 'chat' && texts.has(r.event.text));
    await again();
    return untilHeard((c, ms) => this.waitUntil(c, ms), () => gone() || heard(), again, timeoutMs, gone).then(heard);
  }

  /** Takes over the evidence of a sub-run (a property case's smallest failing scenario). */
  adopt(other: CaseContext): void {
    this.violations.push(...other.violations);
    this.transcript.push(...other.transcript);
  }

  /**
   * NOTICE-1, after every case: a leave notice and a renamed notice tell something that happened.
   * A leave (or idle-leave) notice about a member of this case that the kit did not remove, whose
   * connection the kit did not end and the server has not closed within one wait (a server that
   * evicts or times out a member announces it and closes it), is false; so is a renamed notice about
   * a member that never sent a rename. Notices that could be about two of the case's clients (a
   * name reused) are left alone. Returns the violations this audit recorded.
   */
  async auditNotices(): Promise<Violation[]> {
    const before = this.violations.length;
    const about = (who: Who): TestClient | undefined => {
      const matches = this.clients.filter((c) => this.isAbout(who, c));
      return matches.length === 1 ? matches[0] : undefined;
    };
    const falseLeaves = new Map<TestClient, TestClient[]>();
    const falseRenames = new Map<TestClient, string>();
    for (const m of this.clients) {
      for (const r of m.received) {
        const e = r.event;
        if (!e || !('who' in e)) continue;
        if (e.type === 'leave' || e.type === 'idleLeave') {
          const x = about(e.who);
          if (x && this.present.includes(x) && !x.hasEnded && !x.isClosed) falseLeaves.set(x, [...(falseLeaves.get(x) ?? []), m]);
        } else if (e.type === 'renamed') {
          const x = about(e.who);
          if (x && !x.renameSent && !falseRenames.has(x)) falseRenames.set(x, `${m.label} received ${JSON.stringify(r.line)}`);
        }
      }
    }
    for (const [x, where] of falseRenames) {
      this.violate(AUDITED_AFTER_EVERY_CASE, `a renamed notice about ${x.label}, which never sent a rename`, { expected: 'no renamed notice about a member that did not rename', actual: where });
    }
    if (falseLeaves.size === 0) return this.violations.slice(before);
    // A server that keeps announced members connected does so after every case: once it has shown
    // that twice (and never closed one in time), the wait is short (RunMemory).
    const whole = this.wait();
    const closed = await this.waitUntil(() => [...falseLeaves.keys()].every((x) => x.isClosed), this.settings.memory?.patience(ANNOUNCED_CLOSE, whole) ?? whole);
    this.settings.memory?.noteOutcome(ANNOUNCED_CLOSE, closed);
    for (const [x, receivers] of falseLeaves) {
      if (x.isClosed) continue;
      this.violate(AUDITED_AFTER_EVERY_CASE, `${[...new Set(receivers)].map((m) => m.label).join(', ')} received a leave notice for ${x.label}, which had not left and whose connection the server kept open`, {
        expected: 'a leave notice only for a member that left (or that the server disconnects)',
        actual: `${x.label} still connected after the case`,
      });
    }
    return this.violations.slice(before);
  }

  /** Closes every client the case opened. */
  closeAll(): void {
    clearInterval(this.keepalive);
    for (const c of this.clients) {
      // A name prompt is a line without LF by design (joinOn prompt): a close while one waits is not FRAME-3's.
      // In the isolation cases the server may evict any member that falls behind, mid-line: a cut stream, not a line.
      if (c.cutAtClose !== undefined && this.profile.joinOn !== 'prompt' && !this.caseId.startsWith('isolation/')) this.violate('FRAME-3', `${c.label} received bytes without LF before the server closed its connection`, { expected: 'every server line ends with LF', actual: JSON.stringify(c.cutAtClose) });
    }
    for (const c of this.clients) c.close();
  }

  // ---- reading events ---------------------------------------------------------------

  whoOf(client: TestClient): Who {
    return { addr: client.addr, name: client.name ?? client.addr };
  }

  /** Whether a notice's subject is this client (by address or by name, as the template names it). */
  isAbout(who: Who, client: TestClient): boolean {
    if (who.addr !== undefined) return who.addr === client.addr;
    if (who.name !== undefined) return who.name === client.name;
    return false;
  }

  /** The client of this case a notice is about, if any. */
  clientAbout(who: Who): TestClient | undefined {
    return this.clients.find((c) => this.isAbout(who, c));
  }

  hasChat(receiver: TestClient, from: TestClient, text: string): boolean {
    return receiver.received.some((r) => r.event?.type === 'chat' && r.event.text === text && this.isAbout(r.event.who, from));
  }

  /** Events a receiver got about this case's clients (stray lines of other runs left out). */
  eventsAbout(receiver: TestClient, type: ServerEvent['type'], subject: TestClient): number {
    return receiver.events.filter((e) => e.type === type && 'who' in e && this.isAbout(e.who, subject)).length;
  }
}

export { recentLines };
