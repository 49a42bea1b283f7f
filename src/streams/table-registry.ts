import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { JsonSchema } from './json-schema.js';
import { withSchemaFile } from './schema-file.js';

/** Keap's column types as the table documentation names them. */
export type KeapType = 'String' | 'Integer' | 'Long' | 'Double' | 'DateTime' | 'Boolean' | 'Blob' | 'Enum';

/** One DataService table as a stream: data, read by the one engine (streams/table-reader.ts). */
export interface TableEntry {
  table: string;
  stream: string;
  primary_key: string[];
  /** LastUpdated where the table has it, else DateCreated, else null (full refresh only). */
  cursor: string | null;
  cursor_kind: 'updated' | 'created' | null;
  /**
   * The column pages are keyed on: Id; RecurringOrderId for RecurringOrderWithContact (whose Id is
   * the contact's); for the tables without Id (ContactGroupAssign, Campaignee) ContactId, which
   * repeats, so rows at the boundary value are told apart by the whole key (streams/table-reader.ts).
   */
  keyset: string;
  keyset_unique: boolean;
  /** DataFormField.FormId of the table's custom fields, or null when it has none. */
  custom_field_form_id: number | null;
  /** Fields that hold a calendar day without a time of day (Keap's type Date). */
  date_only: string[];
  description: string;
}

export interface TableStream extends TableEntry {
  schema: JsonSchema;
}

/** ContactGroupAssign -> contact_group_assign, CProgram -> c_program. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .replace(/\./g, '_')
    .toLowerCase();
}

/**
 * Every field is nullable: Keap omits null fields from a struct and the record carries them as
 * null. Dates become UTC date-times (Keap sends Eastern wall-clock; streams/record-shaper.ts converts).
 */
export function fieldSchema(type: KeapType): JsonSchema {
  switch (type) {
    case 'Integer':
    case 'Long':
      return { type: ['null', 'integer'] };
    case 'Double':
      return { type: ['null', 'number'] };
    case 'Boolean':
      return { type: ['null', 'boolean'] };
    case 'DateTime':
      return { type: ['null', 'string'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' };
    case 'Blob':
      return { type: ['null', 'string'], contentEncoding: 'base64' };
    case 'String':
    case 'Enum':
      return { type: ['null', 'string'] };
  }
}

/**
 * A Keap `Date`: a calendar day, sent as midnight on the app's clock. It stays a date-time (the
 * instant of that midnight, in UTC) so it reads like every other date, and says what it is.
 */
export function dateOnlySchema(): JsonSchema {
  return {
    ...fieldSchema('DateTime'),
    description: "Date only: Keap keeps a calendar day without a time of day and sends it as midnight on the app's clock (app_timezone), given here in UTC.",
  };
}

let index: TableEntry[] | undefined;
let cache: TableStream[] | undefined;

/** The 60 tables without their schemas, from one small file: what a check of names needs. */
export function tableEntries(): TableEntry[] {
  index ??= JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'tables.json'), 'utf8')) as TableEntry[];
  return index;
}

/** The 60 table streams, from the committed, generated `schemas/`; each schema read when first asked for. */
export function tableStreams(): TableStream[] {
  if (cache) return cache;
  const root = packageRoot();
  cache = tableEntries().map((entry) => withSchemaFile(entry, join(root, 'schemas', 'tables', `${entry.stream}.json`)));
  return cache;
}
