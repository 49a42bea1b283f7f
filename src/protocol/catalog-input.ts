import { InputError } from '../input-error.js';
import type { JsonSchema } from '../streams/json-schema.js';
import { readJson } from './json-file.js';
import { catalogProblem } from './input-checks.js';

/**
 * The streams a run should read, from either dialect's catalog:
 * - Airbyte ConfiguredAirbyteCatalog: every listed stream is selected; its json_schema says which
 *   fields to emit; sync_mode is per stream.
 * - Singer catalog (--catalog / --properties): stream and field selection from metadata
 *   (`selected`, `inclusion`, `selected-by-default`), replication method from metadata.
 */
export interface SelectedStream {
  name: string;
  syncMode: 'full_refresh' | 'incremental';
  /** The schema the catalog carries (field selection already applied for Singer). */
  schema: JsonSchema | undefined;
}

export function readCatalog(path: string): SelectedStream[] {
  return parseCatalog(readJson(path, 'catalog'), path);
}

export function parseCatalog(value: unknown, where = 'catalog'): SelectedStream[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('catalog', `${where} must hold a JSON object with a "streams" list`);
  }
  const streams = (value as { streams?: unknown }).streams;
  if (!Array.isArray(streams)) throw new InputError('catalog', `${where}: "streams" must be a list`);
  const problem = catalogProblem(value);
  if (problem) throw new InputError('catalog', `${where}: ${problem}`);
  const out: SelectedStream[] = [];
  const names = new Set<string>();
  streams.forEach((entry, i) => {
    const s = entry === null || typeof entry !== 'object' || Array.isArray(entry) ? undefined : (entry as Record<string, unknown>);
    if (!s) throw new InputError('catalog', `streams[${i}] must be an object`);
    const selected = 'tap_stream_id' in s || ('schema' in s && !('stream' in s && typeof s['stream'] === 'object')) ? singerStream(s, i) : airbyteStream(s, i);
    if (!selected) return;
    if (names.has(selected.name)) throw new InputError('catalog', `streams[${i}]: stream '${selected.name}' is listed twice`);
    names.add(selected.name);
    out.push(selected);
  });
  return out;
}

function airbyteStream(s: Record<string, unknown>, i: number): SelectedStream {
  const stream = s['stream'];
  if (typeof stream !== 'object' || stream === null || Array.isArray(stream)) {
    throw new InputError('catalog', `streams[${i}].stream must be an object (an AirbyteStream)`);
  }
  const st = stream as Record<string, unknown>;
  if (typeof st['name'] !== 'string' || st['name'] === '') throw new InputError('catalog', `streams[${i}].stream.name must be a non-empty string`);
  const mode = s['sync_mode'] ?? 'full_refresh';
  if (mode !== 'full_refresh' && mode !== 'incremental') {
    throw new InputError('catalog', `streams[${i}].sync_mode must be "full_refresh" or "incremental", not ${JSON.stringify(mode)}`);
  }
  const schema = st['json_schema'];
  if (schema !== undefined && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
    throw new InputError('catalog', `streams[${i}].stream.json_schema must be an object`);
  }
  return { name: st['name'], syncMode: mode, schema: schema as JsonSchema | undefined };
}

interface MetadataEntry {
  breadcrumb: string[];
  metadata: Record<string, unknown>;
}

function singerStream(s: Record<string, unknown>, i: number): SelectedStream | undefined {
  const name = s['tap_stream_id'] ?? s['stream'];
  if (typeof name !== 'string' || name === '') throw new InputError('catalog', `streams[${i}].tap_stream_id must be a non-empty string`);
  const schema = s['schema'];
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new InputError('catalog', `streams[${i}].schema must be an object`);
  const rawMeta = s['metadata'] ?? [];
  if (!Array.isArray(rawMeta)) throw new InputError('catalog', `streams[${i}].metadata must be a list`);
  const meta: MetadataEntry[] = rawMeta.map((m, j) => {
    const e = m as Partial<MetadataEntry> | null;
    if (!e || !Array.isArray(e.breadcrumb) || typeof e.metadata !== 'object' || e.metadata === null) {
      throw new InputError('catalog', `streams[${i}].metadata[${j}] must have a breadcrumb list and a metadata object`);
    }
    return e as MetadataEntry;
  });
  const top = meta.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};
  const legacySelected = (schema as { selected?: unknown }).selected;
  const selected = top['selected'] ?? legacySelected ?? top['selected-by-default'] ?? false;
  if (selected !== true) return undefined;
  const method = top['replication-method'] ?? top['forced-replication-method'];
  const syncMode = method === 'FULL_TABLE' ? 'full_refresh' : method === 'INCREMENTAL' || method === undefined ? 'incremental' : undefined;
  if (!syncMode) throw new InputError('catalog', `streams[${i}]: replication-method must be INCREMENTAL or FULL_TABLE, not ${JSON.stringify(method)}`);
  // Field selection: a property is dropped when its metadata says selected:false (unless automatic).
  const props = { ...((schema as JsonSchema).properties ?? {}) };
  for (const m of meta) {
    if (m.breadcrumb.length !== 2 || m.breadcrumb[0] !== 'properties') continue;
    const field = m.breadcrumb[1] as string;
    const inclusion = m.metadata['inclusion'];
    const sel = m.metadata['selected'] ?? m.metadata['selected-by-default'];
    if (inclusion === 'unsupported' || (inclusion !== 'automatic' && sel === false)) delete props[field];
  }
  return { name, syncMode, schema: { ...(schema as JsonSchema), properties: props } };
}
