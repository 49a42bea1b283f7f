import { get, type RestCtx, type Route } from './context.js';
import { badRequest } from './errors.js';
import type { JsonObject } from './wire.js';

/**
 * The account's settings that reports read: `GET /settings/applications:getConfiguration`, the
 * application module always, and the e-commerce module when `fields` asks for it (its
 * payment_types are the payment options InvoiceService.getAllPaymentOptions lists on XML-RPC, the
 * same set). Modules the sandbox keeps no settings for answer as empty objects, which the spec
 * allows (none of their members is required).
 */

/** Keap's key -> label of each payment option enabled in the Order Settings. */
export const PAYMENT_OPTIONS: Readonly<Record<string, string>> = { CREDIT_CARD: 'Credit Card', PAYPAL: 'PayPal', CHECK: 'Check', CASH: 'Cash' };

const MODULES = ['AFFILIATE', 'APPOINTMENT', 'CONTACT', 'ECOMMERCE', 'EMAIL', 'FORMS', 'FULFILLMENT', 'INVOICE', 'NOTE', 'OPPORTUNITY', 'TASK', 'TEMPLATE'];

function ecommerce(): JsonObject {
  return {
    currency: 'USD',
    default_country: 'USA',
    default_merchant: '1',
    credit_card_types: 'Visa,MasterCard,American Express,Discover',
    default_tax: '0',
    payment_types: Object.values(PAYMENT_OPTIONS).join(','),
    default_to_auto_charge: true,
    default_charge_max_retry_attempts: 3,
    default_number_of_days_between_charge_attempts: 3,
    merchant_account_max_retry_attempts: 3,
    promo_codes: 'true',
    track_cost_per_unit: false,
    track_inventory: true,
  };
}

function configuration(ctx: RestCtx): JsonObject {
  const asked = ctx.query
    .getAll('fields')
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const f of asked) if (!MODULES.includes(f)) throw badRequest(`Invalid fields value '${f}': allowed ${MODULES.join(', ')}`);
  const body: JsonObject = { application: { time_zone: ctx.data.wall.tz.zone, default_view_locale: 'en_US' } };
  for (const f of asked) body[f.toLowerCase()] = f === 'ECOMMERCE' ? ecommerce() : {};
  return body;
}

export function settingsRoutes(): Route[] {
  return [get('/settings/applications:getConfiguration', configuration)];
}
