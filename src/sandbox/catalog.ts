import type { SandboxData } from './data.js';
import { pick } from './report-data.js';

/**
 * What the sandbox account has set up but no DataService table holds: discounts and free trials,
 * shipping options and web forms. Small fixed sets, generated from the seed, that both APIs serve:
 * XML-RPC through its getters (DiscountService, ShippingService, WebFormService), REST through its
 * lists (`/discounts/...`, `/shipping`, `/webforms`).
 */

/** Each kind of discount has ids 1..DISCOUNT_COUNT. */
export const DISCOUNT_COUNT = 5;

export type DiscountKind = 'category' | 'order' | 'product' | 'shipping';

const DISCOUNT_LABELS: Readonly<Record<DiscountKind, string>> = {
  category: 'Category discount',
  order: 'Order total discount',
  product: 'Product total discount',
  shipping: 'Shipping discount',
};

export interface Discount {
  id: number;
  name: string;
  description: string;
  applyToCommission: boolean;
  /** Percent of the price, else an amount in dollars. */
  percent: boolean;
  amount: number;
  /** Order total discounts: gross or net. */
  gross: boolean;
  /** Product discounts: the product. */
  productId: number;
  /** Category discounts: the categories they apply to. */
  categoryIds: number[];
}

export function discountOf(data: SandboxData, kind: DiscountKind, id: number): Discount | undefined {
  if (!Number.isInteger(id) || id < 1 || id > DISCOUNT_COUNT) return undefined;
  const label = DISCOUNT_LABELS[kind];
  const percent = kind === 'category' || pick(data, `${kind}:percent`, id, 2) === 1;
  const amount = kind === 'category' ? 5 + id : percent ? 5 + pick(data, `${kind}:amt`, id, 20) : 2.5 + pick(data, `${kind}:amt`, id, 40);
  const categories = Math.max(1, data.table('ProductCategory').count());
  return {
    id,
    name: `${label} ${id}`,
    description: `${label} number ${id} (sandbox)`,
    applyToCommission: pick(data, `${label}:commission`, id, 2) === 1,
    percent,
    amount,
    gross: id % 2 === 1,
    productId: 1 + (id % Math.max(1, data.table('Product').count())),
    categoryIds: [0, 1].map((k) => 1 + ((id + k * 2) % categories)),
  };
}

export interface FreeTrial {
  id: number;
  name: string;
  description: string;
  days: number;
  hidePrice: boolean;
  subscriptionPlanId: number;
}

const TRIAL_DAYS = [7, 14, 30, 7, 60];

export function freeTrialOf(data: SandboxData, id: number): FreeTrial | undefined {
  if (!Number.isInteger(id) || id < 1 || id > DISCOUNT_COUNT) return undefined;
  const days = TRIAL_DAYS[id - 1] ?? 7;
  return {
    id,
    name: `${days}-day free trial`,
    description: 'Try it free, cancel any time',
    days,
    hidePrice: id % 2 === 1,
    subscriptionPlanId: 1 + (id % Math.max(1, data.table('SubscriptionPlan').count())),
  };
}

// ---- shipping: one option of each kind ----

export interface ShippingOption {
  id: number;
  name: string;
  type: string;
  /** The XML-RPC getter that answers for it. */
  getter: string;
  /** The option's own settings (rates in dollars), as its getter reports them. */
  settings: Readonly<Record<string, string | number | boolean>>;
}

export const SHIPPING: readonly ShippingOption[] = [
  { id: 1, name: 'Standard flat rate', type: 'Flat', getter: 'getFlatRateShippingOption', settings: { Rate: 5.95 } },
  { id: 2, name: 'Per item', type: 'OrderQuantity', getter: 'getOrderQuantityShippingOption', settings: { FirstItemRate: 4.5, AdditionalItemRate: 1.25 } },
  { id: 3, name: 'By order total', type: 'OrderTotal', getter: 'getOrderTotalShippingOption', settings: { Active: true } },
  { id: 4, name: 'By product', type: 'Product', getter: 'getProductBasedShippingOption', settings: {} },
  { id: 5, name: 'UPS Ground', type: 'Ups', getter: 'getUpsShippingOption', settings: { Service: 'Ground', OriginZip: '84401', Markup: 1 } },
  { id: 6, name: 'By weight', type: 'Weight', getter: 'getWeightBasedShippingOption', settings: { RatePerPound: 0.85, MinimumCharge: 3 } },
];

/** Order-total shipping: [min, max, rate] per range. */
export const ORDER_TOTAL_RANGES: readonly (readonly [number, number, number])[] = [
  [0, 50, 7.5],
  [50, 150, 4.95],
  [150, 1_000_000, 0],
];

// ---- web forms ----

export interface WebForm {
  id: number;
  name: string;
}

/** The legacy web forms (WebFormService.getMap's ids and names). */
export const WEB_FORMS: readonly WebForm[] = [
  { id: 1, name: 'Contact Us' },
  { id: 3, name: 'Newsletter Signup' },
  { id: 4, name: 'Free Consultation' },
  { id: 7, name: 'Webinar Registration' },
  { id: 12, name: 'Affiliate Application' },
];
