import {
  CLAWBACK_DELAY_MS,
  clawedBack,
  commissionOf,
  payoutsOf,
  pick,
  programResources,
  PROGRAMS,
  redirectLinksOf,
  salesOf,
  totalsOf,
  type Payout,
  type Program,
  type Sale,
} from '../report-data.js';
import { flag, idText, ms, num, ref, self, text, time, view } from './accessors.js';
import { get, pathId, type RestCtx, type Route } from './context.js';
import { customValues, type ModelResource } from './custom-fields.js';
import { badRequest, notFound } from './errors.js';
import { ALL_OPS, INSTANT, parseClauses, parseInstant, textField, type FilterField } from './filter.js';
import { itemRoute, listRoute, render, tableKeys, type Getters } from './list.js';
import { createdAt, existing, rowsWhere } from './relations.js';
import { cents, iso } from './wire.js';

/**
 * Affiliates (Affiliate), their referrals (Referral), and the money the XML-RPC affiliate reports
 * derive from the same tables (report-data.ts): commissions are a share of the Invoice rows they
 * sold, clawbacks the unpaid ones, payments one payout a month. Commission programs, their
 * resources (AffResource) and redirect links are the ones AffiliateProgramService and
 * AffiliateService answer with.
 */

const A = (column: string) => text('Affiliate', column);

const AFFILIATE_PROPS: Getters<number> = {
  id: idText,
  code: A('AffCode'),
  name: A('AffName'),
  status: (id, ctx) => (view(ctx, 'Affiliate', id).num('Status') === 1 ? 'ACTIVE' : 'INACTIVE'),
  contact_id: ref('Affiliate', 'ContactId'),
  date_created: (id, ctx) => iso(createdAt(ctx.data, 'Affiliate', id)),
  parent_affiliate_id: ref('Affiliate', 'ParentId'),
  notify_on_sale: flag('Affiliate', 'NotifySale'),
  notify_on_lead: flag('Affiliate', 'NotifyLead'),
  track_leads_days: num('Affiliate', 'LeadCookieFor'),
  custom_fields: (id, ctx) => customValues(ctx.data, 'Affiliate', id),
};

const REFERRAL_TYPES = ['COOKIE', 'PERMANENT', 'MANUAL'];
const RF = (column: string) => text('Referral', column);
const referralType = (id: number, ctx: RestCtx): string | undefined => REFERRAL_TYPES[view(ctx, 'Referral', id).num('Type') ?? -1];

const REFERRAL_PROPS: Getters<number> = {
  id: idText,
  description: RF('Info'),
  source: RF('Source'),
  contact_id: ref('Referral', 'ContactId'),
  referral_partner_id: ref('Referral', 'AffiliateId'),
  referral_time: time('Referral', 'DateSet'),
  expiration_time: time('Referral', 'DateExpires'),
  ip_address: RF('IPAddress'),
  referral_type: referralType,
};

const REFERRAL_ORDER = { id: self, referral_time: ms('Referral', 'DateSet') };

const affiliateId = (ctx: RestCtx, param = 'affiliate_id'): number => existing(ctx.data.table('Affiliate'), pathId(ctx, param), 'Affiliate');

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

/** Every redirect link of every affiliate, by link id. */
function allLinks(ctx: RestCtx): number[] {
  return [...ctx.data.table('Affiliate').ids()].flatMap((a) => redirectLinksOf(ctx.data, a).map((l) => l.id));
}

const linkOf = (ctx: RestCtx, id: number) => {
  const aff = Math.floor((id - 1) / 10);
  return ctx.data.table('Affiliate').exists(aff) ? redirectLinksOf(ctx.data, aff).find((l) => l.id === id) : undefined;
};

const LINK_PROPS: Getters<number> = {
  id: idText,
  name: (id, ctx) => linkOf(ctx, id)?.name,
  code: (id, ctx) => view(ctx, 'Affiliate', Math.floor((id - 1) / 10)).str('AffCode'),
  affiliate_id: (id) => String(Math.floor((id - 1) / 10)),
  local_url_code: (id, ctx) => linkOf(ctx, id)?.localUrlCode,
  redirect_url: (id, ctx) => linkOf(ctx, id)?.redirectUrl,
  program_ids: (id, ctx) => programsOf(ctx, Math.floor((id - 1) / 10)).map((p) => String(p.Id)),
  date_created: (id, ctx) => iso(createdAt(ctx.data, 'Affiliate', Math.floor((id - 1) / 10))),
};

const programsOf = (ctx: RestCtx, affiliate: number): Program[] => PROGRAMS.filter((p) => p.members(affiliate));
const programOf = (id: number): Program | undefined => PROGRAMS.find((p) => p.Id === id);
const membersOf = (ctx: RestCtx, id: number): number[] => {
  const p = programOf(id);
  return p === undefined ? [] : [...ctx.data.table('Affiliate').ids()].filter((a) => p.members(a));
};

const PROGRAM_PROPS: Getters<number> = {
  id: idText,
  name: (id) => programOf(id)?.Name,
  priority: (id) => programOf(id)?.Priority.toString(),
  notes: (id) => programOf(id)?.Notes,
  create_time: (id, ctx) => iso(createdAt(ctx.data, 'AffiliateProgram', id, PROGRAMS.length)),
  affiliate_ids: (id, ctx) => membersOf(ctx, id).map(String),
};

const PROGRAM_DETAIL: Getters<number> = {
  ...PROGRAM_PROPS,
  default_commission: (id) => ({ payout_type: id === 3 ? 'UPFRONT' : 'PAYMENT_RECEIVED', percentage: id === 1 ? 20 : id === 2 ? 30 : 35 }),
};

const RESOURCE_TYPES: Readonly<Record<string, string>> = { Banner: 'BANNER', Email: 'EMAIL', TextLink: 'PAGE', Html: 'PAGE' };

export const AFFILIATE_MODELS: readonly ModelResource[] = [{ resource: 'affiliates', table: 'Affiliate', recordType: 'REFERRAL_PARTNER', optional: [] }];

export function affiliateRoutes(): Route[] {
  const programId = (ctx: RestCtx): number => {
    const id = pathId(ctx, 'commission_program_id');
    if (programOf(id) === undefined) throw notFound('CommissionProgram', String(id));
    return id;
  };
  return [
    listRoute({
      path: '/affiliates',
      items: 'affiliates',
      keys: tableKeys('Affiliate'),
      props: AFFILIATE_PROPS,
      filters: {
        id: { kind: 'number', integer: true, ops: ALL_OPS, get: self },
        name: textField(A('AffName'), true),
        contact_id: { kind: 'number', integer: true, get: num('Affiliate', 'ContactId') },
        referral_contact_id: { kind: 'ids', get: (id, ctx) => rowsWhere(ctx.data, 'Referral', 'AffiliateId', id).map((r) => Number(ctx.data.table('Referral').value(r, 'ContactId'))) },
        status: { kind: 'enum', values: ['ACTIVE', 'INACTIVE'], get: (id, ctx) => String(AFFILIATE_PROPS['status']?.(id, ctx)) },
        code: textField(A('AffCode')),
      },
      customTable: 'Affiliate',
      orderBy: { id: self, date_created: (id, ctx) => createdAt(ctx.data, 'Affiliate', id), name: A('AffName'), status: (id, ctx) => String(AFFILIATE_PROPS['status']?.(id, ctx)), code: A('AffCode') },
      table: 'Affiliate',
    }),
    itemRoute({ path: '/affiliates/{id}', find: (ctx) => affiliateId(ctx, 'id'), props: AFFILIATE_PROPS }),
    COMMISSIONS,
    PAYMENTS,
    listRoute({
      path: '/affiliates/{affiliate_id}/referrals',
      items: 'referrals',
      keys: (ctx) => [...rowsWhere(ctx.data, 'Referral', 'AffiliateId', affiliateId(ctx))],
      props: REFERRAL_PROPS,
      filters: { source: textField(RF('Source'), true) },
      orderBy: REFERRAL_ORDER,
      table: 'Referral',
    }),
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
    listRoute({
      path: '/affiliates/redirects',
      items: 'affiliate_links',
      keys: allLinks,
      props: LINK_PROPS,
      filters: { name: textField<number>((id, ctx) => linkOf(ctx, id)?.name), affiliate_id: { kind: 'number', integer: true, get: (id) => Math.floor((id - 1) / 10) } },
      orderBy: { name: (id, ctx) => linkOf(ctx, id)?.name, date_created: (id, ctx) => createdAt(ctx.data, 'Affiliate', Math.floor((id - 1) / 10)) },
    }),
    itemRoute({
      path: '/affiliates/redirects/{redirect_id}',
      find: (ctx) => {
        const id = pathId(ctx, 'redirect_id');
        if (linkOf(ctx, id) === undefined) throw notFound('AffiliateLink', String(id));
        return id;
      },
      props: LINK_PROPS,
    }),
    listRoute({
      path: '/affiliates/commissionPrograms',
      items: 'commission_programs',
      keys: () => PROGRAMS.map((p) => p.Id),
      props: PROGRAM_PROPS,
      filters: { name: textField<number>((id) => programOf(id)?.Name), affiliate_id: { kind: 'ids', get: (id, ctx) => membersOf(ctx, id) } },
      orderBy: { name: (id) => programOf(id)?.Name, date_created: (id, ctx) => createdAt(ctx.data, 'AffiliateProgram', id, PROGRAMS.length) },
    }),
    itemRoute({ path: '/affiliates/commissionPrograms/{commission_program_id}', find: programId, props: PROGRAM_DETAIL }),
    get('/affiliates/commissionPrograms/{commission_program_id}/resources', (ctx) => {
      const program = programId(ctx);
      return {
        resources: programResources(ctx.data, program).map((id) => {
          const v = view(ctx, 'AffResource', id);
          return {
            id: String(id),
            title: v.str('Title'),
            type: RESOURCE_TYPES[v.str('ResourceType') ?? ''] ?? 'PAGE',
            notes: v.str('Notes'),
            url: v.str('ResourceHREF'),
            order: id,
            content_html: v.str('ResourceHTML'),
            commission_programs: (v.str('ProgramIds') ?? '').split(',').map((p) => ({ commission_program_id: p.trim() })),
          };
        }),
        next_page_token: '',
      };
    }),
    listRoute({
      path: '/referrals',
      items: 'referrals',
      keys: tableKeys('Referral'),
      props: REFERRAL_PROPS,
      filters: {
        referral_partner_id: { kind: 'number', integer: true, ops: ALL_OPS, get: num('Referral', 'AffiliateId') },
        contact_id: { kind: 'number', integer: true, ops: ALL_OPS, get: num('Referral', 'ContactId') },
        source: textField(RF('Source'), true),
        description: textField(RF('Info'), true),
        type: { kind: 'enum', values: REFERRAL_TYPES, get: referralType },
      },
      orderBy: REFERRAL_ORDER,
      table: 'Referral',
    }),
  ];
}
