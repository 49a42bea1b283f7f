/** How a column travels in XML-RPC: `<i4>`, `<double>`, `<boolean>`, `<dateTime.iso8601>`, bare text, `<base64>`. */
export type ColumnKind = 'int' | 'double' | 'bool' | 'date' | 'string' | 'blob';

/**
 * A value in a sandbox row. Dates are UTC epoch milliseconds (whole seconds) in columns of kind
 * 'date'; blobs are base64 text; Keap's absent/null field is `null`. The column kind, not the JS
 * type, decides how a value is encoded and compared.
 */
export type RowValue = string | number | boolean | null;
export type Row = Record<string, RowValue>;

/**
 * One DataService table as the sandbox serves it. The sandbox's own definitions (table-defs.ts,
 * generated from Keap's table definitions and the public evidence) say what it has; it never reads
 * the connector's stream schemas.
 */
export interface TableDef {
  /**
   * The column that holds the row number (generated rows are 1..n): Id; RecurringOrderId in
   * RecurringOrderWithContact, whose Id is the contact's; null for tables without one
   * (ContactGroupAssign, Campaignee), which are keyed by `key`.
   */
  rowKey: string | null;
  /** The columns that identify a row. */
  key: readonly string[];
  /** The time column Keap stamps on changes (LastUpdated, else DateCreated), or null. */
  stamp: 'LastUpdated' | 'DateCreated' | null;
  /** Readable columns, in Keap's order. */
  columns: readonly (readonly [string, ColumnKind])[];
  /** Columns that exist but cannot be read (a query naming them gets fault 8). */
  unreadable: readonly string[];
  /** Date columns that hold a calendar day (midnight on the app's clock). */
  dateOnly: readonly string[];
}
