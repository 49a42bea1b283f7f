import type { KeapCaller } from '../keap/client.js';
import { InputError } from '../input-error.js';
import { KeapError } from '../keap/errors.js';
import type { JsonSchema } from './json-schema.js';
import { CUSTOM_COLUMN_PREFIX, customColumnSchema, readRestModel, type RestModel } from './rest-custom-fields.js';
import { readRest } from './rest-reader.js';
import { restFieldsOf, type RestField } from './rest-record.js';
import { restStreams, type RestStream } from './rest-registry.js';
import { parseStreamState } from './state.js';
import type { StreamDef } from './stream-def.js';

/**
 * The REST v2 resource streams as StreamDefs: the generated registry, plus each resource's custom
 * fields as typed columns when the account's models are known (discover reads them; read reads the
 * model again to map the catalog's custom columns to Keap's field ids).
 */

/** The resource streams `resources` names (all when undefined), with custom fields from `models` (by model path). */
export function restStreamDefs(resources: readonly string[] | undefined, models: ReadonlyMap<string, RestModel> = new Map()): StreamDef[] {
  const wanted = resources ? new Set(resources) : undefined;
  return restStreams()
    .filter((s) => !wanted || wanted.has(s.stream))
    .map((s) => restStreamDef(s, s.model ? models.get(s.model) : undefined));
}

/** Every model endpoint the given streams use, read once; a model Keap refuses leaves that resource without custom columns. */
export async function readRestModels(
  client: KeapCaller,
  resources: readonly string[] | undefined,
  warn: (message: string) => void,
): Promise<Map<string, RestModel>> {
  const paths = new Set(restStreams().filter((s) => s.model && (!resources || resources.includes(s.stream))).map((s) => s.model as string));
  const models = new Map<string, RestModel>();
  for (const path of paths) {
    try {
      models.set(path, await readRestModel(client, path));
    } catch (err) {
      if (err instanceof KeapError && err.failureType === 'config_error' && !['forbidden', 'rest-not-found', 'rest-bad-request'].includes(err.rule)) throw err;
      warn(`custom fields of ${path.replace(/\/model$/, '')} are not listed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return models;
}

function restStreamDef(s: RestStream, model: RestModel | undefined): StreamDef {
  const schema: JsonSchema = { ...s.schema, properties: { ...s.schema.properties } };
  for (const c of model?.customFields ?? []) (schema.properties as Record<string, JsonSchema>)[c.column] = customColumnSchema(c);
  return {
    name: s.stream,
    kind: 'resource',
    description: s.description,
    schema,
    primaryKey: s.primary_key,
    cursorField: s.cursor,
    supportedSyncModes: s.cursor ? ['full_refresh', 'incremental'] : ['full_refresh'],
    selectedBy: { setting: 'resources', name: s.stream },
    parseState: (raw) => parseStreamState(s.stream, raw, s.cursor),
    read: async (run, ctx) => {
      const configured = run.schema.properties ? run.schema : schema;
      const selected = Object.keys(configured.properties ?? {});
      const wantsCustom = selected.some((f) => f.startsWith(CUSTOM_COLUMN_PREFIX));
      // The model maps the catalog's custom columns to Keap's field ids, and names the fields Keap
      // sends only when asked.
      const live = s.model && (wantsCustom || s.fields !== null) ? await readRestModel(ctx.client, s.model).catch(() => undefined) : undefined;
      const fields = plannedFields(s, configured, live);
      return readRest(
        {
          entry: s,
          fields,
          fieldsParam: fieldsParam(s, fields, live),
          incremental: run.syncMode === 'incremental',
          state: run.state,
        },
        ctx,
      );
    },
  };
}

/**
 * The fields a read emits, in the catalog's order: the stream's own fields (a field the catalog
 * names that the registry does not know is emitted as Keap sends it), the columns the reader fills
 * (a parent's id, an order's fields), and custom columns mapped to their Keap ids (null when the
 * account no longer has the field).
 */
function plannedFields(s: RestStream, configured: JsonSchema, model: RestModel | undefined): RestField[] {
  const own = new Map(restFieldsOf(s.schema).map((f) => [f.name, f]));
  const supplied = new Set([...(s.parent ? [s.parent.column] : []), ...Object.keys(s.flatten?.columns ?? {})]);
  const byColumn = new Map((model?.customFields ?? []).map((c) => [c.column, c]));
  const out: RestField[] = [];
  for (const f of restFieldsOf(configured)) {
    if (supplied.has(f.name)) out.push({ ...f, source: { column: f.name } });
    else if (f.name.startsWith(CUSTOM_COLUMN_PREFIX)) {
      const c = byColumn.get(f.name);
      out.push({ name: f.name, kind: c ? restFieldsOf({ properties: { x: customColumnSchema(c) } })[0]?.kind ?? 'json' : 'json', source: { customFieldId: c?.id ?? '\u0000missing' } });
    } else out.push(own.get(f.name) ?? f);
  }
  for (const k of [...s.primary_key, ...(s.cursor ? [s.cursor] : [])]) {
    if (!out.some((f) => f.name === k)) throw new InputError('catalog', `stream '${s.stream}': the catalog leaves out ${k}, which the stream needs (its key or cursor)`);
  }
  return out;
}

/**
 * `fields` for endpoints that take it: every selected field the endpoint accepts (Keap leaves some
 * out unless asked, and a field left out is lost data), `custom_fields` when a custom column is
 * selected, and the optional fields the account's model lists.
 */
function fieldsParam(s: RestStream, fields: readonly RestField[], model: RestModel | undefined): string | undefined {
  if (s.fields === null) return undefined;
  const allowed = new Set([...s.fields, ...(model?.optionalProperties ?? []).filter((p) => p in (s.schema.properties ?? {}))]);
  const names = new Set(fields.filter((f) => f.source === undefined).map((f) => f.name));
  if (fields.some((f) => f.source !== undefined && 'customFieldId' in f.source)) names.add('custom_fields');
  const chosen = [...allowed].filter((f) => names.has(f));
  return chosen.length ? chosen.join(',') : undefined;
}
