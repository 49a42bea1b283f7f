import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateValidators } from '../scripts/generate-validators.js';
import { packageRoot } from '../src/package-root.js';
import { configSchema, INPUT_SCHEMAS, type InputSchemaName } from '../src/protocol/input-schemas.js';
import { validators as inputValidators } from '../src/protocol/input-validators.js';
import { validators as reportValidators } from '../src/protocol/report-validators.js';
import { compile } from '../src/protocol/schema-compiler.js';
import type { Validator } from '../src/protocol/validate.js';
import { REPORTS } from '../src/streams/report-registry.js';
import { reportVariant } from '../src/streams/report-spec.js';
import { runCli, scratch } from './helpers/cli.js';

type Node = Record<string, unknown>;

const spec = JSON.parse(readFileSync(join(packageRoot(), 'spec.json'), 'utf8')) as { connectionSpecification: Node };

/** Values of every JSON type, each wrong for most keys, and the near misses strings and numbers have. */
const JUNK: unknown[] = [null, true, -1, 0.5, '', 'x', '2024-13-45', 'yesterday', [], ['a', 'a'], [1], {}, { duration: 'date_range', start: { bound: 'date', date: 'nope' } }];

/** For a schema of an object: the object empty, and with each property in turn set to each junk value. */
function probes(schema: Node, base: Node): unknown[] {
  const out: unknown[] = [undefined, null, 'text', [], {}, base];
  for (const key of Object.keys((schema['properties'] as Node | undefined) ?? {})) {
    for (const junk of JUNK) out.push({ ...base, [key]: junk });
  }
  return out;
}

/** Same verdict, same ErrorObjects (paths, keywords, params, messages), value by value. */
function expectSameErrors(name: string, standalone: Validator, schema: object, values: unknown[]): void {
  const compiled = compile(schema);
  for (const value of values) {
    const ok = standalone(value);
    expect(ok, `${name}: ${JSON.stringify(value)}`).toBe(compiled(value));
    if (!ok) expect(standalone.errors, `${name}: ${JSON.stringify(value)}`).toEqual(compiled.errors);
  }
}

describe('the standalone validators', () => {
  it('are exactly what the generator makes from spec.json, the input schemas and the report registry (run: npm run build && node dist/scripts/generate-validators.js)', () => {
    const files = generateValidators();
    expect(files.map((f) => f.path)).toEqual(['src/protocol/input-validators.ts', 'src/protocol/report-validators.ts']);
    for (const f of files) expect(readFileSync(join(packageRoot(), f.path), 'utf8'), f.path).toBe(f.content);
  });

  it('report the errors ajv reports for the config schema, compiled with the same options', () => {
    const schema = configSchema(spec.connectionSpecification);
    const key = { credentials: { auth_type: 'api_key', api_key: 'KeapAK-x' } };
    const values = [
      ...probes(schema as Node, key),
      { credentials: { auth_type: 'oauth2' } },
      { credentials: { auth_type: 'basic', api_key: 'x' } },
      { credentials: { api_key: 'KeapAK-x' } },
      { credentials: { auth_type: 'oauth2', client_id: 'id', client_secret: 42, refresh_token: 'rt', token_expiry: 'soon' } },
      { ...key, tables: ['Contacts', 'Contact', 'Contact'], resources: ['contact'], page_size: 5000, start_date: '2024-01-01T00:00:00Z' },
    ];
    expectSameErrors('config', inputValidators.config, schema, values);
  });

  it('report the errors ajv reports for the catalog and state schemas', () => {
    const stream = { stream: { name: 'contacts', json_schema: {} }, sync_mode: 'full_refresh' };
    const extra: Record<InputSchemaName, unknown[]> = {
      airbyteCatalog: [{ streams: [stream, { ...stream, sync_mode: 'sometimes' }, { stream: { name: '' } }, { sync_mode: 'full_refresh' }] }],
      singerCatalog: [{ streams: [{ tap_stream_id: '', schema: {}, metadata: [{ breadcrumb: 'x' }, {}] }] }],
      stateMessage: [{ type: 'GLOBAL', global: { stream_states: [{ stream_descriptor: {} }] } }, { type: 'STREAM', stream: { stream_descriptor: { name: 1 }, stream_state: [] } }],
      stateFile: [[{ type: 'WEIRD' }, { stream: {} }, 3]],
      singerBookmarks: [{ bookmarks: { contacts: 'yesterday' }, currently_syncing: 5 }],
    };
    for (const name of Object.keys(INPUT_SCHEMAS) as InputSchemaName[]) {
      const schema = INPUT_SCHEMAS[name] as Node;
      expectSameErrors(name, inputValidators[name], schema, [...probes(schema, {}), ...extra[name]]);
    }
  });

  it('report the errors ajv reports for each report entry variant', () => {
    expect(Object.keys(reportValidators)).toEqual(REPORTS.map((r) => r.id));
    for (const entry of REPORTS) {
      const schema = reportVariant(entry) as Node;
      expectSameErrors(entry.id, reportValidators[entry.id], schema, probes(schema, { report: entry.id }));
    }
  });

  it("leave ajv's compiler unloaded in a run that checks a config, a report entry, a state and a catalog", async () => {
    const s = scratch();
    // Node loads CommonJS (ajv, and the runtime helpers standalone code requires) through one cache:
    // what is in it when the run exits is what the run loaded.
    const probe = s.write('probe.cjs', "process.on('exit', () => require('node:fs').writeFileSync(process.env.PROBE_OUT, JSON.stringify(Object.keys(require.cache))));");
    const config = s.write('config.json', { credentials: { auth_type: 'api_key', api_key: 'KeapAK-x' }, api: 'rest', rest_url: 'http://127.0.0.1:9/v2', reports: [{ report: 'webforms' }] });
    const state = s.write('state.json', { bookmarks: {} });
    const catalog = s.write('catalog.json', { streams: [{ stream: { name: '' }, sync_mode: 'full_refresh' }] });
    const r = await runCli(['read', '--config', config, '--catalog', catalog, '--state', state], {
      env: { NODE_OPTIONS: `--require ${JSON.stringify(probe)}`, PROBE_OUT: s.path('loaded.json') },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/catalog error: .*streams\[0\]\.stream\.name: must not be empty/);
    const loaded = (JSON.parse(readFileSync(s.path('loaded.json'), 'utf8')) as string[]).map((p) => p.replace(/\\/g, '/'));
    // The standalone code did run: it requires its runtime helpers from ajv and ajv-formats.
    expect(loaded.some((p) => p.endsWith('/ajv-formats/dist/formats.js'))).toBe(true);
    expect(loaded.filter((p) => /\/node_modules\/ajv\/dist\/(ajv|core|compile\/)/.test(p))).toEqual([]);
  });
});
