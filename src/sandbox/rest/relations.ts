import type { SandboxData, SandboxTable } from '../data.js';
import { DATA_END, DATA_START, floorSecond } from '../gen-kit.js';
import { hash4, hashString } from '../random.js';
import { notFound } from './errors.js';

/**
 * Joins between the sandbox's tables as REST nests them (an order's items, a tag's contacts) and
 * the few instants REST shows that a table does not hold. Indexes are rebuilt when the data
 * changes, so a row edited through XML-RPC, a test or the Mutator is seen at once.
 */

/**
 * Rows of a table by the value of one integer column, as one sorted Float64Array of
 * `value * SLOTS + position` (position in ascending-id order) beside the ids: two typed arrays
 * instead of a Map of arrays, so two million tag assignments index in a fraction of a second and
 * a few tens of MB.
 */
interface Index {
  version: number;
  keys: Float64Array;
  ids: Int32Array;
}

const SLOTS = 2 ** 26;
const indexes = new WeakMap<SandboxData, Map<string, Index>>();

function buildIndex(data: SandboxData, table: string, column: string): Index {
  const t = data.table(table);
  const ids = Int32Array.from(t.ids());
  const keys = new Float64Array(ids.length);
  let n = 0;
  ids.forEach((id, position) => {
    const v = t.value(id, column);
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < SLOTS) keys[n++] = v * SLOTS + position;
  });
  return { version: data.version, keys: keys.subarray(0, n).sort(), ids };
}

/** Live ids of `table` whose integer `column` equals `value`, ascending. */
export function rowsWhere(data: SandboxData, table: string, column: string, value: number): readonly number[] {
  let all = indexes.get(data);
  if (all === undefined) {
    all = new Map();
    indexes.set(data, all);
  }
  const name = `${table}.${column}`;
  let index = all.get(name);
  if (index === undefined || index.version !== data.version) {
    index = buildIndex(data, table, column);
    all.set(name, index);
  }
  const { keys, ids } = index;
  let lo = 0;
  let hi = keys.length;
  const from = value * SLOTS;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as number) < from) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < keys.length && (keys[i] as number) < from + SLOTS; i++) out.push(ids[(keys[i] as number) - from] as number);
  return out;
}

/** The row, or Keap's 404 naming what was asked for. */
export function existing(table: SandboxTable, id: number, what: string): number {
  if (!table.exists(id)) throw notFound(what, String(id));
  return id;
}

/**
 * A stable instant for a row of a table that keeps no date (tags, lead sources, files...), or of
 * a generated set of `count` items: spread over the generated history like the ids, so later ids
 * are younger.
 */
export function createdAt(data: SandboxData, table: string, id: number, count?: number): number {
  const size = Math.max(1, count ?? data.sizes[table] ?? 1);
  const jitter = hash4(data.seed, hashString(`rest:created:${table}`), id, 0) / 4294967296;
  const span = DATA_END - DATA_START;
  return floorSecond(DATA_START + Math.min(0.999, (Math.min(id, size) - 1 + jitter) / size) * span);
}

/** When the row last changed: its LastUpdated-like stamp of a change, else the created instant. */
export function updatedAt(data: SandboxData, table: string, id: number): number {
  return data.table(table).changedAt(id) ?? createdAt(data, table, id);
}

/** A stable small number for (what, id), the same for the same seed. */
export function pickOf(data: SandboxData, what: string, id: number, n: number): number {
  return hash4(data.seed, hashString(`rest:${what}`), id, 0) % n;
}

/** A stable UUID-shaped key for (what, id): Keap's "xid" style external keys. */
export function uuidOf(data: SandboxData, what: string, id: number): string {
  const salt = hashString(`rest:uuid:${what}`);
  const hex = [0, 1, 2, 3].map((i) => hash4(data.seed, salt, id, i).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
