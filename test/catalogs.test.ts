import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/package-root.js';
import { restStreams } from '../src/streams/rest-registry.js';
import { tableStreams } from '../src/streams/table-registry.js';
import { CATALOG_SANDBOX, EXAMPLE_REPORTS, generateCatalogs, type GeneratedFile } from '../scripts/generate-catalogs.js';
import { runCli } from './helpers/cli.js';
import { withSandbox, type SandboxFixture } from './helpers/sandbox.js';

type Json = Record<string, unknown>;

const root = packageRoot();
const committed = (name: string): string => readFileSync(join(root, 'catalogs', name), 'utf8');
const catalogPath = (name: string): string => join(root, 'catalogs', name);

let generated: GeneratedFile[];
let sb: SandboxFixture;

beforeAll(async () => {
  generated = await generateCatalogs();
  sb = await withSandbox({ ...CATALOG_SANDBOX });
});

afterAll(async () => {
  await sb?.close();
});

function airbyteStreams(name: string): Json[] {
  return (JSON.parse(committed(name)) as { streams: Json[] }).streams;
}

function count(messages: Json[], type: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const msg of messages) {
    if (msg['type'] !== type) continue;
    const stream = type === 'RECORD' ? ((msg['record'] as Json | undefined)?.['stream'] ?? msg['stream']) : msg['stream'];
    m.set(String(stream), (m.get(String(stream)) ?? 0) + 1);
  }
  return m;
}

function statuses(messages: Json[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const msg of messages) {
    const t = msg['trace'] as { type: string; stream_status?: { stream_descriptor: { name: string }; status: string } } | undefined;
    if (t?.type === 'STREAM_STATUS' && t.stream_status) m.set(t.stream_status.stream_descriptor.name, t.stream_status.status);
  }
  return m;
}

describe('catalogs/', () => {
  it('holds exactly what scripts/generate-catalogs.ts writes (run node dist/scripts/generate-catalogs.js)', () => {
    expect(readdirSync(join(root, 'catalogs')).sort()).toEqual(generated.map((f) => f.path.replace('catalogs/', '')).sort());
    for (const f of generated) expect(readFileSync(join(root, f.path), 'utf8'), f.path).toBe(f.text);
  });

  it('has one report stream per entry of reports-config.example.json, for each API', () => {
    const example = JSON.parse(committed('reports-config.example.json')) as { reports: Json[] };
    expect(example.reports).toEqual(EXAMPLE_REPORTS);
    const names = example.reports.map((r) => (r['stream'] as string | undefined) ?? (r['report'] as string));
    for (const file of ['airbyte-reports.json', 'airbyte-xmlrpc-reports.json']) expect(airbyteStreams(file).map((s) => (s['stream'] as Json)['name']), file).toEqual(names);
    // The example never takes a resource stream's name.
    for (const n of names) expect(restStreams().some((r) => r.stream === n), n).toBe(false);
  });
});

/** The catalogs of each API: REST v2 (the default names) and XML-RPC (`-xmlrpc-`). */
const APIS = [
  { api: 'rest', infix: '', main: 'contacts', streams: (): { name: string; incremental: boolean }[] => restStreams().map((s) => ({ name: s.stream, incremental: s.cursor !== null })) },
  { api: 'xmlrpc', infix: 'xmlrpc-', main: 'contact', streams: (): { name: string; incremental: boolean }[] => tableStreams().map((t) => ({ name: t.stream, incremental: t.cursor !== null })) },
] as const;

describe.each(APIS)('catalogs/ for api $api', ({ api, infix, main, streams }) => {
  const file = (kind: string, dialect = 'airbyte'): string => `${dialect}-${infix}${kind}.json`;
  const config = (): string => sb.config({ api });
  const n = (): number => streams().length;

  it('offers every stream, incremental exactly where the stream has a cursor', () => {
    const full = airbyteStreams(file('full-refresh'));
    const inc = airbyteStreams(file('incremental'));
    expect(full.map((s) => (s['stream'] as Json)['name'])).toEqual(streams().map((s) => s.name));
    expect(inc).toHaveLength(n());
    for (const s of full) expect(s['sync_mode']).toBe('full_refresh');
    for (const s of inc) {
      const stream = s['stream'] as Json;
      const modes = stream['supported_sync_modes'] as string[];
      expect(s['sync_mode']).toBe(modes.includes('incremental') ? 'incremental' : 'full_refresh');
      if (s['sync_mode'] === 'incremental') {
        expect(s['cursor_field']).toEqual(stream['default_cursor_field']);
        expect(s['destination_sync_mode']).toBe('append_dedup');
        if (stream['source_defined_primary_key']) expect(s['primary_key']).toEqual(stream['source_defined_primary_key']);
      }
    }
    expect(inc.filter((s) => s['sync_mode'] === 'incremental').length).toBe(streams().filter((s) => s.incremental).length);
  });

  it("leaves the sandbox account's custom fields out of the schemas", () => {
    for (const s of airbyteStreams(file('full-refresh'))) {
      const props = Object.keys(((s['stream'] as Json)['json_schema'] as { properties: Json }).properties);
      expect(props.filter((p) => p.startsWith('_') || p.startsWith('custom_fields.'))).toEqual([]);
    }
  });

  it('reads every stream in full with the full-refresh catalog', async () => {
    const r = await runCli(['read', '--config', config(), '--catalog', catalogPath(file('full-refresh'))]);
    expect(r.code, r.stderr).toBe(0);
    const st = statuses(r.messages);
    expect(st.size).toBe(n());
    expect([...st.values()].every((s) => s === 'COMPLETE')).toBe(true);
    expect(count(r.messages, 'RECORD').get(main)).toBe(CATALOG_SANDBOX.contacts);
  });

  it('reads incrementally with the incremental catalog, and the second run from its state reads no unchanged contact', async () => {
    const first = await runCli(['read', '--config', config(), '--catalog', catalogPath(file('incremental'))]);
    expect(first.code, first.stderr).toBe(0);
    expect([...statuses(first.messages).values()].every((s) => s === 'COMPLETE')).toBe(true);
    expect(count(first.messages, 'RECORD').get(main)).toBe(CATALOG_SANDBOX.contacts);
    const states = first.messages.filter((m) => m['type'] === 'STATE').map((m) => m['state']);
    const second = await runCli(['read', '--config', config(), '--catalog', catalogPath(file('incremental')), '--state', sb.write(`state-${api}.json`, states)]);
    expect(second.code, second.stderr).toBe(0);
    expect(count(second.messages, 'RECORD').get(main) ?? 0).toBe(0);
  });

  it('reads the example report streams with the reports catalog and the example config as a second --config', async () => {
    const r = await runCli(['read', '--config', config(), '--config', catalogPath('reports-config.example.json'), '--catalog', catalogPath(file('reports'))]);
    expect(r.code, r.stderr).toBe(0);
    const st = statuses(r.messages);
    expect(st.size).toBe(EXAMPLE_REPORTS.length);
    expect([...st.values()].every((s) => s === 'COMPLETE')).toBe(true);
    const records = count(r.messages, 'RECORD');
    for (const s of ['contacts_changed', 'saved_search', 'affiliate_programs', 'webform_names', 'commissions_since_2020']) expect(records.get(s) ?? 0, s).toBeGreaterThan(0);
  });

  it('reads with the Singer catalogs: SCHEMA before RECORDs, and STATE', async () => {
    const r = await runCli(['--config', config(), '--catalog', catalogPath(file('incremental', 'singer'))]);
    expect(r.code, r.stderr).toBe(0);
    expect(count(r.messages, 'SCHEMA').size).toBe(n());
    expect(count(r.messages, 'RECORD').get(main)).toBe(CATALOG_SANDBOX.contacts);
    const last = r.messages.filter((m) => m['type'] === 'STATE').pop() as { value: { bookmarks: Json } } | undefined;
    expect(Object.keys(last?.value.bookmarks ?? {})).toHaveLength(n());
    const reports = await runCli(['--config', config(), '--config', catalogPath('reports-config.example.json'), '--catalog', catalogPath(file('reports', 'singer'))]);
    expect(reports.code, reports.stderr).toBe(0);
    expect(count(reports.messages, 'SCHEMA').size).toBe(EXAMPLE_REPORTS.length);
  });
});
