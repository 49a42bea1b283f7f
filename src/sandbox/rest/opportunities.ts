import { flag, idText, joined, ms, num, ref, self, text, time, view } from './accessors.js';
import type { RestCtx, Route } from './context.js';
import { customValues, type ModelResource } from './custom-fields.js';
import { badRequest } from './errors.js';
import { COMPARE, textField, type FilterFields } from './filter.js';
import { rowRoute, tableList, type FieldsParam, type Getters } from './list.js';
import type { JsonObject } from './wire.js';

/**
 * Opportunities are Lead rows, with their Stage, Status, contact and user; stages are Stage rows,
 * stage moves StageMove rows. The stage's probability, checklist and reasons are not in any
 * table: probability grows with the stage's order, the rest is left out.
 */

const L = (column: string) => text('Lead', column);

function stageOf(ctx: RestCtx, id: number | undefined): JsonObject | undefined {
  if (id === undefined || !ctx.data.table('Stage').exists(id)) return undefined;
  const v = view(ctx, 'Stage', id);
  return { id: String(id), name: v.str('StageName'), details: { probability: probability(ctx, id), stage_order: v.num('StageOrder'), target_num_days: v.num('TargetNumDays') } };
}

function probability(ctx: RestCtx, stage: number): number {
  const stages = Math.max(1, ctx.data.table('Stage').count());
  const order = view(ctx, 'Stage', stage).num('StageOrder') ?? stage;
  return Math.min(100, Math.round((100 * order) / stages));
}

const contactColumn = (column: string) => joined('Lead', 'ContactID', 'Contact', column);

const OPPORTUNITY_PROPS: Getters<number> = {
  id: idText,
  contact: (id, ctx) => {
    const contact = view(ctx, 'Lead', id).ref('ContactID') ?? '0';
    const c = (column: string): string | undefined => contactColumn(column)(id, ctx);
    return { id: contact, email: c('Email'), city: c('City'), state: c('State'), first_name: c('FirstName'), last_name: c('LastName'), company_name: c('Company'), job_title: c('JobTitle'), phone_number: c('Phone1') };
  },
  stage: (id, ctx) => stageOf(ctx, view(ctx, 'Lead', id).refId('StageID')) ?? { id: view(ctx, 'Lead', id).ref('StageID') ?? '0' },
  user: (id, ctx) => {
    const user = view(ctx, 'Lead', id).refId('UserID');
    if (user === undefined || !ctx.data.table('User').exists(user)) return undefined;
    const v = view(ctx, 'User', user);
    return { id: String(user), first_name: v.str('FirstName'), last_name: v.str('LastName') };
  },
  opportunity_title: (id, ctx) => view(ctx, 'Lead', id).str('OpportunityTitle') ?? '',
  next_action_time: time('Lead', 'NextActionDate'),
  next_action_notes: L('NextActionNotes'),
  opportunity_notes: L('OpportunityNotes'),
  estimated_close_time: time('Lead', 'EstimatedCloseDate'),
  include_in_forecast: flag('Lead', 'IncludeInForecast'),
  projected_revenue_low: num('Lead', 'ProjectedRevenueLow'),
  projected_revenue_high: num('Lead', 'ProjectedRevenueHigh'),
  custom_fields: (id, ctx) => customValues(ctx.data, 'Lead', id),
  created_time: time('Lead', 'DateCreated'),
  last_updated_time: time('Lead', 'LastUpdated'),
  affiliate_id: ref('Lead', 'AffiliateId'),
  lead_source: L('Leadsource'),
  monthly_revenue: num('Lead', 'MonthlyRevenue'),
  order_revenue: num('Lead', 'OrderRevenue'),
  objection: L('Objection'),
  status: joined('Lead', 'StatusID', 'Status', 'StatusName'),
  status_id: ref('Lead', 'StatusID'),
  stage_entrance_time: time('Lead', 'DateInStage'),
  last_updated_by: ref('Lead', 'LastUpdatedBy'),
  created_by: ref('Lead', 'CreatedBy'),
};

/** The optional properties (and, the sandbox having Keap's legacy opportunities on, the legacy ones). */
const OPTIONAL = ['custom_fields', 'created_by', 'last_updated_by', 'status_id', 'monthly_revenue', 'order_revenue', 'objection', 'status', 'stage_entrance_time'];
const FIELDS: FieldsParam = { allowed: OPTIONAL, defaults: Object.keys(OPPORTUNITY_PROPS).filter((p) => !OPTIONAL.includes(p)), mode: 'add' };

const FILTERS: FilterFields<number> = {
  stage_id: { kind: 'number', integer: true, get: num('Lead', 'StageID') },
  user_id: { kind: 'number', integer: true, get: num('Lead', 'UserID') },
  contact_id: { kind: 'number', integer: true, get: num('Lead', 'ContactID') },
  opportunity_title: textField(L('OpportunityTitle'), true),
  lead_source_name: textField(L('Leadsource'), true),
  affiliate_id: { kind: 'number', integer: true, get: num('Lead', 'AffiliateId') },
  opportunity_id: { kind: 'number', integer: true, ops: COMPARE, get: self },
  ids: { kind: 'ids', max: 100, get: self },
  contact_phone: textField(contactColumn('Phone1'), true),
  contact_city: textField(contactColumn('City'), true),
  contact_state: textField(contactColumn('State'), true),
  projected_revenue_high: { kind: 'number', ops: COMPARE, get: num('Lead', 'ProjectedRevenueHigh') },
  projected_revenue_low: { kind: 'number', ops: COMPARE, get: num('Lead', 'ProjectedRevenueLow') },
};

const STAGE_PROPS: Getters<number> = {
  id: idText,
  name: text('Stage', 'StageName'),
  order: num('Stage', 'StageOrder'),
  target_number_days: num('Stage', 'TargetNumDays'),
  probability: (id, ctx) => probability(ctx, id),
};

const MOVE_PROPS: Getters<number> = {
  id: idText,
  opportunity_id: ref('StageMove', 'OpportunityId'),
  move_time: time('StageMove', 'MoveDate'),
  move_from_stage_id: ref('StageMove', 'MoveFromStage'),
  move_to_stage_id: ref('StageMove', 'MoveToStage'),
  prev_stage_move_time: time('StageMove', 'PrevStageMoveDate'),
  user_id: ref('StageMove', 'UserId'),
  created_by: ref('StageMove', 'CreatedBy'),
  create_time: time('StageMove', 'DateCreated'),
};

export const OPPORTUNITY_MODELS: readonly ModelResource[] = [{ resource: 'opportunities', table: 'Lead', recordType: 'OPPORTUNITY', optional: OPTIONAL }];

export function opportunityRoutes(): Route[] {
  return [
    tableList('Lead', {
      path: '/opportunities',
      items: 'opportunities',
      props: OPPORTUNITY_PROPS,
      filters: FILTERS,
      customTable: 'Lead',
      checkClauses: (clauses) => {
        if (clauses.some((c) => c.field === 'opportunity_id') && clauses.some((c) => c.field === 'ids')) throw badRequest('Filter fields opportunity_id and ids cannot be used together');
      },
      orderBy: {
        next_action_time: ms('Lead', 'NextActionDate'),
        contact_name: (id, ctx) => [contactColumn('FirstName')(id, ctx), contactColumn('LastName')(id, ctx)].filter((x) => x !== undefined).join(' '),
        opportunity_title: L('OpportunityTitle'),
        created_time: ms('Lead', 'DateCreated'),
        update_time: ms('Lead', 'LastUpdated'),
      },
      fields: FIELDS,
    }),
    rowRoute('/opportunities/{opportunity_id}', 'Lead', 'Opportunity', OPPORTUNITY_PROPS, FIELDS),
    tableList('Stage', {
      path: '/opportunities/stages',
      items: 'stages',
      props: STAGE_PROPS,
      filters: {
        opportunity_stage_name: textField(text('Stage', 'StageName'), true),
        opportunity_stage_id: { kind: 'number', integer: true, ops: COMPARE, get: self },
      },
      orderBy: { stage_order: num('Stage', 'StageOrder') },
    }),
    rowRoute('/opportunities/stages/{stage_id}', 'Stage', 'Stage', STAGE_PROPS),
    tableList('StageMove', {
      path: '/opportunities/stageMoves',
      items: 'stage_moves',
      props: MOVE_PROPS,
      filters: {
        opportunity_id: { kind: 'number', integer: true, get: num('StageMove', 'OpportunityId') },
        user_id: { kind: 'number', integer: true, get: num('StageMove', 'UserId') },
      },
      orderBy: { move_date: ms('StageMove', 'MoveDate'), id: self },
    }),
    rowRoute('/opportunities/stageMoves/{stage_move_id}', 'StageMove', 'StageMove', MOVE_PROPS),
  ];
}
