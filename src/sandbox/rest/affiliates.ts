import { programResources, PROGRAMS, redirectLinksOf, type Program } from '../report-data.js';
import { flag, idText, ms, num, ref, self, text, time, view } from './accessors.js';
import { get, pathId, type RestCtx, type Route } from './context.js';
import { customValues, type ModelResource } from './custom-fields.js';
import { notFound } from './errors.js';
import { ALL_OPS, textField } from './filter.js';
import { itemRoute, listRoute, tableList, type Getters } from './list.js';
import { createdAt, existing, rowsWhere } from './relations.js';
import { iso } from './wire.js';

/**
 * Affiliates (Affiliate) and their referrals (Referral); commission programs, their resources
 * (AffResource) and redirect links are the ones AffiliateProgramService and AffiliateService
 * answer with. Their money is in affiliate-money.ts.
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

export const affiliateId = (ctx: RestCtx, param = 'affiliate_id'): number => existing(ctx.data.table('Affiliate'), pathId(ctx, param), 'Affiliate');

/** Every redirect link of every affiliate, by link id. */
function allLinks(ctx: RestCtx): number[] {
  return [...ctx.data.table('Affiliate').ids()].flatMap((a) => redirectLinksOf(ctx.data, a).map((l) => l.id));
}

/** Link ids are affiliateId*10 + 1..3 (report-data.ts). */
const linkOwner = (id: number): number => Math.floor((id - 1) / 10);

const linkOf = (ctx: RestCtx, id: number) => {
  const aff = linkOwner(id);
  return ctx.data.table('Affiliate').exists(aff) ? redirectLinksOf(ctx.data, aff).find((l) => l.id === id) : undefined;
};

const LINK_PROPS: Getters<number> = {
  id: idText,
  name: (id, ctx) => linkOf(ctx, id)?.name,
  code: (id, ctx) => view(ctx, 'Affiliate', linkOwner(id)).str('AffCode'),
  affiliate_id: (id) => String(linkOwner(id)),
  local_url_code: (id, ctx) => linkOf(ctx, id)?.localUrlCode,
  redirect_url: (id, ctx) => linkOf(ctx, id)?.redirectUrl,
  program_ids: (id) => programsOf(linkOwner(id)).map((p) => String(p.Id)),
  date_created: (id, ctx) => iso(createdAt(ctx.data, 'Affiliate', linkOwner(id))),
};

const programsOf = (affiliate: number): Program[] => PROGRAMS.filter((p) => p.members(affiliate));
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
    tableList('Affiliate', {
      path: '/affiliates',
      items: 'affiliates',
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
    }),
    itemRoute({ path: '/affiliates/{id}', find: (ctx) => affiliateId(ctx, 'id'), props: AFFILIATE_PROPS }),
    listRoute({
      path: '/affiliates/{affiliate_id}/referrals',
      items: 'referrals',
      keys: (ctx) => [...rowsWhere(ctx.data, 'Referral', 'AffiliateId', affiliateId(ctx))],
      props: REFERRAL_PROPS,
      filters: { source: textField(RF('Source'), true) },
      orderBy: REFERRAL_ORDER,
      table: 'Referral',
    }),
    listRoute({
      path: '/affiliates/redirects',
      items: 'affiliate_links',
      keys: allLinks,
      props: LINK_PROPS,
      filters: { name: textField<number>((id, ctx) => linkOf(ctx, id)?.name), affiliate_id: { kind: 'number', integer: true, get: (id) => linkOwner(id) } },
      orderBy: { name: (id, ctx) => linkOf(ctx, id)?.name, date_created: (id, ctx) => createdAt(ctx.data, 'Affiliate', linkOwner(id)) },
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
    tableList('Referral', {
      path: '/referrals',
      items: 'referrals',
      props: REFERRAL_PROPS,
      filters: {
        referral_partner_id: { kind: 'number', integer: true, ops: ALL_OPS, get: num('Referral', 'AffiliateId') },
        contact_id: { kind: 'number', integer: true, ops: ALL_OPS, get: num('Referral', 'ContactId') },
        source: textField(RF('Source'), true),
        description: textField(RF('Info'), true),
        type: { kind: 'enum', values: REFERRAL_TYPES, get: referralType },
      },
      orderBy: REFERRAL_ORDER,
    }),
  ];
}
