import { parseMenuQuery, usesLastSuccessfulRun, type QueryData } from '../keap/query-syntax.js';
import { tableStream } from './report-schemas.js';

/**
 * data_query's `query`: the menu's text form (keap/query-syntax.ts) with the bookmark in it.
 */

/** Stands in for the bookmark to find which field the query compares with LastSuccessfulRun. */
const SENTINEL = '\u0001LastSuccessfulRun\u0001';

/** The field whose value mentions LastSuccessfulRun (the stream's cursor), if any. */
export function queryCursorField(text: string | undefined): string | undefined {
  if (!text || !usesLastSuccessfulRun(text)) return undefined;
  const data = parseMenuQuery(text, { lastSuccessfulRun: SENTINEL });
  for (const [field, value] of Object.entries(data)) {
    if (typeof value === 'string' && value.includes(SENTINEL)) return field;
  }
  return undefined;
}

/** Every row: `{Id: '%'}` (or the table's first key column when it has no Id). */
export function matchAll(table: string): QueryData {
  const keyset = tableStream(table)?.keyset ?? 'Id';
  return { [keyset]: '%' };
}

/** The queryData to send; `lowerBound` is Keap's query form of the bookmark ('2024-01-01 00:00:00'). */
export function buildQuery(table: string, text: string | undefined, lowerBound: string): QueryData {
  if (!text || text.trim() === '') return matchAll(table);
  const data = parseMenuQuery(text, { lastSuccessfulRun: lowerBound });
  return Object.keys(data).length ? data : matchAll(table);
}
