import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Every scenario's output is kept here so the audit project (run last) can scan all of it for
// secrets. One directory per `vitest run`, shared by the worker processes through the environment.
process.env['TAP_AUDIT_DIR'] ??= mkdtempSync(join(tmpdir(), 'tap-infusionsoft-audit-'));

export default defineConfig({
  test: {
    // End-to-end tests spawn the built CLI and a sandbox; two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts'], exclude: ['test/audit/**'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'audit', include: ['test/audit/**/*.test.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
