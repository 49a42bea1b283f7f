import { CUSTOM_FIELDS, FORM_IDS, type CustomFieldDef } from '../custom-fields.js';
import type { SandboxData } from '../data.js';
import { get, pathId, type RestCtx, type Route } from './context.js';
import { badRequest, notFound } from './errors.js';
import { COMPARE, type FilterField } from './filter.js';
import { calendarDate, iso, RowView, type Json, type JsonObject } from './wire.js';

/**
 * Custom fields on REST: the same definitions the XML-RPC side keeps as DataFormField rows and
 * `_Name` columns. A field's REST id is its DataFormField id, its `field_name` the DataFormField
 * Name; records carry `custom_fields: [{id, content}]` for the fields that hold a value. The
 * `/model` routes describe them, with the tabs and groups of DataFormTab / DataFormGroup.
 */

/** Keap's DataFormField.DataType codes as REST's field_type. */
const FIELD_TYPES: Readonly<Record<number, string>> = {
  1: 'PHONE_NUMBER',
  2: 'SOCIAL_SECURITY_NUMBER',
  3: 'CURRENCY',
  4: 'PERCENT',
  5: 'STATE',
  6: 'YES_NO',
  7: 'YEAR',
  8: 'MONTH',
  9: 'DAY_OF_WEEK',
  10: 'NAME',
  11: 'DECIMAL_NUMBER',
  12: 'WHOLE_NUMBER',
  13: 'DATE',
  14: 'DATE_TIME',
  15: 'TEXT',
  16: 'TEXT_AREA',
  17: 'LIST_BOX',
  18: 'WEBSITE',
  19: 'EMAIL',
  20: 'RADIO',
  21: 'DROPDOWN',
  22: 'USER',
  23: 'DRILLDOWN',
  25: 'USER_LIST_BOX',
};

const NUMERIC = new Set(['CURRENCY', 'PERCENT', 'YEAR', 'MONTH', 'DAY_OF_WEEK', 'DECIMAL_NUMBER', 'WHOLE_NUMBER', 'USER']);

export function fieldType(def: CustomFieldDef): string {
  return FIELD_TYPES[def.dataType] ?? 'TEXT';
}

export function customFieldId(def: CustomFieldDef): string {
  return String(CUSTOM_FIELDS.indexOf(def) + 1);
}

/** A custom field's value as `content`: numbers stay numbers, yes/no is a boolean, dates are dated. */
function content(data: SandboxData, def: CustomFieldDef, v: number | string | boolean): Json {
  const type = fieldType(def);
  if (type === 'YES_NO') return v === true || v === 1 || v === '1';
  if (typeof v === 'number' && type === 'DATE') return calendarDate(data.wall, v);
  if (typeof v === 'number' && type === 'DATE_TIME') return iso(v);
  return v;
}

/** `custom_fields` of one row: the fields that hold a value. */
export function customValues(data: SandboxData, table: string, id: number): JsonObject[] {
  const view = new RowView(data.table(table), id);
  const out: JsonObject[] = [];
  for (const def of data.customFields(table)) {
    const v = view.raw(`_${def.name}`);
    if (v !== null) out.push({ id: customFieldId(def), content: content(data, def, v) });
  }
  return out;
}

/**
 * The filter field for a custom field named in a filter (field_name, without case), typed as the
 * descriptions say: text-like fields take `==` and a trailing `*`, numbers and dates compare,
 * yes/no takes 0 or 1, multi-select matches a contained option.
 */
export function customFilter(data: SandboxData, table: string): (name: string) => FilterField<number> | undefined {
  const defs = data.customFields(table);
  const t = data.table(table);
  return (name) => {
    const def = defs.find((d) => d.name.toLowerCase() === name.toLowerCase());
    if (def === undefined) return undefined;
    const column = `_${def.name}`;
    const raw = (k: number): number | string | boolean | null => t.value(k, column);
    const type = fieldType(def);
    if (type === 'DATE' || type === 'DATE_TIME') return { kind: 'time', ops: COMPARE, get: (k) => num(raw(k)) };
    if (NUMERIC.has(type)) return { kind: 'number', ops: COMPARE, get: (k) => num(raw(k)) };
    if (type === 'YES_NO' || type === 'DRILLDOWN') {
      return {
        kind: 'test',
        parse: (value, field) => {
          if (type === 'YES_NO' ? !/^[01]$/.test(value) : !/^\d+$/.test(value)) throw badRequest(`Invalid value '${value}' for custom field '${field}': expected ${type === 'YES_NO' ? '0 or 1' : 'an integer'}`);
          return Number(value);
        },
        test: (k, want) => {
          const v = raw(k);
          return (v === true ? 1 : v === false ? 0 : v) === want;
        },
      };
    }
    if (type === 'LIST_BOX' || type === 'USER_LIST_BOX') {
      return {
        kind: 'test',
        parse: (value) => value.toLowerCase(),
        test: (k, want) =>
          String(raw(k) ?? '')
            .toLowerCase()
            .split(',')
            .map((s) => s.trim())
            .includes(String(want)),
      };
    }
    return { kind: 'text', wildcard: true, get: (k) => str(raw(k)) };
  };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

// ---- the /model routes ----

export interface ModelResource {
  /** The path segment: `contacts`, `orders`... */
  resource: string;
  /** The table whose `_Name` columns hold the custom fields (none for tasks, notes, subscriptions). */
  table: string;
  recordType: string;
  /** Properties left out unless `fields` asks for them. */
  optional: readonly string[];
}

function tabsOf(data: SandboxData, r: ModelResource): number[] {
  const formId = FORM_IDS[r.table];
  const tabs = data.table('DataFormTab');
  return formId === undefined ? [] : [...tabs.ids()].filter((id) => tabs.value(id, 'FormId') === formId);
}

function groupsOf(data: SandboxData, r: ModelResource, tabId?: number): number[] {
  const tabs = new Set(tabsOf(data, r));
  const groups = data.table('DataFormGroup');
  return [...groups.ids()].filter((id) => {
    const tab = groups.value(id, 'TabId');
    return typeof tab === 'number' && tabs.has(tab) && (tabId === undefined || tab === tabId);
  });
}

function tab(data: SandboxData, r: ModelResource, id: number, order: number): JsonObject {
  const v = new RowView(data.table('DataFormTab'), id);
  return { id: String(id), name: v.str('TabName'), order, record_type: r.recordType };
}

function group(data: SandboxData, r: ModelResource, id: number, order: number): JsonObject {
  const v = new RowView(data.table('DataFormGroup'), id);
  return { id: String(id), name: v.str('Name'), order, tab_id: v.ref('TabId'), record_type: r.recordType };
}

function metadata(data: SandboxData, r: ModelResource, def: CustomFieldDef): JsonObject {
  const groupId = groupsOf(data, r)[0];
  const options = def.values?.split('\n').map((label) => ({ id: label, label }));
  return {
    id: customFieldId(def),
    label: def.label,
    options,
    record_type: r.recordType,
    field_type: fieldType(def),
    default_value: def.defaultValue,
    group_id: groupId === undefined ? undefined : String(groupId),
    group_name: groupId === undefined ? undefined : new RowView(data.table('DataFormGroup'), groupId).str('Name'),
    field_name: def.name,
  };
}

function tabId(ctx: RestCtx): number | undefined {
  const text = ctx.query.get('tab_id');
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw badRequest(`Invalid tab_id '${text}': must be a positive integer`);
  return Number(text);
}

type Lister = (data: SandboxData, r: ModelResource) => number[];
type Renderer = (data: SandboxData, r: ModelResource, id: number, order: number) => JsonObject;

/** `.../customFields/<kind>/{param}`: one tab or group of the resource, with its place as `order`. */
function oneOf(r: ModelResource, kind: string, param: string, what: string, list: Lister, one: Renderer): Route {
  return get(`/${r.resource}/model/customFields/${kind}/{${param}}`, (ctx) => {
    const id = pathId(ctx, param);
    const i = list(ctx.data, r).indexOf(id);
    if (i < 0) throw notFound(what, String(id));
    return one(ctx.data, r, id, i + 1);
  });
}

/** `/X/model` and its custom-field tabs and groups, for each resource that has them. */
export function modelRoutes(resources: readonly ModelResource[]): Route[] {
  return resources.flatMap((r): Route[] => {
    const base = `/${r.resource}/model`;
    return [
      get(base, (ctx) => ({ custom_fields: ctx.data.customFields(r.table).map((d) => metadata(ctx.data, r, d)), optional_properties: [...r.optional] })),
      get(`${base}/customFields/tabs`, (ctx) => ({ tabs: tabsOf(ctx.data, r).map((id, i) => tab(ctx.data, r, id, i + 1)) })),
      oneOf(r, 'tabs', 'tab_id', 'CustomFieldTab', tabsOf, tab),
      get(`${base}/customFields/groups`, (ctx) => ({ groups: groupsOf(ctx.data, r, tabId(ctx)).map((id, i) => group(ctx.data, r, id, i + 1)) })),
      oneOf(r, 'groups', 'group_id', 'CustomFieldGroup', (data) => groupsOf(data, r), group),
    ];
  });
}
