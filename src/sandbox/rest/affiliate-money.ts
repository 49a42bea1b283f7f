import { CLAWBACK_DELAY_MS, clawedBack, commissionOf, payoutsOf, pick, salesOf, totalsOf, type Payout, type Sale } from '../report-data.js';
import { self, view } from './accessors.js';
import { get, type RestCtx, type Route } from './context.js';
import { affiliateId } from './affiliates.js';
import { badRequest } from './errors.js';
import { INSTANT, parseClauses, parseInstant, type FilterField } from './filter.js';
import { listRoute, render, tableKeys, type Getters } from './list.js';
import { cents, iso } from './wire.js';

/**
 * The money of affiliates, derived as the XML-RPC affiliate reports derive it (report-data.ts):
 * commissions are a share of the Invoice rows they sold, clawbacks the unpaid ones, payments one
 * payout a month; summaries and the commission total add them up over a window.
 */

/** The `since_time` / `until_time` window of a filter (inclusive; open ends are all time). */
function windowOf(ctx: RestCtx): { from: number; to: number } {
  let from = -8.64e15;
  let to = 8.64e15;
  for (const c of parseClauses(ctx.query.get('filter') ?? '')) {
    const t = parseInstant(c.value, false);
    if (t === null) continue;
    if (c.field === 'since_time') from = t;
    if (c.field === 'until_time') to = t;
  }
  return { from, to };
}

/** since_time / until_time that set a window for the totals rather than choose rows. */
const windowField = <K>(): FilterField<K> => ({
  kind: 'test',
  parse: (value, field) => {
    if (parseInstant(value, false) === null) throw badRequest(`Invalid value '${value}' for filter field '${field}': expected ${INSTANT}`);
    return null;
  },
  test: () => true,
});

const who = (ctx: RestCtx, contact: number, column: string): string | undefined => view(ctx, 'Contact', contact).str(column);

function commissionProps(affiliate: number): Getters<Sale> {
  return {
    description: (s) => `Commission on invoice ${s.invoiceId}`,
    amount_earned: (s, ctx) => commissionOf(ctx.data, affiliate, s),
    contact_first_name: (s, ctx) => who(ctx, s.contactId, 'FirstName'),
    contact_last_name: (s, ctx) => who(ctx, s.contactId, 'LastName'),
    invoice_id: (s) => String(s.invoiceId),
    time_earned: (s) => iso(s.at),
    contact_id: (s) => (s.contactId > 0 ? String(s.contactId) : undefined),
    sales_affiliate_id: () => String(affiliate),
    sales_affiliate_name: (_s, ctx) => view(ctx, 'Affiliate', affiliate).str('AffName'),
    product_name: (s, ctx) => view(ctx, 'Product', s.productId).str('ProductName'),
  };
}

/** The affiliate the path names (checked by the keys function, which runs first). */
const pathAffiliate = (ctx: RestCtx): number => Number(ctx.params['affiliate_id']);

const COMMISSIONS = listRoute<Sale>({
  path: '/affiliates/{affiliate_id}:commissions',
  items: 'affiliate_commissions',
  keys: (ctx) => salesOf(ctx.data, affiliateId(ctx)),
  props: {},
  item: (s, ctx) => render(commissionProps(pathAffiliate(ctx)), s, ctx),
  filters: { since_time: { kind: 'since', get: (s) => s.at }, until_time: { kind: 'until', get: (s) => s.at } },
  orderBy: { invoice_id: (s) => s.invoiceId, time_earned: (s) => s.at },
  extra: (sales, ctx) => {
    const aff = pathAffiliate(ctx);
    const earned = cents(sales.reduce((sum, s) => sum + commissionOf(ctx.data, aff, s), 0));
    const w = windowOf(ctx);
    const claws = cents(salesOf(ctx.data, aff).filter((s) => clawedBack(s) && s.at + CLAWBACK_DELAY_MS >= w.from && s.at + CLAWBACK_DELAY_MS <= w.to).reduce((sum, s) => sum + commissionOf(ctx.data, aff, s), 0));
    return { clawbacks: claws, commission_total: cents(earned - claws), amount_earned: earned };
  },
  table: 'Invoice',
});

const PAYOUT_TYPES = ['CHECK', 'CREDIT_CARD'];
const payoutId = (affiliate: number, p: Payout): string => `${affiliate}${p.month.replace('-', '')}`;

const PAYMENTS = listRoute<Payout>({
  path: '/affiliates/{affiliate_id}/payments',
  items: 'affiliate_payments',
  keys: (ctx) => payoutsOf(ctx.data, affiliateId(ctx)),
  props: {},
  item: (p, ctx) => {
    const aff = pathAffiliate(ctx);
    return { id: payoutId(aff, p), pay_date: iso(p.at), pay_notes: `Commissions for ${p.month}`, pay_amount: p.amount, pay_type: PAYOUT_TYPES[pick(ctx.data, 'payType', aff, 2)], create_time: iso(p.at) };
  },
  filters: { since_time: { kind: 'since', get: (p) => p.at }, until_time: { kind: 'until', get: (p) => p.at } },
  orderBy: { create_time: (p) => p.at, pay_date: (p) => p.at, pay_amount: (p) => p.amount },
  table: 'Invoice',
});

const total = (ctx: RestCtx, id: number) => totalsOf(ctx.data, id, windowOf(ctx));

const SUMMARY_PROPS: Getters<number> = {
  affiliateId: self,
  clawbacks: (id, ctx) => total(ctx, id).clawbacks,
  balance: (id, ctx) => {
    const t = total(ctx, id);
    return cents(t.earned - t.clawbacks - t.payments);
  },
  amountEarned: (id, ctx) => total(ctx, id).earned,
};

export function affiliateMoneyRoutes(): Route[] {
  return [
    COMMISSIONS,
    PAYMENTS,
    get('/affiliates/{affiliate_id}/commissionTotal', (ctx) => {
      const id = affiliateId(ctx);
      const t = totalsOf(ctx.data, id, { from: 0, to: ctx.now });
      return { affiliate_commission_total: cents(t.earned - t.clawbacks), view_ledger_url: `https://${ctx.app}.infusionsoft.com/app/affiliate/ledger/${id}` };
    }),
    listRoute({
      path: '/affiliates/summaries',
      items: 'affiliate_summaries',
      keys: tableKeys('Affiliate'),
      props: SUMMARY_PROPS,
      filters: { affiliate_ids: { kind: 'ids', get: self }, since_time: windowField(), until_time: windowField() },
      orderBy: {
        affiliate_id: self,
        amount_earned: (id, ctx) => total(ctx, id).earned,
        balance: (id, ctx) => Number(SUMMARY_PROPS['balance']?.(id, ctx)),
        clawbacks: (id, ctx) => total(ctx, id).clawbacks,
      },
      table: 'Invoice',
    }),
  ];
}
