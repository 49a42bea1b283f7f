import { isStruct, XmlRpcBase64, XmlRpcDateTime, XmlRpcDouble, type XmlRpcStruct, type XmlRpcValue } from '../xmlrpc/types.js';
import type { ColumnKind, RowValue } from './columns.js';
import type { SandboxTable } from './data.js';
import { invalidParameter, noFieldAccess, noFieldFound } from './keap-fault.js';
import { parseWallText, type WallClock } from './wall-clock.js';

/**
 * One member of a DataService queryData struct, read the way Keap reads it (keap-api.md §2b):
 * exact match (case-insensitive for text), `%` LIKE, `~null~`, `~<>~ ~>~ ~>=~ ~<~ ~<=~` with or
 * without a space after the operator, and IN as an XML-RPC array. Members are ANDed.
 *
 * Comparisons follow SQL, which is what answers Keap queries: a null column fails every test except
 * `~null~`, and `~null~` does not match an empty string. Dates compare on the app's wall clock,
 * the reading Keap stores, so '2025-11-02 01:30:00' matches both 01:30s of the repeated hour.
 */

/** A value in sort/compare space: numbers (dates as wall-clock local ms), lowercased text. */
export type Key = number | string;

export interface KeyRange {
  lo: Key | null;
  loOpen: boolean;
  hi: Key | null;
  hiOpen: boolean;
}

export interface Condition {
  field: string;
  test: (v: RowValue) => boolean;
  /** Keys this condition admits, when they form one interval (lets a sorted scan start late). */
  range: KeyRange | null;
  /** For IN: the admitted keys, sorted (lets an Id scan visit only those ids). */
  list: Key[] | null;
}

/** Checks a field name against a table: fault 10 when unknown, 8 when unreadable. */
export function checkField(table: SandboxTable, field: string): ColumnKind {
  const kind = table.columns.get(field);
  if (kind !== undefined) return kind;
  if (table.unreadable.has(field)) throw noFieldAccess(table.name, field);
  throw noFieldFound(table.name, field);
}

export function parseConditions(table: SandboxTable, queryData: XmlRpcStruct, wall: WallClock): Condition[] {
  return Object.entries(queryData).map(([field, raw]) => condition(field, checkField(table, field), raw, wall));
}

/** The key of a value in a column: how rows sort and compare. Null stays null. */
export function keyOf(kind: ColumnKind, v: RowValue, wall: WallClock): Key | null {
  if (v === null) return null;
  switch (kind) {
    case 'int':
    case 'double':
    case 'bool':
      return typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : numberOrNull(v);
    case 'date':
      return typeof v === 'number' ? wall.toLocal(v) : null;
    default:
      return String(v).toLowerCase();
  }
}

function numberOrNull(s: string): number | null {
  const n = Number(s);
  return s.trim() !== '' && Number.isFinite(n) ? n : null;
}

const OPERATOR = /^~(<>|>=|<=|>|<)~\s*/;
const NEVER = (): boolean => false;

function condition(field: string, kind: ColumnKind, raw: XmlRpcValue, wall: WallClock): Condition {
  const key = (v: RowValue): Key | null => keyOf(kind, v, wall);
  const none: Omit<Condition, 'test'> = { field, range: null, list: null };

  if (raw === null) return { ...none, test: (v) => v === null };
  if (Array.isArray(raw)) {
    const keys = raw.map((item) => operandKey(kind, item, wall)).filter((k): k is Key => k !== null);
    const set = new Set<Key>(keys);
    const list = [...set].sort(compareKeys);
    return { ...none, list, test: (v) => {
      const k = key(v);
      return k !== null && set.has(k);
    } };
  }
  if (isStruct(raw)) throw invalidParameter(`queryData value for ${field} must be a string, number, date or array, not a struct`);
  if (typeof raw !== 'string') {
    const k = operandKey(kind, raw, wall);
    if (k === null) return { ...none, test: NEVER };
    return { ...none, range: { lo: k, loOpen: false, hi: k, hiOpen: false }, test: (v) => key(v) === k };
  }

  if (raw.trim().toLowerCase() === '~null~') return { ...none, test: (v) => v === null };
  const op = OPERATOR.exec(raw);
  if (op !== null) {
    const k = operandKey(kind, raw.slice(op[0].length), wall);
    if (k === null) return { ...none, test: NEVER };
    return comparison(field, op[1] ?? '', k, key);
  }
  if (raw.includes('%')) return like(field, kind, raw, wall);
  const k = operandKey(kind, raw, wall);
  if (k === null) return { ...none, test: NEVER };
  return { ...none, range: { lo: k, loOpen: false, hi: k, hiOpen: false }, test: (v) => key(v) === k };
}

function comparison(field: string, op: string, k: Key, key: (v: RowValue) => Key | null): Condition {
  const at = (test: (c: number) => boolean) => (v: RowValue): boolean => {
    const x = key(v);
    return x !== null && typeof x === typeof k && test(compareKeys(x, k));
  };
  switch (op) {
    case '<>':
      return { field, range: null, list: null, test: at((c) => c !== 0) };
    case '>':
      return { field, range: { lo: k, loOpen: true, hi: null, hiOpen: false }, list: null, test: at((c) => c > 0) };
    case '>=':
      return { field, range: { lo: k, loOpen: false, hi: null, hiOpen: false }, list: null, test: at((c) => c >= 0) };
    case '<':
      return { field, range: { lo: null, loOpen: false, hi: k, hiOpen: true }, list: null, test: at((c) => c < 0) };
    default:
      return { field, range: { lo: null, loOpen: false, hi: k, hiOpen: false }, list: null, test: at((c) => c <= 0) };
  }
}

/**
 * `%` matches any run of characters, case-insensitively, against the value as text; dates as
 * their wall-clock 'YYYY-MM-DD HH:MM:SS' text, so '2016-01-20%' is one wall-clock day.
 */
function like(field: string, kind: ColumnKind, pattern: string, wall: WallClock): Condition {
  const lower = pattern.toLowerCase();
  const text = (v: RowValue): string | null => {
    if (v === null) return null;
    if (kind === 'date') return typeof v === 'number' ? wall.formatQuery(v) : null;
    if (typeof v === 'boolean') return v ? '1' : '0';
    return String(v).toLowerCase();
  };
  const none = { field, range: null, list: null };
  if (/^%+$/.test(lower)) return { ...none, test: (v) => v !== null };
  const first = lower.indexOf('%');
  if (first === lower.length - 1) {
    const prefix = lower.slice(0, -1);
    return { ...none, test: (v) => text(v)?.startsWith(prefix) === true };
  }
  const re = new RegExp(`^${lower.split('%').map(escapeRegExp).join('.*')}$`, 's');
  return { ...none, test: (v) => {
    const t = text(v);
    return t !== null && re.test(t);
  } };
}

/** An operand in key space for a column kind; null when it cannot equal any value of that kind. */
function operandKey(kind: ColumnKind, raw: XmlRpcValue, wall: WallClock): Key | null {
  if (raw === null || Array.isArray(raw) || isStruct(raw) || raw instanceof XmlRpcBase64) return null;
  switch (kind) {
    case 'int':
    case 'double':
    case 'bool': {
      if (typeof raw === 'number') return raw;
      if (typeof raw === 'bigint') return Number(raw);
      if (typeof raw === 'boolean') return raw ? 1 : 0;
      if (raw instanceof XmlRpcDouble) return raw.value;
      if (raw instanceof XmlRpcDateTime) return null;
      const t = raw.trim().toLowerCase();
      if (kind === 'bool' && (t === 'true' || t === 'false')) return t === 'true' ? 1 : 0;
      return numberOrNull(t);
    }
    case 'date': {
      if (raw instanceof XmlRpcDateTime) return parseWallText(raw.text);
      if (typeof raw !== 'string') return null;
      return parseWallText(raw);
    }
    default: {
      if (raw instanceof XmlRpcDateTime) return raw.text.toLowerCase();
      if (raw instanceof XmlRpcDouble) return String(raw.value);
      return String(raw).toLowerCase();
    }
  }
}

export function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
