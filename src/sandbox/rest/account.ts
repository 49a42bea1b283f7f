import { columnsOf, matches } from '../report-methods-search.js';
import { flag, idText, num, ref, self, text, view } from './accessors.js';
import { get, pathId, type RestCtx, type Route } from './context.js';
import { badRequest } from './errors.js';
import { parseClauses, textField } from './filter.js';
import { itemRoute, listRoute, rowRoute, tableList, type Getters } from './list.js';
import { emails, phones } from './people.js';
import { createdAt, existing, updatedAt } from './relations.js';
import { iso, nonEmpty, type Json, type JsonObject } from './wire.js';

/**
 * The account itself: users (User; a partner user is left out unless asked for, as Keap does),
 * user groups (UserGroup), files (FileBox and the bytes FileService.getFile serves) and saved
 * reports (SavedFilter, run over the rows the XML-RPC saved-search methods return).
 */

const U = (column: string) => text('User', column);

const USER_PROPS: Getters<number> = {
  address: (id, ctx) => {
    const v = view(ctx, 'User', id);
    return nonEmpty({ line1: v.str('StreetAddress1'), line2: v.str('StreetAddress2'), locality: v.str('City'), region: v.str('State'), postal_code: v.str('PostalCode'), zip_four: v.str('ZipFour1') });
  },
  title: U('Title'),
  partner: flag('User', 'Partner'),
  admin: (id) => id === 1,
  status: () => 'ACTIVE',
  id: idText,
  global_user_id: ref('User', 'GlobalUserId'),
  given_name: U('FirstName'),
  family_name: U('LastName'),
  middle_name: U('MiddleName'),
  nickname: U('Nickname'),
  spouse_name: U('SpouseName'),
  suffix: U('Suffix'),
  phone_numbers: (id, ctx) => phones(view(ctx, 'User', id), 2),
  email_addresses: (id, ctx) => emails(ctx.data, view(ctx, 'User', id)).map(({ email, field }) => ({ email, field })),
  company_name: (_id, ctx) => `${ctx.app} company`,
  create_time: (id, ctx) => iso(createdAt(ctx.data, 'User', id)),
  update_time: (id, ctx) => iso(updatedAt(ctx.data, 'User', id)),
};

/** `include_partners==true` brings partner users in; without it Keap lists only staff. */
function includePartners(ctx: RestCtx): boolean {
  return parseClauses(ctx.query.get('filter') ?? '').some((c) => c.field === 'include_partners' && c.value.toLowerCase() === 'true');
}

const userName = (id: number, ctx: RestCtx): string => `${U('LastName')(id, ctx) ?? ''}\u0000${String(id).padStart(12, '0')}`;

// ---- files ----

const F = (column: string) => text('FileBox', column);
const fileCategory = (id: number, ctx: RestCtx): string => {
  const name = F('FileName')(id, ctx) ?? '';
  if (name.startsWith('logo')) return 'LOGO';
  if (name.startsWith('invoice') || name.startsWith('receipt')) return 'INVOICE';
  return view(ctx, 'FileBox', id).refId('ContactId') === undefined ? 'DOCUMENTS' : 'ATTACHMENTS';
};
const fileType = (id: number, ctx: RestCtx): string => {
  if (F('Extension')(id, ctx) === 'png') return 'IMAGE';
  return view(ctx, 'FileBox', id).refId('ContactId') === undefined ? 'APPLICATION' : 'CONTACT';
};
const fileUser = (id: number, ctx: RestCtx): number => 1 + (id % Math.max(1, ctx.data.table('User').count()));
const fileCreated = (id: number, ctx: RestCtx): number => createdAt(ctx.data, 'FileBox', id);
const fileUpdated = (id: number, ctx: RestCtx): number => updatedAt(ctx.data, 'FileBox', id);

const FILE_PROPS: Getters<number> = {
  id: idText,
  category: fileCategory,
  file_name: F('FileName'),
  is_public: flag('FileBox', 'Public'),
  contact_id: ref('FileBox', 'ContactId'),
  created_by_id: (id, ctx) => String(fileUser(id, ctx)),
  file_box_type: fileType,
  file_size: num('FileBox', 'FileSize'),
  created_time: (id, ctx) => iso(fileCreated(id, ctx)),
  updated_time: (id, ctx) => iso(fileUpdated(id, ctx)),
};

const FILE_CATEGORIES = ['ATTACHMENTS', 'CART', 'DOCUMENTS', 'HIDDEN', 'INVOICE', 'LOGO', 'TICKETS', 'WEB_FORM', 'FUNNEL'];
const FILE_TYPES = ['APPLICATION', 'IMAGE', 'FAX', 'ATTACHMENT', 'TICKET', 'CONTACT', 'DIGITAL_PRODUCT', 'IMPORT', 'HIDDEN', 'WEB_FORM', 'STYLED_CART', 'RESAMPLED_IMAGE', 'TEMPLATE_THUMBNAIL', 'FUNNEL', 'LOGO_THUMBNAIL', 'UNLAYER', 'BRANDING_CENTER_LOGO'];

const fileId = (ctx: RestCtx): number => existing(ctx.data.table('FileBox'), pathId(ctx, 'file_id'), 'File');

// ---- saved reports ----

const reportCreated = (id: number, ctx: RestCtx): number => createdAt(ctx.data, 'SavedFilter', id);

const REPORT_PROPS: Getters<number> = {
  id: idText,
  name: text('SavedFilter', 'FilterName'),
  updated_time: (id, ctx) => iso(updatedAt(ctx.data, 'SavedFilter', id)),
  created_time: (id, ctx) => iso(reportCreated(id, ctx)),
  user_ids: (id, ctx) => (text('SavedFilter', 'UserId')(id, ctx) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
};

const reportId = (ctx: RestCtx): number => existing(ctx.data.table('SavedFilter'), pathId(ctx, 'report_id'), 'Report');

/** A saved search's columns, or the subset `fields` names (400 for a column it does not have). */
function reportFields(ctx: RestCtx, report: number): string[] {
  const columns = Object.keys(columnsOf(ctx.data, report));
  const asked = (ctx.query.get('fields') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = asked.find((f) => !columns.includes(f));
  if (bad !== undefined) throw badRequest(`Invalid fields value '${bad}': report ${report} has the fields ${columns.join(', ')}`);
  return asked.length > 0 ? asked : columns;
}

/** One result row: every asked column of the matching contact, as text (dates in ISO 8601). */
function reportRow(ctx: RestCtx, report: number, contact: number): JsonObject {
  const t = ctx.data.table('Contact');
  const columns = reportFields(ctx, report).map((field_name): Json => {
    const v = t.value(contact, field_name);
    const value = v === null ? undefined : t.columns.get(field_name) === 'date' && typeof v === 'number' ? iso(v) : String(v);
    return value === undefined ? { field_name } : { field_name, value };
  });
  return { columns };
}

const REPORT_COLUMNS = ['Id', 'FirstName', 'LastName', 'Email', 'City', 'State', 'DateCreated', 'Company', 'Phone1', 'LastUpdated', 'PostalCode', 'Country', 'ReferralCode'];

/** `:run` reads its RunReportRequest from the query (as the spec puts it) or from a JSON body. */
function withBodyParams(ctx: RestCtx): RestCtx {
  const query = new URLSearchParams(ctx.query);
  for (const name of ['page_token', 'order_by', 'page_size', 'fields']) {
    const v = ctx.body[name];
    if (!query.has(name) && (typeof v === 'string' || typeof v === 'number')) query.set(name, String(v));
  }
  return { ...ctx, query };
}

export function accountRoutes(): Route[] {
  const run = listRoute({
    path: '/reporting/reports/{report_id}:run',
    items: 'results',
    keys: (ctx) => matches(ctx.data, reportId(ctx)),
    props: {},
    item: (contact, ctx) => reportRow(ctx, Number(ctx.params['report_id']), contact),
    orderBy: Object.fromEntries(REPORT_COLUMNS.map((c) => [c, (contact: number, ctx: RestCtx) => {
      const v = ctx.data.table('Contact').value(contact, c);
      return v === null || typeof v === 'boolean' ? undefined : v;
    }])),
    tokenProperty: 'page_token',
    table: 'Contact',
  });
  return [
    listRoute({
      path: '/users',
      items: 'users',
      keys: (ctx) => [...ctx.data.table('User').ids()].filter((id) => includePartners(ctx) || view(ctx, 'User', id).flag('Partner') !== true),
      props: USER_PROPS,
      filters: {
        email: textField(U('Email')),
        given_name: textField(U('FirstName')),
        // Every sandbox user is active; partners are chosen by the keys above.
        include_inactive: { kind: 'test', parse: bool, test: () => true },
        include_partners: { kind: 'test', parse: bool, test: () => true },
        user_ids: { kind: 'ids', get: self },
      },
      orderBy: { create_time: (id, ctx) => createdAt(ctx.data, 'User', id), email: U('Email'), name: userName },
      maxPageSize: 100,
      minPageSize: 1,
      table: 'User',
    }),
    rowRoute('/users/{user_id}', 'User', 'User', USER_PROPS),
    get('/users/{user_id}/signature', (ctx) => view(ctx, 'User', existing(ctx.data.table('User'), pathId(ctx, 'user_id'), 'User')).str('HTMLSignature') ?? ''),
    get('/userGroups', (ctx) => ({ user_groups: [...ctx.data.table('UserGroup').ids()].map((id) => ({ id: String(id), name: view(ctx, 'UserGroup', id).str('Name') })), next_page_token: '' })),
    get('/userGroups/{user_group_id}', (ctx) => {
      const id = existing(ctx.data.table('UserGroup'), pathId(ctx, 'user_group_id'), 'UserGroup');
      return { id: String(id), name: view(ctx, 'UserGroup', id).str('Name') };
    }),
    tableList('FileBox', {
      path: '/files',
      items: 'files',
      props: FILE_PROPS,
      filters: {
        is_public: { kind: 'bool', get: flag('FileBox', 'Public') },
        contact_id: { kind: 'number', integer: true, get: num('FileBox', 'ContactId') },
        user_id: { kind: 'number', integer: true, get: fileUser },
        category: { kind: 'enum', values: FILE_CATEGORIES, get: fileCategory },
        file_box_type: { kind: 'enum', values: FILE_TYPES, get: fileType },
        file_name: textField(F('FileName')),
        created_time: { kind: 'since', get: fileCreated },
        updated_time: { kind: 'since', get: fileUpdated },
      },
      orderBy: { file_name: F('FileName'), updated_time: fileUpdated, created_time: fileCreated },
    }),
    itemRoute({ path: '/files/{file_id}', find: fileId, props: FILE_PROPS }),
    get('/files/{file_id}:data', (ctx) => (ctx.data.fileContent(fileId(ctx)) ?? Buffer.alloc(0)).toString('base64')),
    tableList('SavedFilter', {
      path: '/reporting/reports',
      items: 'reports',
      props: REPORT_PROPS,
      filters: {
        name: textField(text('SavedFilter', 'FilterName')),
        since_created_time: { kind: 'since', dateOnly: true, get: reportCreated },
        until_created_time: { kind: 'until', dateOnly: true, get: reportCreated },
      },
      orderBy: { name: text('SavedFilter', 'FilterName'), created_time: reportCreated },
    }),
    itemRoute({ path: '/reporting/reports/{report_id}', find: reportId, props: REPORT_PROPS }),
    get('/reporting/reports/{report_id}/model', (ctx) => ({ fields: Object.entries(columnsOf(ctx.data, reportId(ctx))).map(([name, label]) => ({ name, label })) })),
    {
      ...run,
      method: 'POST',
      handle: (ctx) => {
        const full = withBodyParams(ctx);
        reportFields(full, reportId(full));
        return run.handle(full);
      },
    },
  ];
}

function bool(value: string, field: string): boolean {
  if (!/^(true|false)$/i.test(value)) throw badRequest(`Invalid value '${value}' for filter field '${field}': expected true or false`);
  return value.toLowerCase() === 'true';
}
