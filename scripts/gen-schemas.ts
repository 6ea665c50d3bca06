// Writes the published JSON Schemas from their zod sources. To publish another
// schema, add one entry to `schemaFiles`. test/profile.test.ts fails when a
// committed file differs from what this generates.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { packagePath } from '../src/paths.js';
import { ProfileSchema } from '../src/profile/schema.js';
import { ReportSchema } from '../src/runner/report-schema.js';

export interface SchemaFile {
  /** Path from the package root. */
  readonly path: string;
  readonly schema: z.ZodType;
}

export const schemaFiles: readonly SchemaFile[] = [
  { path: 'spec/schema/profile.schema.json', schema: ProfileSchema },
  { path: 'spec/schema/report.schema.json', schema: ReportSchema },
];

/** The file text for one schema: what a document may contain (input side: defaulted fields optional). */
export function renderSchema(file: SchemaFile): string {
  return `${JSON.stringify(z.toJSONSchema(file.schema, { target: 'draft-2020-12', io: 'input' }), null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const file of schemaFiles) {
    writeFileSync(packagePath(file.path), renderSchema(file));
    console.log(`wrote ${file.path}`);
  }
}
