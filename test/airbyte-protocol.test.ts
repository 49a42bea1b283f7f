import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { protocolProblems } from './helpers/protocol.js';
import { restStreams } from '../src/streams/rest-registry.js';
import { configuredCatalog, restUrlOf, withSandbox, type SandboxFixture } from './helpers/sandbox.js';

/** Every stdout line of spec, check, discover and read validates against the official protocol schema. */
let fx: SandboxFixture;
let discovered: Record<string, unknown> | undefined;

beforeAll(async () => {
  fx = await withSandbox({ seed: 3, contacts: 2500 });
  const r = await runCli(['discover', '--config', fx.config()]);
  discovered = r.messages.find((m) => m['type'] === 'CATALOG');
});
afterAll(() => fx.close());

type Msg = Record<string, unknown>;
const of = (ms: Msg[], type: string): Msg[] => ms.filter((m) => m['type'] === type);

/** A stream's statuses run STARTED, RUNNING, COMPLETE, and each STATE counts the records since the one before. */
function expectStatusesAndCounts(messages: Msg[], stream: string): void {
  const statuses = of(messages, 'TRACE')
    .map((m) => m['trace'] as { type: string; stream_status?: { stream_descriptor: { name: string }; status: string } })
    .filter((t) => t.type === 'STREAM_STATUS' && t.stream_status?.stream_descriptor.name === stream)
    .map((t) => t.stream_status?.status);
  expect(statuses, stream).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  let since = 0;
  let states = 0;
  for (const m of messages) {
    if (m['type'] === 'RECORD' && (m['record'] as { stream: string }).stream === stream) since++;
    if (m['type'] === 'STATE') {
      const st = m['state'] as { stream: { stream_descriptor: { name: string } }; sourceStats: { recordCount: number } };
      if (st.stream.stream_descriptor.name !== stream) continue;
      expect(st.sourceStats.recordCount, stream).toBe(since);
      since = 0;
      states++;
    }
  }
  expect(since, stream).toBe(0);
  expect(states, stream).toBeGreaterThan(0);
}

describe('the Airbyte protocol on stdout', () => {
  it('spec prints one valid SPEC', async () => {
    const r = await runCli(['spec']);
    expect(r.code).toBe(0);
    expect(protocolProblems(r.messages)).toEqual([]);
    expect(of(r.messages, 'SPEC')).toHaveLength(1);
  });

  it('check with good credentials prints exactly one CONNECTION_STATUS, SUCCEEDED', async () => {
    const r = await runCli(['check', '--config', fx.config()]);
    expect(r.code).toBe(0);
    expect(protocolProblems(r.messages)).toEqual([]);
    expect(of(r.messages, 'CONNECTION_STATUS')).toEqual([{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } }]);
  });

  it('check with a wrong API key prints exactly one CONNECTION_STATUS, FAILED, with a clear message', async () => {
    const bad = fx.write('bad.json', { credentials: { auth_type: 'api_key', api_key: 'KeapAK-wrong-key-000000' }, api: 'xmlrpc', api_url: fx.sandbox.apiUrl });
    const r = await runCli(['check', '--config', bad]);
    expect(protocolProblems(r.messages)).toEqual([]);
    const statuses = of(r.messages, 'CONNECTION_STATUS') as { connectionStatus: { status: string; message: string } }[];
    expect(statuses).toHaveLength(1);
    expect(statuses[0]?.connectionStatus.status).toBe('FAILED');
    expect(statuses[0]?.connectionStatus.message).toMatch(/Keap rejected the credentials.*check credentials\.api_key/);
    expect(r.stdout).not.toContain('KeapAK-wrong-key-000000');
  });

  it('check against a closed port fails with the network reason, quickly', async () => {
    const bad = fx.write('closed.json', { credentials: { auth_type: 'api_key', api_key: 'KeapAK-anything-000000' }, api: 'xmlrpc', api_url: 'http://127.0.0.1:9/crm/xmlrpc/v1', retry: { base_delay_ms: 1 } });
    const r = await runCli(['check', '--config', bad]);
    const status = of(r.messages, 'CONNECTION_STATUS')[0] as { connectionStatus: { status: string; message: string } };
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(status.connectionStatus.message).toMatch(/connection refused/);
  });

  it('discover prints one CATALOG listing all 60 table streams with cursors and keys', async () => {
    const r = await runCli(['discover', '--config', fx.config()]);
    expect(protocolProblems(r.messages)).toEqual([]);
    const streams = (of(r.messages, 'CATALOG')[0]?.['catalog'] as { streams: Msg[] }).streams;
    expect(streams).toHaveLength(60);
    expect(new Set(streams.map((s) => s['name'])).size).toBe(60);
    const contact = streams.find((s) => s['name'] === 'contact') as Msg;
    expect(contact['default_cursor_field']).toEqual(['LastUpdated']);
    expect(contact['source_defined_primary_key']).toEqual([['Id']]);
    expect(contact['supported_sync_modes']).toEqual(['full_refresh', 'incremental']);
    expect(Object.keys((contact['json_schema'] as { properties: object }).properties)).toContain('_Color');
    const cga = streams.find((s) => s['name'] === 'contact_group_assign') as Msg;
    expect(cga['default_cursor_field']).toEqual(['DateCreated']);
    expect(cga['source_defined_primary_key']).toEqual([['ContactId'], ['GroupId']]);
  });

  it('read prints valid records, per-stream states with counts, statuses and estimates; OAuth rotation as CONTROL', async () => {
    const catalog = fx.write('catalog.json', configuredCatalog(discovered, ['contact', 'contact_group_assign', 'stage', 'invoice']));
    const r = await runCli(['read', '--config', fx.config({}, 'oauth2'), '--catalog', catalog]);
    expect(r.code).toBe(0);
    expect(protocolProblems(r.messages)).toEqual([]);
    expect(of(r.messages, 'CONTROL')).toHaveLength(1);
    for (const stream of ['contact', 'contact_group_assign', 'stage', 'invoice']) {
      expectStatusesAndCounts(r.messages, stream);
      const estimate = of(r.messages, 'TRACE').find((m) => (m['trace'] as { type: string; estimate?: { name: string } }).estimate?.name === stream);
      expect(estimate).toBeDefined();
    }
  });
});

describe('the Airbyte protocol on stdout, through REST v2', () => {
  let restCatalog: Msg | undefined;
  beforeAll(async () => {
    const r = await runCli(['discover', '--config', fx.config({ api: 'rest' })]);
    restCatalog = r.messages.find((m) => m['type'] === 'CATALOG');
  });

  it('check proves the credentials with one REST call, and says no when Keap does', async () => {
    const good = await runCli(['check', '--config', fx.config({ api: 'rest' })]);
    expect(good.code).toBe(0);
    expect(protocolProblems(good.messages)).toEqual([]);
    expect(good.messages).toEqual([{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } }]);
    const bad = fx.write('bad-rest.json', { credentials: { auth_type: 'api_key', api_key: 'KeapAK-wrong-key-000001' }, rest_url: restUrlOf(fx.sandbox) });
    const r = await runCli(['check', '--config', bad]);
    expect(protocolProblems(r.messages)).toEqual([]);
    const status = of(r.messages, 'CONNECTION_STATUS')[0] as { connectionStatus: { status: string; message: string } };
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(status.connectionStatus.message).toMatch(/Keap rejected the credentials/);
    expect(r.stdout).not.toContain('KeapAK-wrong-key-000001');
  });

  it('discover lists every resource stream with its key, cursor and the account\'s custom fields as columns', () => {
    expect(protocolProblems(restCatalog ? [restCatalog] : [])).toEqual([]);
    const streams = (restCatalog?.['catalog'] as { streams: Msg[] }).streams;
    expect(streams.map((s) => s['name'])).toEqual(restStreams().map((s) => s.stream));
    const contacts = streams.find((s) => s['name'] === 'contacts') as Msg;
    expect(contacts['default_cursor_field']).toEqual(['update_time']);
    expect(contacts['source_defined_primary_key']).toEqual([['id']]);
    const columns = Object.keys((contacts['json_schema'] as { properties: object }).properties);
    expect(columns).toContain('custom_fields');
    expect(columns.filter((c) => c.startsWith('custom_fields.')).length).toBeGreaterThan(0);
    const tagContacts = streams.find((s) => s['name'] === 'tag_contacts') as Msg;
    expect(tagContacts['source_defined_primary_key']).toEqual([['tag_id'], ['id']]);
  });

  it('read prints valid records, per-stream states with counts and statuses; OAuth rotation as CONTROL', async () => {
    const names = ['contacts', 'tag_contacts', 'orders', 'tags'];
    const catalog = fx.write('rest-catalog.json', configuredCatalog(restCatalog, names));
    const r = await runCli(['read', '--config', fx.config({ api: 'rest' }, 'oauth2'), '--catalog', catalog]);
    expect(r.code, r.stderr).toBe(0);
    expect(protocolProblems(r.messages)).toEqual([]);
    expect(of(r.messages, 'CONTROL')).toHaveLength(1);
    for (const stream of names) expectStatusesAndCounts(r.messages, stream);
  });
});
