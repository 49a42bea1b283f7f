import type { JsonSchema } from './json-schema.js';
import type { StreamDef } from './stream-def.js';

/**
 * Fields that hold secrets, per stream: the customer and affiliate portal passwords Keap lets the
 * API read (keap-tables.json: Contact.Password, Company.Password, Affiliate.Password). A warehouse
 * is the wrong place for them, so discover leaves them out of the schemas and read never emits
 * them, unless the config opts in (`include_password_fields`). When it does, they are listed with
 * Singer metadata `selected-by-default: false`: each must still be selected by name.
 *
 * To protect a field of another stream (a REST v2 resource), add its name here under the stream's
 * name; discover and read apply the rule to every StreamDef through the functions below.
 */
export const SENSITIVE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  affiliate: ['Password'],
  company: ['Password'],
  contact: ['Password'],
};

/**
 * Report streams read rows of those tables under names the user chooses: their sensitive fields
 * are the tables' names, bare (data_query on Contact) or as contacts_by_tags spells Contact's
 * columns (`Contact.Password`).
 */
const REPORT_SENSITIVE: readonly string[] = [...new Set(['contact', 'company', 'affiliate'].flatMap((t) => SENSITIVE_FIELDS[t] ?? []))].flatMap((f) => [f, `Contact.${f}`]);

export function sensitiveFields(stream: string, kind: StreamDef['kind']): readonly string[] {
  return kind === 'report' ? REPORT_SENSITIVE : (SENSITIVE_FIELDS[stream] ?? []);
}

/** `schema` without the fields in `names` (the same object when it has none of them). */
export function withoutFields(schema: JsonSchema, names: readonly string[]): JsonSchema {
  const props = schema.properties;
  if (!props || !names.some((n) => n in props)) return schema;
  const kept = { ...props };
  for (const n of names) delete kept[n];
  return { ...schema, properties: kept };
}

/** The streams as discover shows them: sensitive fields out of the schemas unless opted in. */
export function applySensitivePolicy(defs: readonly StreamDef[], include: boolean): StreamDef[] {
  return defs.map((d) => (include ? d : { ...d, schema: withoutFields(d.schema, sensitiveFields(d.name, d.kind)) }));
}
