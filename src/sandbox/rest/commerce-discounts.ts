import { DISCOUNT_COUNT, discountOf, freeTrialOf, SHIPPING, WEB_FORMS, type Discount, type DiscountKind } from '../catalog.js';
import { idText, self } from './accessors.js';
import { get, pathId, type RestCtx, type Route } from './context.js';
import { notFound } from './errors.js';
import { ALL_OPS, textField, type FilterFields } from './filter.js';
import { itemRoute, listRoute, type Getters, type SortKey } from './list.js';
import { createdAt, uuidOf } from './relations.js';
import { iso } from './wire.js';

/**
 * Discounts, free trials, shipping methods and web forms: the sets of catalog.ts that the XML-RPC
 * getters answer from too, so discount 3 is the same discount on both APIs.
 */

const IDS = Array.from({ length: DISCOUNT_COUNT }, (_, i) => i + 1);

const must = <T>(v: T | undefined, what: string, id: number): T => {
  if (v === undefined) throw notFound(what, String(id));
  return v;
};

type DiscountGetters = Getters<number>;

function discountProps(kind: DiscountKind, extra: Readonly<Record<string, (d: Discount) => string | number | boolean | string[] | undefined>>): DiscountGetters {
  const of = (id: number, ctx: RestCtx): Discount => must(discountOf(ctx.data, kind, id), 'Discount', id);
  const props: Record<string, (id: number, ctx: RestCtx) => string | number | boolean | string[] | undefined> = {
    id: idText,
    name: (id, ctx) => of(id, ctx).name,
    description: (id, ctx) => of(id, ctx).description,
  };
  for (const [name, read] of Object.entries(extra)) props[name] = (id, ctx) => read(of(id, ctx));
  return props;
}

const discountType = (d: Discount): string => (d.percent ? 'PERCENT' : 'AMOUNT');

/** Filters and order_by fields read from the rendered properties of the same name. */
function byProps(props: DiscountGetters, names: readonly string[]): Record<string, (id: number, ctx: RestCtx) => SortKey> {
  return Object.fromEntries(
    names.map((n) => [
      n,
      (id: number, ctx: RestCtx): SortKey => {
        const v = props[n]?.(id, ctx);
        return typeof v === 'boolean' ? Number(v) : typeof v === 'number' || typeof v === 'string' ? v : undefined;
      },
    ]),
  );
}

interface DiscountRoute {
  path: string;
  kind: DiscountKind | 'trial';
  props: DiscountGetters;
  filters: FilterFields<number>;
  order: readonly string[];
}

function discountRoutes(d: DiscountRoute): Route[] {
  const exists = (ctx: RestCtx, id: number): boolean => (d.kind === 'trial' ? freeTrialOf(ctx.data, id) : discountOf(ctx.data, d.kind, id)) !== undefined;
  return [
    listRoute({ path: d.path, items: 'discounts', keys: () => IDS, props: d.props, filters: d.filters, orderBy: byProps(d.props, d.order) }),
    itemRoute({
      path: `${d.path}/{discount_id}`,
      find: (ctx) => {
        const id = pathId(ctx, 'discount_id');
        if (!exists(ctx, id)) throw notFound('Discount', String(id));
        return id;
      },
      props: d.props,
    }),
  ];
}

const amountProps = { discount_type: discountType, discount_value: (x: Discount) => x.amount };
const SHIPPING_PROPS = discountProps('shipping', amountProps);
const PRODUCT_PROPS = discountProps('product', { apply_to_commissions: (x) => x.applyToCommission, product_id: (x) => String(x.productId), ...amountProps });
const CATEGORY_PROPS = discountProps('category', { discount_percent: (x) => x.amount, apply_to_commissions: (x) => x.applyToCommission, product_categories: (x) => x.categoryIds.map(String) });
const ORDER_PROPS = discountProps('order', { apply_to_commissions: (x) => x.applyToCommission, ...amountProps, discount_strategy: (x) => (x.gross ? 'GROSS' : 'NET') });

const trialOf = (id: number, ctx: RestCtx) => must(freeTrialOf(ctx.data, id), 'Discount', id);
const TRIAL_PROPS: DiscountGetters = {
  id: idText,
  name: (id, ctx) => trialOf(id, ctx).name,
  description: (id, ctx) => trialOf(id, ctx).description,
  hide_price: (id, ctx) => trialOf(id, ctx).hidePrice,
  subscription_plan_id: (id, ctx) => String(trialOf(id, ctx).subscriptionPlanId),
  free_trial_days: (id, ctx) => trialOf(id, ctx).days,
};

const typeFilter = (props: DiscountGetters): FilterFields<number> => ({
  discount_type: { kind: 'enum', values: ['AMOUNT', 'PERCENT'], get: (id, ctx) => String(props['discount_type']?.(id, ctx)) },
  discount_value: { kind: 'number', get: (id, ctx) => Number(props['discount_value']?.(id, ctx)) },
});
const commissions = (props: DiscountGetters): FilterFields<number> => ({ apply_to_commissions: { kind: 'bool', get: (id, ctx) => props['apply_to_commissions']?.(id, ctx) === true } });

const WEBFORM_PROPS: Getters<number> = {
  id: idText,
  xid: (id, ctx) => uuidOf(ctx.data, 'WebForm', id),
  name: (id) => WEB_FORMS.find((f) => f.id === id)?.name,
  webform_url: (id, ctx) => `https://${ctx.app}.infusionsoft.com/app/form/${uuidOf(ctx.data, 'WebForm', id)}`,
  thank_you_page_url: (id, ctx) => `https://${ctx.app}.infusionsoft.com/app/form/success/${uuidOf(ctx.data, 'WebForm', id)}`,
  duplicate_check_option: () => 'EMAIL',
  exit_option: () => 'HOSTED',
  webform_type: () => 'LEGACY',
  create_time: (id, ctx) => iso(webformTime(id, ctx)),
  update_time: (id, ctx) => iso(webformTime(id, ctx)),
};

const webformTime = (id: number, ctx: RestCtx): number => createdAt(ctx.data, 'WebForm', id, 12);

function webformHtml(id: number, name: string): string {
  return `<form accept-charset="UTF-8" action="/app/form/process/${id}" method="POST" id="inf_form_${id}"><h2>${name}</h2><input name="inf_field_FirstName" placeholder="First Name"/><input name="inf_field_Email" placeholder="Email"/><button type="submit">Submit</button></form>`;
}

export function discountAndShippingRoutes(): Route[] {
  return [
    ...discountRoutes({ path: '/discounts/shipping', kind: 'shipping', props: SHIPPING_PROPS, filters: typeFilter(SHIPPING_PROPS), order: ['discount_type', 'discount_value', 'id', 'name'] }),
    ...discountRoutes({
      path: '/discounts/products',
      kind: 'product',
      props: PRODUCT_PROPS,
      filters: { ...commissions(PRODUCT_PROPS), ...typeFilter(PRODUCT_PROPS), product_id: { kind: 'number', integer: true, get: (id, ctx) => Number(PRODUCT_PROPS['product_id']?.(id, ctx)) } },
      order: ['apply_to_commissions', 'discount_type', 'discount_value', 'id', 'name', 'product_id'],
    }),
    ...discountRoutes({
      path: '/discounts/productCategories',
      kind: 'category',
      props: CATEGORY_PROPS,
      filters: {
        id: { kind: 'number', integer: true, ops: ALL_OPS, get: self },
        ids: { kind: 'ids', get: self },
        name: textField((id, ctx) => discountOf(ctx.data, 'category', id)?.name, true),
        description: textField((id, ctx) => discountOf(ctx.data, 'category', id)?.description, true),
        product_category_id: { kind: 'ids', get: (id, ctx) => discountOf(ctx.data, 'category', id)?.categoryIds },
      },
      order: ['id', 'name'],
    }),
    ...discountRoutes({
      path: '/discounts/orderTotals',
      kind: 'order',
      props: ORDER_PROPS,
      filters: {
        ...commissions(ORDER_PROPS),
        discount_strategy: { kind: 'enum', values: ['GROSS', 'NET'], get: (id, ctx) => String(ORDER_PROPS['discount_strategy']?.(id, ctx)) },
        ...typeFilter(ORDER_PROPS),
      },
      order: ['apply_to_commissions', 'discount_strategy', 'discount_type', 'discount_value', 'id', 'name'],
    }),
    ...discountRoutes({
      path: '/discounts/freeTrials',
      kind: 'trial',
      props: TRIAL_PROPS,
      filters: {
        free_trial_days: { kind: 'number', integer: true, get: (id, ctx) => freeTrialOf(ctx.data, id)?.days },
        hide_price: { kind: 'bool', get: (id, ctx) => freeTrialOf(ctx.data, id)?.hidePrice },
        subscription_plan_id: { kind: 'number', integer: true, get: (id, ctx) => freeTrialOf(ctx.data, id)?.subscriptionPlanId },
      },
      order: ['free_trial_days', 'hide_price', 'id', 'name', 'subscription_plan_id'],
    }),
    get('/shipping', () => ({
      shipping_methods: SHIPPING.map((o) => ({ id: String(o.id), name: o.name, type: o.type, status: 'ACTIVE', international: o.type === 'Ups', settings: { ...o.settings } })),
    })),
    listRoute({
      path: '/webforms',
      items: 'webforms',
      keys: () => WEB_FORMS.map((f) => f.id),
      props: WEBFORM_PROPS,
      filters: {
        name: textField((id) => WEB_FORMS.find((f) => f.id === id)?.name),
        webform_type: { kind: 'enum', values: ['LEGACY', 'STANDALONE', 'FUNNEL', 'LANDING_PAGE', 'SURVEY', 'INTERNAL', 'TWITTER', 'UNKNOWN'], get: () => 'LEGACY' },
        since_create_time: { kind: 'since', get: webformTime },
        until_create_time: { kind: 'until', get: webformTime },
        since_update_time: { kind: 'since', get: webformTime },
        until_update_time: { kind: 'until', get: webformTime },
      },
      orderBy: { name: (id) => WEB_FORMS.find((f) => f.id === id)?.name, webform_type: () => 'LEGACY', create_time: webformTime, update_time: webformTime },
    }),
    {
      method: 'GET',
      path: '/webforms/{webform_id}:data',
      handle: (ctx) => {
        const id = pathId(ctx, 'webform_id');
        const form = WEB_FORMS.find((f) => f.id === id);
        if (form === undefined) throw notFound('Webform', String(id));
        return { status: 200, body: webformHtml(id, form.name), contentType: 'html' };
      },
    },
  ];
}
