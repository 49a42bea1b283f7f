import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * What the end-to-end and latency scenarios share: the sandbox in its own process (its CLI), the
 * connector in its own process with the usage hook preloaded, and a stdout sink that discards
 * records while counting them, so every figure is the connector's and every count is checked.
 */

/** The package directory: this file runs as dist/bench/harness.js. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const HOOK = join(ROOT, 'dist', 'bench', 'usage-hook.js');

/**
 * The node flags of main.js's shebang (`#!/usr/bin/env -S node FLAGS`): the connector is measured
 * as the installed bin and the Docker ENTRYPOINT run it, not as a bare `node main.js`.
 */
export const NODE_FLAGS: readonly string[] = (() => {
  const first = readFileSync(MAIN, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\/usr\/bin\/env -S node(.*)$/.exec(first);
  return m ? (m[1] ?? '').trim().split(/\s+/).filter(Boolean) : [];
})();

export type Json = Record<string, unknown>;

export interface SandboxInfo {
  api_url: string;
  rest_url: string;
  api_key: string;
}

export interface SandboxProcess {
  info: SandboxInfo;
  pid: number;
  /** CPU (user + system) the sandbox process has used so far, in ms; undefined off Linux. */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

/** `tap-infusionsoft sandbox --port 0 ...flags`, once it has printed its JSON line. */
export async function startSandboxProcess(flags: string[], timeoutMs = 300_000): Promise<SandboxProcess> {
  const child = spawn(process.execPath, [MAIN, 'sandbox', '--port', '0', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += c.toString('utf8');
  });
  const info = await new Promise<SandboxInfo>((resolveInfo, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`sandbox did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      try {
        resolveInfo(JSON.parse(out.slice(0, nl)) as SandboxInfo);
      } catch (err) {
        reject(err as Error);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited with ${code}: ${stderr}`));
    });
  });
  const pid = child.pid as number;
  return {
    info,
    pid,
    cpuMs: () => procCpuMs(pid),
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** utime + stime of a live process from /proc (Linux), in ms. */
export function procCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

export function scratchDir(): { dir: string; write(name: string, value: unknown): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tap-bench-'));
  return {
    dir,
    write(name, value) {
      const path = join(dir, name);
      writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A config for the sandbox process; XML-RPC unless `extra` says `api: 'rest'`. */
export function sandboxConfig(sb: SandboxInfo, extra: Json = {}): Json {
  return { credentials: { auth_type: 'api_key', api_key: sb.api_key }, api: 'xmlrpc', api_url: sb.api_url, rest_url: sb.rest_url, ...extra };
}

/** `discover`, then a configured catalog of `streams` (discover's order), all full refresh. */
export async function configuredCatalog(configPath: string, streams: readonly string[]): Promise<Json> {
  const run = await runConnector(['discover', '--config', configPath], { measure: false });
  if (run.exitCode !== 0) throw new Error(`discover failed (${run.exitCode}): ${run.stderr.slice(-2000)}`);
  const catalog = run.messages.find((m) => m['type'] === 'CATALOG')?.['catalog'] as { streams: Json[] } | undefined;
  const chosen = (catalog?.streams ?? []).filter((s) => streams.includes(s['name'] as string));
  const missing = streams.filter((n) => !chosen.some((s) => s['name'] === n));
  if (missing.length) throw new Error(`discover offered no stream ${missing.join(', ')}`);
  return { streams: chosen.map((s) => ({ stream: s, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' })) };
}

export interface ConnectorRun {
  exitCode: number | null;
  /** Spawn to exit. */
  wallMs: number;
  /** From the usage hook (zero when not measured). */
  userUs: number;
  systemUs: number;
  maxRssKb: number;
  /** RECORD lines, counted and discarded. */
  records: number;
  /** Every other stdout line, parsed (STATE, TRACE, LOG, CATALOG...). */
  messages: Json[];
  stderr: string;
}

const RECORD_PREFIX = Buffer.from('{"type":"RECORD",', 'utf8');

/**
 * Reads the connector's stdout: RECORD lines are counted by their first bytes and dropped, others
 * are kept and parsed.
 */
class StdoutCounter {
  records = 0;
  readonly messages: Json[] = [];
  private carry: Buffer | undefined;

  push(chunk: Buffer): void {
    const data = this.carry === undefined ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = undefined;
    let start = 0;
    for (;;) {
      const nl = data.indexOf(10, start);
      if (nl === -1) break;
      this.line(data, start, nl);
      start = nl + 1;
    }
    if (start < data.length) this.carry = Buffer.from(data.subarray(start));
  }

  end(): void {
    if (this.carry !== undefined && this.carry.length > 0) this.line(this.carry, 0, this.carry.length);
    this.carry = undefined;
  }

  private line(data: Buffer, start: number, end: number): void {
    if (end - start >= RECORD_PREFIX.length && data.compare(RECORD_PREFIX, 0, RECORD_PREFIX.length, start, start + RECORD_PREFIX.length) === 0) {
      this.records++;
      return;
    }
    const text = data.toString('utf8', start, end).trim();
    if (text.startsWith('{')) this.messages.push(JSON.parse(text) as Json);
  }
}

/** A directory in memory (tmpfs) when there is one: stdout files cost the connector no disk. */
function memoryDir(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/**
 * Runs the CLI with `args`. With `measure`, the usage hook is preloaded (its CPU time and peak
 * RSS) and stdout goes to a file in memory, read and counted once the process has exited: the
 * connector writes as it would to /dev/null (no reader competes with it for the 2 cores, no pipe
 * wakes it), yet every line it wrote is checked. Without, stdout is read from a pipe.
 */
export async function runConnector(args: string[], opts: { measure: boolean }): Promise<ConnectorRun> {
  const s = scratchDir();
  const usageFile = join(s.dir, 'usage.json');
  const nodeArgs = opts.measure ? [...NODE_FLAGS, `--import=${pathToFileURL(HOOK).href}`, MAIN, ...args] : [...NODE_FLAGS, MAIN, ...args];
  const outDir = opts.measure ? mkdtempSync(join(memoryDir(), 'tap-bench-out-')) : undefined;
  const outFile = outDir === undefined ? undefined : join(outDir, 'stdout.jsonl');
  const outFd = outFile === undefined ? undefined : openSync(outFile, 'w');
  const started = performance.now();
  const child = spawn(process.execPath, nodeArgs, {
    env: { ...process.env, TAP_BENCH_USAGE_FILE: opts.measure ? usageFile : '' },
    stdio: ['ignore', outFd ?? 'pipe', 'pipe'],
  });
  if (outFd !== undefined) closeSync(outFd);
  const counter = new StdoutCounter();
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => counter.push(c));
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 16 * 1024 * 1024) stderr += c.toString('utf8');
  });
  const exitCode = await new Promise<number | null>((done, reject) => {
    child.once('error', reject);
    child.once('close', (code) => done(code));
  });
  const wallMs = performance.now() - started;
  if (outFile !== undefined && outDir !== undefined) {
    for await (const chunk of createReadStream(outFile, { highWaterMark: 1024 * 1024 })) counter.push(chunk as Buffer);
    rmSync(outDir, { recursive: true, force: true });
  }
  counter.end();
  let usage = { userUs: 0, systemUs: 0, maxRssKb: 0 };
  if (opts.measure) usage = JSON.parse(readFileSync(usageFile, 'utf8')) as typeof usage;
  s.remove();
  return { exitCode, wallMs, ...usage, records: counter.records, messages: counter.messages, stderr };
}

/** Per stream: records from its STATE messages' sourceStats, and whether its last STATE closed the pass. */
export function stateSummary(messages: readonly Json[]): Map<string, { records: number; finished: boolean }> {
  const out = new Map<string, { records: number; finished: boolean }>();
  for (const m of messages) {
    if (m['type'] !== 'STATE') continue;
    const st = m['state'] as { stream?: { stream_descriptor?: { name?: string }; stream_state?: Json }; sourceStats?: { recordCount?: number } };
    const name = st.stream?.stream_descriptor?.name;
    if (name === undefined) continue;
    const e = out.get(name) ?? { records: 0, finished: false };
    e.records += st.sourceStats?.recordCount ?? 0;
    e.finished = st.stream?.stream_state?.['in_progress'] === undefined && st.stream?.stream_state?.['LastSuccessfulRun'] !== undefined;
    out.set(name, e);
  }
  return out;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
