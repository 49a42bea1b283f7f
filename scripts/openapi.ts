import type { JsonSchema } from '../src/streams/json-schema.js';

/**
 * Reading Keap's OpenAPI file (../shared/reference/keap-rest-v2/swagger.yml): its types as the
 * generators use them, `$ref` resolution, and the one conversion of a component schema into the
 * draft-07 record schemas the connector ships (nullable where Keap may leave a field out, `$ref`s
 * inlined, enums as descriptions, objects open).
 */

/** Keap's paths start with this; the registry writes them without it. */
export const PREFIX = '/rest/v2';

export interface OpenApiSchema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  enum?: unknown[];
  items?: OpenApiSchema;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  additionalProperties?: boolean | OpenApiSchema;
  deprecated?: boolean;
}
export interface OpenApiParam {
  name: string;
  in: string;
  description?: string;
  schema?: { type?: string; maximum?: number; items?: { enum?: string[] } };
}
export interface OpenApiOp {
  operationId?: string;
  description?: string;
  summary?: string;
  parameters?: OpenApiParam[];
  responses?: Record<string, { content?: Record<string, { schema?: OpenApiSchema }> }>;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOp>>;
  components: { schemas: Record<string, OpenApiSchema> };
}

/**
 * The top-level fields of one record of a component schema. All nullable, required or not: a record
 * carries every field of its schema, null where Keap left one out, and a field Keap calls required
 * must not make a record invalid the day Keap leaves it out. Times the spec leaves as plain strings
 * (`*_time` fields, and the cursor, which the connector compares as time) become date-times.
 */
export function recordFields(doc: OpenApiDoc, item: OpenApiSchema, where: string, cursor: string | null = null): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [name, s] of Object.entries(item.properties ?? {})) {
    if (name.includes('.')) throw new Error(`${where}: field ${name} has a dot, which custom-field columns use`);
    const converted = convert(doc, s, true, new Set());
    if (converted.type && typeOf(converted) === 'string' && !converted.format && (/_time$/.test(name) || name === cursor)) converted.format = 'date-time';
    out[name] = converted;
  }
  return out;
}

export function convert(doc: OpenApiDoc, raw: OpenApiSchema | undefined, nullable: boolean, stack: Set<string>): JsonSchema {
  if (raw === undefined) return {};
  const name = raw.$ref ? refName(raw) : undefined;
  if (name !== undefined && stack.has(name)) return nullable ? { type: ['null', 'object'], additionalProperties: true } : { type: 'object', additionalProperties: true };
  const s = deref(doc, raw);
  const inner = name === undefined ? stack : new Set([...stack, name]);
  const out: JsonSchema = {};
  const notes: string[] = [];
  if (s.description) notes.push(oneLine(s.description));
  if (s.enum) notes.push(`One of: ${s.enum.map(String).join(', ')}.`);
  if (s.deprecated) notes.push('Deprecated by Keap.');
  let type = s.type ?? (s.properties ? 'object' : undefined);
  if (type === 'string' && s.format === 'byte') out.contentEncoding = 'base64';
  if (type === 'string' && (s.format === 'date-time' || s.format === 'date')) out.format = s.format;
  if (type === 'object') {
    const props: Record<string, JsonSchema> = {};
    const req = new Set(s.required ?? []);
    for (const [k, v] of Object.entries(s.properties ?? {})) props[k] = convert(doc, v, !req.has(k), inner);
    if (Object.keys(props).length) out.properties = props;
    out.additionalProperties = true;
  }
  if (type === 'array') out.items = convert(doc, s.items, false, inner);
  if (type === undefined) {
    // The spec leaves the value open (`{}`): any JSON.
    if (notes.length) out.description = notes.join(' ').slice(0, 300);
    return out;
  }
  if (type === 'integer' && s.format === 'int64') type = 'integer';
  out.type = nullable ? ['null', type] : type;
  if (notes.length) out.description = notes.join(' ').slice(0, 300);
  // Keys in a stable, readable order.
  const ordered: JsonSchema = {};
  for (const k of ['type', 'format', 'contentEncoding', 'description', 'properties', 'items', 'additionalProperties']) if (out[k] !== undefined) ordered[k] = out[k];
  return ordered;
}

export function deref(doc: OpenApiDoc, s: OpenApiSchema | undefined): OpenApiSchema {
  let cur = s ?? {};
  for (let i = 0; cur.$ref && i < 20; i++) {
    const target = doc.components.schemas[refName(cur) ?? ''];
    if (!target) throw new Error(`unresolved ${cur.$ref}`);
    cur = target;
  }
  return cur;
}

export function refName(s: OpenApiSchema | undefined): string {
  return s?.$ref?.split('/').pop() ?? 'inline';
}

export function typeOf(s: JsonSchema): string | undefined {
  return Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
}

export function oneLine(s: string): string {
  return s.replace(/<br\s*\/?>/gi, ' ').replace(/\s+/g, ' ').trim().replace(/\.$/, '') + '.';
}

