import { InputError } from '../input-error.js';

export type Dialect = 'airbyte' | 'singer';

export type Command =
  | { kind: 'spec' }
  | { kind: 'check'; config: string[] }
  | { kind: 'discover'; dialect: Dialect; config: string[] }
  | { kind: 'read'; dialect: Dialect; config: string[]; catalog: string | undefined; state: string | undefined }
  | { kind: 'about'; format: 'json' | 'markdown' | 'text'; config: string[] }
  | { kind: 'version' }
  /** `misuse`: no command at all, which is a usage error (exit 2) that still shows the usage. */
  | { kind: 'help'; misuse?: boolean }
  | { kind: 'sandbox'; args: string[] }
  | { kind: 'auth'; args: string[] }
  | { kind: 'list'; what: string; table: string | undefined; config: string[]; json: boolean; api: 'rest' | 'xmlrpc' | undefined };

export const USAGE = `usage:
  Airbyte:  tap-infusionsoft spec
            tap-infusionsoft check    --config CONFIG
            tap-infusionsoft discover --config CONFIG
            tap-infusionsoft read     --config CONFIG --catalog CATALOG [--state STATE]
  Singer:   tap-infusionsoft --config CONFIG --discover
            tap-infusionsoft --config CONFIG [--catalog CATALOG | --properties CATALOG] [--state STATE]
            tap-infusionsoft --about [--format json|markdown]   |   --version
  Tools:    tap-infusionsoft sandbox [--port P] [--seed S] [--contacts N]
            tap-infusionsoft list affiliates|programs|tags|saved-searches|shipping-options|webforms|tables|fields TABLE --config CONFIG [--json]
            tap-infusionsoft list tables|fields TABLE --api rest [--json]   (where each table and field is on REST v2)
            tap-infusionsoft auth --client-id ID --client-secret SECRET [--out config.json]
  CONFIG may be given more than once (later files win) and may be ENV (TAP_INFUSIONSOFT_* variables).`;

const AIRBYTE = new Set(['spec', 'check', 'discover', 'read']);

export function parseArgs(argv: readonly string[]): Command {
  const first = argv[0];
  if (first === 'sandbox') return { kind: 'sandbox', args: argv.slice(1) };
  if (first === 'auth') return { kind: 'auth', args: argv.slice(1) };
  if (first === 'list') return parseList(argv.slice(1));
  if (first !== undefined && AIRBYTE.has(first)) return parseAirbyte(first, argv.slice(1));
  if (first !== undefined && !first.startsWith('-')) throw new InputError('arguments', `unknown command '${first}' (try --help)`);
  return parseSinger(argv);
}

interface Flags {
  config: string[];
  catalog?: string;
  state?: string;
  discover: boolean;
  about: boolean;
  version: boolean;
  help: boolean;
  json: boolean;
  format?: string;
  api?: string;
  positional: string[];
}

function readFlags(argv: readonly string[], allowed: ReadonlySet<string>): Flags {
  const f: Flags = { config: [], discover: false, about: false, version: false, help: false, json: false, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] as string;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const short: Record<string, string> = { '-c': '--config', '-s': '--state', '-p': '--properties', '-d': '--discover', '-h': '--help' };
    arg = short[arg] ?? arg;
    if (!arg.startsWith('-')) {
      f.positional.push(arg);
      continue;
    }
    if (!allowed.has(arg)) throw new InputError('arguments', `unknown option '${arg}' (try --help)`);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new InputError('arguments', `${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--config':
        f.config.push(value());
        break;
      case '--catalog':
      case '--properties':
        if (f.catalog !== undefined) throw new InputError('arguments', 'give --catalog (or --properties) once');
        f.catalog = value();
        break;
      case '--state':
        f.state = value();
        break;
      case '--format':
        f.format = value();
        break;
      case '--api':
        f.api = value();
        break;
      case '--discover':
        f.discover = true;
        break;
      case '--about':
        f.about = true;
        break;
      case '--version':
        f.version = true;
        break;
      case '--help':
        f.help = true;
        break;
      case '--json':
        f.json = true;
        break;
      default:
        break;
    }
  }
  return f;
}

function parseAirbyte(command: string, rest: readonly string[]): Command {
  const f = readFlags(rest, new Set(['--config', '--catalog', '--state', '--help', '--debug']));
  if (f.help) return { kind: 'help' };
  if (f.positional.length) throw new InputError('arguments', `unexpected argument '${f.positional[0]}'`);
  switch (command) {
    case 'spec':
      return { kind: 'spec' };
    case 'check':
      requireConfig(f, 'check');
      return { kind: 'check', config: f.config };
    case 'discover':
      requireConfig(f, 'discover');
      return { kind: 'discover', dialect: 'airbyte', config: f.config };
    default:
      requireConfig(f, 'read');
      if (f.catalog === undefined) throw new InputError('arguments', 'read needs --catalog CATALOG');
      return { kind: 'read', dialect: 'airbyte', config: f.config, catalog: f.catalog, state: f.state };
  }
}

function parseSinger(argv: readonly string[]): Command {
  const f = readFlags(
    argv,
    new Set(['--config', '--catalog', '--properties', '--state', '--discover', '--about', '--format', '--version', '--help']),
  );
  if (f.positional.length) throw new InputError('arguments', `unexpected argument '${f.positional[0]}'`);
  if (f.help) return { kind: 'help' };
  if (f.version) return { kind: 'version' };
  if (f.about) {
    const format = f.format ?? 'text';
    if (format !== 'json' && format !== 'markdown' && format !== 'text') throw new InputError('arguments', `--format must be json or markdown, not '${format}'`);
    return { kind: 'about', format, config: f.config };
  }
  if (f.config.length === 0) {
    if (argv.length === 0) return { kind: 'help', misuse: true };
    throw new InputError('arguments', '--config CONFIG is required');
  }
  if (f.discover) return { kind: 'discover', dialect: 'singer', config: f.config };
  return { kind: 'read', dialect: 'singer', config: f.config, catalog: f.catalog, state: f.state };
}

function parseList(argv: readonly string[]): Command {
  const f = readFlags(argv, new Set(['--config', '--json', '--help', '--api']));
  if (f.help) return { kind: 'help' };
  const [what, table, extra] = f.positional;
  if (!what) throw new InputError('arguments', 'list needs what to list: affiliates, programs, tags, saved-searches, shipping-options, webforms, tables or fields TABLE');
  if (extra !== undefined) throw new InputError('arguments', `unexpected argument '${extra}'`);
  if (f.api !== undefined && f.api !== 'rest' && f.api !== 'xmlrpc') throw new InputError('arguments', `--api must be rest or xmlrpc, not '${f.api}'`);
  const api = f.api as 'rest' | 'xmlrpc' | undefined;
  if (api === 'rest' && what !== 'tables' && what !== 'fields') throw new InputError('arguments', `--api rest goes with 'list tables' and 'list fields TABLE' (the migration map); 'list ${what}' reads the account`);
  // The table list and the migration map ship with the connector; everything else is read from the account.
  if (what !== 'tables' && api !== 'rest') requireConfig(f, 'list');
  return { kind: 'list', what, table, config: f.config, json: f.json, api };
}

function requireConfig(f: Flags, command: string): void {
  if (f.config.length === 0) throw new InputError('arguments', `${command} needs --config CONFIG`);
}
