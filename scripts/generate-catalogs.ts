/**
 * Writes the example catalogs under catalogs/ from `discover` against the embedded sandbox, so a
 * user can run `read` straight after install. REST v2 (the default API):
 *
 *   airbyte-full-refresh.json   every resource stream, full_refresh / overwrite
 *   airbyte-incremental.json    every resource stream, incremental / append_dedup where it has a
 *                               cursor, full_refresh / overwrite otherwise
 *   airbyte-reports.json        the report streams of reports-config.example.json
 *   singer-*.json               the same three selections as Singer catalogs (--catalog)
 *   reports-config.example.json the `reports` entries behind airbyte-reports.json
 *
 * and the same six catalogs for XML-RPC (`"api": "xmlrpc"`, until 2026-12-31) as *-xmlrpc-*.json,
 * the table streams in place of the resources.
 *
 * The sandbox starts in this process with a fixed seed and the real discover code path
 * (protocol/commands.ts runDiscover) runs against it. Custom fields (`custom_fields.<name>` columns on
 * REST, `_Name` on XML-RPC) are the sandbox account's own, so they are left out of the schemas: a
 * catalog listing a custom field your account lacks reads it as null (REST) or makes Keap refuse the
 * query (XML-RPC). Run discover against your account to get yours.
 * test/catalogs.test.ts fails when the committed files differ from what this writes.
 *
 * Run: npm run build && node dist/scripts/generate-catalogs.js
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/package-root.js';
import { runDiscover } from '../src/protocol/commands.js';
import { Session } from '../src/protocol/session.js';
import { startSandbox } from '../src/sandbox/server.js';

type Json = Record<string, unknown>;

/** The sandbox the catalogs are discovered from. Only the seed matters for the output. */
export const CATALOG_SANDBOX = { seed: 42, contacts: 200 } as const;

/**
 * Report entries that work on any Keap account as they are: no ids of records that only exist in
 * one account. Between them they show each way a report reads: a date window read incrementally, a
 * query with LastSuccessfulRun, a saved search run for every saved search page by page, a fan-out
 * over every affiliate, and the small lookup lists.
 */
export const EXAMPLE_REPORTS: Json[] = [
  // Stream names of their own where the report id is also a REST resource's name, so the example
  // config never shadows a resource stream.
  { report: 'affiliate_commissions', stream: 'commissions_since_2020', dates: { duration: 'date_range', start: { bound: 'date', date: '2020-01-01' } } },
  { report: 'affiliate_running_totals' },
  { report: 'affiliate_programs' },
  {
    report: 'data_query',
    stream: 'contacts_changed',
    table: 'Contact',
    query: "'LastUpdated':'~>=~LastSuccessfulRun'",
    fields: ['Id', 'FirstName', 'LastName', 'Email', 'City', 'Groups', 'DateCreated', 'LastUpdated'],
  },
  { report: 'saved_search', saved_search_filter: '*' },
  { report: 'invoice_payment_options' },
  { report: 'shipping_options' },
  { report: 'webforms', stream: 'webform_names' },
];

export interface GeneratedFile {
  /** Relative to the package root. */
  path: string;
  text: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    done();
  }
}

/** Runs the connector's discover (either dialect) in this process and returns what it printed. */
async function discover(dialect: 'airbyte' | 'singer', configPath: string): Promise<string> {
  const out = new Capture();
  const session = new Session(dialect, undefined, out);
  const code = await runDiscover(session, dialect, [configPath]);
  await session.writer.end();
  if (code !== 0) throw new Error(`discover (${dialect}) exited ${code}: ${out.text.slice(0, 500)}`);
  return out.text;
}

const isCustomField = (name: string): boolean => name.startsWith('_') || name.startsWith('custom_fields.');

/** A table stream's schema without the sandbox's custom fields. */
function withoutCustomFields(schema: Json): Json {
  const props = (schema['properties'] ?? {}) as Json;
  return { ...schema, properties: Object.fromEntries(Object.entries(props).filter(([k]) => !isCustomField(k))) };
}

function airbyteConfigured(stream: Json, incremental: boolean): Json {
  const modes = stream['supported_sync_modes'] as string[];
  const inc = incremental && modes.includes('incremental');
  const out: Json = { stream, sync_mode: inc ? 'incremental' : 'full_refresh', destination_sync_mode: inc ? 'append_dedup' : 'overwrite' };
  if (inc && stream['default_cursor_field']) out['cursor_field'] = stream['default_cursor_field'];
  if (stream['source_defined_primary_key']) out['primary_key'] = stream['source_defined_primary_key'];
  return out;
}

interface MetadataEntry {
  breadcrumb: string[];
  metadata: Json;
}

/** A Singer catalog entry, selected, with the replication method the catalog asks for. */
function singerSelected(entry: Json, incremental: boolean, stripCustom: boolean): Json {
  const meta = entry['metadata'] as MetadataEntry[];
  const top = meta.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};
  const keys = top['valid-replication-keys'] as string[] | undefined;
  const inc = incremental && keys !== undefined && keys.length > 0;
  const out: Json = { ...entry };
  if (stripCustom) out['schema'] = withoutCustomFields(entry['schema'] as Json);
  out['replication_method'] = inc ? 'INCREMENTAL' : 'FULL_TABLE';
  if (inc) out['replication_key'] = keys[0];
  else delete out['replication_key'];
  out['metadata'] = meta
    .filter((m) => !(stripCustom && m.breadcrumb.length === 2 && isCustomField(m.breadcrumb[1] as string)))
    .map((m) => {
      if (m.breadcrumb.length !== 0) return m;
      const md: Json = { ...m.metadata, selected: true, 'replication-method': inc ? 'INCREMENTAL' : 'FULL_TABLE' };
      if (inc) md['replication-key'] = keys[0];
      else delete md['replication-key'];
      return { breadcrumb: [], metadata: md };
    });
  return out;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Starts the sandbox, discovers through each API, and returns every file under catalogs/ (nothing is written). */
export async function generateCatalogs(): Promise<GeneratedFile[]> {
  const sandbox = await startSandbox({ port: 0, ...CATALOG_SANDBOX });
  const dir = mkdtempSync(join(tmpdir(), 'tap-infusionsoft-catalogs-'));
  try {
    const reportsConfig = { reports: EXAMPLE_REPORTS };
    const files: GeneratedFile[] = [];
    for (const api of ['rest', 'xmlrpc'] as const) {
      const configPath = join(dir, `config-${api}.json`);
      const config = {
        credentials: { auth_type: 'api_key', api_key: sandbox.credentials.api_key },
        api,
        rest_url: sandbox.restUrl,
        api_url: sandbox.apiUrl,
        token_url: sandbox.tokenUrl,
        ...reportsConfig,
      };
      writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
      files.push(...(await catalogsOf(configPath, api === 'rest' ? '' : 'xmlrpc-')));
    }
    files.push({ path: 'catalogs/reports-config.example.json', text: json(reportsConfig) });
    return files;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.close();
  }
}

/** The six catalogs of one API, named `<dialect>-<infix><selection>.json`. */
async function catalogsOf(configPath: string, infix: string): Promise<GeneratedFile[]> {
  const reportNames = new Set(EXAMPLE_REPORTS.map((r) => (typeof r['stream'] === 'string' ? r['stream'] : String(r['report']))));
  const airbyteText = await discover('airbyte', configPath);
  const catalogMsg = airbyteText
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Json)
    .find((m) => m['type'] === 'CATALOG') as { catalog: { streams: Json[] } } | undefined;
  if (!catalogMsg) throw new Error('discover printed no CATALOG message');
  const streams = catalogMsg.catalog.streams;
  const data = streams.filter((s) => !reportNames.has(s['name'] as string)).map((s) => ({ ...s, json_schema: withoutCustomFields(s['json_schema'] as Json) }));
  const reports = streams.filter((s) => reportNames.has(s['name'] as string));
  if (reports.length !== reportNames.size) throw new Error(`discover listed ${reports.length} of the ${reportNames.size} example report streams`);

  const singer = JSON.parse(await discover('singer', configPath)) as { streams: Json[] };
  const singerData = singer.streams.filter((s) => !reportNames.has(s['tap_stream_id'] as string));
  const singerReports = singer.streams.filter((s) => reportNames.has(s['tap_stream_id'] as string));

  return [
    { path: `catalogs/airbyte-${infix}full-refresh.json`, text: json({ streams: data.map((s) => airbyteConfigured(s, false)) }) },
    { path: `catalogs/airbyte-${infix}incremental.json`, text: json({ streams: data.map((s) => airbyteConfigured(s, true)) }) },
    { path: `catalogs/airbyte-${infix}reports.json`, text: json({ streams: reports.map((s) => airbyteConfigured(s, true)) }) },
    { path: `catalogs/singer-${infix}full-refresh.json`, text: json({ streams: singerData.map((s) => singerSelected(s, false, true)) }) },
    { path: `catalogs/singer-${infix}incremental.json`, text: json({ streams: singerData.map((s) => singerSelected(s, true, true)) }) },
    { path: `catalogs/singer-${infix}reports.json`, text: json({ streams: singerReports.map((s) => singerSelected(s, true, false)) }) },
  ];
}

async function main(): Promise<void> {
  const root = packageRoot();
  mkdirSync(join(root, 'catalogs'), { recursive: true });
  for (const f of await generateCatalogs()) {
    writeFileSync(join(root, f.path), f.text);
    process.stdout.write(`wrote ${f.path}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`generate-catalogs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
