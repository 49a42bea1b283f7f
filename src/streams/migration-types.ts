import type { RestRecords } from './rest-types.js';

/** The types of the migration map (migration-map.ts) and the builders its field maps are written with. */

export type RestStreamName = keyof RestRecords;
/** One of the 60 DataService tables (test/migration-map.test.ts holds the map against the table registry). */
export type TableName = string;

/**
 * A field path in a stream's records: `given_name`, `company.company_name`,
 * `email_addresses[field=EMAIL1].email` (the element of an array whose `field` is EMAIL1),
 * `custom_fields.<field_name>` (a custom-field column). The first name is checked at compile time.
 */
export type RestPath<S extends RestStreamName> = S extends RestStreamName ? `${Extract<keyof RestRecords[S], string>}` | `${Extract<keyof RestRecords[S], string>}${'.' | '['}${string}` : never;

/** A table's complete field map, checked at compile time against the table's row type (table-types.ts). */
export type TableFieldMap<Row, S extends RestStreamName> = { readonly [F in Extract<keyof Row, string>]: FieldMapping<S> };

/** Builders for one stream's mappings: `to(path, filter?, note?)`, `none(why)`. */
export function mapper<S extends RestStreamName>(): {
  to: (rest: RestPath<S>, filter?: FieldFilter, note?: string) => FieldMapping<S>;
  none: (note: string, filter?: FieldFilter) => FieldMapping<S>;
} {
  return {
    to: (rest, filter, note) => ({ rest, ...(filter ? { filter } : {}), ...(note ? { note } : {}) }),
    none: (note, filter) => ({ rest: null, note, ...(filter ? { filter } : {}) }),
  };
}

/**
 * How data_query filters on a field over REST:
 * - eq: a filter of that name (its operators and wildcard are the spec's, in the registry); `in`
 *   names the filter that takes a comma list (the menu's `'Id':'1,2,3'`)
 * - since/until: a time compared through the endpoint's time filters (`>=` via since, `<=` via until)
 * - parent: the id of the parent whose collection the stream reads (tag_contacts' tag)
 */
export type FieldFilter = { eq: string; in?: string } | { in: string } | { since: string; until?: string } | { parent: true };

export interface FieldMapping<S extends RestStreamName = RestStreamName> {
  /** Where the value is in the REST record, or null when REST v2 has no such field. */
  rest: RestPath<S> | null;
  filter?: FieldFilter;
  /** What differs (units, values), or why the field is gone. */
  note?: string;
}

