import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { JsonSchema } from './json-schema.js';
import { withSchemaFile } from './schema-file.js';

/**
 * The REST v2 resource streams, from the committed, generated schemas/ (scripts/rest-resources.ts
 * says how each is read; scripts/generate-rest-schemas.ts joins it with Keap's OpenAPI file).
 */

/** How a resource is paged and kept incremental (scripts/rest-resources.ts explains each). */
export type RestSync =
  | { kind: 'keyset'; id_filter: string; since?: string; order_by: string }
  | { kind: 'filter'; since: string; order_by?: string }
  | { kind: 'order'; order_by: string }
  | { kind: 'full'; order_by?: string };

/** A nested collection: the parent stream whose ids fill the path parameter. */
export interface RestParent {
  stream: string;
  param: string;
  /** The column the parent's id is carried in (part of the key). */
  column: string;
  /** Incremental passes visit only the parents changed since the bookmark. */
  incremental?: boolean;
}

/** A derived stream: its records are an array field of another stream's records. */
export interface RestFlatten {
  stream: string;
  field: string;
  /** Columns copied from the outer record: column -> outer field. */
  columns: Record<string, string>;
}

/** One field of an endpoint's `filter` (scripts/rest-filter-vocabulary.ts reads them from the spec). */
export interface RestFilterField {
  /** The operators the spec allows (`==` alone when it names none). */
  ops: string[];
  /** A trailing `*` matches a prefix. */
  wildcard: boolean;
  /** The value is a comma-separated list (`ids==1,2,3`). */
  list: boolean;
}

export interface RestFilters {
  fields: Record<string, RestFilterField>;
  /** Custom fields may be filtered by their field_name. */
  custom: boolean;
}

export interface RestEntry {
  stream: string;
  path: string;
  /** The list's key in the answer (`contacts` in `{"contacts": [...]}`). */
  items_key: string;
  /** The spec's component schema of one record. */
  record_schema: string;
  primary_key: string[];
  cursor: string | null;
  sync: RestSync;
  /** Whether the endpoint takes page_size/page_token (a few small ones answer everything at once). */
  paged: boolean;
  page_size_max: number | null;
  /** Values the `fields` parameter takes for this stream, or null when it takes none. */
  fields: string[] | null;
  /** The custom-field model endpoint, if the resource has custom fields. */
  model: string | null;
  /** Filter clauses always sent. */
  always: string[];
  parent: RestParent | null;
  flatten: RestFlatten | null;
  /** What `filter` takes, from the spec; null when the endpoint takes no filter. */
  filters: RestFilters | null;
  /** The spec's GET path for one record (`/contacts/{contact_id}`), or null. */
  by_id: string | null;
  /** What that GET's `fields` takes (null: no `fields`). */
  by_id_fields: string[] | null;
  description: string;
}

export interface RestStream extends RestEntry {
  schema: JsonSchema;
}

/** Path segments that are not collections, so never made singular as parents. */
const NOT_PLURAL = new Set(['sales', 'reporting', 'settings', 'shipping', 'status', 'address']);

function singular(word: string): string {
  if (NOT_PLURAL.has(word)) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function snake(word: string): string {
  return word.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toLowerCase();
}

/**
 * DESIGN's stream naming: the path after /v2/ in snake_case, every parent segment made singular:
 * `/tags/categories` -> `tag_categories`, `/orders/{order_id}/payments` -> `order_payments`,
 * `/affiliates/{affiliate_id}:commissions` -> `affiliate_commissions`, `/sales/payments` ->
 * `sales_payments`.
 */
export function restStreamName(path: string): string {
  const words = path
    .split('/')
    .filter((s) => s !== '')
    .flatMap((s) => s.split(':'))
    .filter((s) => s !== '' && !s.startsWith('{'))
    .map((s) => snake(s).split('_'));
  return words.map((w, i) => (i < words.length - 1 ? [...w.slice(0, -1), singular(w[w.length - 1] ?? '')] : w).join('_')).join('_');
}

let cache: RestStream[] | undefined;

/** The resource streams; each one's schema file is read when first asked for (schema-file.ts). */
export function restStreams(): RestStream[] {
  if (cache) return cache;
  const root = packageRoot();
  const index = JSON.parse(readFileSync(join(root, 'schemas', 'rest.json'), 'utf8')) as RestEntry[];
  cache = index.map((entry) => withSchemaFile(entry, join(root, 'schemas', 'rest', `${entry.stream}.json`)));
  return cache;
}
