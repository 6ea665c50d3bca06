// The JSON report: the Report object as is (schema in spec/schema/report.schema.json).
import type { Report } from '../runner/run.js';

export function toJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}
