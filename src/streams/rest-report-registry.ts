import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { JsonSchema } from './json-schema.js';
import type { ReportId } from './report-entry.js';
import type { IdParam } from './report-params.js';
import type { RestFilters } from './rest-registry.js';

/**
 * The 39 reports of the menu on REST v2, as data: which endpoint serves each report id, how its
 * parameters become the path, `filter` and query, what one record is, its key and cursor, or why
 * REST v2 lacks it. scripts/rest-reports.ts writes them; scripts/generate-rest-schemas.ts checks
 * each against Keap's OpenAPI file and adds what the spec says (the answer's list key, paging,
 * filter vocabulary, component schemas) into schemas/rest-reports.json, which this module reads.
 * One engine reads them all (rest-report-reader.ts, on rest-reader.ts's paging and checkpoints).
 */

/**
 * What a run loops over:
 * - none: one request (or one run of pages)
 * - id: the report's id parameter fills the endpoint's one path parameter (or its filter clause)
 * - affiliates: one run per affiliate (configured, else every affiliate of GET /affiliates)
 * - affiliate_filter: one run per configured affiliate, its id in the filter; none configured: one run for all
 * - affiliate_batch: the configured affiliates in one list filter (up to 1000 a run); none configured: one run for all
 * - tags: one run per tag (ids, or names looked up in GET /tags)
 * - saved_searches: one run per saved search (by id, or every report of GET /reporting/reports whose name matches)
 * - program_affiliates: GET /affiliates/{id} for each affiliate of the program (GET /affiliates/commissionPrograms/{id})
 * - invoice_order: the order of the invoice (GET /orders filtered by invoice_id), its id in the path
 * - table: data_record_by_id and data_query: the table's REST stream (the migration map)
 */
export type RestReportLoop = 'none' | 'id' | 'affiliates' | 'affiliate_filter' | 'affiliate_batch' | 'tags' | 'saved_searches' | 'program_affiliates' | 'invoice_order' | 'table';

/**
 * How the answer's items become records:
 * - member: the item's member object is the record (product inventory); with `as`, each element
 *   of the member array is a record `{[as]: element}` (a category discount's categories)
 * - match: only the item whose id is the parameter's value (one shipping method of the list)
 */
export type RestReportTake = { member: string; as?: string } | { match: IdParam };

export interface RestReportDef {
  report: ReportId;
  /** Why REST v2 lacks this report, and the REST stream that comes closest. */
  refused?: { closest: string; why: string };
  /** The path under /v2 as the spec writes it; its one `{param}` is filled by the loop's item. */
  endpoint?: string;
  method?: 'GET' | 'POST';
  loop: RestReportLoop;
  /** Filter clauses, `{item}` the loop's item, `{name}` a parameter: `affiliate_id=={item}`, `email=={email}`. */
  filter?: string[];
  /** The date window as the endpoint's time filters. */
  window?: { since: string; until: string };
  /** A list page (`{<items>: [...], <token>}`), one object, or a report run's page (POST). */
  answer?: 'list' | 'object';
  take?: RestReportTake;
  /** Query parameters always sent: `fields=ECOMMERCE`. */
  query?: Record<string, string>;
  /** A second GET per record whose JSON answer becomes a field of it (a file's data). */
  attach?: { endpoint: string; as: string };
  /** The record: a resource stream's records (optionally only some fields), or a component schema of the spec. */
  record?: { stream: string; pick?: string[] } | { component: string };
  key?: string[];
  /** The record field that names the loop's item (affiliate summaries carry affiliateId). */
  itemField?: { column: string; field: string };
  /** `fields` are this table's field names (the migration map makes them REST fields). */
  fieldsOf?: string;
  /** `fields` goes to Keap as it is (a saved search's column names). */
  fieldsAsIs?: boolean;
}

/** A report def joined with what the spec says about its endpoint. */
export interface RestReport extends RestReportDef {
  /** The spec's summary of the endpoint, for descriptions. */
  summary: string;
  /** List answers: the array's key, and the next page token's key (null: one page). */
  items_key: string | null;
  token_key: string | null;
  page_size_max: number | null;
  /** The endpoint's filter vocabulary, or null. */
  filters: RestFilters | null;
  /** The record schema, for component records. */
  schema: JsonSchema | null;
}

let cache: Map<string, RestReport> | undefined;

export function restReports(): Map<string, RestReport> {
  if (cache) return cache;
  const list = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'rest-reports.json'), 'utf8')) as RestReport[];
  cache = new Map(list.map((r) => [r.report, r]));
  return cache;
}

export function restReport(id: string): RestReport | undefined {
  return restReports().get(id);
}

/**
 * The columns that say which call a record came from, beside the record's own fields (as on
 * XML-RPC: the id parameter, the affiliate, tag or saved search looped over, the date window).
 * A record that carries one itself (tag_contacts' tag_id) keeps the name; the engine fills it.
 */
export function reportMembers(def: RestReportDef, idParam: IdParam | undefined): string[] {
  const m: string[] = [];
  switch (def.loop) {
    case 'id':
      if (idParam) m.push(idParam);
      break;
    case 'affiliates':
    case 'affiliate_filter':
      m.push('affiliate_id');
      break;
    case 'affiliate_batch':
      if (def.itemField) m.push(def.itemField.column);
      break;
    case 'tags':
      m.push('tag_id');
      break;
    case 'saved_searches':
      m.push('saved_search_id', 'user_id');
      break;
    case 'program_affiliates':
      m.push('program_id');
      break;
    case 'invoice_order':
      m.push('invoice_id');
      break;
    case 'table':
      if (def.report === 'data_record_by_id') m.push('record_id');
      break;
    case 'none':
      break;
  }
  if (def.window) m.push('window_start', 'window_end');
  if (def.key?.includes('_key')) m.push('_key');
  return m;
}

/** The REST v2 endpoint behind a report, in words for the README and spec.json, or why there is none. */
export function restEndpointText(id: string): string {
  const r = restReport(id);
  if (!r) return '';
  if (r.refused) return `not on REST v2 (closest: the ${r.refused.closest} stream)`;
  if (id === 'data_record_by_id') return "GET of one record of the table's REST stream (the migration guide)";
  if (id === 'data_query') return "GET of the table's REST stream, the query as its filter (the migration guide)";
  const take = r.take && 'member' in r.take ? ` (${r.take.member})` : '';
  const attach = r.attach ? ` + GET ${r.attach.endpoint}` : '';
  return `${r.method ?? 'GET'} ${r.endpoint ?? ''}${take}${attach}`;
}
