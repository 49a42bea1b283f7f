import type { SandboxData } from '../data.js';
import { ok, pathId, type RestCtx, type Route } from './context.js';
import { badRequest } from './errors.js';
import { customFilter } from './custom-fields.js';
import { compileFilter, type Clause, type FilterField, type FilterFields } from './filter.js';
import { decodeToken, encodeToken, pageSize, queryHash } from './paging.js';
import { existing } from './relations.js';
import type { Json, JsonObject } from './wire.js';

/**
 * The one engine behind every list and by-id route. A resource is data: its rows' keys in
 * ascending id order, a getter per property (in the order Keap's schema lists them), the filter
 * fields and order_by fields its swagger.yml description allows. The engine parses the query
 * parameters (400s with Keap's Error body for anything else), filters, sorts (ties keep ascending
 * id), pages by offset and renders only the properties asked for.
 *
 * The filtered, sorted key list of a query is kept until the data changes, so paging through a
 * million contacts computes it once.
 */

export type Getter<K> = (k: K, ctx: RestCtx) => Json | undefined;
export type Getters<K> = Readonly<Record<string, Getter<K>>>;
export type SortKey = number | string | undefined;

export interface FieldsParam {
  /** Every name `fields` may list. */
  allowed: readonly string[];
  /** What is sent without `fields`. */
  defaults: readonly string[];
  /** `select`: `fields` is the whole selection (id always comes too); `add`: it adds to the defaults. */
  mode: 'select' | 'add';
}

export interface ListDef<K> {
  path: string;
  /** The array's property in the List*Response schema. */
  items: string;
  /** Every row, ascending by id (path parameters are in ctx.params; throw notFound for a missing parent). */
  keys: (ctx: RestCtx) => readonly K[];
  props: Getters<K>;
  /** A whole item built at once, where it is shared with other routes or not an object (then `props` is empty). */
  item?: (k: K, ctx: RestCtx) => Json;
  /** Undefined: the endpoint takes no `filter` parameter (or takes it as search text, below). */
  filters?: FilterFields<K>;
  /**
   * For endpoints whose `filter` is only "search filter to apply to results": the text each row is
   * searched in (without case, anywhere).
   */
  search?: (k: K, ctx: RestCtx) => string | undefined;
  /** The table whose custom fields the filter may name by field_name, where the description allows it. */
  customTable?: string;
  /** Cross-field rules of the description ("`id` and `ids` cannot be combined"). */
  checkClauses?: (clauses: readonly Clause[]) => void;
  /** Undefined: the endpoint takes no `order_by` parameter. */
  orderBy?: Readonly<Record<string, (k: K, ctx: RestCtx) => SortKey>>;
  fields?: FieldsParam;
  /** False for the few lists without page_size/page_token: they answer everything at once. */
  paged?: boolean;
  maxPageSize?: number;
  minPageSize?: number;
  /** The property the next token travels in ('' on the last page). Null: the schema has none. */
  tokenProperty?: string | null;
  /** The table behind the resource: the Mutator changes it after every page. */
  table?: string;
  /** Response properties beside the items (totals), from every matching row. */
  extra?: (matching: readonly K[], ctx: RestCtx) => JsonObject;
}

interface Matches<K> {
  version: number;
  keys: readonly K[];
}

const MAX_CACHED = 12;
const caches = new WeakMap<SandboxData, Map<string, Matches<unknown>>>();

/** The getters to run for a selection, in the getters' order (worked out once per page, not per row). */
function selected<K>(props: Getters<K>, names?: ReadonlySet<string>): [string, Getter<K>][] {
  return Object.entries(props).filter(([name]) => names === undefined || names.has(name));
}

function renderWith<K>(getters: readonly [string, Getter<K>][], k: K, ctx: RestCtx): JsonObject {
  const out: JsonObject = {};
  for (const [name, get] of getters) {
    const v = get(k, ctx);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Renders the named properties of one row, in the getters' order. */
export function render<K>(props: Getters<K>, k: K, ctx: RestCtx, names?: ReadonlySet<string>): JsonObject {
  return renderWith(selected(props, names), k, ctx);
}

/** The properties a `fields` parameter selects; undefined when the endpoint renders everything. */
export function selectFields(spec: FieldsParam | undefined, query: URLSearchParams): ReadonlySet<string> | undefined {
  if (spec === undefined) return undefined;
  const asked = query
    .getAll('fields')
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const f of asked) if (!spec.allowed.includes(f)) throw badRequest(`Invalid fields value '${f}': allowed ${spec.allowed.join(', ')}`);
  if (asked.length === 0) return new Set(spec.defaults);
  return new Set(spec.mode === 'select' ? ['id', ...asked] : [...spec.defaults, ...asked]);
}

interface Order<K> {
  key: (k: K, ctx: RestCtx) => SortKey;
  desc: boolean;
}

function parseOrder<K>(text: string, fields: Readonly<Record<string, (k: K, ctx: RestCtx) => SortKey>>): Order<K> | null {
  if (text.trim() === '') return null;
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+([A-Za-z]+))?\s*$/.exec(text);
  const key = m === null ? undefined : fields[m[1] ?? ''];
  if (m === null || key === undefined) throw badRequest(`Invalid order_by '${text}': allowed fields ${Object.keys(fields).join(', ')}, each with asc or desc`);
  const dir = (m[2] ?? 'asc').toLowerCase();
  if (dir !== 'asc' && dir !== 'desc') throw badRequest(`Invalid order_by direction '${m[2] ?? ''}': use asc or desc`);
  return { key, desc: dir === 'desc' };
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a).toLowerCase();
  const y = String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function sorted<K>(keys: readonly K[], order: Order<K>, ctx: RestCtx): K[] {
  const values = keys.map((k) => order.key(k, ctx));
  const index = keys.map((_, i) => i);
  const sign = order.desc ? -1 : 1;
  // Stable: equal values keep the ascending-id order the keys came in.
  index.sort((i, j) => sign * compareKeys(values[i], values[j]));
  return index.map((i) => keys[i] as K);
}

function matching<K>(def: ListDef<K>, ctx: RestCtx, filterText: string, order: Order<K> | null, orderText: string): readonly K[] {
  let cache = caches.get(ctx.data);
  if (cache === undefined) {
    cache = new Map();
    caches.set(ctx.data, cache);
  }
  const cacheKey = `${ctx.path}\n${filterText}\n${orderText}`;
  const hit = cache.get(cacheKey) as Matches<K> | undefined;
  if (hit !== undefined && hit.version === ctx.data.version) return hit.keys;
  let keys = def.keys(ctx);
  if (def.search !== undefined && filterText.trim() !== '') {
    const want = filterText.trim().toLowerCase();
    const text = def.search;
    keys = keys.filter((k) => text(k, ctx)?.toLowerCase().includes(want) ?? false);
  }
  if (def.filters !== undefined) {
    const custom = def.customTable === undefined ? undefined : (customFilter(ctx.data, def.customTable) as (name: string) => FilterField<K> | undefined);
    const filter = compileFilter(filterText, def.filters, ctx, custom);
    def.checkClauses?.(filter.clauses);
    if (filter.predicate !== null) keys = keys.filter(filter.predicate);
  }
  if (order !== null) keys = sorted(keys, order, ctx);
  cache.delete(cacheKey);
  cache.set(cacheKey, { version: ctx.data.version, keys });
  if (cache.size > MAX_CACHED) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  return keys;
}

export function listRoute<K>(def: ListDef<K>): Route {
  const handle = (ctx: RestCtx): ReturnType<Route['handle']> => {
    const q = ctx.query;
    const filterText = def.filters === undefined && def.search === undefined ? '' : (q.get('filter') ?? '');
    const orderText = def.orderBy === undefined ? '' : (q.get('order_by') ?? '');
    const order = def.orderBy === undefined ? null : parseOrder(orderText, def.orderBy);
    const names = selectFields(def.fields, q);
    const paged = def.paged !== false;
    const max = def.maxPageSize ?? 1000;
    const size = paged ? pageSize(q.get('page_size'), max, def.minPageSize ?? 0) : Number.MAX_SAFE_INTEGER;
    const hash = queryHash(ctx.path, filterText, orderText);
    const token = paged ? (q.get('page_token') ?? '') : '';
    const offset = token === '' ? 0 : decodeToken(token, hash, ctx.now, ctx.pageTokenTtlMs);
    const keys = matching(def, ctx, filterText, order, orderText);
    const page = keys.slice(offset, offset + size);
    const item = def.item;
    const getters = selected(def.props, names);
    const body: JsonObject = { [def.items]: page.map((k) => (item === undefined ? renderWith(getters, k, ctx) : item(k, ctx))) };
    if (def.extra !== undefined) Object.assign(body, def.extra(keys, ctx));
    const tokenProperty = def.tokenProperty === undefined ? 'next_page_token' : def.tokenProperty;
    if (tokenProperty !== null) body[tokenProperty] = offset + size < keys.length ? encodeToken(offset + size, hash, ctx.pageTokenTtlMs === undefined ? undefined : ctx.now) : '';
    return ok(body);
  };
  const route: Route = { method: 'GET', path: def.path, handle };
  if (def.filters !== undefined) route.filterFields = Object.keys(def.filters);
  if (def.orderBy !== undefined) route.orderFields = Object.keys(def.orderBy);
  if (def.table !== undefined) route.table = def.table;
  return route;
}

export interface ItemDef<K> {
  path: string;
  /** The row the path names; throws notFound (or badRequest) when there is none. */
  find: (ctx: RestCtx) => K;
  props: Getters<K>;
  fields?: FieldsParam;
}

export function itemRoute<K>(def: ItemDef<K>): Route {
  return {
    method: 'GET',
    path: def.path,
    handle: (ctx) => {
      const names = selectFields(def.fields, ctx.query);
      return ok(render(def.props, def.find(ctx), ctx, names));
    },
  };
}

/**
 * The by-id route of a table-backed resource: the path's last parameter names a live row of
 * `table` (`what` is the resource in the 404's message).
 */
export function rowRoute(path: string, table: string, what: string, props: Getters<number>, fields?: FieldsParam): Route {
  const param = /\{([^}]+)\}[^{]*$/.exec(path)?.[1] ?? 'id';
  const def: ItemDef<number> = { path, find: (ctx) => existing(ctx.data.table(table), pathId(ctx, param), what), props };
  return itemRoute(fields === undefined ? def : { ...def, fields });
}

/** The list of a table's rows (ascending id), changed by the Mutator after every page. */
export function tableList(table: string, def: Omit<ListDef<number>, 'keys' | 'table'>): Route {
  return listRoute({ ...def, keys: tableKeys(table), table });
}

/** A keys function over a table's live ids. */
export function tableKeys(table: string): (ctx: RestCtx) => number[] {
  return (ctx) => [...ctx.data.table(table).ids()];
}
