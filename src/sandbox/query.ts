import type { ColumnKind, RowValue } from './columns.js';
import { compareKeys, keyOf, type Condition, type Key, type KeyRange } from './conditions.js';
import type { SandboxData, SandboxTable } from './data.js';

/**
 * Runs DataService queries over the generated tables without materialising them.
 *
 * Ordered by Id (the default, and what keyset paging asks for) a query walks ids in order, starting
 * where its Id conditions allow: `Id ~>~ N` ascending starts at N+1. (The row number is the
 * table's rowKey column: RecurringOrderId in RecurringOrderWithContact, whose Id is the contact's.) Ordered by another column it
 * walks a sorted index of the base rows, built once per (table, column) from that column's function
 * alone and binary-searched when a condition bounds the same column, then merges in the overlay's
 * rows. Every candidate is tested one condition column at a time, so a filter on LastUpdated costs
 * one column function per row, never a whole row.
 *
 * Keap pages by number (`page` 0-based); a client walking page 0, 1, 2... of the same query resumes
 * the previous walk instead of skipping from the start each time.
 */

export interface QuerySpec {
  table: SandboxTable;
  conditions: Condition[];
  /** Null: row number ascending (the rowKey column: Id, RecurringOrderId, or none). */
  orderBy: string | null;
  ascending: boolean;
  /** Identifies equal queries across requests (the serialized queryData). */
  signature: string;
}

interface SortedIndex {
  /** Base ids: first `nulls` ids whose value is null (by id), then the rest by (key, id). */
  ids: Int32Array;
  nums: Float64Array | null;
  strs: string[] | null;
  nulls: number;
  /** data.version the index was built at, for joined columns; null when it never goes stale. */
  version: number | null;
}

interface Walk {
  it: Iterator<number>;
  nextPage: number;
  version: number;
}

const MAX_WALKS = 32;

export class QueryEngine {
  private readonly indexes = new Map<string, SortedIndex>();
  private readonly walks = new Map<string, Walk>();

  constructor(private readonly data: SandboxData) {}

  /** The ids on one page, in order. */
  page(spec: QuerySpec, limit: number, page: number): number[] {
    const out: number[] = [];
    if (limit <= 0) return out;
    const key = `${spec.table.name}\u0000${spec.signature}\u0000${spec.orderBy ?? ''}\u0000${spec.ascending}\u0000${limit}`;
    let walk = this.walks.get(key);
    if (walk === undefined || walk.nextPage !== page || walk.version !== this.data.version) {
      walk = { it: this.matches(spec), nextPage: 0, version: this.data.version };
      for (let skip = page * limit; skip > 0; skip--) if (walk.it.next().done === true) break;
    }
    while (out.length < limit) {
      const r = walk.it.next();
      if (r.done === true) break;
      out.push(r.value);
    }
    walk.nextPage = page + 1;
    this.walks.delete(key);
    this.walks.set(key, walk);
    if (this.walks.size > MAX_WALKS) {
      const oldest = this.walks.keys().next();
      if (oldest.done !== true) this.walks.delete(oldest.value);
    }
    return out;
  }

  count(table: SandboxTable, conditions: Condition[]): number {
    if (conditions.length === 0) return table.count();
    let n = 0;
    for (const _ of this.matches({ table, conditions, orderBy: null, ascending: true, signature: '' })) n++;
    return n;
  }

  /** Every matching id in the query's order. */
  matches(spec: QuerySpec): IterableIterator<number> {
    const order = spec.orderBy === null || spec.orderBy === spec.table.rowKey ? null : spec.orderBy;
    const ascending = spec.orderBy === null ? true : spec.ascending;
    return order === null ? this.byId(spec.table, spec.conditions, ascending) : this.byColumn(spec.table, spec.conditions, order, ascending);
  }

  private *byId(table: SandboxTable, conditions: Condition[], ascending: boolean): IterableIterator<number> {
    const passes = tester(table, conditions);
    const changed = table.changed;
    const idConds = table.rowKey === null ? [] : conditions.filter((c) => c.field === table.rowKey);
    const list = idList(idConds);
    if (list !== null) {
      const ordered = ascending ? list : [...list].reverse();
      for (const id of ordered) if (table.exists(id) && passes(id)) yield id;
      return;
    }
    const [lo, hi] = idBounds(idConds);
    const inserted = changed ? table.insertedIds().filter((id) => id >= lo && id <= hi) : [];
    const baseLo = Math.max(1, lo);
    const baseHi = Math.min(table.baseCount, hi);
    if (ascending) {
      for (let id = baseLo; id <= baseHi; id++) {
        if (changed && !table.exists(id)) continue;
        if (passes(id)) yield id;
      }
      for (const id of inserted) if (passes(id)) yield id;
    } else {
      for (let i = inserted.length - 1; i >= 0; i--) {
        const id = inserted[i] as number;
        if (passes(id)) yield id;
      }
      for (let id = baseHi; id >= baseLo; id--) {
        if (changed && !table.exists(id)) continue;
        if (passes(id)) yield id;
      }
    }
  }

  private *byColumn(table: SandboxTable, conditions: Condition[], field: string, ascending: boolean): IterableIterator<number> {
    const kind = table.columns.get(field) ?? 'string';
    const passes = tester(table, conditions);
    const index = this.index(table, field, kind);
    const [start, end] = span(index, conditions.find((c) => c.field === field && c.range !== null)?.range ?? null);
    const wall = this.data.wall;

    // Rows in the overlay (edited or inserted) sort by their current value, beside the base walk.
    const extra: { id: number; key: Key | null }[] = [];
    if (table.changed) {
      for (const id of [...table.overlaidBaseIds(), ...table.insertedIds()]) {
        if (table.exists(id) && passes(id)) extra.push({ id, key: keyOf(kind, table.value(id, field), wall) });
      }
      extra.sort((a, b) => compareEntries(a.key, a.id, b.key, b.id));
      if (!ascending) extra.reverse();
    }
    const skip = table.changed ? new Set(table.overlaidBaseIds()) : null;
    let e = 0;
    const step = ascending ? 1 : -1;
    for (let pos = ascending ? start : end - 1; ascending ? pos < end : pos >= start; pos += step) {
      const id = index.ids[pos] as number;
      if (skip?.has(id) === true || !passes(id)) continue;
      const key = keyAt(index, pos);
      while (e < extra.length) {
        const x = extra[e] as { id: number; key: Key | null };
        const c = compareEntries(x.key, x.id, key, id);
        if (ascending ? c < 0 : c > 0) {
          yield x.id;
          e++;
        } else break;
      }
      yield id;
    }
    for (; e < extra.length; e++) yield (extra[e] as { id: number }).id;
  }

  /** The base rows sorted by one column, built on first use. */
  private index(table: SandboxTable, field: string, kind: ColumnKind): SortedIndex {
    const name = `${table.name}.${field}`;
    const join = table.joins.get(field);
    const cached = this.indexes.get(name);
    if (cached !== undefined && (cached.version === null || cached.version === this.data.version)) return cached;
    const gen = table.gens.get(field);
    const wall = this.data.wall;
    const value = (id: number): RowValue => (gen !== undefined ? gen(id) : join !== undefined ? table.joinValue(id, join) : null);
    const n = table.baseCount;
    const keys: (Key | null)[] = new Array<Key | null>(n + 1);
    const nullIds: number[] = [];
    const valued: number[] = [];
    let numeric = true;
    for (let id = 1; id <= n; id++) {
      const k = keyOf(kind, value(id), wall);
      keys[id] = k;
      if (k === null) nullIds.push(id);
      else {
        valued.push(id);
        if (typeof k !== 'number') numeric = false;
      }
    }
    const order = Int32Array.from(valued);
    if (numeric) {
      const nk = new Float64Array(n + 1);
      for (const id of valued) nk[id] = keys[id] as number;
      order.sort((a, b) => (nk[a] as number) - (nk[b] as number) || a - b);
    } else {
      order.sort((a, b) => compareKeys(keys[a] as Key, keys[b] as Key) || a - b);
    }
    const ids = new Int32Array(n);
    ids.set(nullIds, 0);
    ids.set(order, nullIds.length);
    const index: SortedIndex = {
      ids,
      nums: numeric ? Float64Array.from(order, (id) => keys[id] as number) : null,
      strs: numeric ? null : Array.from(order, (id) => String(keys[id])),
      nulls: nullIds.length,
      version: join === undefined ? null : this.data.version,
    };
    this.indexes.set(name, index);
    return index;
  }
}

/** A per-id test of all conditions, reading only the columns they name. */
function tester(table: SandboxTable, conditions: Condition[]): (id: number) => boolean {
  if (conditions.length === 0) return () => true;
  const getters = conditions.map((c) => {
    const gen = table.gens.get(c.field);
    const test = c.test;
    // Untouched tables read the column function straight; otherwise through the overlay.
    if (gen !== undefined && !table.changed) return (id: number) => test(gen(id));
    return (id: number) => test(table.value(id, c.field));
  });
  if (getters.length === 1) return getters[0] as (id: number) => boolean;
  return (id) => {
    for (const g of getters) if (!g(id)) return false;
    return true;
  };
}

/** IN lists on Id, intersected; null when there is none. */
function idList(conds: Condition[]): number[] | null {
  let list: number[] | null = null;
  for (const c of conds) {
    if (c.list === null) continue;
    const ids = c.list.filter((k): k is number => typeof k === 'number' && Number.isInteger(k));
    list = list === null ? ids : list.filter((id) => ids.includes(id));
  }
  return list;
}

/** The id interval Id conditions allow: `Id ~>~ 500` starts the walk at 501. */
function idBounds(conds: Condition[]): [number, number] {
  let lo = -Infinity;
  let hi = Infinity;
  for (const c of conds) {
    const r = c.range;
    if (r === null) continue;
    if (typeof r.lo === 'number') lo = Math.max(lo, r.loOpen ? Math.floor(r.lo) + 1 : Math.ceil(r.lo));
    if (typeof r.hi === 'number') hi = Math.min(hi, r.hiOpen ? Math.ceil(r.hi) - 1 : Math.floor(r.hi));
  }
  return [lo, hi];
}

function keyAt(index: SortedIndex, pos: number): Key | null {
  if (pos < index.nulls) return null;
  const i = pos - index.nulls;
  return index.nums !== null ? (index.nums[i] as number) : (index.strs?.[i] ?? null);
}

/** Positions [start, end) of the index a range admits (nulls never match a range). */
function span(index: SortedIndex, range: KeyRange | null): [number, number] {
  const total = index.ids.length;
  if (range === null) return [0, total];
  const sample = index.nums !== null ? 0 : '';
  if ((range.lo !== null && typeof range.lo !== typeof sample) || (range.hi !== null && typeof range.hi !== typeof sample)) return [0, total];
  const size = total - index.nulls;
  const at = (i: number): Key => (index.nums !== null ? (index.nums[i] as number) : (index.strs?.[i] ?? ''));
  // First position whose key is > k (after) or >= k (!after).
  const bound = (k: Key, after: boolean): number => {
    let a = 0;
    let b = size;
    while (a < b) {
      const m = (a + b) >>> 1;
      const c = compareKeys(at(m), k);
      if (c < 0 || (after && c === 0)) a = m + 1;
      else b = m;
    }
    return a;
  };
  const start = range.lo === null ? 0 : bound(range.lo, range.loOpen);
  const end = range.hi === null ? size : bound(range.hi, !range.hiOpen);
  return [index.nulls + start, index.nulls + Math.max(start, end)];
}

/** (key, id) order with nulls first, as MySQL sorts ascending. */
function compareEntries(ak: Key | null, aid: number, bk: Key | null, bid: number): number {
  if (ak === null || bk === null) {
    if (ak === null && bk === null) return aid - bid;
    return ak === null ? -1 : 1;
  }
  return compareKeys(ak, bk) || aid - bid;
}
