import { flag, idText, joined, ms, num, ref, self, text, time, view } from './accessors.js';
import { get, pathId, type RestCtx, type Route } from './context.js';
import { customValues, type ModelResource } from './custom-fields.js';
import { notFound } from './errors.js';
import { ALL_OPS, textField, type FilterFields } from './filter.js';
import { itemRoute, listRoute, tableList, type Getters } from './list.js';
import { basicContact, countryCode } from './people.js';
import { existing, rowsWhere, uuidOf } from './relations.js';
import { cents, currencyValue, iso, nonEmpty, RowView, type JsonObject } from './wire.js';

/**
 * Orders: a Job row with its Invoice (Invoice.JobId), its OrderItem rows (OrderItem.OrderId) and
 * their InvoiceItem rows; payments are the invoice's InvoicePayment rows. An order's
 * modification_time is the later of the Job's and the Invoice's LastUpdated, so a change to
 * either shows in `modified_since_time`.
 */

/** The order's invoice, if it has one. */
export function invoiceOf(ctx: RestCtx, order: number): number | undefined {
  return rowsWhere(ctx.data, 'Invoice', 'JobId', order)[0];
}

const inv = (ctx: RestCtx, order: number): RowView | undefined => {
  const id = invoiceOf(ctx, order);
  return id === undefined ? undefined : view(ctx, 'Invoice', id);
};

const money = (column: string) => (order: number, ctx: RestCtx) => {
  const v = inv(ctx, order)?.num(column);
  return v === undefined ? undefined : currencyValue(v);
};

function modified(order: number, ctx: RestCtx): number | undefined {
  const job = view(ctx, 'Job', order).ms('LastUpdated');
  const invoice = inv(ctx, order)?.ms('LastUpdated');
  return job === undefined ? invoice : invoice === undefined ? job : Math.max(job, invoice);
}

/** OrderItem.ItemType codes (Keap's) as REST's item_type. */
const ITEM_TYPES: Readonly<Record<number, string>> = {
  1: 'SHIPPING',
  2: 'TAX',
  3: 'SERVICE',
  4: 'PRODUCT',
  5: 'UPSELL',
  6: 'FINANCE_CHARGE',
  7: 'DISCOUNT',
  8: 'PROGRAM',
  9: 'SUBSCRIPTION',
  10: 'DISCOUNT_FREE_TRIAL',
  11: 'DISCOUNT_ORDER_TOTAL',
  12: 'DISCOUNT_PRODUCT',
  13: 'DISCOUNT_PRODUCT_CATEGORY',
  14: 'DISCOUNT_SHIPPING',
};

const CYCLES: Readonly<Record<string, string>> = { '1': 'YEARLY', '2': 'MONTHLY', '3': 'WEEKLY', '6': 'DAILY' };

export function cycleType(code: string | undefined): string | undefined {
  return code === undefined ? undefined : CYCLES[code];
}

/** A SubscriptionPlan row as REST's SubscriptionPlan (order items nest it; products list it). */
export function subscriptionPlan(ctx: RestCtx, id: number): JsonObject | undefined {
  if (!ctx.data.table('SubscriptionPlan').exists(id)) return undefined;
  const v = view(ctx, 'SubscriptionPlan', id);
  const price = v.num('PlanPrice');
  const product = v.refId('ProductId');
  return {
    id: String(id),
    frequency: v.num('Frequency'),
    active: v.flag('Active'),
    subscription_plan_name: product === undefined ? undefined : `${view(ctx, 'Product', product).str('ProductName') ?? 'Plan'} (${(cycleType(v.str('Cycle')) ?? 'MONTHLY').toLowerCase()})`,
    cycle_type: cycleType(v.str('Cycle')),
    total_cycles: v.num('NumberOfCycles'),
    plan_price: price === undefined ? undefined : currencyValue(price),
    display_order_index: id,
  };
}

/** An OrderItem row with its product and invoice line. */
export function orderItem(ctx: RestCtx, id: number): JsonObject {
  const v = view(ctx, 'OrderItem', id);
  const productId = v.refId('ProductId');
  const product = productId !== undefined && ctx.data.table('Product').exists(productId) ? view(ctx, 'Product', productId) : undefined;
  const line = rowsWhere(ctx.data, 'InvoiceItem', 'OrderItemId', id)[0];
  const discount = line === undefined ? undefined : view(ctx, 'InvoiceItem', line).num('Discount');
  const cpu = v.num('CPU');
  const ppu = v.num('PPU') ?? (line === undefined ? undefined : perUnit(view(ctx, 'InvoiceItem', line).num('InvoiceAmt'), v.num('Qty')));
  const plan = v.refId('SubscriptionPlanId');
  return {
    id: String(id),
    name: v.str('ItemName'),
    description: v.str('ItemDescription'),
    notes: v.str('Notes'),
    quantity: v.num('Qty'),
    discount: discount === undefined ? undefined : currencyValue(discount),
    product:
      product === undefined
        ? undefined
        : { id: String(product.id), name: product.str('ProductName'), sku: product.str('Sku'), description: product.str('ShortDescription'), shippable: product.flag('Shippable'), taxable: product.flag('Taxable') },
    item_type: ITEM_TYPES[v.num('ItemType') ?? 0] ?? 'UNKNOWN',
    cost_per_unit: cpu === undefined ? undefined : currencyValue(cpu),
    price_per_unit: ppu === undefined ? undefined : currencyValue(ppu),
    subscription_plan: plan === undefined ? undefined : subscriptionPlan(ctx, plan),
  };
}

function perUnit(amount: number | undefined, qty: number | undefined): number | undefined {
  return amount === undefined ? undefined : cents(amount / Math.max(1, qty ?? 1));
}

const J = (column: string) => text('Job', column);

function shipping(order: number, ctx: RestCtx): JsonObject | undefined {
  const v = view(ctx, 'Job', order);
  const country = v.str('ShipCountry');
  const addr = nonEmpty({ line1: v.str('ShipStreet1'), line2: v.str('ShipStreet2'), locality: v.str('ShipCity'), region: v.str('ShipState'), postal_code: v.str('ShipZip'), country });
  return nonEmpty({
    address: addr === undefined ? undefined : { ...addr, field: 'SHIPPING', country_code: countryCode(country) },
    company: v.str('ShipCompany'),
    given_name: v.str('ShipFirstName'),
    family_name: v.str('ShipLastName'),
    phone_number: v.str('ShipPhone'),
  });
}

function paid(order: number, ctx: RestCtx): boolean {
  const v = inv(ctx, order);
  return v !== undefined && (v.num('TotalDue') ?? 0) === 0 && (v.num('TotalPaid') ?? 0) > 0;
}

/** Every product on the order: the Job's own and its items'. */
function productsOf(order: number, ctx: RestCtx): number[] {
  const items = rowsWhere(ctx.data, 'OrderItem', 'OrderId', order).map((i) => view(ctx, 'OrderItem', i).refId('ProductId'));
  return [view(ctx, 'Job', order).refId('ProductId'), ...items].filter((p): p is number => p !== undefined);
}

const ORDER_PROPS: Getters<number> = {
  id: idText,
  title: J('JobTitle'),
  status: (o, ctx) => (inv(ctx, o) === undefined ? 'DRAFT' : paid(o, ctx) ? 'PAID' : 'SENT'),
  total: money('InvoiceTotal'),
  contact: (o, ctx) => basicContact(ctx.data, view(ctx, 'Job', o).refId('ContactId')),
  notes: J('JobNotes'),
  order_type: (o, ctx) => view(ctx, 'Job', o).str('OrderType')?.toUpperCase(),
  source_type: (o, ctx) => (view(ctx, 'Job', o).str('OrderType') === 'Online' ? 'CHECKOUT_FORM' : 'MANUAL_PAYMENT'),
  creation_time: time('Job', 'DateCreated'),
  modification_time: (o, ctx) => {
    const t = modified(o, ctx);
    return t === undefined ? undefined : iso(t);
  },
  order_time: time('Job', 'DateCreated'),
  lead_affiliate_id: (o, ctx) => inv(ctx, o)?.ref('LeadAffiliateId'),
  sales_affiliate_id: (o, ctx) => inv(ctx, o)?.ref('AffiliateId'),
  total_paid: money('TotalPaid'),
  total_due: money('TotalDue'),
  shipping_information: shipping,
  order_items: (o, ctx) => rowsWhere(ctx.data, 'OrderItem', 'OrderId', o).map((i) => orderItem(ctx, i)),
  invoice_number: (o, ctx) => invoiceOf(ctx, o)?.toString(),
  promo_code: (o, ctx) => inv(ctx, o)?.str('PromoCode'),
  synced: (o, ctx) => inv(ctx, o)?.flag('Synced'),
  invoice_id: (o, ctx) => invoiceOf(ctx, o)?.toString(),
  custom_fields: (o, ctx) => customValues(ctx.data, 'Job', o),
  due_time: time('Job', 'DueDate'),
};

const ORDER_FILTERS: FilterFields<number> = {
  id: { kind: 'number', integer: true, ops: ALL_OPS, get: self },
  ids: { kind: 'ids', get: self },
  product_id: { kind: 'ids', get: productsOf },
  contact_id: { kind: 'number', integer: true, get: num('Job', 'ContactId') },
  invoice_id: { kind: 'number', integer: true, get: (o, ctx) => invoiceOf(ctx, o) },
  invoice_xid: textField((o, ctx) => {
    const i = invoiceOf(ctx, o);
    return i === undefined ? undefined : uuidOf(ctx.data, 'Invoice', i);
  }),
  paid: { kind: 'bool', get: paid },
  created_since_time: { kind: 'since', get: ms('Job', 'DateCreated') },
  created_until_time: { kind: 'until', get: ms('Job', 'DateCreated') },
  modified_since_time: { kind: 'since', get: modified },
  modified_until_time: { kind: 'until', get: modified },
  title: textField(J('JobTitle'), true),
  order_type: { kind: 'enum', values: ['ONLINE', 'OFFLINE'], get: J('OrderType') },
  shipping_locality: textField(J('ShipCity')),
  shipping_region_code: textField((o, ctx) => {
    const v = view(ctx, 'Job', o);
    const state = v.str('ShipState');
    const code = countryCode(v.str('ShipCountry'));
    return state === undefined || code === undefined ? undefined : `${code.slice(0, 2)}-${state}`;
  }),
  shipping_postal_code: textField(J('ShipZip')),
  shipping_country_code: textField((o, ctx) => countryCode(view(ctx, 'Job', o).str('ShipCountry'))),
};

const PAY_STATUS: Readonly<Record<string, string>> = { Paid: 'APPROVED', Refunded: 'REFUNDED', Failed: 'FAILED', Pending: 'PENDING', Voided: 'VOIDED' };
const IP = (column: string) => text('InvoicePayment', column);

const PAYMENT_PROPS: Getters<number> = {
  id: idText,
  amount: num('InvoicePayment', 'Amt'),
  note: joined('InvoicePayment', 'PaymentId', 'Payment', 'PayNote'),
  invoice_id: ref('InvoicePayment', 'InvoiceId'),
  payment_id: ref('InvoicePayment', 'PaymentId'),
  pay_time: time('InvoicePayment', 'PayDate'),
  pay_status: (p, ctx) => PAY_STATUS[IP('PayStatus')(p, ctx) ?? ''] ?? 'MANUAL_PAID',
  last_updated_time: time('InvoicePayment', 'LastUpdated'),
  skip_commission: flag('InvoicePayment', 'SkipCommission'),
};

export const ORDER_MODELS: readonly ModelResource[] = [{ resource: 'orders', table: 'Job', recordType: 'ORDER', optional: [] }];

const orderId = (ctx: RestCtx): number => existing(ctx.data.table('Job'), pathId(ctx, 'order_id'), 'Order');

export function orderRoutes(): Route[] {
  return [
    tableList('Job', {
      path: '/orders',
      items: 'orders',
      props: ORDER_PROPS,
      filters: ORDER_FILTERS,
      customTable: 'Job',
      orderBy: { id: self, order_time: ms('Job', 'DateCreated'), modification_time: modified },
    }),
    itemRoute({ path: '/orders/{order_id}', find: orderId, props: ORDER_PROPS }),
    get('/orders/{order_id}/items/{order_item_id}', (ctx) => {
      const item = pathId(ctx, 'order_item_id');
      if (!rowsWhere(ctx.data, 'OrderItem', 'OrderId', orderId(ctx)).includes(item)) throw notFound('OrderItem', String(item));
      return orderItem(ctx, item);
    }),
    listRoute({
      path: '/orders/{order_id}/payments',
      items: 'invoice_order_payments',
      keys: (ctx) => {
        const invoice = invoiceOf(ctx, orderId(ctx));
        return invoice === undefined ? [] : rowsWhere(ctx.data, 'InvoicePayment', 'InvoiceId', invoice);
      },
      props: PAYMENT_PROPS,
      filters: {
        invoice_id: { kind: 'number', integer: true, get: num('InvoicePayment', 'InvoiceId') },
        payment_id: { kind: 'number', integer: true, get: num('InvoicePayment', 'PaymentId') },
        amount: { kind: 'number', get: num('InvoicePayment', 'Amt') },
        pay_status: { kind: 'enum', values: ['MANUAL_PAID', 'REFUNDED', 'VOIDED', 'PAYPAL_PAID', 'APPROVED', 'FAILED', 'ERROR', 'PENDING'], get: (p, ctx) => PAY_STATUS[IP('PayStatus')(p, ctx) ?? ''] },
        skip_commission: { kind: 'bool', get: flag('InvoicePayment', 'SkipCommission') },
      },
      orderBy: {
        invoice_id: num('InvoicePayment', 'InvoiceId'),
        payment_id: num('InvoicePayment', 'PaymentId'),
        amount: num('InvoicePayment', 'Amt'),
        pay_time: ms('InvoicePayment', 'PayDate'),
        pay_status: IP('PayStatus'),
        skip_commission: num('InvoicePayment', 'SkipCommission'),
        last_updated_time: ms('InvoicePayment', 'LastUpdated'),
      },
      table: 'InvoicePayment',
    }),
  ];
}
