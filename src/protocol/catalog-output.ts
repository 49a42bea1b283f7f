import { sensitiveFields } from '../streams/sensitive-fields.js';
import type { StreamDef } from '../streams/stream-def.js';

/** AirbyteCatalog.streams[] (reference/airbyte-protocol.md §3.7). */
export function airbyteStreams(defs: readonly StreamDef[]): object[] {
  return defs.map((d) => {
    const s: Record<string, unknown> = {
      name: d.name,
      json_schema: d.schema,
      supported_sync_modes: d.supportedSyncModes,
      // Every stream checkpoints per page, so an interrupted sync resumes where it stopped.
      is_resumable: true,
    };
    if (d.cursorField) {
      s['source_defined_cursor'] = true;
      s['default_cursor_field'] = [d.cursorField];
    }
    if (d.primaryKey.length) s['source_defined_primary_key'] = d.primaryKey.map((k) => [k]);
    return s;
  });
}

/** Singer catalog (reference/singer-spec.md §3), with the metadata Meltano reads. */
export function singerCatalog(defs: readonly StreamDef[]): { streams: object[] } {
  return {
    streams: defs.map((d) => {
      const incremental = d.cursorField !== null;
      const top: Record<string, unknown> = {
        inclusion: 'available',
        'selected-by-default': true,
        'table-key-properties': d.primaryKey,
      };
      if (incremental) {
        // Both modes work: the key and a default method the user may change to FULL_TABLE.
        top['valid-replication-keys'] = [d.cursorField];
        top['replication-method'] = 'INCREMENTAL';
        top['replication-key'] = d.cursorField;
      } else {
        // "Forced" means the only mode there is.
        top['forced-replication-method'] = 'FULL_TABLE';
      }
      const automatic = new Set([...d.primaryKey, ...(d.cursorField ? [d.cursorField] : [])]);
      // Listed only when the config opts in; even then each must be selected by name.
      const sensitive = new Set(sensitiveFields(d.name, d.kind));
      const fields = Object.keys(d.schema.properties ?? {}).map((f) => ({
        breadcrumb: ['properties', f],
        metadata: { inclusion: automatic.has(f) ? 'automatic' : 'available', 'selected-by-default': !sensitive.has(f) },
      }));
      const entry: Record<string, unknown> = {
        tap_stream_id: d.name,
        stream: d.name,
        schema: d.schema,
        key_properties: d.primaryKey,
        replication_method: incremental ? 'INCREMENTAL' : 'FULL_TABLE',
        metadata: [{ breadcrumb: [], metadata: top }, ...fields],
      };
      if (incremental) entry['replication_key'] = d.cursorField;
      return entry;
    }),
  };
}
