import type { RowValue } from '../columns.js';
import type { SandboxTable } from '../data.js';
import type { WallClock } from '../wall-clock.js';

/**
 * Values as Keap's REST v2 sends them. The OpenAPI file declares no nullable type, so an absent
 * value is an absent property: every helper here answers `undefined` for "leave it out", which
 * JSON.stringify drops. Ids travel as strings, instants as ISO 8601 UTC, money as numbers with
 * cents (or a CurrencyValue where the schema says so).
 */

export type Json = string | number | boolean | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json | undefined;
}

/** An instant (UTC epoch ms) as Keap's REST writes it: `2025-11-02T05:13:07.000Z`. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A calendar date (stored as the app's local midnight) as `YYYY-MM-DD`. */
export function calendarDate(wall: WallClock, ms: number): string {
  return iso(wall.toLocal(ms)).slice(0, 10);
}

export function cents(n: number): number {
  return Math.round(n * 100) / 100;
}

const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/**
 * Keap's CurrencyValue: `amount` is an int64, so it carries the smallest unit (cents); the
 * formatted text shows dollars. The sandbox account bills in USD.
 */
export function currencyValue(amount: number): JsonObject {
  return { amount: Math.round(amount * 100), currency_code: 'USD', formatted_amount: USD.format(amount) };
}

/** Only the defined entries: arrays must never carry a hole (it would travel as null). */
export function defined<T>(items: readonly (T | undefined)[]): T[] {
  return items.filter((x): x is T => x !== undefined);
}

/** The object, or undefined when every property is absent (an empty nested object says nothing). */
export function nonEmpty(o: JsonObject): JsonObject | undefined {
  for (const v of Object.values(o)) if (v !== undefined) return o;
  return undefined;
}

/** Text, or a number as text; empty text is absent. */
export function asStr(v: RowValue): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  return typeof v === 'number' ? String(v) : undefined;
}

export function asNum(v: RowValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A positive id (Keap stores "none" as 0). */
export function asRefId(v: RowValue): number | undefined {
  const n = asNum(v);
  return n !== undefined && n > 0 ? n : undefined;
}

/** A reference to another row as text. */
export function asRef(v: RowValue): string | undefined {
  const n = asRefId(v);
  return n === undefined ? undefined : String(n);
}

export function asMs(v: RowValue): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** An instant as ISO 8601 UTC. */
export function asTime(v: RowValue): string | undefined {
  return typeof v === 'number' ? iso(v) : undefined;
}

/** Keap's yes/no columns: 1/0 integers or booleans. */
export function asFlag(v: RowValue): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' && v !== '') return v === '1' || v.toLowerCase() === 'true';
  return undefined;
}

/** One row of one table, read column by column in the forms the wire needs. */
export class RowView {
  constructor(
    readonly table: SandboxTable,
    readonly id: number,
  ) {}

  raw(column: string): RowValue {
    return this.table.value(this.id, column);
  }

  str(column: string): string | undefined {
    return asStr(this.raw(column));
  }

  num(column: string): number | undefined {
    return asNum(this.raw(column));
  }

  ref(column: string): string | undefined {
    return asRef(this.raw(column));
  }

  refId(column: string): number | undefined {
    return asRefId(this.raw(column));
  }

  time(column: string): string | undefined {
    return asTime(this.raw(column));
  }

  ms(column: string): number | undefined {
    return asMs(this.raw(column));
  }

  flag(column: string): boolean | undefined {
    return asFlag(this.raw(column));
  }
}
