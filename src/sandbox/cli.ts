import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { ALL_FAULT_KINDS, TRANSIENT_FAULT_KINDS, type FaultKind } from './faults.js';
import { API_KEY_QUOTAS, OAUTH_QUOTAS } from './quota.js';
import { SANDBOX_DEFAULTS, startSandbox, type SandboxOptions } from './server.js';

/**
 * `tap-infusionsoft sandbox [flags]` (FLAGS below; `--help` lists them with their defaults).
 *
 * Serves Keap's REST v2 API and its XML-RPC API on one loopback port, over one world of data.
 * Prints one JSON line (the URLs of both APIs and the credentials the sandbox accepts) once it listens, so a config
 * can be written from it, and with --ready-file writes the same line to a file (atomically), so a
 * script can wait for the file instead of guessing how long start-up takes. Serves until
 * SIGINT/SIGTERM, then removes the ready file. Exit 0 on a signal, 2 on bad flags, 1 when it cannot
 * start.
 */

export interface SandboxCommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Stops the sandbox (tests); SIGINT and SIGTERM always do. */
  signal?: AbortSignal;
}

interface FlagDoc {
  flag: string;
  kind: 'number' | 'string' | 'switch';
  /** The value's placeholder; none for a switch. */
  value?: string;
  default: string;
  about: string;
}

const count = (n: number): string => n.toLocaleString('en-US');
const quota = (k: 'perSecond' | 'perMinute' | 'perDay'): string => `${count(API_KEY_QUOTAS[k])} (API key), ${count(OAUTH_QUOTAS[k])} (OAuth)`;
const transientKinds = new Set<string>(TRANSIENT_FAULT_KINDS);

/** Every flag, its default and its meaning: the usage line, --help and the README come from here. */
export const SANDBOX_FLAGS: readonly FlagDoc[] = [
  { flag: '--port', kind: 'number', value: 'P', default: '0 (a free port)', about: 'The port on 127.0.0.1.' },
  { flag: '--seed', kind: 'number', value: 'S', default: String(SANDBOX_DEFAULTS.seed), about: 'Seeds the data and the credentials: the same seed, the same account.' },
  { flag: '--contacts', kind: 'number', value: 'N', default: count(SANDBOX_DEFAULTS.contacts), about: 'Contacts in the account; the other tables scale with it.' },
  { flag: '--ready-file', kind: 'string', value: 'PATH', default: 'none', about: 'Also write the JSON line to PATH once listening (whole, at once, mode 0600), and remove it on exit.' },
  { flag: '--latency-ms', kind: 'number', value: 'L', default: '0', about: 'Delay before every answer, in milliseconds.' },
  { flag: '--cache-pages', kind: 'switch', default: 'off', about: 'Keep whole answers and serve repeats from memory (benchmarks); any data change clears it.' },
  { flag: '--no-gzip', kind: 'switch', default: 'gzip on', about: 'Send answers uncompressed (Keap gzips when asked); spares the sandbox CPU in benchmarks.' },
  { flag: '--timezone', kind: 'string', value: 'Z', default: SANDBOX_DEFAULTS.timezone, about: "The app's time zone: dates are written on its wall clock." },
  { flag: '--fault-rate', kind: 'number', value: 'R', default: '0', about: 'Share of requests (0 to 1) answered with an injected fault.' },
  {
    flag: '--fault-kinds',
    kind: 'string',
    value: 'k1,k2',
    default: 'those marked *',
    about: `Which faults --fault-rate draws from: ${ALL_FAULT_KINDS.map((k) => `${k}${transientKinds.has(k) ? '*' : ''}`).join(', ')}.`,
  },
  { flag: '--per-second', kind: 'number', value: 'N', default: quota('perSecond'), about: 'Requests a second before HTTP 429 (given, for both kinds of credential).' },
  { flag: '--per-minute', kind: 'number', value: 'N', default: quota('perMinute'), about: 'Requests a minute before HTTP 429.' },
  { flag: '--per-day', kind: 'number', value: 'N', default: quota('perDay'), about: 'Requests a UTC day before HTTP 429 (daily quota).' },
  { flag: '--access-token-ttl', kind: 'number', value: 'S', default: `${count(SANDBOX_DEFAULTS.accessTokenTtlSeconds)} (24 h)`, about: 'Lifetime of access tokens in seconds; short ones exercise refreshes.' },
  { flag: '--app', kind: 'string', value: 'NAME', default: SANDBOX_DEFAULTS.app, about: "The app's name (NAME.infusionsoft.com)." },
];

export const SANDBOX_USAGE = `usage: tap-infusionsoft sandbox ${SANDBOX_FLAGS.map((f) => `[${f.flag}${f.value ? ` ${f.value}` : ''}]`).join(' ')}`;

/** `sandbox --help`: the usage line, then each flag with its default and meaning. */
export function sandboxHelp(): string {
  const left = SANDBOX_FLAGS.map((f) => `${f.flag}${f.value ? ` ${f.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length));
  const lines = SANDBOX_FLAGS.map((f, i) => `  ${(left[i] ?? '').padEnd(width)}  ${f.about} Default: ${f.default}.`);
  return [
    SANDBOX_USAGE,
    '',
    'A Keap double on 127.0.0.1: Keap REST v2 (rest_url) and XML-RPC (api_url) on one port, over the same data. Once listening it prints one JSON line (the URLs and the credentials it accepts) and serves until interrupted.',
    '',
    ...lines,
  ].join('\n');
}

class UsageError extends Error {}

type NumberFlag = 'port' | 'seed' | 'contacts' | 'latency-ms' | 'fault-rate' | 'per-second' | 'per-minute' | 'per-day' | 'access-token-ttl';
/** The flags the parser knows are those documented, by kind (names without their dashes). */
const flagsOf = (kind: FlagDoc['kind']): ReadonlySet<string> => new Set(SANDBOX_FLAGS.filter((f) => f.kind === kind).map((f) => f.flag.slice(2)));
const NUMBER_FLAGS = flagsOf('number');
const STRING_FLAGS = flagsOf('string');
const BOOLEAN_FLAGS = flagsOf('switch');

export interface SandboxArgs {
  options: SandboxOptions;
  readyFile: string | undefined;
}

export function parseSandboxArgs(args: readonly string[]): SandboxArgs {
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
  const readyFile = strings.get('ready-file');
  if (readyFile === '') throw new UsageError('--ready-file needs a path');
  return { options, readyFile };
}

export async function runSandboxCommand(args: string[], io: SandboxCommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${sandboxHelp()}\n`);
    return 0;
  }
  let parsed: SandboxArgs;
  try {
    parsed = parseSandboxArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`tap-infusionsoft sandbox: ${err.message}\n`);
    return 2;
  }
  const { options, readyFile } = parsed;
  let sandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (err) {
    io.stderr.write(`tap-infusionsoft sandbox: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const line = `${sandbox.announce()}\n`;
  io.stdout.write(line);
  if (readyFile !== undefined) {
    try {
      // Whole or not at all: a script that sees the file can read the line.
      const tmp = `${readyFile}.tmp-${process.pid}`;
      writeFileSync(tmp, line, { mode: 0o600 });
      renameSync(tmp, readyFile);
    } catch (err) {
      io.stderr.write(`tap-infusionsoft sandbox: cannot write --ready-file ${readyFile} (${(err as { code?: string }).code ?? 'error'})\n`);
      await sandbox.close();
      return 1;
    }
  }
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
  // The line is no longer true: a script waiting for the next sandbox must not read this one's.
  if (readyFile !== undefined) rmSync(readyFile, { force: true });
  return 0;
}
