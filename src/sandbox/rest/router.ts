import type { SandboxData } from '../data.js';
import type { RestCtx, RestResult, Route } from './context.js';
import { modelRoutes } from './custom-fields.js';
import { CONTACT_MODELS, contactRoutes } from './crm-contacts.js';
import { tagRoutes } from './crm-tags.js';
import { errorBody, RestError } from './errors.js';
import { ORDER_MODELS, orderRoutes } from './commerce-orders.js';
import { ACTIVITY_MODELS, activityRoutes } from './crm-activities.js';
import { OPPORTUNITY_MODELS, opportunityRoutes } from './opportunities.js';
import { productRoutes } from './commerce-products.js';
import { SUBSCRIPTION_MODELS, subscriptionRoutes } from './commerce-subscriptions.js';
import { salesRoutes } from './commerce-sales.js';
import { discountAndShippingRoutes } from './commerce-discounts.js';
import { AFFILIATE_MODELS, affiliateRoutes } from './affiliates.js';
import { affiliateMoneyRoutes } from './affiliate-money.js';
import { campaignRoutes } from './marketing-campaigns.js';
import { emailRoutes } from './marketing-email.js';
import { leadSourceRoutes } from './lead-sources.js';
import { accountRoutes } from './account.js';
import { settingsRoutes } from './settings.js';

/**
 * Keap's REST v2 on the sandbox: every GET path of swagger.yml that holds account data, and
 * `POST /reporting/reports/{report_id}:run`, and the one setting a report reads
 * (`/settings/applications:getConfiguration`). Left out on purpose, as reference or configuration
 * rather than account data: `/locales/...`, the other `/settings/...`, `/oauth/connect/userinfo`,
 * `/integrations/wordpress/options` and `/businessProfile`.
 *
 * Templates are swagger.yml's own (`/affiliates/{affiliate_id}:commissions`); a path that two
 * templates match goes to the one with fewer parameters (`/affiliates/summaries`, not
 * `/affiliates/{id}`).
 */

export const REST_PREFIX = '/crm/rest/v2';

export function allRoutes(): Route[] {
  return [
    ...contactRoutes(),
    ...tagRoutes(),
    ...activityRoutes(),
    ...opportunityRoutes(),
    ...orderRoutes(),
    ...productRoutes(),
    ...subscriptionRoutes(),
    ...salesRoutes(),
    ...discountAndShippingRoutes(),
    ...affiliateRoutes(),
    ...affiliateMoneyRoutes(),
    ...campaignRoutes(),
    ...emailRoutes(),
    ...leadSourceRoutes(),
    ...accountRoutes(),
    ...settingsRoutes(),
    ...modelRoutes([...CONTACT_MODELS, ...ACTIVITY_MODELS, ...OPPORTUNITY_MODELS, ...ORDER_MODELS, ...SUBSCRIPTION_MODELS, ...AFFILIATE_MODELS]),
  ];
}

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
}

export interface RestRequest {
  method: string;
  /** The path after REST_PREFIX, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  body: Readonly<Record<string, unknown>>;
  data: SandboxData;
  now: number;
  pageTokenTtlMs: number | undefined;
  app: string;
}

export type Match = { route: Route; params: Record<string, string> } | { status: 404 | 405; allow?: string };

export class RestRouter {
  private readonly compiled: Compiled[];

  constructor(readonly routes: readonly Route[] = allRoutes()) {
    this.compiled = routes
      .map((route) => {
        const names: string[] = [];
        const pattern = route.path.replace(/\{([^}]+)\}|[^{]+/g, (part: string, name: string | undefined) => {
          if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(name);
          return '([^/:]+)';
        });
        return { route, regex: new RegExp(`^${pattern}$`), names };
      })
      // Fewer parameters first: literal segments win over a parameter in the same place.
      .sort((a, b) => a.names.length - b.names.length);
  }

  match(method: string, path: string): Match {
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const m = c.regex.exec(path);
      if (m === null) continue;
      if (c.route.method !== method) {
        allowed.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => {
        params[name] = safeDecode(m[i + 1] ?? '');
      });
      return { route: c.route, params };
    }
    return allowed.length > 0 ? { status: 405, allow: [...new Set(allowed)].join(', ') } : { status: 404 };
  }

  /** The answer to one request: the route's, or Keap's Error body for a 4xx it raised. */
  handle(req: RestRequest): { result: RestResult; route: Route | undefined } {
    const match = this.match(req.method, req.path);
    if (!('route' in match)) {
      const message = match.status === 404 ? `No such REST v2 endpoint: ${req.method} ${req.path}` : `Method ${req.method} is not allowed here; use ${match.allow ?? 'GET'}`;
      return { result: { status: match.status, body: errorBody(match.status, message) }, route: undefined };
    }
    const ctx: RestCtx = {
      data: req.data,
      now: req.now,
      route: match.route.path,
      path: req.path,
      params: match.params,
      query: req.query,
      body: req.body,
      pageTokenTtlMs: req.pageTokenTtlMs,
      app: req.app,
    };
    try {
      return { result: match.route.handle(ctx), route: match.route };
    } catch (err) {
      if (err instanceof RestError) return { result: { status: err.status, body: errorBody(err.status, err.message, err.details) }, route: match.route };
      throw err;
    }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
