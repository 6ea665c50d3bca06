// Start, watch, restart: the server under test as the kit runs it. After each
// case the runner asks the supervisor what became of the server (still
// serving, crashed, or alive with a room that stopped serving), and the
// supervisor keeps the evidence and brings up a fresh server for the next case.
import { describeExit, ServerStartError, startServerProcess, type ServerCommand, type ServerProcess } from './process.js';
import { sampleProcessTree, type ResourceProbe } from './resources.js';

export interface SuperviseOptions extends ServerCommand {
  /** Sent before a server whose room stopped serving is killed (SIGQUIT: a Go server prints every goroutine). */
  readonly dumpSignal?: NodeJS.Signals;
  /** Cases in a row that end with a crash or a dead room before the run stops. Default 5. */
  readonly maxIncidentsInARow?: number;
}

/** What happened to the server during a case, as the report shows it. */
export interface ServerIncident {
  readonly kind: 'crash' | 'dead-room';
  /** "killed by SIGABRT", "exited with status 2", or for a dead room "still running". */
  readonly status: string;
  /** The first line of the trace: Go panic or fatal error, Python exception, Node error. */
  readonly headline?: string;
  /** The last lines the server printed (stderr, and stdout marked as such). */
  readonly output: readonly string[];
}

export class Supervisor {
  private inARow = 0;
  restarts = 0;

  private constructor(
    private readonly options: SuperviseOptions,
    public current: ServerProcess,
  ) {}

  /** Starts the server; throws ServerStartError when it does not become ready. */
  static async start(options: SuperviseOptions): Promise<Supervisor> {
    return new Supervisor(options, await startServerProcess(options));
  }

  get target(): { host: string; port: number } {
    return { host: this.current.host, port: this.current.port };
  }

  /** Follows restarts: always the current process. */
  probe(): ResourceProbe {
    return { what: `the supervised server`, sample: () => (this.current.exit ? undefined : sampleProcessTree(this.current.pid)) };
  }

  /** True when the server exited on its own; waits up to graceMs for an exit in progress. */
  async crashed(graceMs = 0): Promise<boolean> {
    if (this.current.crashed) return true;
    if (graceMs > 0) await Promise.race([this.current.exited, new Promise((r) => setTimeout(r, graceMs))]);
    return this.current.crashed;
  }

  crashIncident(): ServerIncident {
    const exit = this.current.exit!;
    return { kind: 'crash', status: describeExit(exit), ...this.current.evidence() };
  }

  /** The room stopped serving while the process lives: ask for a dump, wait for it, keep it. */
  async deadRoomIncident(): Promise<ServerIncident> {
    const dump = this.options.dumpSignal;
    if (dump) {
      this.current.output.note(`the room stopped serving; sending ${dump}`);
      this.current.signal(dump);
      // A Go runtime prints every goroutine and exits on SIGQUIT; others may just print.
      await Promise.race([this.current.exited, new Promise((r) => setTimeout(r, 3000))]);
    }
    return { kind: 'dead-room', status: this.current.exit ? `still running; ${describeExit(this.current.exit)} on ${dump}` : 'still running', ...this.current.evidence(dump ? 200 : 40) };
  }

  /** A case ended with the server serving: the crash-loop count starts over. */
  caseOk(): void {
    this.inARow = 0;
  }

  /**
   * Replaces the server after an incident. Returns why the run must stop
   * instead (a crash loop, or a server that no longer starts).
   */
  async restart(after: string): Promise<string | undefined> {
    this.inARow += 1;
    const max = this.options.maxIncidentsInARow ?? 5;
    await this.current.close(1000);
    if (this.inARow >= max) return `crash loop: the server crashed or stopped serving in ${this.inARow} cases in a row (the last: ${after})`;
    try {
      this.current = await startServerProcess(this.options);
      this.restarts += 1;
      return undefined;
    } catch (err) {
      const output = err instanceof ServerStartError ? err.output.map((l) => l.text).slice(-5) : [];
      return `crash loop: the server did not start again after ${after}: ${(err as Error).message}${output.length ? `\n${output.join('\n')}` : ''}`;
    }
  }

  close(): Promise<void> {
    return this.current.close();
  }
}
