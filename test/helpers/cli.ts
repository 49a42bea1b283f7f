import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { recordOutput } from './audit.js';
import { outputProblems } from './protocol.js';

export const CLI = resolve(process.cwd(), 'dist/src/main.js');

export interface CliResult {
  code: number | null;
  /** The signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
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
  /** Run as this user (tests of file permissions, which root would bypass). */
  uid?: number;
  gid?: number;
}

/** A CLI process under way: its stdout so far, line by line, and its end. */
export interface RunningCli {
  child: ChildProcess;
  /** Complete stdout lines so far. */
  readonly lines: string[];
  /** Resolves with the first stdout line that passes `test` (rejects if the process ends first). */
  waitForLine(test: (line: string) => boolean): Promise<string>;
  /** Sends a signal; the output read so far is kept as a platform reading stdout would keep it. */
  signal(signal: NodeJS.Signals): void;
  result: Promise<CliResult & { killed: boolean }>;
}

/**
 * Starts the built CLI (tests spawn what users run). Its output is recorded for the secret audit
 * and checked line by line: every stdout line of a protocol command must be one strict JSON object
 * (protocol.ts); a test whose CLI prints anything else fails, whatever it asserts.
 */
export function startCli(args: string[], o: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(o.uid !== undefined ? { uid: o.uid, gid: o.gid ?? o.uid } : {}),
  });
  let stdout = '';
  let partial = '';
  let stderr = '';
  const lines: string[] = [];
  const watchers: { test: (line: string) => boolean; resolve: (line: string) => void; reject: (err: Error) => void }[] = [];
  let states = 0;
  let killAt = o.killAfterLines;
  let killed = false;
  let signalled = false;
  let rejectResult: (err: Error) => void = () => {};
  const timer = setTimeout(() => {
    child.kill('SIGKILL');
    rejectResult(new Error(`CLI timed out: ${args.join(' ')}\n${stderr}`));
  }, o.timeoutMs ?? 120_000);
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    if (killed) return;
    const parts = (partial + d).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      stdout += `${line}\n`;
      lines.push(line);
      for (const w of [...watchers]) {
        if (w.test(line)) {
          watchers.splice(watchers.indexOf(w), 1);
          w.resolve(line);
        }
      }
      if (o.killAfterState && killAt === undefined && line.includes('"type":"STATE"')) {
        states++;
        if (states >= o.killAfterState.states) killAt = lines.length + o.killAfterState.extraLines;
      }
      if (killAt !== undefined && lines.length >= killAt) {
        // Keep only whole lines up to the kill point, as a platform reading stdout would.
        killed = true;
        child.kill('SIGKILL');
        return;
      }
    }
  });
  child.stderr?.on('data', (d: string) => (stderr += d));
  const result = new Promise<CliResult & { killed: boolean }>((resolvePromise, reject) => {
    rejectResult = reject;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // A line the process did not finish (killed mid-write) is not output a platform would read.
      if (!killed && !signalled && partial !== '') stdout += partial;
      for (const w of watchers.splice(0)) w.reject(new Error(`the CLI ended before printing the awaited line\n${stderr}`));
      recordOutput(`tap-infusionsoft ${args.join(' ')}`, `${stdout}\n--- stderr ---\n${stderr}`);
      const problems = outputProblems(args, stdout);
      if (problems.length) {
        reject(new Error(`tap-infusionsoft ${args.join(' ')} printed output that is not strict protocol JSON:\n${problems.join('\n')}`));
        return;
      }
      const messages = stdout
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return { type: '__NOT_JSON__', line: l };
          }
        });
      resolvePromise({ code, signal, stdout, stderr, messages, killed });
    });
  });
  return {
    child,
    lines,
    waitForLine: (test) => {
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((res, rej) => watchers.push({ test, resolve: res, reject: rej }));
    },
    signal: (s) => {
      signalled = true;
      child.kill(s);
    },
    result,
  };
}

/** Runs the built CLI to its end. */
export function runCli(args: string[], o: CliOptions = {}): Promise<CliResult & { killed: boolean }> {
  return startCli(args, o).result;
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
