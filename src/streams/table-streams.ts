import type { CustomField } from './custom-fields.js';
import { customFieldSchema } from './custom-fields.js';
import type { JsonSchema } from './json-schema.js';
import { fieldsOf } from './record-shaper.js';
import { parseStreamState } from './state.js';
import type { StreamDef } from './stream-def.js';
import { readTable } from './table-reader.js';
import { tableStreams, type TableStream } from './table-registry.js';

/** The table streams for `tables` (Keap names; all when undefined), with the account's custom fields. */
export function tableStreamDefs(tables: string[] | undefined, customFields: readonly CustomField[] = []): StreamDef[] {
  const wanted = tables ? new Set(tables) : undefined;
  return tableStreams()
    .filter((t) => !wanted || wanted.has(t.table))
    .map((t) => tableStreamDef(t, customFields.filter((c) => c.formId === t.custom_field_form_id)));
}

function tableStreamDef(t: TableStream, custom: readonly CustomField[]): StreamDef {
  const schema: JsonSchema = { ...t.schema, properties: { ...t.schema.properties } };
  for (const c of custom) {
    (schema.properties as Record<string, JsonSchema>)[c.name] = { ...customFieldSchema(c.dataType), description: `Custom field: ${c.label}` };
  }
  const known = new Set(Object.keys(t.schema.properties ?? {}));
  return {
    name: t.stream,
    kind: 'table',
    description: t.description,
    schema,
    primaryKey: t.primary_key,
    cursorField: t.cursor,
    supportedSyncModes: t.cursor ? ['full_refresh', 'incremental'] : ['full_refresh'],
    selectedBy: { setting: 'tables', name: t.table },
    parseState: (raw) => parseStreamState(t.stream, raw, t.cursor),
    read: (run, ctx) => {
      // Read what the catalog asks for, limited to columns Keap has: shipped ones and custom `_` fields.
      const configured = run.schema.properties ? run.schema : schema;
      const fields = fieldsOf(configured).filter((f) => known.has(f.name) || f.name.startsWith('_'));
      return readTable({ entry: t, stream: t.stream, fields, incremental: run.syncMode === 'incremental', state: run.state }, ctx);
    },
  };
}
