import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The shared reference material lives beside the repository (../shared/reference), never inside
 * it. KEAP_REFERENCE_DIR overrides the place; a missing directory fails loudly, never skips.
 */
export function referenceDir(): string {
  const candidates = [process.env['KEAP_REFERENCE_DIR'], resolve(process.cwd(), '../shared/reference'), '/work/shared/reference'];
  for (const c of candidates) if (c && existsSync(join(c, 'keap-api.md'))) return c;
  throw new Error('cannot find ../shared/reference (set KEAP_REFERENCE_DIR)');
}

export function reference(...parts: string[]): string {
  return join(referenceDir(), ...parts);
}
