import { ALL_FAULT_KINDS, type FaultKind } from './faults.js';
import { startSandbox, type SandboxOptions } from './server.js';

/**
 * `tap-infusionsoft sandbox [--port P] [--seed S] [--contacts N] [--latency-ms L] [--cache-pages] [--no-gzip]
 *  [--timezone Z] [--fault-rate R] [--fault-kinds k1,k2] [--per-second N] [--per-minute N]
 *  [--per-day N] [--access-token-ttl S] [--app NAME]`
 *
 * Serves Keap's REST v2 API and its XML-RPC API on one loopback port, over one world of data.
 * Prints one JSON line (URLs of both APIs and the credentials the sandbox accepts) once it listens,
 * so a config can be written from it, then serves until SIGINT/SIGTERM. Exit 0 on a signal, 2 on bad flags,
 * 1 when it cannot start.
 */

export interface SandboxCommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Stops the sandbox (tests); SIGINT and SIGTERM always do. */
  signal?: AbortSignal;
}

export const SANDBOX_USAGE =
  'usage: tap-infusionsoft sandbox [--port P] [--seed S] [--contacts N] [--latency-ms L] [--cache-pages] [--no-gzip] [--timezone Z] ' +
  '[--fault-rate R] [--fault-kinds k1,k2] [--per-second N] [--per-minute N] [--per-day N] [--access-token-ttl S] [--app NAME]\n' +
  'Serves Keap REST v2 (rest_url) and XML-RPC (api_url) on one loopback port over the same data.';

class UsageError extends Error {}

type NumberFlag = 'port' | 'seed' | 'contacts' | 'latency-ms' | 'fault-rate' | 'per-second' | 'per-minute' | 'per-day' | 'access-token-ttl';
const NUMBER_FLAGS: ReadonlySet<string> = new Set<NumberFlag>(['port', 'seed', 'contacts', 'latency-ms', 'fault-rate', 'per-second', 'per-minute', 'per-day', 'access-token-ttl']);
const STRING_FLAGS: ReadonlySet<string> = new Set(['timezone', 'fault-kinds', 'app']);
const BOOLEAN_FLAGS: ReadonlySet<string> = new Set(['cache-pages', 'no-gzip']);

export function parseSandboxArgs(args: readonly string[]): SandboxOptions {
  const numbers = new Map<string, number>();
  const strings = new Map<string, string>();
  const booleans = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (m === null) throw new UsageError(`unexpected argument '${arg}'`);
    const name = m[1] ?? '';
    if (BOOLEAN_FLAGS.has(name)) {
      if (m[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      booleans.add(name);
      continue;
    }
    if (!NUMBER_FLAGS.has(name) && !STRING_FLAGS.has(name)) throw new UsageError(`unknown flag --${name}`);
    let value = m[2];
    if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    if (STRING_FLAGS.has(name)) {
      strings.set(name, value);
      continue;
    }
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${value}'`);
    numbers.set(name, n);
  }

  const int = (name: NumberFlag, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    const n = numbers.get(name);
    if (n === undefined) return undefined;
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${n}`);
    return n;
  };
  const options: SandboxOptions = {};
  const set = <K extends keyof SandboxOptions>(key: K, value: SandboxOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  set('port', int('port', 0, 65535));
  set('seed', int('seed', 0, 2 ** 31 - 1));
  set('contacts', int('contacts', 0, 100_000_000));
  set('latencyMs', int('latency-ms', 0, 600_000));
  set('accessTokenTtlSeconds', int('access-token-ttl', 1));
  const zone = strings.get('timezone');
  if (zone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      throw new UsageError(`--timezone: unknown time zone '${zone}'`);
    }
  }
  set('timezone', zone);
  set('app', strings.get('app'));
  if (booleans.has('cache-pages')) options.cachePages = true;
  if (booleans.has('no-gzip')) options.gzip = false;

  const quotas = { perSecond: int('per-second', 1), perMinute: int('per-minute', 1), perDay: int('per-day', 1) };
  if (Object.values(quotas).some((v) => v !== undefined)) options.quotas = quotas;

  const rate = numbers.get('fault-rate');
  if (rate !== undefined && (rate < 0 || rate > 1)) throw new UsageError(`--fault-rate must be between 0 and 1, got ${rate}`);
  const kindsText = strings.get('fault-kinds');
  let kinds: FaultKind[] | undefined;
  if (kindsText !== undefined) {
    kinds = kindsText.split(',').map((k) => k.trim()) as FaultKind[];
    const bad = kinds.find((k) => !ALL_FAULT_KINDS.includes(k));
    if (bad !== undefined) throw new UsageError(`unknown fault kind '${bad}' (known: ${ALL_FAULT_KINDS.join(', ')})`);
  }
  if (rate !== undefined || kinds !== undefined) options.faults = { rate: rate ?? 0, ...(kinds === undefined ? {} : { kinds }) };
  return options;
}

export async function runSandboxCommand(args: string[], io: SandboxCommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${SANDBOX_USAGE}\n`);
    return 0;
  }
  let options: SandboxOptions;
  try {
    options = parseSandboxArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`tap-infusionsoft sandbox: ${err.message}\n`);
    return 2;
  }
  let sandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (err) {
    io.stderr.write(`tap-infusionsoft sandbox: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  io.stdout.write(`${sandbox.announce()}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (io.signal?.aborted === true) stop();
    else io.signal?.addEventListener('abort', stop);
  });
  await sandbox.close();
  return 0;
}
