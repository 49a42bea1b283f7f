import type { Clock } from '../keap/clock.js';
import { encodeFault } from '../xmlrpc/encode.js';
import type { XmlRpcStruct, XmlRpcValue } from '../xmlrpc/types.js';
import { XmlRpcDateTime } from '../xmlrpc/types.js';
import { checkField, parseConditions } from './conditions.js';
import type { SandboxData, SandboxTable } from './data.js';
import { KeapFault, noSuchHandler, noTableFound, recordNotFound } from './keap-fault.js';
import { Params } from './params.js';
import { QueryEngine } from './query.js';
import { RenderedValue, renderValue, responseBody, RowRenderer } from './render.js';
import type { WallClock } from './wall-clock.js';

/**
 * XML-RPC method dispatch. Every method takes Keap's legacy key as parameter 1; with header auth
 * it is a placeholder and is ignored here, except that `DataService.getUserInfo` takes no
 * parameters at all (keap-api.md §1). Handlers receive the parameters after the key.
 *
 * To add methods (the report services do), call `registerMethods` at module load, or pass
 * `methods` to startSandbox for one instance:
 *
 *   registerMethods({ 'ProductService.getInventory': (ctx, params) => ... });
 *
 * A handler returns an XmlRpcValue (rendered Keap-style: bare strings, `<i4>`, null members left
 * out; build dates with `ctx.date(utcMs)`) or a RenderedValue it encoded itself, and throws
 * KeapFault for faults (keap-fault.ts has Keap's; params.ts reads parameters and faults like Keap).
 */

export interface MethodContext {
  data: SandboxData;
  query: QueryEngine;
  wall: WallClock;
  clock: Clock;
  method: string;
  /** How the request authenticated. */
  auth: 'api_key' | 'oauth';
  /** The app name, as in `<app>.infusionsoft.com`. */
  app: string;
  /** A table by name, or fault 9 like Keap. */
  table(name: string): SandboxTable;
  /** A Keap dateTime value (wall clock, no offset) for a UTC instant. */
  date(utcMs: number): XmlRpcDateTime;
  /** Reads parameters with Keap's faults; `signature` names the method's parameters in messages. */
  params(values: readonly XmlRpcValue[], signature: string): Params;
}

/** The context a sandbox gives its handlers; tests build one to call handlers without HTTP. */
export function methodContext(
  data: SandboxData,
  options: { query?: QueryEngine; method?: string; auth?: 'api_key' | 'oauth'; app?: string } = {},
): MethodContext {
  const method = options.method ?? '';
  return {
    data,
    query: options.query ?? new QueryEngine(data),
    wall: data.wall,
    clock: data.clock,
    method,
    auth: options.auth ?? 'api_key',
    app: options.app ?? 'sandbox',
    table: (name) => tableOf(data, name),
    date: (utcMs) => new XmlRpcDateTime(data.wall.formatCompact(utcMs)),
    params: (values, signature) => new Params(method, signature, values),
  };
}

/** The same context for another method of the same request stream. */
export function withMethod(ctx: MethodContext, method: string, auth: 'api_key' | 'oauth'): MethodContext {
  return { ...ctx, method, auth, params: (values, signature) => new Params(method, signature, values) };
}

export type MethodResult = XmlRpcValue | RenderedValue;
export type MethodHandler = (ctx: MethodContext, params: XmlRpcValue[]) => MethodResult;

export interface MethodDef {
  handler: MethodHandler;
  /** False for the rare method without Keap's key parameter (getUserInfo). Default true. */
  keyParam?: boolean;
}

export type MethodMap = Record<string, MethodHandler | MethodDef>;

const registry = new Map<string, MethodDef>();

/** Adds (or replaces) methods for every sandbox in this process. */
export function registerMethods(map: MethodMap): void {
  for (const [name, def] of Object.entries(map)) registry.set(name, typeof def === 'function' ? { handler: def } : def);
}

export function registeredMethods(): string[] {
  return [...registry.keys()];
}

/** The page size Keap caps DataService queries at. */
export const MAX_LIMIT = 1000;

export interface DispatchResult {
  /** The whole response body: a methodResponse, or a fault (which Keap sends with HTTP 200). */
  body: Buffer;
  fault: boolean;
}

/** Runs one call. `extra` are per-instance methods, consulted before the registry. */
export function dispatch(ctx: MethodContext, params: readonly XmlRpcValue[], extra?: ReadonlyMap<string, MethodDef>): DispatchResult {
  const def = extra?.get(ctx.method) ?? registry.get(ctx.method);
  try {
    if (def === undefined) throw noSuchHandler(ctx.method);
    let args: XmlRpcValue[];
    if (def.keyParam === false) {
      if (params.length > 0) throw new KeapFault(12, `[InvalidParameter]${ctx.method} takes no parameters (not even the key)`);
      args = [];
    } else {
      if (params.length === 0) throw new KeapFault(12, `[InvalidParameter]${ctx.method}: the key parameter is missing`);
      args = params.slice(1);
    }
    const result = def.handler(ctx, args);
    return { body: responseBody(result instanceof RenderedValue ? result : renderValue(result)), fault: false };
  } catch (err) {
    if (err instanceof KeapFault) return { body: Buffer.from(encodeFault(err.code, err.faultString), 'utf8'), fault: true };
    throw err;
  }
}

export function tableOf(data: SandboxData, name: string): SandboxTable {
  if (!data.has(name)) throw noTableFound(name);
  return data.table(name);
}

function checkFields(table: SandboxTable, fields: readonly string[]): void {
  for (const f of fields) checkField(table, f);
}

/** A stable text for a queryData struct: equal queries share a paging walk. */
function signature(v: XmlRpcValue): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof XmlRpcDateTime ? { dateTime: x.text } : x));
}

const APP_SETTINGS: Readonly<Record<string, string>> = {
  'Application.enabled': 'yes',
  'Contact.optiontitles': 'Sir Madam Sith Lord Darth',
  'Contact.optionsuffixes': 'Jr. Sr. III PhD',
  'Contact.optiontypes': 'Lead,Customer,Prospect,Other,Partner',
  'Contact.optionphonetypes': 'Work,Mobile,Home,Other',
  'Order.optionstatuses': 'New,Shipped,Delivered,Cancelled',
};

const QUERY_SIG = '(String key, String table, int limit, int page, struct queryData, String[] selectedFields[, String orderBy[, boolean ascending]])';

function query(ctx: MethodContext, values: XmlRpcValue[]): MethodResult {
  const p = ctx.params(values, QUERY_SIG).count(5, 7);
  const table = ctx.table(p.string(0));
  const limit = p.int(1);
  const page = p.int(2);
  const queryData = p.struct(3);
  const fields = p.strings(4);
  const orderBy = p.has(5) ? p.string(5) : '';
  const ascending = p.has(6) ? p.bool(6) : false;
  if (page < 0) throw new KeapFault(12, `[InvalidParameter]${ctx.method}: page must be 0 or more`);
  checkFields(table, fields);
  if (orderBy !== '') checkField(table, orderBy);
  const conditions = parseConditions(table, queryData, ctx.wall);
  const ids = ctx.query.page(
    { table, conditions, orderBy: orderBy === '' ? null : orderBy, ascending, signature: signature(queryData) },
    Math.min(limit, MAX_LIMIT),
    page,
  );
  return new RowRenderer(table, fields, ctx.wall).rows(ids);
}

function findByField(ctx: MethodContext, values: XmlRpcValue[]): MethodResult {
  const p = ctx.params(values, '(String key, String table, int limit, int page, String fieldName, Object fieldValue, String[] returnFields)').count(6);
  const table = ctx.table(p.string(0));
  const limit = p.int(1);
  const page = p.int(2);
  const field = p.string(3);
  const value = p.raw(4);
  const fields = p.strings(5);
  if (page < 0) throw new KeapFault(12, `[InvalidParameter]${ctx.method}: page must be 0 or more`);
  checkFields(table, fields);
  const queryData: XmlRpcStruct = { [field]: value };
  const conditions = parseConditions(table, queryData, ctx.wall);
  const ids = ctx.query.page({ table, conditions, orderBy: null, ascending: true, signature: signature(queryData) }, Math.min(limit, MAX_LIMIT), page);
  return new RowRenderer(table, fields, ctx.wall).rows(ids);
}

function load(ctx: MethodContext, tableName: string, id: number, fields: string[]): MethodResult {
  const table = ctx.table(tableName);
  checkFields(table, fields);
  if (!table.exists(id)) throw recordNotFound();
  return new RenderedValue(new RowRenderer(table, fields, ctx.wall).row(id));
}

function findByEmail(ctx: MethodContext, values: XmlRpcValue[]): MethodResult {
  const p = ctx.params(values, '(String key, String email, String[] selectedFields)').count(2);
  const email = p.string(0).trim().toLowerCase();
  const fields = p.strings(1);
  const table = ctx.table('Contact');
  checkFields(table, fields);
  if (email === '') return [];
  const matches = (id: number): boolean =>
    ['Email', 'EmailAddress2', 'EmailAddress3'].some((f) => {
      const v = table.value(id, f);
      return typeof v === 'string' && v.toLowerCase() === email;
    });
  // Generated addresses carry their contact's id ('ada.smith42@...'), so candidates come from the
  // digits of the local part instead of a scan of every contact; edited and inserted rows are
  // searched directly.
  const found = new Set<number>();
  const local = email.split('@')[0] ?? '';
  for (const run of local.match(/\d+/g) ?? []) {
    const id = Number(run);
    if (id >= 1 && id <= table.baseCount && table.overlayRow(id) === undefined && matches(id)) found.add(id);
  }
  for (const id of [...table.overlaidBaseIds(), ...table.insertedIds()]) if (table.exists(id) && matches(id)) found.add(id);
  const ids = [...found].sort((a, b) => a - b);
  return new RowRenderer(table, fields, ctx.wall).rows(ids);
}

function userInfo(ctx: MethodContext): MethodResult {
  const users = ctx.table('User');
  const first = String(users.value(1, 'FirstName') ?? '');
  const last = String(users.value(1, 'LastName') ?? '');
  return {
    appAlias: ctx.app,
    appUrl: `https://${ctx.app}.infusionsoft.com`,
    casUsername: users.value(1, 'Email'),
    displayName: `${first} ${last}`.trim(),
    globalUserId: users.value(1, 'GlobalUserId'),
    localUserId: 1,
  };
}

registerMethods({
  'DataService.query': query,
  'DataService.findByField': findByField,
  'DataService.count': (ctx, values) => {
    const p = ctx.params(values, '(String key, String table, struct queryData)').count(2);
    const table = ctx.table(p.string(0));
    return ctx.query.count(table, parseConditions(table, p.struct(1), ctx.wall));
  },
  'DataService.load': (ctx, values) => {
    const p = ctx.params(values, '(String key, String table, int recordId, String[] wantedFields)').count(3);
    return load(ctx, p.string(0), p.int(1), p.strings(2));
  },
  'DataService.getAppSetting': (ctx, values) => {
    const p = ctx.params(values, '(String key, String module, String setting)').count(2);
    return APP_SETTINGS[`${p.string(0)}.${p.string(1).toLowerCase()}`] ?? '';
  },
  'DataService.getUserInfo': { handler: userInfo, keyParam: false },
  'ContactService.load': (ctx, values) => {
    const p = ctx.params(values, '(String key, int contactId, String[] selectedFields)').count(2);
    return load(ctx, 'Contact', p.int(0), p.strings(1));
  },
  'ContactService.findByEmail': findByEmail,
});
