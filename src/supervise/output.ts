// The server's own output, kept bounded: the last lines of stdout and stderr
// in a ring (what a crash report quotes), and optionally everything, up to a
// byte cap, in a log file next to the reports.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type Stream = 'stdout' | 'stderr';

export interface OutputLine {
  readonly stream: Stream;
  readonly text: string;
}

export interface OutputOptions {
  /** Lines kept in the ring. Default 4,000. */
  readonly maxLines?: number;
  /** A longer line is cut (with a marker). Default 2,000 bytes. */
  readonly maxLineChars?: number;
  /** Also append every line here (created on first use). */
  readonly logFile?: string;
  /** Bytes written to the log file at most; then one marker line. Default 16 MiB. */
  readonly maxLogBytes?: number;
}

const HEAD_LINES = 50;

export class OutputRing {
  private readonly ring: OutputLine[] = [];
  private start = 0;
  private readonly partial: Record<Stream, string> = { stdout: '', stderr: '' };
  private readonly maxLines: number;
  private readonly maxLineChars: number;
  private logged = 0;
  private logFull = false;
  private listeners: ((line: OutputLine) => void)[] = [];
  /** Lines since the last note, and the first HEAD_LINES of them: a dump longer than the ring keeps its headline. */
  private sinceNote = 0;
  private head: OutputLine[] = [];

  constructor(private readonly options: OutputOptions = {}) {
    // A Go dump of a few hundred goroutines is thousands of lines; its first line is the headline.
    this.maxLines = options.maxLines ?? 4000;
    this.maxLineChars = options.maxLineChars ?? 2000;
    if (options.logFile) {
      mkdirSync(dirname(options.logFile), { recursive: true });
      writeFileSync(options.logFile, '');
    }
  }

  /** Called for every complete line (ready-line detection). */
  onLine(listener: (line: OutputLine) => void): () => void {
    this.listeners.push(listener);
    return () => void (this.listeners = this.listeners.filter((l) => l !== listener));
  }

  push(stream: Stream, chunk: Buffer | string): void {
    let text = this.partial[stream] + chunk.toString();
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      this.add(stream, text.slice(0, nl).replace(/\r$/, ''));
      text = text.slice(nl + 1);
    }
    // A line without LF is kept up to the cap, then cut: a server printing no LF must not grow us.
    if (text.length > this.maxLineChars) {
      this.add(stream, text);
      text = '';
    }
    this.partial[stream] = text;
  }

  /** Flushes unterminated output (the process has exited). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.add(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  /** Marks a point in the output (a restart, a case), in the ring and the log. */
  note(text: string): void {
    this.add('stderr', `--- chat-conformance: ${text} ---`);
    this.sinceNote = 0;
    this.head = [];
  }

  /**
   * The first lines printed since the last note that the ring no longer
   * holds (at most HEAD_LINES): the `SIGQUIT: quit` of a goroutine dump
   * longer than the ring, say.
   */
  scrolledHead(): OutputLine[] {
    const lost = this.sinceNote - this.maxLines;
    return lost > 0 ? this.head.slice(0, lost) : [];
  }

  /** The last n lines (both streams, in arrival order). */
  tail(n = 40, stream?: Stream): OutputLine[] {
    const all = [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
    const chosen = stream ? all.filter((l) => l.stream === stream) : all;
    return chosen.slice(-n);
  }

  private add(stream: Stream, raw: string): void {
    const text = raw.length > this.maxLineChars ? `${raw.slice(0, this.maxLineChars)}… (${raw.length} chars)` : raw;
    const line = { stream, text };
    if (this.ring.length < this.maxLines) this.ring.push(line);
    else {
      this.ring[this.start] = line;
      this.start = (this.start + 1) % this.maxLines;
    }
    this.sinceNote += 1;
    if (this.head.length < HEAD_LINES) this.head.push(line);
    this.log(`${stream === 'stderr' ? 'E' : 'O'} ${text}\n`);
    for (const l of this.listeners) l(line);
  }

  private log(text: string): void {
    const file = this.options.logFile;
    if (!file || this.logFull) return;
    const cap = this.options.maxLogBytes ?? 16 * 1024 * 1024;
    try {
      if (this.logged + text.length > cap) {
        this.logFull = true;
        appendFileSync(file, `--- chat-conformance: log cut at ${cap} bytes ---\n`);
        return;
      }
      this.logged += text.length;
      appendFileSync(file, text);
    } catch {
      this.logFull = true; // an unwritable log must not stop the run
    }
  }
}

/**
 * The line a crash summary shows: the Go `panic:` / `fatal error:` line, the
 * Python exception (the last line of a traceback), a Node `Error:` line, or
 * the last line printed.
 */
export function headline(lines: readonly OutputLine[]): string | undefined {
  // stderr only: a server's stdout ("listening on ...", its chat log) is not a trace.
  const texts = lines.filter((l) => l.stream === 'stderr').map((l) => l.text.trim()).filter(Boolean);
  const go = texts.find((t) => /^(panic: |fatal error: |SIGQUIT: quit|SIGABRT: abort)/.test(t));
  if (go) return go;
  const tb = texts.findLastIndex((t) => t.startsWith('Traceback (most recent call last)'));
  if (tb >= 0) {
    const exc = texts.slice(tb + 1).find((t) => /^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b/.test(t));
    if (exc) return exc;
  }
  // A plain `Error: read ECONNRESET` too (an unhandled 'error' event), not only `TypeError: ...`.
  const js = texts.find((t) => /^(Uncaught )?([A-Z]\w*)?Error\b/.test(t));
  if (js) return js;
  // Node's closing `Node.js v20.20.2` names the runtime, not what went wrong; a lone `}` says nothing.
  return texts.filter((t) => !t.startsWith('--- chat-conformance:') && !/^Node\.js v\d/.test(t) && /[A-Za-z0-9]/.test(t)).at(-1);
}
