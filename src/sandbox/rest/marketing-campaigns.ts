import { idText, self, text, view } from './accessors.js';
import { get, pathId, type RestCtx, type Route } from './context.js';
import { notFound } from './errors.js';
import { ALL_OPS, type FilterFields } from './filter.js';
import { itemRoute, listRoute, tableList, type Getters, type ListDef } from './list.js';
import { createdAt, existing, pickOf, rowsWhere, updatedAt } from './relations.js';
import { iso, type Json } from './wire.js';

/**
 * Campaigns are Campaign rows: their sequences are the CampaignStep rows, their contacts the
 * Campaignee rows. Keap's newer "automations" and their categories live in no XML-RPC table: the
 * account has a generated set of twelve in three categories.
 */

const DAY = 86_400_000;

const campaigneeCount = (ctx: RestCtx, campaign: number, status: string): number =>
  rowsWhere(ctx.data, 'Campaignee', 'CampaignId', campaign).filter((r) => ctx.data.table('Campaignee').value(r, 'Status') === status).length;

const published = (id: number, ctx: RestCtx): boolean => view(ctx, 'Campaign', id).str('Status') === 'Active';
const publishedAt = (id: number, ctx: RestCtx): number | undefined => (published(id, ctx) ? createdAt(ctx.data, 'Campaign', id) + (1 + pickOf(ctx.data, 'campaignPublished', id, 30)) * DAY : undefined);

const CAMPAIGN_PROPS: Getters<number> = {
  id: idText,
  name: text('Campaign', 'Name'),
  locked: () => false,
  date_created: (id, ctx) => iso(createdAt(ctx.data, 'Campaign', id)),
  published_date: (id, ctx) => {
    const t = publishedAt(id, ctx);
    return t === undefined ? undefined : iso(t);
  },
  published_status: published,
  time_zone: (_id, ctx) => ctx.data.wall.zone,
  published_time_zone: (id, ctx) => (published(id, ctx) ? ctx.data.wall.zone : undefined),
  created_by_global_id: (_id, ctx) => view(ctx, 'User', 1).str('GlobalUserId'),
  active_contact_count: (id, ctx) => campaigneeCount(ctx, id, 'Active'),
  completed_contact_count: (id, ctx) => campaigneeCount(ctx, id, 'Done'),
};

const STEP_TYPES = ['Email', 'DelayTimer', 'Tag'];

const counts = (ctx: RestCtx, what: string, id: number): Json => ({ '24_hours': pickOf(ctx.data, `${what}:day`, id, 5), '30_days': 5 + pickOf(ctx.data, `${what}:month`, id, 60) });

/** One sequence per campaign, its steps in order (CampaignStep rows), as Keap's Sequence. */
function sequences(ctx: RestCtx, campaign: number): Json[] {
  const steps = rowsWhere(ctx.data, 'CampaignStep', 'CampaignId', campaign);
  if (steps.length === 0) return [];
  const items = steps.map((step, i) => ({
    id: String(step),
    name: view(ctx, 'CampaignStep', step).str('StepTitle'),
    type: STEP_TYPES[i % STEP_TYPES.length],
    next_item_id: steps[i + 1]?.toString(),
    previous_item_id: steps[i - 1]?.toString(),
  }));
  return [{ id: String(campaign), name: `${view(ctx, 'Campaign', campaign).str('Name') ?? 'Campaign'} sequence`, paths: [{ id: '1', items }], active_contact_count: campaigneeCount(ctx, campaign, 'Active'), historical_contact_count: counts(ctx, 'sequence', campaign) }];
}

// ---- automations ----

const AUTOMATIONS = [
  'New lead nurture', 'Abandoned cart', 'Webinar follow-up', 'Birthday greeting', 'Payment failed', 'Welcome new customer',
  'Review request', 'Re-engagement', 'Appointment reminder', 'Referral thank-you', 'Renewal notice', 'Onboarding checklist',
];
const CATEGORIES = ['Sales', 'Marketing', 'Billing'];

const automationName = (id: number): string | undefined => AUTOMATIONS[id - 1];
const category = (id: number): number => 1 + ((id - 1) % CATEGORIES.length);
const isPublished = (id: number, ctx: RestCtx): boolean => pickOf(ctx.data, 'automationStatus', id, 4) !== 0;
const locked = (id: number): boolean => id % 5 === 0;
const activeContacts = (id: number, ctx: RestCtx): number => (isPublished(id, ctx) ? pickOf(ctx.data, 'automationContacts', id, 400) : 0);
const automationPublished = (id: number, ctx: RestCtx): number | undefined => (isPublished(id, ctx) ? createdAt(ctx.data, 'Automation', id, AUTOMATIONS.length) : undefined);

const AUTOMATION_PROPS: Getters<number> = {
  id: idText,
  title: automationName,
  categories: (id) => [String(category(id))],
  status: (id, ctx) => (isPublished(id, ctx) ? 'PUBLISHED' : 'DRAFT'),
  locked,
  active_contacts: activeContacts,
  published_date: (id, ctx) => {
    const t = automationPublished(id, ctx);
    return t === undefined ? undefined : iso(t);
  },
  published_by: (id, ctx) => (isPublished(id, ctx) ? `${view(ctx, 'User', 1).str('FirstName') ?? ''} ${view(ctx, 'User', 1).str('LastName') ?? ''}`.trim() : undefined),
  published_timezone: (id, ctx) => (isPublished(id, ctx) ? ctx.data.wall.zone : undefined),
  current_edit_lock_status: (id, ctx) => (locked(id) ? { locked: true, user_id: '1', user_name: view(ctx, 'User', 1).str('Email'), user_firstname: view(ctx, 'User', 1).str('FirstName') } : { locked: false }),
};

/** The filter and order of both automation lists (their parameters are described alike). */
const AUTOMATION_LIST: Pick<ListDef<number>, 'filters' | 'orderBy' | 'maxPageSize'> = {
  filters: {
    name: { kind: 'text', contains: true, wildcard: true, get: automationName },
    id: { kind: 'number', integer: true, ops: ALL_OPS, get: self },
    status: { kind: 'enum', values: ['published', 'draft'], get: (id, ctx) => (isPublished(id, ctx) ? 'published' : 'draft') },
    categories: { kind: 'ids', get: category },
  } satisfies FilterFields<number>,
  orderBy: { name: automationName, category, activeContacts, publishedDate: automationPublished },
  maxPageSize: 25,
};

const automationKeys = (): number[] => AUTOMATIONS.map((_, i) => i + 1);

export function campaignRoutes(): Route[] {
  const campaignId = (ctx: RestCtx): number => existing(ctx.data.table('Campaign'), pathId(ctx, 'campaign_id'), 'Campaign');
  return [
    tableList('Campaign', {
      path: '/campaigns',
      items: 'campaigns',
      props: CAMPAIGN_PROPS,
      filters: { name: { kind: 'text', contains: true, get: text('Campaign', 'Name') } },
      orderBy: {
        name: text('Campaign', 'Name'),
        publisheddate: publishedAt,
        id: self,
        completedContactCount: (id, ctx) => campaigneeCount(ctx, id, 'Done'),
        activeContacts: (id, ctx) => campaigneeCount(ctx, id, 'Active'),
        datecreated: (id, ctx) => createdAt(ctx.data, 'Campaign', id),
        lastupdated: (id, ctx) => updatedAt(ctx.data, 'Campaign', id),
      },
    }),
    itemRoute({ path: '/campaigns/{campaign_id}', find: campaignId, props: CAMPAIGN_PROPS }),
    get('/campaigns/{campaign_id}/sequences', (ctx) => {
      const id = campaignId(ctx);
      return { sequences: sequences(ctx, id), next_page_token: '', campaign_id: String(id) };
    }),
    get('/campaigns/{campaign_id}/goals', (ctx) => {
      const id = campaignId(ctx);
      const tag = id % 2 === 0;
      const goal = { id: String(id * 10 + 1), name: tag ? 'Tag applied' : 'Web form submitted', type: tag ? 'Tag' : 'WebForm', historical_contact_counts: counts(ctx, 'goal', id), next_sequence_ids: sequences(ctx, id).length > 0 ? [String(id)] : [], previous_sequence_ids: [] };
      return { goals: [goal], next_page_token: '', campaign_id: String(id) };
    }),
    listRoute({
      path: '/automations',
      items: 'automations',
      keys: automationKeys,
      props: AUTOMATION_PROPS,
      ...AUTOMATION_LIST,
      extra: (matching) => ({ automation_count: matching.length }),
    }),
    itemRoute({
      path: '/automations/{automation_id}',
      find: (ctx) => {
        const id = pathId(ctx, 'automation_id');
        if (automationName(id) === undefined) throw notFound('Automation', String(id));
        return id;
      },
      props: AUTOMATION_PROPS,
    }),
    listRoute({
      path: '/automations/ids',
      items: 'automation_ids',
      keys: automationKeys,
      props: {},
      item: idText,
      ...AUTOMATION_LIST,
      extra: (matching) => ({ locked_automation_ids: matching.filter(locked).map(String) }),
    }),
    get('/automationCategory', () => ({
      automation_categories: CATEGORIES.map((name, i) => ({ id: String(i + 1), name, automation_count: automationKeys().filter((a) => category(a) === i + 1).length })),
      next_page_token: '',
    })),
  ];
}
