import type { RestCtx } from './context.js';
import { badRequest } from './errors.js';

/**
 * Keap's `filter` parameter: `field<op>value` clauses joined by `;` (ANDed; an empty trailing
 * clause, as in Keap's own examples, is ignored). Each list route declares the fields its
 * swagger.yml description allows, with the operators and the trailing `*` (prefix match) each one
 * takes; anything else is a 400 whose message names the bad field, operator or value and what is
 * allowed. Text matches ignore case, as Keap's MySQL collation does.
 */

export type Op = '==' | '!=' | '>' | '<' | '>=' | '<=';
/** The comparisons most descriptions list: `==`, `>`, `<`, `>=`, `<=`. */
export const COMPARE: readonly Op[] = ['==', '>', '<', '>=', '<='];
export const ALL_OPS: readonly Op[] = ['==', '!=', '>', '<', '>=', '<='];

export type FilterField<K> =
  /** Equality on text; `wildcard`: `foo*` is a prefix match; `contains`: a bare value matches anywhere; `none`: `NONE` matches an absent value. */
  | { kind: 'text'; get: (k: K, ctx: RestCtx) => string | undefined; wildcard?: boolean; contains?: boolean; none?: boolean; ops?: readonly Op[] }
  | { kind: 'number'; get: (k: K, ctx: RestCtx) => number | undefined; integer?: boolean; positive?: boolean; ops?: readonly Op[] }
  | { kind: 'bool'; get: (k: K, ctx: RestCtx) => boolean | undefined }
  /** One of a fixed set of values (compared without case). */
  | { kind: 'enum'; values: readonly string[]; get: (k: K, ctx: RestCtx) => string | undefined }
  /** A comma-separated list of ids: matches when the row's id (or any of its ids) is listed. */
  | { kind: 'ids'; get: (k: K, ctx: RestCtx) => number | readonly number[] | undefined; max?: number }
  /** A comma-separated list of texts (emails, statuses); `values` restricts what may be listed. */
  | { kind: 'texts'; get: (k: K, ctx: RestCtx) => string | undefined; values?: readonly string[] }
  /** Inclusive lower / upper bound on an instant; `dateOnly` also accepts `YYYY-MM-DD` (UTC midnight). */
  | { kind: 'since' | 'until'; get: (k: K, ctx: RestCtx) => number | undefined; dateOnly?: boolean }
  /** An instant compared with the operators given (default `==` only). */
  | { kind: 'time'; get: (k: K, ctx: RestCtx) => number | undefined; ops?: readonly Op[] }
  /**
   * Anything else: the value is parsed once (throw badRequest to refuse it; the other clauses are
   * there for fields that depend on each other), then tested per row.
   */
  | { kind: 'test'; parse: (value: string, field: string, clauses: readonly Clause[]) => unknown; test: (k: K, value: unknown, ctx: RestCtx) => boolean };

export type FilterFields<K> = Readonly<Record<string, FilterField<K>>>;

/** A text field compared for equality; `wildcard` adds the trailing `*` prefix match. */
export function textField<K>(get: (k: K, ctx: RestCtx) => string | undefined, wildcard = false): FilterField<K> {
  return { kind: 'text', wildcard, get };
}

export interface Clause {
  field: string;
  op: Op;
  value: string;
}

export interface CompiledFilter<K> {
  clauses: Clause[];
  /** null when the filter keeps every row. */
  predicate: ((k: K) => boolean) | null;
}

const CLAUSE = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(==|!=|>=|<=|>|<|=)\s*(.*?)\s*$/s;

export function parseClauses(text: string): Clause[] {
  const out: Clause[] = [];
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const m = CLAUSE.exec(part);
    if (m === null) throw badRequest(`Invalid filter clause '${part.trim()}': expected field==value (operators ==, !=, >, <, >=, <=)`);
    const [, field = '', op = '', value = ''] = m;
    if (op === '=') throw badRequest(`Invalid filter clause '${part.trim()}': the equality operator is ==`);
    out.push({ field, op: op as Op, value });
  }
  return out;
}

/**
 * Compiles `text` against the route's fields. `custom` resolves names no standard field has
 * (custom fields by field_name, where the description allows them); standard fields win.
 */
export function compileFilter<K>(text: string, fields: FilterFields<K>, ctx: RestCtx, custom?: (name: string) => FilterField<K> | undefined): CompiledFilter<K> {
  const clauses = parseClauses(text);
  const tests = clauses.map((c) => {
    const field = fields[c.field] ?? custom?.(c.field);
    if (field === undefined) {
      const names = Object.keys(fields);
      const allowed = names.length === 0 ? 'this endpoint takes no filter fields' : `allowed fields: ${names.join(', ')}`;
      throw badRequest(`Invalid filter field '${c.field}': ${allowed}${custom ? ", or a custom field's field_name" : ''}`);
    }
    return compileClause(field, c, clauses, ctx);
  });
  if (tests.length === 0) return { clauses, predicate: null };
  return { clauses, predicate: (k) => tests.every((t) => t(k)) };
}

function allowOp(c: Clause, ops: readonly Op[]): void {
  if (!ops.includes(c.op)) throw badRequest(`Operator '${c.op}' is not allowed for filter field '${c.field}': allowed ${ops.join(', ')}`);
}

function badValue(c: Clause, expected: string): never {
  throw badRequest(`Invalid value '${c.value}' for filter field '${c.field}': expected ${expected}`);
}

function compileClause<K>(f: FilterField<K>, c: Clause, clauses: readonly Clause[], ctx: RestCtx): (k: K) => boolean {
  switch (f.kind) {
    case 'text':
      return textClause(f, c, ctx);
    case 'number': {
      allowOp(c, f.ops ?? ['==']);
      const n = Number(c.value);
      const integral = f.integer === true || f.positive === true;
      if (c.value === '' || !Number.isFinite(n) || (integral && !Number.isInteger(n))) badValue(c, integral ? 'an integer' : 'a number');
      if (f.positive === true && n <= 0) badValue(c, 'a positive integer');
      return (k) => compare(f.get(k, ctx), c.op, n);
    }
    case 'bool': {
      allowOp(c, ['==']);
      const v = c.value.toLowerCase();
      if (v !== 'true' && v !== 'false') badValue(c, 'true or false');
      const want = v === 'true';
      return (k) => (f.get(k, ctx) ?? false) === want;
    }
    case 'enum': {
      allowOp(c, ['==']);
      const v = f.values.find((x) => x.toLowerCase() === c.value.toLowerCase());
      if (v === undefined) badValue(c, `one of ${f.values.join(', ')}`);
      return (k) => f.get(k, ctx)?.toLowerCase() === v.toLowerCase();
    }
    case 'ids': {
      allowOp(c, ['==']);
      const ids = c.value.split(',').map((s) => s.trim());
      if (ids.some((s) => !/^\d+$/.test(s))) badValue(c, 'a comma-separated list of ids');
      if (f.max !== undefined && ids.length > f.max) badValue(c, `at most ${f.max} ids`);
      const set = new Set(ids.map(Number));
      return (k) => {
        const v = f.get(k, ctx);
        if (v === undefined) return false;
        return typeof v === 'number' ? set.has(v) : v.some((x) => set.has(x));
      };
    }
    case 'texts': {
      allowOp(c, ['==']);
      const items = c.value.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
      if (items.length === 0) badValue(c, 'a comma-separated list');
      const values = f.values;
      if (values !== undefined) {
        const bad = items.find((s) => !values.some((v) => v.toLowerCase() === s));
        if (bad !== undefined) badValue(c, `a comma-separated list of ${values.join(', ')}`);
      }
      const set = new Set(items);
      return (k) => set.has(f.get(k, ctx)?.toLowerCase() ?? '\u0000');
    }
    case 'since':
    case 'until': {
      allowOp(c, ['==']);
      const t = parseInstant(c.value, f.dateOnly === true);
      if (t === null) badValue(c, f.dateOnly === true ? 'an ISO 8601 date or date-time' : INSTANT);
      return f.kind === 'since' ? (k) => (f.get(k, ctx) ?? -Infinity) >= t : (k) => (f.get(k, ctx) ?? Infinity) <= t;
    }
    case 'time': {
      allowOp(c, f.ops ?? ['==']);
      const t = parseInstant(c.value, false);
      if (t === null) badValue(c, INSTANT);
      return (k) => compare(f.get(k, ctx), c.op, t);
    }
    case 'test': {
      allowOp(c, ['==']);
      const parsed = f.parse(c.value, c.field, clauses);
      return (k) => f.test(k, parsed, ctx);
    }
  }
}

export const INSTANT = 'a full ISO 8601 date-time with a time zone, e.g. 2025-04-16T20:33:02.321Z';

function textClause<K>(f: Extract<FilterField<K>, { kind: 'text' }>, c: Clause, ctx: RestCtx): (k: K) => boolean {
  allowOp(c, f.ops ?? ['==']);
  const value = c.value;
  if (f.none === true && value === 'NONE') return (k) => (f.get(k, ctx) ?? '') === '';
  if (value.startsWith('*') || value.slice(0, -1).includes('*')) {
    throw badRequest(`Invalid value '${value}' for filter field '${c.field}': only a trailing '*' (prefix match) is supported`);
  }
  if (value.endsWith('*')) {
    if (f.wildcard !== true) throw badRequest(`Filter field '${c.field}' does not support the '*' wildcard`);
    const prefix = value.slice(0, -1).toLowerCase();
    return (k) => f.get(k, ctx)?.toLowerCase().startsWith(prefix) ?? false;
  }
  const want = value.toLowerCase();
  if (f.contains === true) return (k) => f.get(k, ctx)?.toLowerCase().includes(want) ?? false;
  if (c.op === '!=') return (k) => f.get(k, ctx)?.toLowerCase() !== want;
  return (k) => f.get(k, ctx)?.toLowerCase() === want;
}

function compare(v: number | undefined, op: Op, x: number): boolean {
  if (v === undefined) return op === '!=';
  switch (op) {
    case '==':
      return v === x;
    case '!=':
      return v !== x;
    case '>':
      return v > x;
    case '<':
      return v < x;
    case '>=':
      return v >= x;
    case '<=':
      return v <= x;
  }
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?))?$/;

/**
 * A full ISO 8601 instant (date, time and zone; seconds and fractions optional), or with
 * `dateOnly` a bare date taken as UTC midnight. Null for anything else, impossible dates included.
 */
export function parseInstant(text: string, dateOnly: boolean): number | null {
  const m = ISO.exec(text.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (h === undefined && !dateOnly) return null;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  const millis = Number((frac ?? '0').padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const back = new Date(local);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  let offset = 0;
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000 * (zone.startsWith('-') ? -1 : 1);
  }
  return local - offset;
}
