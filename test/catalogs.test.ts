import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/package-root.js';
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
let config: string;

beforeAll(async () => {
  generated = await generateCatalogs();
  sb = await withSandbox({ ...CATALOG_SANDBOX });
  config = sb.config();
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

  it('offers every table in the table catalogs, incremental exactly where the table has a cursor', () => {
    const full = airbyteStreams('airbyte-full-refresh.json');
    const inc = airbyteStreams('airbyte-incremental.json');
    expect(full).toHaveLength(60);
    expect(inc).toHaveLength(60);
    for (const s of full) expect(s['sync_mode']).toBe('full_refresh');
    for (const s of inc) {
      const stream = s['stream'] as Json;
      const modes = stream['supported_sync_modes'] as string[];
      expect(s['sync_mode']).toBe(modes.includes('incremental') ? 'incremental' : 'full_refresh');
      if (s['sync_mode'] === 'incremental') {
        expect(s['cursor_field']).toEqual(stream['default_cursor_field']);
        expect(s['destination_sync_mode']).toBe('append_dedup');
        expect(s['primary_key']).toEqual(stream['source_defined_primary_key']);
      }
    }
    expect(inc.filter((s) => s['sync_mode'] === 'incremental').length).toBe(tableStreams().filter((t) => t.cursor !== null).length);
  });

  it('leaves the sandbox account\'s custom fields out of the table schemas', () => {
    for (const s of airbyteStreams('airbyte-full-refresh.json')) {
      const props = Object.keys(((s['stream'] as Json)['json_schema'] as { properties: Json }).properties);
      expect(props.filter((p) => p.startsWith('_'))).toEqual([]);
    }
  });

  it('has one report stream per entry of reports-config.example.json', () => {
    const example = JSON.parse(committed('reports-config.example.json')) as { reports: Json[] };
    expect(example.reports).toEqual(EXAMPLE_REPORTS);
    const names = example.reports.map((r) => (r['stream'] as string | undefined) ?? (r['report'] as string));
    expect(airbyteStreams('airbyte-reports.json').map((s) => (s['stream'] as Json)['name'])).toEqual(names);
  });

  it('reads every table in full with airbyte-full-refresh.json', async () => {
    const r = await runCli(['read', '--config', config, '--catalog', catalogPath('airbyte-full-refresh.json')]);
    expect(r.code, r.stderr).toBe(0);
    const st = statuses(r.messages);
    expect(st.size).toBe(60);
    expect([...st.values()].every((s) => s === 'COMPLETE')).toBe(true);
    expect(count(r.messages, 'RECORD').get('contact')).toBe(CATALOG_SANDBOX.contacts);
    expect(r.messages.filter((m) => m['type'] === '__NOT_JSON__')).toEqual([]);
  });

  it('reads incrementally with airbyte-incremental.json, and the second run from its state reads no unchanged contact', async () => {
    const first = await runCli(['read', '--config', config, '--catalog', catalogPath('airbyte-incremental.json')]);
    expect(first.code, first.stderr).toBe(0);
    expect([...statuses(first.messages).values()].every((s) => s === 'COMPLETE')).toBe(true);
    expect(count(first.messages, 'RECORD').get('contact')).toBe(CATALOG_SANDBOX.contacts);
    const states = first.messages.filter((m) => m['type'] === 'STATE').map((m) => m['state']);
    const statePath = sb.write('state.json', states);
    const second = await runCli(['read', '--config', config, '--catalog', catalogPath('airbyte-incremental.json'), '--state', statePath]);
    expect(second.code, second.stderr).toBe(0);
    expect(count(second.messages, 'RECORD').get('contact') ?? 0).toBe(0);
  });

  it('reads the example report streams with airbyte-reports.json and the example config as a second --config', async () => {
    const r = await runCli(['read', '--config', config, '--config', catalogPath('reports-config.example.json'), '--catalog', catalogPath('airbyte-reports.json')]);
    expect(r.code, r.stderr).toBe(0);
    const st = statuses(r.messages);
    expect(st.size).toBe(EXAMPLE_REPORTS.length);
    expect([...st.values()].every((s) => s === 'COMPLETE')).toBe(true);
    const records = count(r.messages, 'RECORD');
    for (const s of ['contacts_changed', 'saved_search', 'affiliate_programs', 'webforms', 'affiliate_commissions']) expect(records.get(s) ?? 0, s).toBeGreaterThan(0);
  });

  it('reads with the Singer catalogs: SCHEMA before RECORDs, and STATE', async () => {
    for (const name of ['singer-full-refresh.json', 'singer-incremental.json']) {
      const r = await runCli(['--config', config, '--catalog', catalogPath(name)]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(count(r.messages, 'SCHEMA').size).toBe(60);
      expect(count(r.messages, 'RECORD').get('contact')).toBe(CATALOG_SANDBOX.contacts);
      const last = r.messages.filter((m) => m['type'] === 'STATE').pop() as { value: { bookmarks: Json } } | undefined;
      expect(Object.keys(last?.value.bookmarks ?? {})).toHaveLength(60);
    }
    const reports = await runCli(['--config', config, '--config', catalogPath('reports-config.example.json'), '--catalog', catalogPath('singer-reports.json')]);
    expect(reports.code, reports.stderr).toBe(0);
    expect(count(reports.messages, 'SCHEMA').size).toBe(EXAMPLE_REPORTS.length);
  });
});
