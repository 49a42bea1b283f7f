/**
 * Rewrites spec.json's generated parts (src/protocol/spec-lists.ts): `reports.items` from the report
 * registry (one oneOf variant per report of the menu) and the names `resources` and `tables` take,
 * keeping everything else in the file as it is. test/spec.test.ts fails when
 * spec.json drifts from this generator.
 *
 * Run: npm run build && node dist/scripts/generate-spec.js
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { withGeneratedSpec } from '../src/protocol/spec-lists.js';

const path = join(packageRoot(), 'spec.json');
const spec = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
writeFileSync(path, `${JSON.stringify(withGeneratedSpec(spec), null, 2)}\n`);
process.stdout.write(`wrote ${path}\n`);
