import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let found: string | undefined;

/**
 * The directory holding package.json. Code runs both from `src/` (tests) and from `dist/src/`
 * (the CLI, the Docker image), so shipped data (`schemas/`, `spec.json`) is found by walking up,
 * once.
 */
export function packageRoot(): string {
  if (found !== undefined) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'spec.json'))) return (found = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the tap-infusionsoft package directory (spec.json)');
    dir = parent;
  }
}
