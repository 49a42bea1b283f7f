import { tableStreams, type TableStream } from '../streams/table-registry.js';
import type { JsonSchema } from '../streams/json-schema.js';

/** How a column travels in XML-RPC: `<i4>`, `<double>`, `<boolean>`, `<dateTime.iso8601>`, bare text, `<base64>`. */
export type ColumnKind = 'int' | 'double' | 'bool' | 'date' | 'string' | 'blob';

/**
 * A value in a sandbox row. Dates are UTC epoch milliseconds (whole seconds) in columns of kind
 * 'date'; blobs are base64 text; Keap's absent/null field is `null`. The column kind, not the JS
 * type, decides how a value is encoded and compared.
 */
export type RowValue = string | number | boolean | null;
export type Row = Record<string, RowValue>;

/** Columns Keap lets you write but never read back (keap-tables-detailed.json access flags). */
export const UNREADABLE_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  CreditCard: ['CardNumber', 'CVV2'],
};

export function columnKind(schema: JsonSchema): ColumnKind {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('integer')) return 'int';
  if (types.includes('number')) return 'double';
  if (types.includes('boolean')) return 'bool';
  if (schema.format === 'date-time') return 'date';
  if (schema['contentEncoding'] === 'base64') return 'blob';
  return 'string';
}

/** The shipped columns of a table, in schema order. */
export function schemaColumns(stream: TableStream): Map<string, ColumnKind> {
  const props = stream.schema.properties ?? {};
  const out = new Map<string, ColumnKind>();
  for (const [name, schema] of Object.entries(props)) out.set(name, columnKind(schema));
  return out;
}

/** Table streams by Keap table name. */
export function streamsByTable(): Map<string, TableStream> {
  return new Map(tableStreams().map((s) => [s.table, s]));
}
