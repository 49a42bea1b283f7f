import { flag, idText, ms, num, ref, self, text, time, view } from './accessors.js';
import { pathId, type RestCtx, type Route } from './context.js';
import { ALL_OPS, COMPARE, type FilterField, type FilterFields } from './filter.js';
import { listRoute, tableList, type Getters } from './list.js';
import { basicContact } from './people.js';
import { createdAt, existing, pickOf, rowsWhere } from './relations.js';
import { defined, iso, type JsonObject } from './wire.js';

/**
 * Money that moved: sales payments (Payment), card transactions (CCharge), payment methods
 * (CreditCard) and the merchant accounts behind them. Keap keeps no merchant account table the
 * XML-RPC side can read: the account has three, and each payment, charge and card is on one of
 * them, picked from the seed. A payment's method is the card of its charge (Payment.ChargeId ->
 * CCharge.CCId -> CreditCard).
 */

export const MERCHANTS: readonly { id: number; name: string; type: string; test: boolean }[] = [
  { id: 1, name: 'Keap Payments', type: 'KEAP_PAY', test: false },
  { id: 2, name: 'Stripe', type: 'STRIPE', test: false },
  { id: 3, name: 'PayPal Sandbox', type: 'PAYPAL', test: true },
];
const MERCHANT_TYPES = ['PAYPAL', 'UNSUPPORTED', 'AUTHORIZE', 'EWAY', 'WEPAY', 'STRIPE', 'KEAP_PAY'];

const merchantOf = (ctx: RestCtx, table: string, id: number): (typeof MERCHANTS)[number] => MERCHANTS[pickOf(ctx.data, `merchant:${table}`, id, MERCHANTS.length)] ?? { id: 1, name: '', type: 'KEAP_PAY', test: false };

function merchantFilters<K extends number>(table: string): FilterFields<K> {
  return {
    merchant_account_id: { kind: 'number', integer: true, get: (id, ctx) => merchantOf(ctx, table, id).id },
    merchant_account_type: { kind: 'enum', values: MERCHANT_TYPES, get: (id, ctx) => merchantOf(ctx, table, id).type },
  };
}

/** A CreditCard row as a PaymentMethod. */
function paymentMethod(ctx: RestCtx, card: number | undefined): JsonObject | undefined {
  if (card === undefined || !ctx.data.table('CreditCard').exists(card)) return undefined;
  const v = view(ctx, 'CreditCard', card);
  const merchant = merchantOf(ctx, 'CreditCard', card);
  const year = v.num('ExpirationYear');
  const month = v.num('ExpirationMonth');
  const expired = year !== undefined && month !== undefined && Date.UTC(year, month, 1) <= ctx.now;
  return {
    contact_id: v.ref('ContactId'),
    payment_method_id: String(card),
    credit_card_id: String(card),
    merchant_account_type: merchant.type,
    merchant_account_id: String(merchant.id),
    payment_method_type: 'CARD',
    created_time: iso(createdAt(ctx.data, 'CreditCard', card)),
    card_info: { brand: v.str('CardType'), card_type: 'CREDIT', last_four: v.str('Last4'), expiration_year: v.str('ExpirationYear'), expiration_month: v.str('ExpirationMonth') },
    status: expired ? 'EXPIRED' : undefined,
  };
}

const chargeCard = (ctx: RestCtx, charge: number | undefined): number | undefined => (charge === undefined ? undefined : view(ctx, 'CCharge', charge).refId('CCId'));

/** The order a payment pays: its invoice's Job. */
function paymentOrders(ctx: RestCtx, payment: number): number[] {
  const invoice = view(ctx, 'Payment', payment).refId('InvoiceId');
  const job = invoice === undefined ? undefined : view(ctx, 'Invoice', invoice).refId('JobId');
  return job === undefined ? [] : [job];
}

/** Payment keeps no LastUpdated: a change stamps the row, else it dates from its payment. */
const paymentUpdated = (id: number, ctx: RestCtx): number | undefined => ctx.data.table('Payment').changedAt(id) ?? view(ctx, 'Payment', id).ms('PayDate');

const PAYMENT_PROPS: Getters<number> = {
  id: idText,
  type: text('Payment', 'PayType'),
  amount: num('Payment', 'PayAmt'),
  note: text('Payment', 'PayNote'),
  status: (id, ctx) => (view(ctx, 'Payment', id).refId('RefundId') === undefined ? 'COMPLETED' : 'APPROVED'),
  commissioned: flag('Payment', 'Commission'),
  synced: flag('Payment', 'Synced'),
  payment_time: time('Payment', 'PayDate'),
  refund_payment_id: ref('Payment', 'RefundId'),
  contact_id: ref('Payment', 'ContactId'),
  order_ids: (id, ctx) => paymentOrders(ctx, id).map(String),
  update_time: (id, ctx) => {
    const t = paymentUpdated(id, ctx);
    return t === undefined ? undefined : iso(t);
  },
  merchant_account_id: (id, ctx) => String(merchantOf(ctx, 'Payment', id).id),
  merchant_account_type: (id, ctx) => merchantOf(ctx, 'Payment', id).type,
  payment_method: (id, ctx) => paymentMethod(ctx, chargeCard(ctx, view(ctx, 'Payment', id).refId('ChargeId'))),
};

/** The payment a charge belongs to (Payment.ChargeId), if any. */
const chargePayment = (ctx: RestCtx, charge: number): number | undefined => rowsWhere(ctx.data, 'Payment', 'ChargeId', charge)[0];
const chargeTime = (id: number, ctx: RestCtx): number => {
  const payment = chargePayment(ctx, id);
  return (payment === undefined ? undefined : view(ctx, 'Payment', payment).ms('PayDate')) ?? createdAt(ctx.data, 'CCharge', id);
};
const chargeContact = (id: number, ctx: RestCtx): number | undefined => {
  const card = chargeCard(ctx, id);
  return card === undefined ? undefined : view(ctx, 'CreditCard', card).refId('ContactId');
};
const chargeStatus = (id: number, ctx: RestCtx): string => (view(ctx, 'CCharge', id).str('ApprCode') === undefined ? 'FAILED' : 'APPROVED');

const TRANSACTION_PROPS: Getters<number> = {
  amount: num('CCharge', 'Amt'),
  status: chargeStatus,
  description: (id, ctx) => `Card charge ${view(ctx, 'CCharge', id).str('OrderNum') ?? String(id)}`,
  contact: (id, ctx) => basicContact(ctx.data, chargeContact(id, ctx)),
  order_ids: (id, ctx) => {
    const payment = chargePayment(ctx, id);
    return payment === undefined ? [] : paymentOrders(ctx, payment).map(String);
  },
  contact_id: (id, ctx) => chargeContact(id, ctx)?.toString(),
  transaction_method: () => 'CAPTURE',
  transaction_time: (id, ctx) => iso(chargeTime(id, ctx)),
  external_reference_id: text('CCharge', 'RefNum'),
  external_response_code: text('CCharge', 'ApprCode'),
  payment_id: (id, ctx) => chargePayment(ctx, id)?.toString(),
  is_successful: (id, ctx) => chargeStatus(id, ctx) === 'APPROVED',
  merchant_account_id: (id, ctx) => String(merchantOf(ctx, 'CCharge', id).id),
  merchant_account_type: (id, ctx) => merchantOf(ctx, 'CCharge', id).type,
  payment_method: (id, ctx) => paymentMethod(ctx, chargeCard(ctx, id)),
};

const cardCreated = (id: number, ctx: RestCtx): number => createdAt(ctx.data, 'CreditCard', id);
const contactFilter: FilterField<number> = { kind: 'number', integer: true, get: num('CreditCard', 'ContactId') };

export function salesRoutes(): Route[] {
  return [
    tableList('Payment', {
      path: '/sales/payments',
      items: 'payments',
      props: PAYMENT_PROPS,
      filters: {
        id: { kind: 'number', integer: true, ops: COMPARE, get: self },
        ids: { kind: 'ids', get: self },
        amount: { kind: 'number', ops: ALL_OPS, get: num('Payment', 'PayAmt') },
        order_id: { kind: 'ids', get: (id, ctx) => paymentOrders(ctx, id) },
        order_ids: { kind: 'ids', get: (id, ctx) => paymentOrders(ctx, id) },
        contact_id: { kind: 'number', integer: true, get: num('Payment', 'ContactId') },
        since_time: { kind: 'since', get: paymentUpdated },
        until_time: { kind: 'until', get: paymentUpdated },
        ...merchantFilters('Payment'),
      },
      orderBy: { id: self, amount: num('Payment', 'PayAmt'), payment_time: ms('Payment', 'PayDate'), contact_id: num('Payment', 'ContactId') },
    }),
    tableList('CCharge', {
      path: '/sales/transactions',
      items: 'transactions',
      props: TRANSACTION_PROPS,
      filters: {
        amount: { kind: 'number', ops: ALL_OPS, get: num('CCharge', 'Amt') },
        order_id: { kind: 'ids', get: (id, ctx) => defined([chargePayment(ctx, id)]).flatMap((p) => paymentOrders(ctx, p)) },
        contact_id: { kind: 'number', integer: true, get: chargeContact },
        since_time: { kind: 'since', get: chargeTime },
        until_time: { kind: 'until', get: chargeTime },
        ...merchantFilters('CCharge'),
        status: { kind: 'enum', values: ['APPROVED', 'PENDING', 'ERROR', 'FAILED', 'NONE'], get: chargeStatus },
        transaction_method: { kind: 'enum', values: ['CAPTURE', 'REFUND', 'VOID', 'MANUAL'], get: () => 'CAPTURE' },
        is_successful: { kind: 'bool', get: (id, ctx) => chargeStatus(id, ctx) === 'APPROVED' },
      },
      orderBy: { amount: num('CCharge', 'Amt'), transaction_time: chargeTime, contact_id: chargeContact },
    }),
    tableList('CreditCard', {
      path: '/paymentMethods',
      items: 'payment_methods',
      props: {},
      item: (id, ctx) => paymentMethod(ctx, id) ?? {},
      filters: {
        payment_method_id: { kind: 'number', integer: true, get: self },
        credit_card_id: { kind: 'number', integer: true, get: self },
        contact_id: contactFilter,
        merchant_account_id: { kind: 'number', integer: true, get: (id, ctx) => merchantOf(ctx, 'CreditCard', id).id },
        since_time: { kind: 'since', get: cardCreated },
        until_time: { kind: 'until', get: cardCreated },
      },
      orderBy: { payment_method_id: self, created_time: cardCreated, contact_id: num('CreditCard', 'ContactId'), merchant_account_id: (id, ctx) => merchantOf(ctx, 'CreditCard', id).id },
    }),
    listRoute({
      path: '/contacts/{contact_id}/paymentMethods',
      items: 'records',
      keys: (ctx) => [...rowsWhere(ctx.data, 'CreditCard', 'ContactId', existing(ctx.data.table('Contact'), pathId(ctx, 'contact_id'), 'Contact'))],
      props: {},
      item: (id, ctx) => paymentMethod(ctx, id) ?? {},
      filters: { merchant_account_id: { kind: 'number', integer: true, get: (id, ctx) => merchantOf(ctx, 'CreditCard', id).id } },
      orderBy: { created_time: cardCreated },
      table: 'CreditCard',
    }),
    listRoute({
      path: '/merchants',
      items: 'merchant_accounts',
      keys: () => MERCHANTS.map((m) => m.id),
      props: {
        id: idText,
        name: (id) => MERCHANTS[id - 1]?.name,
        type: (id) => MERCHANTS[id - 1]?.type,
        is_test: (id) => MERCHANTS[id - 1]?.test,
      },
      filters: {
        id: { kind: 'number', integer: true, get: self },
        name: { kind: 'text', get: (id) => MERCHANTS[id - 1]?.name },
        type: { kind: 'enum', values: MERCHANT_TYPES, get: (id) => MERCHANTS[id - 1]?.type },
      },
      orderBy: { id: self, name: (id) => MERCHANTS[id - 1]?.name },
      extra: () => ({ default_merchant_account_id: '1' }),
    }),
  ];
}
