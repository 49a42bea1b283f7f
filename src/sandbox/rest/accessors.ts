import type { RowValue } from '../columns.js';
import type { RestCtx } from './context.js';
import { asFlag, asMs, asNum, asRef, asRefId, asStr, asTime, RowView } from './wire.js';

/**
 * Getters of one column of a table-backed resource, for property maps, filters and order_by
 * alike: `text('Contact', 'FirstName')` is `(id, ctx) => the contact's first name`. They read the
 * value straight from the table (no view object per call: a page of a thousand contacts runs
 * them tens of thousands of times).
 */

export type ColumnGetter<T> = (id: number, ctx: RestCtx) => T | undefined;

export function view(ctx: RestCtx, table: string, id: number): RowView {
  return new RowView(ctx.data.table(table), id);
}

const column =
  <T>(convert: (v: RowValue) => T | undefined) =>
  (table: string, name: string): ColumnGetter<T> =>
  (id, ctx) =>
    convert(ctx.data.table(table).value(id, name));

export const text = column(asStr);
export const num = column(asNum);
/** Epoch ms of a date column (for filters and ordering). */
export const ms = column(asMs);
/** ISO 8601 of a date column (for rendering). */
export const time = column(asTime);
/** A reference column as an id string. */
export const ref = column(asRef);
export const refId = column(asRefId);
export const flag = column(asFlag);

/** Text of the row that `via` points to: `joined('Lead', 'StatusID', 'Status', 'StatusName')`. */
export const joined =
  (table: string, via: string, target: string, name: string): ColumnGetter<string> =>
  (id, ctx) => {
    const fk = asRefId(ctx.data.table(table).value(id, via));
    return fk === undefined ? undefined : asStr(ctx.data.table(target).value(fk, name));
  };

/** The row's own id, as text. */
export const idText = (id: number): string => String(id);
export const self = (id: number): number => id;
