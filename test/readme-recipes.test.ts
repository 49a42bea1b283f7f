import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/package-root.js';
import { recordOutput } from './helpers/audit.js';

/**
 * The README's "Run the sandbox yourself" recipe, run as a newcomer runs it: its shell blocks, in
 * order, as one script. Only what cannot be the same in a test changes, each on purpose: the
 * script runs in a scratch directory (so the CLI and the catalogs are named by their full path),
 * on a free port (the suite runs in parallel), and without `npm run build` (`npm test` built it).
 */
const root = packageRoot();
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function recipe(): string {
  const start = readme.indexOf('### Run the sandbox yourself');
  const end = readme.indexOf('\n### ', start + 1);
  const section = readme.slice(start, end);
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  expect(blocks.length).toBeGreaterThanOrEqual(2);
  const cli = `node ${join(root, 'dist/src/main.js')}`;
  return blocks
    .join('\n')
    .split('\n')
    .filter((line) => line.trim() !== 'npm run build')
    .map((line) =>
      line
        .replaceAll('npx tap-infusionsoft', cli)
        .replaceAll('node dist/src/main.js', cli)
        .replaceAll(' catalogs/', ` ${join(root, 'catalogs')}/`)
        .replace('--port 8765', '--port 0'),
    )
    .join('\n');
}

function bash(script: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

type Msg = Record<string, unknown>;
const lines = (path: string): Msg[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Msg);
const records = (ms: Msg[], stream: string): number => ms.filter((m) => m['type'] === 'RECORD' && (m['record'] as { stream: string }).stream === stream).length;

describe("the README's sandbox recipe", () => {
  it('runs as written: waits for the sandbox, reads, saves the state, reads again from it, and stops the sandbox', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readme-recipe-'));
    const r = await bash(recipe(), dir);
    // What the connector printed goes to the secret audit; the script's own stdout does not: the
    // recipe shows the sandbox's line (its credentials) on purpose.
    const printed = ['messages.jsonl', 'messages-2.jsonl'].map((f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '')).join('\n');
    recordOutput('README recipe', `${printed}\n--- stderr ---\n${r.stderr}`);
    expect(r.code, r.stderr).toBe(0);
    // check succeeded; the first read read the three resources of the config, in full, and no other.
    expect(r.stdout).toContain('"status":"SUCCEEDED"');
    const first = lines(join(dir, 'messages.jsonl'));
    expect(records(first, 'contacts')).toBeGreaterThan(0);
    expect(records(first, 'orders')).toBeGreaterThan(0);
    expect(records(first, 'opportunity_stages')).toBeGreaterThan(0);
    expect(records(first, 'tags')).toBe(0);
    expect(first.filter((m) => m['type'] === 'TRACE' && (m['trace'] as { type: string }).type === 'ERROR')).toEqual([]);
    // The second read took the saved state: no contact changed, so none is read again.
    const second = lines(join(dir, 'messages-2.jsonl'));
    expect(second.some((m) => m['type'] === 'STATE')).toBe(true);
    expect(records(second, 'contacts')).toBe(0);
    // The sandbox stopped: it removes its ready file on the way out.
    for (let i = 0; i < 500 && existsSync(join(dir, 'sandbox.json')); i++) await new Promise((res) => setTimeout(res, 10));
    expect(existsSync(join(dir, 'sandbox.json'))).toBe(false);
  });
});
