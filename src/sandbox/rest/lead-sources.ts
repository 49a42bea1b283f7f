import { idText, ms, num, ref, self, text, time } from './accessors.js';
import { pathId, type RestCtx, type Route } from './context.js';
import { notFound } from './errors.js';
import { ALL_OPS, textField, type FilterFields } from './filter.js';
import { itemRoute, listRoute, rowRoute, tableList, type Getters, type ListDef } from './list.js';
import { createdAt, existing, rowsWhere, updatedAt } from './relations.js';
import { currencyValue, iso } from './wire.js';

/**
 * Lead sources (LeadSource, LeadSourceCategory) and what they cost: one-off expenses
 * (LeadSourceExpense) and recurring ones (LeadSourceRecurringExpense) with the expenses each has
 * incurred. These tables keep no create/update stamps: rows date from their place in the history
 * until a change stamps them.
 */

const created = (table: string) => (id: number, ctx: RestCtx) => createdAt(ctx.data, table, id);
const updated = (table: string) => (id: number, ctx: RestCtx) => updatedAt(ctx.data, table, id);
const stamps = (table: string): Getters<number> => ({
  create_time: (id, ctx) => iso(createdAt(ctx.data, table, id)),
  update_time: (id, ctx) => iso(updatedAt(ctx.data, table, id)),
});
const money = (table: string, column: string) => (id: number, ctx: RestCtx) => {
  const v = num(table, column)(id, ctx);
  return v === undefined ? undefined : currencyValue(v);
};

const LS = (column: string) => text('LeadSource', column);

const SOURCE_PROPS: Getters<number> = {
  id: idText,
  name: LS('Name'),
  description: LS('Description'),
  vendor: LS('Vendor'),
  medium: LS('Medium'),
  message: LS('Message'),
  status: (id, ctx) => LS('Status')(id, ctx)?.toUpperCase(),
  lead_source_category_id: ref('LeadSource', 'LeadSourceCategoryId'),
  start_time: time('LeadSource', 'StartDate'),
  end_time: time('LeadSource', 'EndDate'),
  ...stamps('LeadSource'),
};

const CATEGORY_PROPS: Getters<number> = {
  id: idText,
  name: text('LeadSourceCategory', 'Name'),
  description: text('LeadSourceCategory', 'Description'),
  ...stamps('LeadSourceCategory'),
};

const EXPENSE_PROPS: Getters<number> = {
  id: idText,
  title: text('LeadSourceExpense', 'Title'),
  notes: text('LeadSourceExpense', 'Notes'),
  amount: money('LeadSourceExpense', 'Amount'),
  lead_source_id: ref('LeadSourceExpense', 'LeadSourceId'),
  lead_source_recurring_expense_id: ref('LeadSourceExpense', 'LeadSourceRecurringExpenseId'),
  ...stamps('LeadSourceExpense'),
  incurred_time: time('LeadSourceExpense', 'DateIncurred'),
};

const RECURRING_PROPS: Getters<number> = {
  id: idText,
  title: text('LeadSourceRecurringExpense', 'Title'),
  notes: text('LeadSourceRecurringExpense', 'Notes'),
  amount: money('LeadSourceRecurringExpense', 'Amount'),
  lead_source_id: ref('LeadSourceRecurringExpense', 'LeadSourceId'),
  start_time: time('LeadSourceRecurringExpense', 'StartDate'),
  end_time: time('LeadSourceRecurringExpense', 'EndDate'),
  next_expense_time: time('LeadSourceRecurringExpense', 'NextExpenseDate'),
  ...stamps('LeadSourceRecurringExpense'),
};

/** Equality on title, amount and the instants the description lists, and order_by on the same. */
function costQuery(table: string, times: Readonly<Record<string, string>>): Pick<ListDef<number>, 'filters' | 'orderBy' | 'props' | 'table'> {
  const instants = Object.fromEntries(Object.entries(times).map(([field, column]) => [field, ms(table, column)]));
  instants['create_time'] = created(table);
  instants['update_time'] = updated(table);
  const filters: FilterFields<number> = {
    title: textField(text(table, 'Title')),
    amount: { kind: 'number', get: num(table, 'Amount') },
    ...Object.fromEntries(Object.entries(instants).map(([field, get]) => [field, { kind: 'time' as const, get }])),
  };
  return { filters, orderBy: { title: text(table, 'Title'), amount: num(table, 'Amount'), ...instants }, props: table === 'LeadSourceExpense' ? EXPENSE_PROPS : RECURRING_PROPS, table };
}

const EXPENSES = costQuery('LeadSourceExpense', { incurred_time: 'DateIncurred' });
const RECURRING = costQuery('LeadSourceRecurringExpense', { start_time: 'StartDate', end_time: 'EndDate', next_expense_time: 'NextExpenseDate' });

const sourceId = (ctx: RestCtx): number => existing(ctx.data.table('LeadSource'), pathId(ctx, 'lead_source_id'), 'LeadSource');

/** A child row named in the path, which must belong to the lead source the path names. */
function child(ctx: RestCtx, table: string, param: string, what: string): number {
  const source = sourceId(ctx);
  const id = pathId(ctx, param);
  if (!rowsWhere(ctx.data, table, 'LeadSourceId', source).includes(id)) throw notFound(what, String(id));
  return id;
}

export function leadSourceRoutes(): Route[] {
  return [
    tableList('LeadSource', {
      path: '/leadSources',
      items: 'lead_sources',
      props: SOURCE_PROPS,
      filters: {
        id: { kind: 'number', positive: true, ops: ALL_OPS, get: self },
        name: textField(LS('Name'), true),
        status: { kind: 'enum', values: ['ACTIVE', 'INACTIVE'], get: LS('Status') },
        lead_source_category_id: { kind: 'number', integer: true, get: num('LeadSource', 'LeadSourceCategoryId') },
        vendor: textField(LS('Vendor'), true),
        medium: textField(LS('Medium'), true),
        message: textField(LS('Message'), true),
        description: textField(LS('Description'), true),
        start_time: { kind: 'since', get: ms('LeadSource', 'StartDate') },
        end_time: { kind: 'until', get: ms('LeadSource', 'EndDate') },
      },
      orderBy: {
        name: LS('Name'),
        status: LS('Status'),
        vendor: LS('Vendor'),
        medium: LS('Medium'),
        start_time: ms('LeadSource', 'StartDate'),
        end_time: ms('LeadSource', 'EndDate'),
        create_time: created('LeadSource'),
        update_time: updated('LeadSource'),
      },
    }),
    itemRoute({ path: '/leadSources/{lead_source_id}', find: sourceId, props: SOURCE_PROPS }),
    listRoute({ path: '/leadSources/{lead_source_id}/expenses', items: 'lead_source_expenses', keys: (ctx) => [...rowsWhere(ctx.data, 'LeadSourceExpense', 'LeadSourceId', sourceId(ctx))], ...EXPENSES }),
    itemRoute({ path: '/leadSources/{lead_source_id}/expenses/{lead_source_expense_id}', find: (ctx) => child(ctx, 'LeadSourceExpense', 'lead_source_expense_id', 'LeadSourceExpense'), props: EXPENSE_PROPS }),
    listRoute({
      path: '/leadSources/{lead_source_id}/recurringExpenses',
      items: 'lead_source_recurring_expenses',
      keys: (ctx) => [...rowsWhere(ctx.data, 'LeadSourceRecurringExpense', 'LeadSourceId', sourceId(ctx))],
      ...RECURRING,
    }),
    itemRoute({
      path: '/leadSources/{lead_source_id}/recurringExpenses/{lead_source_recurring_expense_id}',
      find: (ctx) => child(ctx, 'LeadSourceRecurringExpense', 'lead_source_recurring_expense_id', 'LeadSourceRecurringExpense'),
      props: RECURRING_PROPS,
    }),
    listRoute({
      path: '/leadSources/{lead_source_id}/recurringExpenses/{lead_source_recurring_expense_id}/expenses',
      items: 'lead_source_expenses',
      keys: (ctx) => [...rowsWhere(ctx.data, 'LeadSourceExpense', 'LeadSourceRecurringExpenseId', child(ctx, 'LeadSourceRecurringExpense', 'lead_source_recurring_expense_id', 'LeadSourceRecurringExpense'))],
      ...EXPENSES,
    }),
    tableList('LeadSourceCategory', {
      path: '/leadSourceCategories',
      items: 'lead_source_categories',
      props: CATEGORY_PROPS,
      filters: { name: textField(text('LeadSourceCategory', 'Name'), true), description: textField(text('LeadSourceCategory', 'Description'), true) },
      orderBy: { name: text('LeadSourceCategory', 'Name') },
    }),
    rowRoute('/leadSourceCategories/{lead_source_category_id}', 'LeadSourceCategory', 'LeadSourceCategory', CATEGORY_PROPS),
  ];
}
