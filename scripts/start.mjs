#!/usr/bin/env node
// `npm start`: compile if the build is missing or older than the sources, then run the demo
// (scripts/demo.ts) on the embedded sandbox. Plain JavaScript so it runs before anything is built.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist/scripts/demo.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stale = !existsSync(built) || ['src', 'scripts'].some((d) => newest(join(root, d)) > statSync(built).mtimeMs);
if (stale) {
  process.stderr.write('Building (tsc)...\n');
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('npm start: the build failed (run `npm install` first?)\n');
    process.exit(1);
  }
}
await import(join(root, 'dist/scripts/demo.js'));
