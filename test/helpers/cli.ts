import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { recordOutput } from './audit.js';

export const CLI = resolve(process.cwd(), 'dist/src/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout lines parsed as JSON (non-JSON lines are an error in the protocol). */
  messages: Record<string, unknown>[];
}

export interface CliOptions {
  env?: Record<string, string>;
  /** Kill the process after this many stdout lines (kill-and-resume tests). */
  killAfterLines?: number;
  /** Kill it `extraLines` lines after its n-th STATE line: where a wrong checkpoint would show. */
  killAfterState?: { states: number; extraLines: number };
  timeoutMs?: number;
}

/** Runs the built CLI (tests spawn what users run) and records its output for the secret audit. */
export function runCli(args: string[], o: CliOptions = {}): Promise<CliResult & { killed: boolean }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let lines = 0;
    let states = 0;
    let killAt = o.killAfterLines;
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out: ${args.join(' ')}\n${stderr}`));
    }, o.timeoutMs ?? 120_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (killed) return;
      if (killAt !== undefined || o.killAfterState !== undefined) {
        // Keep only whole lines up to the kill point, as a platform reading stdout would.
        const parts = d.split('\n');
        for (let i = 0; i < parts.length; i++) {
          const isLast = i === parts.length - 1;
          stdout += parts[i];
          if (!isLast) {
            stdout += '\n';
            lines++;
            if (o.killAfterState && killAt === undefined && (parts[i] as string).includes('"type":"STATE"')) {
              states++;
              if (states >= o.killAfterState.states) killAt = lines + o.killAfterState.extraLines;
            }
            if (killAt !== undefined && lines >= killAt) {
              killed = true;
              child.kill('SIGKILL');
              break;
            }
          }
        }
        return;
      }
      stdout += d;
    });
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      recordOutput(`tap-infusionsoft ${args.join(' ')}`, `${stdout}\n--- stderr ---\n${stderr}`);
      const complete = killed ? stdout.slice(0, stdout.lastIndexOf('\n') + 1) : stdout;
      const messages = complete
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return { type: '__NOT_JSON__', line: l };
          }
        });
      resolvePromise({ code, stdout: complete, stderr, messages, killed });
    });
  });
}

/** A scratch directory with JSON files written into it. */
export function scratch(files: Record<string, unknown> = {}): { dir: string; path: (name: string) => string; write: (name: string, value: unknown) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'tap-infusionsoft-test-'));
  const write = (name: string, value: unknown): string => {
    const p = join(dir, name);
    writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    return p;
  };
  for (const [n, v] of Object.entries(files)) write(n, v);
  return { dir, path: (n) => join(dir, n), write };
}
