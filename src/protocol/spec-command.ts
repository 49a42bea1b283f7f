import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { Session } from './session.js';

/**
 * spec.json, read once, and the `spec` command. Apart from the rest of the commands so that
 * `spec` loads only what it prints with, not the readers, the HTTP layer and the validators.
 */

interface Spec {
  connectionSpecification: object;
}

let specCache: Spec | undefined;

export function loadSpec(): Spec {
  specCache ??= JSON.parse(readFileSync(join(packageRoot(), 'spec.json'), 'utf8')) as Spec;
  return specCache;
}

export function runSpec(session: Session): number {
  session.airbyte.message({ type: 'SPEC', spec: loadSpec() });
  return 0;
}
