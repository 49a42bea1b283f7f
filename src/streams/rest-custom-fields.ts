import type { KeapCaller } from '../keap/client.js';
import { KeapError } from '../keap/errors.js';
import type { JsonSchema } from './json-schema.js';

/**
 * A resource's custom fields, from `GET /v2/<resource>/model`, become typed columns of their own
 * beside the API's `custom_fields` array. Their names carry a dot (`custom_fields.Score0`), which no
 * field of Keap's REST API has (scripts/generate-rest-schemas.ts refuses one), so a custom field can
 * never shadow an API field whatever Keap calls it.
 */

export const CUSTOM_COLUMN_PREFIX = 'custom_fields.';

export interface RestCustomField {
  id: string;
  /** The column: `custom_fields.<field_name>`. */
  column: string;
  label: string;
  fieldType: string;
}

export interface RestModel {
  customFields: RestCustomField[];
  /** Fields Keap leaves out unless asked for by `fields` (the model's optional_properties). */
  optionalProperties: string[];
}

export async function readRestModel(client: KeapCaller, path: string): Promise<RestModel> {
  const what = `GET ${path}`;
  const body = await client.rest({ path, what });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new KeapError(`${what}: expected an object`, 'system_error', 'bad-model');
  const o = body as { custom_fields?: unknown; optional_properties?: unknown };
  const customFields: RestCustomField[] = [];
  const seen = new Set<string>();
  for (const c of Array.isArray(o.custom_fields) ? o.custom_fields : []) {
    if (typeof c !== 'object' || c === null) continue;
    const f = c as { id?: unknown; field_name?: unknown; label?: unknown; field_type?: unknown };
    if (f.id === undefined || f.id === null) continue;
    const id = String(f.id);
    const name = typeof f.field_name === 'string' && f.field_name.trim() !== '' ? f.field_name.trim() : id;
    const column = CUSTOM_COLUMN_PREFIX + name;
    if (seen.has(column)) continue;
    seen.add(column);
    customFields.push({ id, column, label: typeof f.label === 'string' ? f.label : name, fieldType: typeof f.field_type === 'string' ? f.field_type : 'TEXT' });
  }
  const optionalProperties = Array.isArray(o.optional_properties) ? o.optional_properties.filter((x): x is string => typeof x === 'string') : [];
  return { customFields, optionalProperties };
}

/** The column's schema from Keap's field type (CustomFieldMetaData.field_type). */
export function customColumnSchema(f: RestCustomField): JsonSchema {
  const description = `Custom field "${f.label}" (${f.fieldType}, id ${f.id}).`;
  switch (f.fieldType) {
    case 'WHOLE_NUMBER':
    case 'YEAR':
    case 'MONTH':
    case 'DAY_OF_WEEK':
    case 'USER':
      return { type: ['null', 'integer'], description };
    case 'DECIMAL_NUMBER':
    case 'CURRENCY':
    case 'PERCENT':
      return { type: ['null', 'number'], description };
    case 'YES_NO':
      return { type: ['null', 'boolean'], description };
    case 'DATE':
      return { type: ['null', 'string'], format: 'date', description };
    case 'DATE_TIME':
      return { type: ['null', 'string'], format: 'date-time', description };
    case 'LIST_BOX':
    case 'USER_LIST_BOX':
    case 'DRILLDOWN':
      // Keap does not document how a multi-select's content travels: kept as it comes.
      return { description };
    default:
      return { type: ['null', 'string'], description };
  }
}
