import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, scratch } from './helpers/cli.js';

/**
 * The bad-input corpus: configs, catalogs, states and arguments a user can get wrong. Each must end
 * with ONE clear line naming the problem and a non-zero exit, before any request leaves (the
 * endpoint below is a closed port: a request would show up as a connection error instead).
 */
const API = { credentials: { auth_type: 'api_key', api_key: 'KeapAK-corpus-0123456789' }, api: 'xmlrpc', api_url: 'http://127.0.0.1:9/crm/xmlrpc/v1' };
const contactSchema = JSON.parse(readFileSync('schemas/tables/contact.json', 'utf8')) as object;
const CATALOG = {
  streams: [{ stream: { name: 'contact', json_schema: contactSchema, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: 'incremental', destination_sync_mode: 'append' }],
};
const withCfg = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...API, ...patch });
const stateFor = (s: unknown): unknown => [{ type: 'STREAM', stream: { stream_descriptor: { name: 'contact' }, stream_state: s } }];

interface Case {
  name: string;
  config?: unknown;
  catalog?: unknown;
  state?: unknown;
  args?: (p: { config: string; catalog: string; state: string }) => string[];
  expect: RegExp;
}

const cfgCases: [string, unknown, RegExp][] = [
  ['a config that is truncated JSON', '{"credentials": {"auth_type": "api_key"', /config error: .* is not valid JSON/],
  ['an empty config file', '', /config error: .* is empty/],
  ['a config that is a JSON array', '[]', /config error: .* must hold a JSON object/],
  ['a config without credentials', { start_date: '2024-01-01T00:00:00Z' }, /credentials: is required/],
  ['credentials given as a string', { credentials: 'KeapAK-abc' }, /credentials: must be object/],
  ['credentials without auth_type', { credentials: { api_key: 'KeapAK-abcdef' } }, /credentials\.auth_type: is required/],
  ['an unknown auth_type', { credentials: { auth_type: 'basic', api_key: 'x' } }, /credentials\.auth_type/],
  ['an API-key config without the key', { credentials: { auth_type: 'api_key' } }, /credentials\.api_key: is required/],
  ['an empty API key', { credentials: { auth_type: 'api_key', api_key: '' } }, /credentials\.api_key: must not be empty/],
  ['an API key that is a number', { credentials: { auth_type: 'api_key', api_key: 12345 } }, /credentials\.api_key: must be string/],
  ['an OAuth config without client_id', { credentials: { auth_type: 'oauth2', client_secret: 's3cr3t-value', refresh_token: 'rt-value-123' } }, /credentials\.client_id: is required/],
  ['an OAuth config without refresh_token', { credentials: { auth_type: 'oauth2', client_id: 'id', client_secret: 's3cr3t-value' } }, /credentials\.refresh_token: is required/],
  ['a client_secret that is a number', { credentials: { auth_type: 'oauth2', client_id: 'id', client_secret: 42, refresh_token: 'rt-value-123' } }, /credentials\.client_secret: must be string/],
  ['a token_expiry that is not a date', { credentials: { auth_type: 'oauth2', client_id: 'id', client_secret: 's3cr3t-value', refresh_token: 'rt-value-123', token_expiry: 'soon' } }, /token_expiry: must be a valid date-time/],
  ['a start_date that is a word', withCfg({ start_date: 'yesterday' }), /start_date/],
  ['a start_date with slashes', withCfg({ start_date: '2024/01/01' }), /start_date/],
  ['a page size of zero', withCfg({ page_size: 0 }), /page_size: must be >= 1/],
  ['a negative page size', withCfg({ page_size: -5 }), /page_size: must be >= 1/],
  ['a page size over Keap\'s 1000', withCfg({ page_size: 5000 }), /page_size: must be <= 1000/],
  ['a page size given as text', withCfg({ page_size: '100' }), /page_size: must be integer/],
  ['a concurrency of zero', withCfg({ concurrency: 0 }), /concurrency: must be >= 1/],
  ['a negative daily request limit', withCfg({ requests_per_day: -1 }), /requests_per_day: must be >= 1/],
  ['an unknown time zone', withCfg({ app_timezone: 'Mars/Olympus_Mons' }), /app_timezone: unknown time zone/],
  ['a negative lookback', withCfg({ lookback_seconds: -1 }), /lookback_seconds: must be >= 0/],
  ['an ftp api_url', withCfg({ api_url: 'ftp://api.infusionsoft.com/x' }), /api_url/],
  ['plain http to a remote host', withCfg({ api_url: 'http://api.infusionsoft.com/crm/xmlrpc/v1' }), /api_url: plain http:\/\/ is refused except on loopback/],
  ['a token_url that is not a URL', withCfg({ token_url: 'https://' }), /token_url/],
  ['an unknown table', withCfg({ tables: ['Contacts'] }), /tables\[0\]: 'Contacts' is not one of the names it takes; did you mean 'Contact'\?/],
  ['an unknown resource', withCfg({ resources: ['contact'] }), /resources\[0\]: 'contact' is not one of the names it takes; did you mean 'contacts'\?/],
  ['a resource that is nothing like one', withCfg({ resources: ['zzzzzzzzzz'] }), /resources\[0\]: must be one of "contacts"/],
  ['tables given as a string', withCfg({ tables: 'Contact' }), /tables: must be array/],
  ['reports given as an object', withCfg({ reports: { report: 'webforms' } }), /reports: must be array/],
  ['a report entry without a report id', withCfg({ reports: [{ stream: 'x' }] }), /reports\[0\]\.report: is required/],
  ['retry settings of the wrong type', withCfg({ retry: { max_retries: 'many' } }), /retry\.max_retries: must be integer/],
];

const catalogCases: [string, unknown, RegExp][] = [
  ['a catalog that is truncated JSON', '{"streams": [', /catalog error: .* is not valid JSON/],
  ['a catalog that is a list', [], /catalog error: .* must hold a JSON object/],
  ['a catalog without streams', {}, /catalog error: .*"streams" must be a list/],
  ['a catalog whose streams is an object', { streams: {} }, /"streams" must be a list/],
  ['a stream entry without its stream', { streams: [{ sync_mode: 'full_refresh' }] }, /streams\[0\]\.stream: is required but missing/],
  ['a sync mode that does not exist', { streams: [{ ...CATALOG.streams[0], sync_mode: 'sometimes' }] }, /streams\[0\]\.sync_mode: must be one of "full_refresh", "incremental"/],
  ['a stream with an empty name', { streams: [{ stream: { name: '' }, sync_mode: 'full_refresh' }] }, /streams\[0\]\.stream\.name: must not be empty/],
  ['the same stream twice', { streams: [CATALOG.streams[0], CATALOG.streams[0]] }, /stream 'contact' is listed twice/],
  ['a Singer stream with an unknown replication method', { streams: [{ tap_stream_id: 'contact', schema: {}, metadata: [{ breadcrumb: [], metadata: { selected: true, 'replication-method': 'LOG_BASED' } }] }] }, /replication-method must be INCREMENTAL or FULL_TABLE/],
];

const stateCases: [string, unknown, RegExp][] = [
  ['a state that is truncated JSON', '[{"type": "STREAM"', /state error: .* is not valid JSON/],
  ['a state that is a number', '42', /state error: .* must be a JSON object or a list of state messages/],
  ['a stream state without a stream name', [{ type: 'STREAM', stream: { stream_descriptor: {}, stream_state: {} } }], /\[0\]\.stream\.stream_descriptor\.name: is required but missing/],
  ['a state message of an unknown type', [{ type: 'WEIRD', data: {} }], /\[0\]\.type: must be one of "STREAM", "GLOBAL", "LEGACY"/],
  ['a LastSuccessfulRun that is not a date', stateFor({ LastSuccessfulRun: 'last tuesday' }), /state for stream 'contact': LastSuccessfulRun is not an ISO 8601 date-time/],
  ['a cursor that is not a date', stateFor({ LastUpdated: 12345 }), /state for stream 'contact': LastUpdated is not an ISO 8601 date-time/],
  ['a resume position that is negative', stateFor({ in_progress: { started_at: '2026-01-01T00:00:00Z', after: -1 } }), /in_progress\.after must be a non-negative integer/],
  ['a stream state that is a list', stateFor([1, 2]), /\[0\]\.stream\.stream_state: must be object or null/],
  ['Singer bookmarks that are not an object', { bookmarks: ['contact'] }, /bookmarks: must be object/],
  ['a global state without stream_states', [{ type: 'GLOBAL', global: { shared_state: {} } }], /\[0\]\.global\.stream_states: is required but missing/],
  ['a legacy state whose stream entry is text', { contact: 'yesterday' }, /contact must be an object/],
];

const cases: Case[] = [
  ...cfgCases.map(([name, config, re]) => ({ name, config, expect: re })),
  ...catalogCases.map(([name, catalog, re]) => ({ name, catalog, expect: re })),
  ...stateCases.map(([name, state, re]) => ({ name, state, expect: re })),
  { name: 'a config file that does not exist', args: () => ['discover', '--config', '/nonexistent/config.json'], expect: /config error: cannot read \/nonexistent\/config\.json: no such file/ },
  { name: 'a catalog file that does not exist', args: (p) => ['read', '--config', p.config, '--catalog', '/nonexistent/catalog.json'], expect: /catalog error: cannot read .*no such file/ },
  { name: 'a state file that does not exist', args: (p) => ['read', '--config', p.config, '--catalog', p.catalog, '--state', '/nonexistent/state.json'], expect: /state error: cannot read .*no such file/ },
  { name: 'an unknown command', args: () => ['reed', '--config', 'x'], expect: /unknown command 'reed'/ },
  { name: 'read without a catalog', args: (p) => ['read', '--config', p.config], expect: /read needs --catalog/ },
  { name: 'an unknown option', args: (p) => ['discover', '--config', p.config, '--frobnicate'], expect: /unknown option '--frobnicate'/ },
  { name: 'a Singer run with an unknown --format', args: () => ['--about', '--format', 'yaml'], expect: /--format must be json or markdown/ },
];

describe('bad input gives one clear line and a non-zero exit', () => {
  it('has at least forty cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  // Each case is one CLI process that mostly waits on its own start-up: run a few at once.
  it.concurrent.for(cases)('$name', async (c, { expect }) => {
    const s = scratch();
    const config = s.write('config.json', c.config ?? API);
    const catalog = s.write('catalog.json', c.catalog ?? CATALOG);
    const state = s.write('state.json', c.state ?? []);
    const args = c.args
      ? c.args({ config, catalog, state })
      : c.state !== undefined
        ? ['read', '--config', config, '--catalog', catalog, '--state', state]
        : c.catalog !== undefined
          ? ['read', '--config', config, '--catalog', catalog]
          : ['discover', '--config', config];
    const r = await runCli(args);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('INFO METRIC'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tap-infusionsoft: /);
    expect(lines[0]).toMatch(c.expect);
    expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
    expect(r.stdout + r.stderr).not.toContain('KeapAK-corpus-0123456789');
  });

  it('prints the usage for no arguments at all, and exits 2 like any usage error (--help exits 0)', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^usage:\n {2}Airbyte: {2}tap-infusionsoft spec/);
    expect(none.stdout).toBe('');
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe(none.stderr);
  });

  it('names an unknown stream in an error trace, marks it incomplete, and exits non-zero', async () => {
    const s = scratch();
    const config = s.write('config.json', API);
    const catalog = s.write('catalog.json', { streams: [{ stream: { name: 'contactz', json_schema: {} }, sync_mode: 'full_refresh', destination_sync_mode: 'append' }] });
    const r = await runCli(['read', '--config', config, '--catalog', catalog]);
    expect(r.code).toBe(1);
    const traces = r.messages.filter((m) => m['type'] === 'TRACE') as { trace: { type: string; error?: { message: string; failure_type: string } } }[];
    const error = traces.find((t) => t.trace.type === 'ERROR');
    expect(error?.trace.error?.message).toMatch(/stream 'contactz' is not offered/);
    expect(error?.trace.error?.failure_type).toBe('config_error');
  });

  it('ignores, with a log line, a well-formed state for a stream that is not in the catalog', async () => {
    const s = scratch();
    const config = s.write('config.json', API);
    const catalog = s.write('catalog.json', { streams: [] });
    const state = s.write('state.json', [{ type: 'STREAM', stream: { stream_descriptor: { name: 'gone' }, stream_state: { LastSuccessfulRun: '2026-01-01T00:00:00Z' } } }]);
    const r = await runCli(['read', '--config', config, '--catalog', catalog, '--state', state]);
    expect(r.code).toBe(0);
    const logs = r.messages.filter((m) => m['type'] === 'LOG').map((m) => (m['log'] as { message: string }).message);
    expect(logs.some((l) => /ignoring the state of stream 'gone'/.test(l))).toBe(true);
  });
});
