import { flag, idText, ms, num, ref, self, text, time, view } from './accessors.js';
import { pathId, type RestCtx, type Route } from './context.js';
import type { ModelResource } from './custom-fields.js';
import { badRequest, notFound } from './errors.js';
import { ALL_OPS, COMPARE, textField, type Clause, type FilterFields } from './filter.js';
import { itemRoute, listRoute, type FieldsParam, type Getters } from './list.js';
import { basicUser } from './people.js';
import { existing } from './relations.js';
import { defined } from './wire.js';

/**
 * Notes and tasks are ContactAction rows, told apart by ObjectType ('Note', 'Task'; appointments
 * are neither). ContactAction has no custom fields, so `custom_fields`, the one optional property
 * of both, is an empty list when asked for. Note templates are a small generated set.
 */

const CA = (column: string) => text('ContactAction', column);

function actions(ctx: RestCtx, type: string, contact?: number): number[] {
  const t = ctx.data.table('ContactAction');
  const out: number[] = [];
  for (const id of t.ids()) if (t.value(id, 'ObjectType') === type && (contact === undefined || t.value(id, 'ContactId') === contact)) out.push(id);
  return out;
}

const NOTE_PROPS: Getters<number> = {
  id: idText,
  text: CA('CreationNotes'),
  title: CA('ActionDescription'),
  type: CA('ActionType'),
  contact_id: ref('ContactAction', 'ContactId'),
  assigned_to_user: (id, ctx) => basicUser(ctx.data, view(ctx, 'ContactAction', id).refId('UserID')),
  create_time: time('ContactAction', 'CreationDate'),
  update_time: time('ContactAction', 'LastUpdated'),
  last_updated_by_user_id: ref('ContactAction', 'LastUpdatedBy'),
  created_by_user_id: ref('ContactAction', 'CreatedBy'),
  custom_fields: () => [],
};

const PRIORITIES = ['NONESSENTIAL', 'ESSENTIAL', 'CRITICAL'] as const;

const priority = (id: number, ctx: RestCtx): string | undefined => {
  const p = view(ctx, 'ContactAction', id).num('Priority');
  return p === undefined ? undefined : PRIORITIES[p % 3];
};

const TASK_PROPS: Getters<number> = {
  id: idText,
  title: CA('ActionDescription'),
  description: CA('CreationNotes'),
  type: CA('ActionType'),
  priority,
  completed: (id, ctx) => view(ctx, 'ContactAction', id).ms('CompletionDate') !== undefined,
  create_time: time('ContactAction', 'CreationDate'),
  modification_time: time('ContactAction', 'LastUpdated'),
  completion_time: time('ContactAction', 'CompletionDate'),
  due_time: time('ContactAction', 'ActionDate'),
  // remind_time_mins is left out: swagger.yml types it as an integer whose enum lists strings
  // ('5', '10', ...), so no value satisfies the published schema.
  assigned_to_user_id: ref('ContactAction', 'UserID'),
  created_by_user_id: ref('ContactAction', 'CreatedBy'),
  last_updated_by_user_id: ref('ContactAction', 'LastUpdatedBy'),
  contact_id: ref('ContactAction', 'ContactId'),
  opportunity_id: ref('ContactAction', 'OpportunityId'),
  accepted: flag('ContactAction', 'Accepted'),
  custom_fields: () => [],
};

const optionalCustomFields = (props: Getters<number>): FieldsParam => ({ allowed: ['custom_fields'], defaults: Object.keys(props).filter((p) => p !== 'custom_fields'), mode: 'add' });
const NOTE_FIELDS = optionalCustomFields(NOTE_PROPS);
const TASK_FIELDS = optionalCustomFields(TASK_PROPS);

function noIdWithIds(clauses: readonly Clause[]): void {
  if (clauses.some((c) => c.field === 'id') && clauses.some((c) => c.field === 'ids')) throw badRequest('Filter fields id and ids cannot be combined in the same request');
}

const updated = ms('ContactAction', 'LastUpdated');

const NOTE_FILTERS: FilterFields<number> = {
  id: { kind: 'number', integer: true, ops: ALL_OPS, get: self },
  ids: { kind: 'ids', get: self },
  title: { kind: 'text', contains: true, wildcard: true, get: CA('ActionDescription') },
  contact_id: { kind: 'number', integer: true, get: num('ContactAction', 'ContactId') },
  assigned_to_user_id: { kind: 'number', integer: true, get: num('ContactAction', 'UserID') },
  since_time: { kind: 'since', get: updated },
  until_time: { kind: 'until', get: updated },
};

const NOTE_ORDER = { id: self, create_time: ms('ContactAction', 'CreationDate'), update_time: updated };

const NOTE_TEMPLATES: readonly [string, string, string][] = [
  ['Discovery call', 'Questions for a first call', 'Call'],
  ['Follow-up checklist', 'What to send after a demo', 'Email'],
  ['Renewal conversation', 'Talking points before a renewal', 'Appointment'],
  ['Support escalation', 'Facts to collect before escalating', 'Other'],
];

const templateProps: Getters<number> = {
  id: idText,
  title: (id) => NOTE_TEMPLATES[id - 1]?.[0],
  description: (id) => NOTE_TEMPLATES[id - 1]?.[1],
  action_type: (id) => NOTE_TEMPLATES[id - 1]?.[2],
  assignment_user_id: (id, ctx) => 1 + ((id - 1) % Math.max(1, ctx.data.table('User').count())),
  notify_users: (id, ctx) => defined([String(1 + (id % Math.max(1, ctx.data.table('User').count())))]),
};

export const ACTIVITY_MODELS: readonly ModelResource[] = [
  { resource: 'notes', table: 'ContactAction', recordType: 'TASK_NOTE_APPOINTMENT', optional: ['custom_fields'] },
  { resource: 'tasks', table: 'ContactAction', recordType: 'TASK_NOTE_APPOINTMENT', optional: ['custom_fields'] },
];

function action(ctx: RestCtx, param: string, type: string, what: string, contact?: number): number {
  const id = existing(ctx.data.table('ContactAction'), pathId(ctx, param), what);
  const t = ctx.data.table('ContactAction');
  if (t.value(id, 'ObjectType') !== type || (contact !== undefined && t.value(id, 'ContactId') !== contact)) throw notFound(what, String(id));
  return id;
}

const contactOf = (ctx: RestCtx): number => existing(ctx.data.table('Contact'), pathId(ctx, 'contact_id'), 'Contact');

export function activityRoutes(): Route[] {
  const notes = { items: 'notes', props: NOTE_PROPS, filters: NOTE_FILTERS, customTable: 'ContactAction', checkClauses: noIdWithIds, orderBy: NOTE_ORDER, fields: NOTE_FIELDS, table: 'ContactAction' };
  return [
    listRoute({ ...notes, path: '/notes', keys: (ctx) => actions(ctx, 'Note') }),
    listRoute({ ...notes, path: '/contacts/{contact_id}/notes', keys: (ctx) => actions(ctx, 'Note', contactOf(ctx)) }),
    itemRoute({ path: '/contacts/{contact_id}/notes/{note_id}', find: (ctx) => action(ctx, 'note_id', 'Note', 'Note', contactOf(ctx)), props: NOTE_PROPS, fields: NOTE_FIELDS }),
    listRoute({
      path: '/tasks',
      items: 'tasks',
      keys: (ctx) => actions(ctx, 'Task'),
      props: TASK_PROPS,
      filters: {
        contact_id: { kind: 'number', integer: true, get: num('ContactAction', 'ContactId') },
        has_due_date: { kind: 'bool', get: (id, ctx) => view(ctx, 'ContactAction', id).ms('ActionDate') !== undefined },
        is_completed: { kind: 'bool', get: (id, ctx) => view(ctx, 'ContactAction', id).ms('CompletionDate') !== undefined },
        user_id: { kind: 'number', integer: true, get: num('ContactAction', 'UserID') },
        opportunity_id: { kind: 'number', integer: true, get: num('ContactAction', 'OpportunityId') },
        task_ids: { kind: 'ids', get: self },
        priority: { kind: 'enum', values: [...PRIORITIES].reverse(), get: priority },
        since_time: { kind: 'since', get: updated },
        until_time: { kind: 'until', get: updated },
        id: { kind: 'number', integer: true, ops: COMPARE, get: self },
        title: textField(CA('ActionDescription'), true),
      },
      customTable: 'ContactAction',
      orderBy: { id: self, create_time: ms('ContactAction', 'CreationDate'), due_time: ms('ContactAction', 'ActionDate'), update_time: updated },
      fields: TASK_FIELDS,
      table: 'ContactAction',
    }),
    itemRoute({ path: '/tasks/{task_id}', find: (ctx) => action(ctx, 'task_id', 'Task', 'Task'), props: TASK_PROPS, fields: TASK_FIELDS }),
    listRoute({
      path: '/notes/templates',
      items: 'note_templates',
      keys: () => NOTE_TEMPLATES.map((_, i) => i + 1),
      props: templateProps,
      search: (id) => NOTE_TEMPLATES[id - 1]?.[0],
      orderBy: { id: self, title: (id) => NOTE_TEMPLATES[id - 1]?.[0] },
    }),
  ];
}
