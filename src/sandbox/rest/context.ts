import type { SandboxData } from '../data.js';
import { badRequest } from './errors.js';
import type { Json } from './wire.js';

/** One REST request as a route handler sees it: no HTTP, only what Keap's semantics need. */
export interface RestCtx {
  readonly data: SandboxData;
  /** The sandbox clock at arrival (epoch ms). */
  readonly now: number;
  /** The matched path template, e.g. `/contacts/{contact_id}`. */
  readonly route: string;
  /** The concrete path after `/crm/rest/v2`. */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** A POST's JSON body (empty for GETs and for bodies that are not a JSON object). */
  readonly body: Readonly<Record<string, unknown>>;
  /** Page tokens older than this are refused (undefined: they never expire). */
  readonly pageTokenTtlMs: number | undefined;
  /** The app name, as in `<app>.infusionsoft.com`. */
  readonly app: string;
}

export interface RestResult {
  status: number;
  /** JSON for `json` (the default); text for `html`. */
  body: Json;
  contentType?: 'json' | 'html';
}

export type Handler = (ctx: RestCtx) => RestResult;

export interface Route {
  method: 'GET' | 'POST';
  /** After `/crm/rest/v2`, with `{name}` for path parameters, exactly as swagger.yml spells it. */
  path: string;
  handle: Handler;
  /** What the route accepts, for tests that hold it against the spec's parameter descriptions. */
  filterFields?: readonly string[];
  orderFields?: readonly string[];
  /** The table behind a list: the Mutator changes it after every page, as after a DataService.query. */
  table?: string;
}

export function ok(body: Json): RestResult {
  return { status: 200, body };
}

/** A GET route whose body is one computed value (a by-id record, a small list). */
export function get(path: string, body: (ctx: RestCtx) => Json): Route {
  return { method: 'GET', path, handle: (ctx) => ok(body(ctx)) };
}

/** A path parameter that must be a positive integer id. */
export function pathId(ctx: RestCtx, name: string): number {
  const text = ctx.params[name] ?? '';
  const n = Number(text);
  if (!/^\d{1,15}$/.test(text) || n < 1) throw badRequest(`Invalid ${name} '${text}': must be a positive integer`);
  return n;
}
