// Report files: where `--report FORMAT=FILE` is parsed, checked before the run
// and written after it. One renderer per format, each a function of the
// Report object; a new format is one more entry in RENDERERS.
import { closeSync, existsSync, mkdirSync, openSync, statSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Report } from '../runner/run.js';
import { toJson } from './json.js';
import { toJUnit } from './junit.js';
import { renderHtmlReport } from './html.js';

export const RENDERERS = {
  json: toJson,
  junit: toJUnit,
  html: renderHtmlReport,
} as const satisfies Record<string, (report: Report) => string>;

export type ReportFormat = keyof typeof RENDERERS;

export const REPORT_FORMATS = Object.keys(RENDERERS) as ReportFormat[];

export interface ReportSpec {
  readonly format: ReportFormat;
  readonly file: string;
}

/** A report that cannot be written: a usage error before the run, exit 2 after it. */
export class ReportError extends Error {
  override readonly name = 'ReportError';
}

export function parseReportSpec(text: string): ReportSpec {
  const eq = text.indexOf('=');
  const format = text.slice(0, eq);
  const file = text.slice(eq + 1);
  if (eq < 0 || !(REPORT_FORMATS as string[]).includes(format) || file === '') {
    throw new ReportError(`--report takes ${REPORT_FORMATS.map((f) => `${f}=FILE`).join(', ')}; got ${JSON.stringify(text)}`);
  }
  return { format: format as ReportFormat, file };
}

// Kernel filesystems take writes they cannot keep (EIO) or never finish mkdir -p on them.
const KERNEL_FS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
]);

/**
 * Checks, before anything runs, that the report can be written: its folder
 * exists or can be made, the file can be created or opened for writing, and it
 * is not on a kernel filesystem. A file this check creates is removed again.
 */
export function checkWritable(spec: ReportSpec): void {
  const file = resolve(spec.file);
  try {
    makeDirs(dirname(file));
    const fsType = KERNEL_FS.get(Number(statfsSync(dirname(file)).type));
    if (fsType) throw new ReportError(`cannot write ${spec.file}: it is on a kernel filesystem (${fsType}), not a place for a report`);
    if (existsSync(file)) {
      if (!statSync(file).isFile()) throw new ReportError(`cannot write ${spec.file}: not a regular file`);
      closeSync(openSync(file, 'r+'));
    } else {
      closeSync(openSync(file, 'wx'));
      unlinkSync(file);
    }
  } catch (e) {
    if (e instanceof ReportError && e.message.startsWith('cannot write')) throw e;
    throw new ReportError(`cannot write ${spec.file}: ${describe(e)}`);
  }
}

/** Renders and writes one report; a ReportError says why it could not. */
export function writeReport(spec: ReportSpec, report: Report): void {
  try {
    makeDirs(dirname(resolve(spec.file)));
    writeFileSync(spec.file, RENDERERS[spec.format](report));
  } catch (e) {
    throw new ReportError(`cannot write ${spec.file}: ${describe(e)}`);
  }
}

/** Writes every report; returns one message per report that could not be written. */
export function writeReports(specs: readonly ReportSpec[], report: Report): string[] {
  const problems: string[] = [];
  for (const spec of specs) {
    try {
      writeReport(spec, report);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return problems;
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns on
 * /proc (it retries ENOENT forever), a plain mkdir fails there at once.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  let d = dir;
  for (let i = 0; i < 256 && !existsSync(d); i += 1) {
    missing.unshift(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  if (existsSync(d) && !statSync(d).isDirectory()) throw new ReportError(`${d} is not a folder`);
  for (const m of missing) mkdirSync(m);
}

function describe(e: unknown): string {
  if (e instanceof ReportError) return e.message;
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code} (${err.message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '')})` : String(err.message ?? e);
}

export { toJson, toJUnit, renderHtmlReport };
