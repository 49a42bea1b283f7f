import type { RestCtx } from './context.js';
import { RowView } from './wire.js';

/**
 * Getters of one column of a table-backed resource, for property maps, filters and order_by
 * alike: `text('Contact', 'FirstName')` is `(id, ctx) => the contact's first name`.
 */

export type ColumnGetter<T> = (id: number, ctx: RestCtx) => T | undefined;

export function view(ctx: RestCtx, table: string, id: number): RowView {
  return new RowView(ctx.data.table(table), id);
}

export const text =
  (table: string, column: string): ColumnGetter<string> =>
  (id, ctx) =>
    view(ctx, table, id).str(column);

export const num =
  (table: string, column: string): ColumnGetter<number> =>
  (id, ctx) =>
    view(ctx, table, id).num(column);

/** Epoch ms of a date column (for filters and ordering). */
export const ms =
  (table: string, column: string): ColumnGetter<number> =>
  (id, ctx) =>
    view(ctx, table, id).ms(column);

/** ISO 8601 of a date column (for rendering). */
export const time =
  (table: string, column: string): ColumnGetter<string> =>
  (id, ctx) =>
    view(ctx, table, id).time(column);

/** A reference column as an id string. */
export const ref =
  (table: string, column: string): ColumnGetter<string> =>
  (id, ctx) =>
    view(ctx, table, id).ref(column);

export const refId =
  (table: string, column: string): ColumnGetter<number> =>
  (id, ctx) =>
    view(ctx, table, id).refId(column);

export const flag =
  (table: string, column: string): ColumnGetter<boolean> =>
  (id, ctx) =>
    view(ctx, table, id).flag(column);

/** The row's own id, as text. */
export const idText = (id: number): string => String(id);
export const self = (id: number): number => id;
