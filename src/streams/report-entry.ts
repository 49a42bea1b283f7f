import type { XmlRpcDateTime, XmlRpcStruct, XmlRpcValue } from '../xmlrpc/types.js';
import type { JsonSchema } from './json-schema.js';
import type { IdParam, ParamName, ParamUse, ReportParams } from './report-params.js';
import type { Shape } from './report-rows.js';

/**
 * What a report of the menu is, as data: one entry per report (streams/report-registry.ts), all
 * read by one engine (streams/report-reader.ts).
 */

export type ReportId =
  | 'affiliate_clawbacks'
  | 'affiliate_commissions'
  | 'affiliate_payments'
  | 'affiliate_redirect_links'
  | 'affiliate_summary'
  | 'affiliate_running_totals'
  | 'affiliate_programs'
  | 'affiliate_programs_for_affiliate'
  | 'affiliates_by_program'
  | 'affiliate_program_resources'
  | 'contacts_by_email'
  | 'contacts_by_id'
  | 'contacts_by_tags'
  | 'data_record_by_id'
  | 'data_query'
  | 'discount_category'
  | 'discount_category_assignments'
  | 'discount_order_total'
  | 'discount_product_total'
  | 'discount_shipping'
  | 'discount_free_trial'
  | 'file'
  | 'invoice_amount_due'
  | 'invoice_payment_options'
  | 'invoice_payments'
  | 'invoice_shipping_options'
  | 'product_inventory'
  | 'search_available_fields'
  | 'saved_search'
  | 'saved_search_fields'
  | 'shipping_options'
  | 'shipping_flat_rate'
  | 'shipping_order_quantity'
  | 'shipping_order_total'
  | 'shipping_order_total_ranges'
  | 'shipping_product_based'
  | 'shipping_ups'
  | 'shipping_weight_based'
  | 'webforms';

/**
 * What one report run loops over; each item is one call (or one run of pages) and is marked done
 * in `in_progress.done` when finished.
 * - single: one item (the report's id parameter, if it has one)
 * - affiliates: one item per affiliate (configured, else every row of the Affiliate table)
 * - affiliate_batches: the same ids, up to 1000 per call, for methods that take an array
 * - tags: one item per tag (ids, or names resolved through ContactGroup)
 * - saved_searches: one item per saved search (by id, or every SavedFilter whose name matches), with its user
 */
export type ItemKind = 'single' | 'affiliates' | 'affiliate_batches' | 'tags' | 'saved_searches';

/**
 * - none: one call per item
 * - offset: DataService pages (limit = page_size, page 0, 1, ...) until a short page
 * - saved_search: pageNumber 0, 1, ... until an empty page (Keap fixes the page size)
 */
export type Paging = 'none' | 'offset' | 'saved_search';

export interface Item {
  /** Its entry in in_progress.done. */
  key: string;
  /** For log lines: "affiliate 12". */
  label: string;
  /** The id the call is about (affiliate, tag, saved search, or the report's id parameter). */
  id: number;
  /** affiliate_batches: the affiliates of this call. */
  ids: number[];
  /** saved_searches: the user to run the search as. */
  userId: number;
  /** Identifying members added to every row: {affiliate_id: 12}. */
  members: Record<string, XmlRpcValue>;
}

export interface CallInput {
  params: ReportParams;
  item: Item;
  window: { start: XmlRpcDateTime; end: XmlRpcDateTime } | undefined;
  page: number;
  pageSize: number;
  /** The fields the call selects. */
  fields: string[];
  /** data_query: the queryData struct, bookmark already in it. */
  query: XmlRpcStruct | undefined;
}

export interface RecordSpec {
  /** Keap's fields, in order (the engine puts identifying members, the window and `_key` first). */
  fields: Record<string, JsonSchema>;
  /** Keap's keys are unverified: the schema stays open and unknown keys pass through. */
  open: boolean;
  primaryKey: string[];
  /** The cursor Airbyte shows for incremental syncs, or null (full refresh only). */
  cursor: string | null;
}

export interface ReportEntry {
  id: ReportId;
  /** The report menu's title. */
  title: string;
  /** Service.method. */
  method: string;
  /** What it returns, in words a person filling the Airbyte form understands. */
  about: string;
  params: Partial<Record<ParamName, ParamUse>>;
  items: ItemKind;
  /** single: the id parameter that names the one record; it becomes a member of every row. */
  idParam?: IdParam;
  paging: Paging;
  shape: Shape;
  /** scalar: the member the value becomes; map: the key and value members. */
  valueMember?: { name: string; schema: JsonSchema };
  keyMember?: { name: string; schema: JsonSchema };
  /** The call's parameters after Keap's key. */
  args(c: CallInput): XmlRpcValue[];
  /** The fields the call selects (contacts, DataService); none when the method takes none. */
  selects?(p: ReportParams): string[];
  /** saved_search_fields: with no `fields`, select every column the saved search has. */
  selectsAllColumns?: boolean;
  record(p: ReportParams): RecordSpec;
  /** How it can be incremental: over the date window, or over LastSuccessfulRun in the query. */
  incremental?: 'window' | 'query';
}
