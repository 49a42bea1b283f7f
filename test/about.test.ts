import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/package-root.js';
import { settingsOf } from '../src/protocol/about.js';
import { runCli } from './helpers/cli.js';
import { configuredCatalog, withSandbox, type SandboxFixture } from './helpers/sandbox.js';

type Json = Record<string, unknown>;

const root = packageRoot();
const spec = JSON.parse(readFileSync(join(root, 'spec.json'), 'utf8')) as { connectionSpecification: Json };
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

let sb: SandboxFixture;

beforeAll(async () => {
  sb = await withSandbox({ contacts: 120 });
});

afterAll(async () => {
  await sb?.close();
});

/** The environment Meltano (or a scheduler) would set for `--config ENV`. */
function sandboxEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TAP_INFUSIONSOFT_API: 'xmlrpc',
    TAP_INFUSIONSOFT_API_URL: sb.sandbox.apiUrl,
    TAP_INFUSIONSOFT_TOKEN_URL: sb.sandbox.tokenUrl,
    TAP_INFUSIONSOFT_REQUESTS_PER_SECOND: '5000',
    TAP_INFUSIONSOFT_REQUESTS_PER_MINUTE: '1000000',
    TAP_INFUSIONSOFT_TABLES: '["Contact","ContactGroup"]',
    ...extra,
  };
}

interface Metric {
  type: string;
  metric: string;
  value: number;
  tags: Record<string, string | number>;
}

function metrics(stderr: string): Metric[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('INFO METRIC: '))
    .map((l) => JSON.parse(l.slice('INFO METRIC: '.length)) as Metric);
}

describe('--about', () => {
  it('--format json describes the tap with spec.json as its settings', async () => {
    const r = await runCli(['--about', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const about = JSON.parse(r.stdout) as Json;
    expect(about['name']).toBe('tap-infusionsoft');
    expect(about['version']).toBe(pkg.version);
    expect(about['capabilities']).toEqual(expect.arrayContaining(['about', 'catalog', 'discover', 'state']));
    expect(about['settings']).toEqual(spec.connectionSpecification);
  });

  it('--format markdown marks only what every config needs as required, not the alternatives of credentials', async () => {
    const r = await runCli(['--about', '--format', 'markdown']);
    expect(r.code, r.stderr).toBe(0);
    const row = (name: string): string => r.stdout.split('\n').find((l) => l.startsWith(`| ${name} |`)) ?? '';
    expect(row('credentials.auth_type')).toMatch(/^\| credentials\.auth_type \| True \|/);
    for (const [name, auth] of [['credentials.api_key', 'api_key'], ['credentials.client_id', 'oauth2'], ['credentials.refresh_token', 'oauth2']]) {
      expect(row(name as string)).toMatch(new RegExp(`^\\| ${(name as string).replace('.', '\\.')} \\| False \\|.*required when auth_type is ${auth}`));
    }
    expect(row('credentials.access_token')).toMatch(/\| False \|.*used when auth_type is oauth2/);
  });

  it('--format=json works as the Meltano SDK spells it', async () => {
    const r = await runCli(['--about', '--format=json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Json)['settings']).toEqual(spec.connectionSpecification);
  });

  it('--format markdown has a settings row for every setting of spec.json', async () => {
    const r = await runCli(['--about', '--format', 'markdown']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('# `tap-infusionsoft`');
    expect(r.stdout).toContain('| Setting | Required | Default | Description |');
    const props = spec.connectionSpecification['properties'] as Record<string, Json>;
    const names = settingsOf().map((s) => s.name);
    for (const key of Object.keys(props)) if (key !== 'credentials') expect(names).toContain(key);
    for (const key of ['api_key', 'client_id', 'client_secret', 'refresh_token']) expect(names).toContain(`credentials.${key}`);
    for (const name of names) expect(r.stdout).toMatch(new RegExp(`^\\| ${name.replace(/\./g, '\\.')} \\|`, 'm'));
  });

  it('refuses an unknown format in one line', async () => {
    const r = await runCli(['--about', '--format', 'yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("tap-infusionsoft: arguments error: --format must be json or markdown, not 'yaml'");
  });
});

describe('--config ENV', () => {
  it('discovers and reads with TAP_INFUSIONSOFT_* variables as Meltano names them (credentials.api_key)', async () => {
    const env = sandboxEnv({ TAP_INFUSIONSOFT_CREDENTIALS_AUTH_TYPE: 'api_key', TAP_INFUSIONSOFT_CREDENTIALS_API_KEY: sb.sandbox.credentials.api_key });
    const discover = await runCli(['--config', 'ENV', '--discover'], { env });
    expect(discover.code, discover.stderr).toBe(0);
    const catalog = JSON.parse(discover.stdout) as { streams: { tap_stream_id: string }[] };
    expect(catalog.streams.map((s) => s.tap_stream_id)).toEqual(['contact', 'contact_group']);
    const catalogPath = sb.write('singer-catalog.json', catalog);

    const read = await runCli(['--config', 'ENV', '--catalog', catalogPath], { env });
    expect(read.code, read.stderr).toBe(0);
    const records = read.messages.filter((m) => m['type'] === 'RECORD' && m['stream'] === 'contact');
    expect(records).toHaveLength(120);
    expect(read.messages.some((m) => m['type'] === 'STATE')).toBe(true);
  });

  it('accepts the flat TAP_INFUSIONSOFT_API_KEY in the Airbyte form too', async () => {
    const env = sandboxEnv({ TAP_INFUSIONSOFT_API_KEY: sb.sandbox.credentials.api_key });
    const check = await runCli(['check', '--config', 'ENV'], { env });
    expect(check.code, check.stderr).toBe(0);
    // XML-RPC's end is said first, as a LOG line, then the one CONNECTION_STATUS.
    expect(check.messages.map((m) => m['type'])).toEqual(['LOG', 'CONNECTION_STATUS']);
    expect(JSON.stringify(check.messages[0])).toContain('2026-12-31');
    expect(check.messages[1]).toEqual({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } });
  });

  it('merges ENV with a config file, later sources winning', async () => {
    const file = sb.write('partial.json', { tables: ['Invoice'], page_size: 7 });
    const env = sandboxEnv({ TAP_INFUSIONSOFT_API_KEY: sb.sandbox.credentials.api_key });
    const r = await runCli(['discover', '--config', file, '--config', 'ENV'], { env });
    expect(r.code, r.stderr).toBe(0);
    const cat = r.messages.find((m) => m['type'] === 'CATALOG') as { catalog: { streams: { name: string }[] } };
    // TABLES from the environment came later and won over the file's.
    expect(cat.catalog.streams.map((s) => s.name)).toEqual(['contact', 'contact_group']);
  });

  it('names the missing setting when the environment has no credentials', async () => {
    const r = await runCli(['--config', 'ENV', '--discover'], { env: sandboxEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('tap-infusionsoft: config error: credentials: is required but missing');
  });
});

describe('METRIC log lines', () => {
  it('are off by default: a read, check, discover and list print none', async () => {
    const env = sandboxEnv({ TAP_INFUSIONSOFT_API_KEY: sb.sandbox.credentials.api_key });
    const read = await runCli(['--config', 'ENV'], { env });
    expect(read.code, read.stderr).toBe(0);
    expect(read.messages.some((x) => x['type'] === 'RECORD')).toBe(true);
    expect(read.stderr).not.toContain('METRIC');
    // Turned on, they still never show in the commands that only look.
    const on = { ...env, TAP_INFUSIONSOFT_METRICS: 'true' };
    for (const args of [['check', '--config', 'ENV'], ['discover', '--config', 'ENV'], ['list', 'tags', '--config', 'ENV']]) {
      const r = await runCli(args, { env: on });
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
      expect(r.stderr, args[0]).not.toContain('METRIC');
    }
  });

  it('go to stderr in the Singer form when metrics is on: record_count per stream and http_request_duration per call', async () => {
    const env = sandboxEnv({ TAP_INFUSIONSOFT_API_KEY: sb.sandbox.credentials.api_key, TAP_INFUSIONSOFT_METRICS: 'true' });
    const r = await runCli(['--config', 'ENV'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('METRIC');
    const m = metrics(r.stderr);
    const counts = m.filter((x) => x.metric === 'record_count');
    expect(counts.every((x) => x.type === 'counter')).toBe(true);
    const contactCount = counts.find((x) => x.tags['endpoint'] === 'contact');
    expect(contactCount?.value).toBe(r.messages.filter((x) => x['type'] === 'RECORD' && x['stream'] === 'contact').length);
    expect(counts.find((x) => x.tags['endpoint'] === 'contact_group')).toBeDefined();
    const timers = m.filter((x) => x.metric === 'http_request_duration');
    expect(timers.length).toBeGreaterThan(2);
    for (const t of timers) {
      expect(t.type).toBe('timer');
      expect(t.value).toBeGreaterThanOrEqual(0);
      expect(t.tags['endpoint']).toMatch(/^\w+\.\w+$/);
      expect(t.tags['http_status_code']).toBe(200);
      expect(t.tags['status']).toBe('succeeded');
    }
  });

  it('go to stderr in the Airbyte form when metrics is on, never onto the protocol stream', async () => {
    const config = sb.config({ tables: ['Contact'], metrics: true });
    const discover = await runCli(['discover', '--config', config]);
    const catalog = sb.write('airbyte-catalog.json', configuredCatalog(discover.messages.find((m) => m['type'] === 'CATALOG')));
    const r = await runCli(['read', '--config', config, '--catalog', catalog]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.messages.filter((x) => x['type'] === '__NOT_JSON__')).toEqual([]);
    expect(metrics(r.stderr).some((x) => x.metric === 'http_request_duration')).toBe(true);
  });
});
