import { flag, idText, num, ref, self, text, view } from './accessors.js';
import type { RestCtx, Route } from './context.js';
import { customValues, type ModelResource } from './custom-fields.js';
import { ALL_OPS, textField, type FilterFields } from './filter.js';
import { rowRoute, tableList, type Getters } from './list.js';
import { updatedAt } from './relations.js';
import { calendarDate, iso } from './wire.js';

/**
 * Subscriptions are RecurringOrder rows. Their billing dates are calendar dates in the app's zone;
 * `modification_time` is when a change stamped the row, else its last bill (or start).
 */

const BILLING_CYCLES: Readonly<Record<string, string>> = { '1': 'YEAR', '2': 'MONTH', '3': 'WEEK', '6': 'DAY' };
const R = (column: string) => text('RecurringOrder', column);
const dateOf = (column: string) => (id: number, ctx: RestCtx) => {
  const v = view(ctx, 'RecurringOrder', id).ms(column);
  return v === undefined ? undefined : calendarDate(ctx.data.wall, v);
};

/** RecurringOrder keeps no LastUpdated: a change stamps the row; else its last bill (or start). */
function subscriptionModified(id: number, ctx: RestCtx): number | undefined {
  const v = view(ctx, 'RecurringOrder', id);
  return ctx.data.table('RecurringOrder').changedAt(id) ?? v.ms('LastBillDate') ?? v.ms('StartDate') ?? updatedAt(ctx.data, 'RecurringOrder', id);
}

const SUBSCRIPTION_PROPS: Getters<number> = {
  id: idText,
  quantity: num('RecurringOrder', 'Qty'),
  active: (id, ctx) => view(ctx, 'RecurringOrder', id).str('Status') === 'Active',
  contact_id: ref('RecurringOrder', 'ContactId'),
  product_id: ref('RecurringOrder', 'ProductId'),
  subscription_plan_id: ref('RecurringOrder', 'SubscriptionPlanId'),
  billing_amount: num('RecurringOrder', 'BillingAmt'),
  auto_charge: flag('RecurringOrder', 'AutoCharge'),
  billing_frequency: num('RecurringOrder', 'Frequency'),
  billing_cycle: (id, ctx) => BILLING_CYCLES[R('BillingCycle')(id, ctx) ?? ''],
  start_date: dateOf('StartDate'),
  last_bill_date: dateOf('LastBillDate'),
  next_bill_date: dateOf('NextBillDate'),
  end_date: dateOf('EndDate'),
  merchant_account_id: ref('RecurringOrder', 'MerchantAccountId'),
  payment_method_id: ref('RecurringOrder', 'CC1'),
  max_charge_attempts: num('RecurringOrder', 'MaxRetry'),
  days_between_retries: num('RecurringOrder', 'NumDaysBetweenRetry'),
  lead_affiliate_id: ref('RecurringOrder', 'LeadAffiliateId'),
  sale_affiliate_id: ref('RecurringOrder', 'AffiliateId'),
  promo_code: R('PromoCode'),
  shipping_option_id: ref('RecurringOrder', 'ShippingOptionId'),
  reason_stopped: R('ReasonStopped'),
  modification_time: (id, ctx) => {
    const t = subscriptionModified(id, ctx);
    return t === undefined ? undefined : iso(t);
  },
  custom_fields: (id, ctx) => customValues(ctx.data, 'RecurringOrder', id),
};

const SUBSCRIPTION_FILTERS: FilterFields<number> = {
  contact_id: { kind: 'number', integer: true, get: num('RecurringOrder', 'ContactId') },
  subscription_plan_id: { kind: 'number', integer: true, get: num('RecurringOrder', 'SubscriptionPlanId') },
  status: textField(R('Status')),
  id: { kind: 'number', integer: true, ops: ALL_OPS, get: self },
  billing_amount: { kind: 'number', ops: ALL_OPS, get: num('RecurringOrder', 'BillingAmt') },
  ids: { kind: 'ids', get: self },
  subscription_plan_ids: { kind: 'ids', get: (id, ctx) => view(ctx, 'RecurringOrder', id).num('SubscriptionPlanId') },
};

export const SUBSCRIPTION_MODELS: readonly ModelResource[] = [{ resource: 'subscriptions', table: 'RecurringOrder', recordType: 'SUBSCRIPTION', optional: [] }];

export function subscriptionRoutes(): Route[] {
  return [
    tableList('RecurringOrder', {
      path: '/subscriptions',
      items: 'subscriptions',
      props: SUBSCRIPTION_PROPS,
      filters: SUBSCRIPTION_FILTERS,
      customTable: 'RecurringOrder',
      orderBy: { id: self, contact_id: num('RecurringOrder', 'ContactId'), subscription_plan_id: num('RecurringOrder', 'SubscriptionPlanId'), modification_time: subscriptionModified },
    }),
    rowRoute('/subscriptions/{subscription_id}', 'RecurringOrder', 'Subscription', SUBSCRIPTION_PROPS),
  ];
}
