import { pick } from '../report-data.js';
import { flag, idText, ms, num, ref, self, text, time, view } from './accessors.js';
import { get, pathId, type RestCtx, type Route } from './context.js';
import { cycleType, subscriptionPlan } from './commerce-orders.js';
import { badRequest, notFound } from './errors.js';
import { ALL_OPS, COMPARE, textField } from './filter.js';
import { itemRoute, listRoute, rowRoute, tableList, type Getters } from './list.js';
import { existing, pickOf, rowsWhere } from './relations.js';
import { currencyValue, defined, nonEmpty, RowView, type JsonObject } from './wire.js';

/**
 * Products (Product, with ProductCategoryAssign, ProductOption/ProductOptValue and
 * SubscriptionPlan), product categories and product interest bundles. Inventory counts are the
 * ones ProductService.getInventory answers.
 */

const P = (column: string) => text('Product', column);

/** What ProductService.getInventory reports for a product (report-methods-commerce.ts). */
export function inventoryCount(ctx: RestCtx, product: number): number {
  return pick(ctx.data, 'inventory', product, 250);
}

const RULES = ['LETTER', 'NUMBER', 'BOTH'];
const rule = (v: string | undefined): string | undefined => (v !== undefined && RULES.includes(v.toUpperCase()) ? v.toUpperCase() : undefined);

const optionValues = (ctx: RestCtx, option: number): RowView[] => rowsWhere(ctx.data, 'ProductOptValue', 'ProductOptionId', option).map((id) => view(ctx, 'ProductOptValue', id));

/** A ProductOption row as the product's ProductOptions_List entry. */
function productOptions(ctx: RestCtx, product: number): JsonObject[] {
  return rowsWhere(ctx.data, 'ProductOption', 'ProductId', product).map((id) => {
    const v = view(ctx, 'ProductOption', id);
    const fixed = v.str('OptionType') !== 'Variable';
    return {
      name: v.str('Label'),
      type: fixed ? 'FIXED' : 'VARIABLE',
      required: v.flag('IsRequired'),
      fixed_options: fixed ? optionValues(ctx, id).map((o) => ({ value: o.str('Label'), code: o.str('Sku'), price_adjustment: o.num('PriceAdjustment') })) : undefined,
      variable_setting: fixed
        ? undefined
        : nonEmpty({ contains: rule(v.str('CanContain')), min_chars: v.num('MinChars'), max_chars: v.num('MaxChars'), contain_spaces: v.flag('AllowSpaces'), start_with: rule(v.str('CanStartWith')) }),
    };
  });
}

/** The same option as the ProductOption schema of `/products/{id}/options`. */
function productOption(ctx: RestCtx, id: number): JsonObject {
  const v = view(ctx, 'ProductOption', id);
  const list = v.str('OptionType') !== 'Variable';
  return {
    id: String(id),
    required: v.flag('IsRequired'),
    option_label: v.str('Label'),
    product_id: v.ref('ProductId'),
    option_type: list ? 'LIST' : 'TEXT',
    display_order: v.num('Order'),
    list_items: list
      ? optionValues(ctx, id).map((o) => ({ item_id: String(o.id), item_label: o.str('Label'), item_code: o.str('Sku'), item_display_order: o.num('OptionIndex'), price_adjustment: o.num('PriceAdjustment') }))
      : undefined,
    text_rules: list ? undefined : nonEmpty({ minimum_characters: v.num('MinChars'), maximum_characters: v.num('MaxChars'), allow_spaces: v.flag('AllowSpaces') }),
  };
}

/** The product's plans in the products' own SubscriptionPlan_List shape. */
function productPlans(ctx: RestCtx, product: number): JsonObject[] {
  return rowsWhere(ctx.data, 'SubscriptionPlan', 'ProductId', product).map((id, i) => {
    const v = view(ctx, 'SubscriptionPlan', id);
    const price = v.num('PlanPrice');
    return {
      id: String(id),
      active: v.flag('Active'),
      prorate: v.flag('Prorate'),
      billing_cycle: cycleType(v.str('Cycle')),
      billing_frequency: v.num('Frequency'),
      number_of_cycles: v.num('NumberOfCycles'),
      plan_price: price === undefined ? undefined : currencyValue(price),
      order_index: i + 1,
    };
  });
}

const categoriesOf = (ctx: RestCtx, product: number): number[] =>
  defined(rowsWhere(ctx.data, 'ProductCategoryAssign', 'ProductId', product).map((a) => view(ctx, 'ProductCategoryAssign', a).refId('ProductCategoryId')));

function productProps(detail: boolean): Getters<number> {
  return {
    id: idText,
    name: P('ProductName'),
    price: (id, ctx) => {
      const price = view(ctx, 'Product', id).num('ProductPrice');
      return price === undefined ? undefined : currencyValue(price);
    },
    active: (id, ctx) => (view(ctx, 'Product', id).num('Status') ?? 1) !== 0,
    description: P('Description'),
    sku: P('Sku'),
    shippable: flag('Product', 'Shippable'),
    weight: num('Product', 'Weight'),
    taxable: flag('Product', 'Taxable'),
    categories: (id, ctx) => categoriesOf(ctx, id).map(String),
    options: (id, ctx) => productOptions(ctx, id),
    inventory: (id, ctx) => {
      const v = view(ctx, 'Product', id);
      const limit = v.num('InventoryLimit');
      return { inventory_limit: limit, inventory_count: detail ? inventoryCount(ctx, id) : undefined, out_of_stock_enabled: limit !== undefined && limit > 0, email_for_inventory_notifications: v.str('InventoryNotifiee') };
    },
    short_description: P('ShortDescription'),
    subscription_only: (id, ctx) => productPlans(ctx, id).length > 0 && view(ctx, 'Product', id).num('ProductPrice') === undefined,
    storefront_hidden: flag('Product', 'HideInStore'),
    country_taxable: flag('Product', 'CountryTaxable'),
    state_taxable: flag('Product', 'StateTaxable'),
    city_taxable: flag('Product', 'CityTaxable'),
    subscription_plans: (id, ctx) => productPlans(ctx, id),
    top_html: P('TopHTML'),
    bottom_html: P('BottomHTML'),
    is_package: flag('Product', 'IsPackage'),
    needs_digital_delivery: flag('Product', 'NeedsDigitalDelivery'),
    has_legacy_image: (id, ctx) => view(ctx, 'Product', id).str('LargeImage') !== undefined,
    delivery_description: P('ShippingTime'),
    create_time: time('Product', 'DateCreated'),
    update_time: time('Product', 'LastUpdated'),
  };
}

const PRODUCT_LIST = productProps(false);
const PRODUCT_DETAIL = productProps(true);

const productId = (ctx: RestCtx): number => existing(ctx.data.table('Product'), pathId(ctx, 'product_id'), 'Product');

/** `-` stands for every product on `/products/-/subscriptions`. */
function plansOf(ctx: RestCtx): number[] {
  if (ctx.params['product_id'] === '-') return [...ctx.data.table('SubscriptionPlan').ids()];
  return [...rowsWhere(ctx.data, 'SubscriptionPlan', 'ProductId', productId(ctx))];
}

const CATEGORY_PROPS: Getters<number> = {
  id: idText,
  name: text('ProductCategory', 'CategoryDisplayName'),
  display_order_index: num('ProductCategory', 'CategoryOrder'),
  parent_category_id: ref('ProductCategory', 'ParentId'),
};

const productsIn = (ctx: RestCtx, category: number): number[] =>
  defined(rowsWhere(ctx.data, 'ProductCategoryAssign', 'ProductCategoryId', category).map((a) => view(ctx, 'ProductCategoryAssign', a).refId('ProductId')));

/** Bundles are generated: bundle n groups two products with a quantity and a discount each. */
function bundleInterests(ctx: RestCtx, bundle: number): JsonObject[] {
  const products = [...ctx.data.table('Product').ids()];
  return [0, 1].flatMap((k) => {
    const product = products[(bundle * 3 + k) % Math.max(1, products.length)];
    if (product === undefined) return [];
    const price = view(ctx, 'Product', product).num('ProductPrice');
    return [{ id: String(bundle * 10 + k), type: 'PRODUCT', quantity: 1 + k, price: price === undefined ? undefined : currencyValue(price), interest_id: String(product), discount_percent: pickOf(ctx.data, 'bundleDiscount', bundle * 10 + k, 4) * 5 }];
  });
}

const BUNDLE_PROPS: Getters<number> = {
  id: idText,
  name: text('ProductInterestBundle', 'BundleName'),
  description: text('ProductInterestBundle', 'Description'),
  product_interests: (id, ctx) => bundleInterests(ctx, id),
};

export function productRoutes(): Route[] {
  return [
    tableList('Product', {
      path: '/products',
      items: 'products',
      props: PRODUCT_LIST,
      filters: {
        name: textField(P('ProductName'), true),
        sku: textField(P('Sku'), true),
        description: textField(P('Description'), true),
        short_description: textField(P('ShortDescription'), true),
        product_id: { kind: 'number', integer: true, ops: COMPARE, get: self },
        product_ids: { kind: 'ids', get: self },
      },
      orderBy: { name: P('ProductName'), sku: P('Sku'), last_updated_time: ms('Product', 'LastUpdated') },
    }),
    itemRoute({ path: '/products/{product_id}', find: productId, props: PRODUCT_DETAIL }),
    get('/products/{product_id}/images/legacyImageData', (ctx) => {
      const image = view(ctx, 'Product', productId(ctx)).str('LargeImage');
      if (image === undefined) throw notFound('ProductImage', ctx.params['product_id'] ?? '');
      return image;
    }),
    listRoute({
      path: '/products/{product_id}/subscriptions',
      items: 'subscriptions',
      keys: plansOf,
      props: {},
      item: (id, ctx) => subscriptionPlan(ctx, id) ?? {},
      filters: {
        active: { kind: 'bool', get: flag('SubscriptionPlan', 'Active') },
        cycle_type: { kind: 'enum', values: ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'], get: (id, ctx) => cycleType(view(ctx, 'SubscriptionPlan', id).str('Cycle')) },
      },
      orderBy: { id: self, product_id: num('SubscriptionPlan', 'ProductId') },
      table: 'SubscriptionPlan',
    }),
    get('/products/{product_id}/subscriptions/{subscription_plan_id}', (ctx) => {
      const plan = pathId(ctx, 'subscription_plan_id');
      if (!plansOf(ctx).includes(plan)) throw notFound('SubscriptionPlan', String(plan));
      return subscriptionPlan(ctx, plan) ?? {};
    }),
    get('/products/{product_id}/options', (ctx) => ({ product_options: rowsWhere(ctx.data, 'ProductOption', 'ProductId', productId(ctx)).map((id) => productOption(ctx, id)) })),
    get('/products/{product_id}/options/{product_option_id}', (ctx) => {
      const option = pathId(ctx, 'product_option_id');
      if (!rowsWhere(ctx.data, 'ProductOption', 'ProductId', productId(ctx)).includes(option)) throw notFound('ProductOption', String(option));
      return productOption(ctx, option);
    }),
    tableList('ProductCategory', {
      path: '/productCategories',
      items: 'product_categories',
      props: CATEGORY_PROPS,
      filters: {
        product_id: { kind: 'test', parse: (v, f) => positive(v, f), test: (id, product, ctx) => productsIn(ctx, id).includes(product as number) },
        name: textField(text('ProductCategory', 'CategoryDisplayName'), true),
        product_category_id: { kind: 'number', integer: true, ops: ALL_OPS, get: self },
      },
      orderBy: { id: self },
    }),
    rowRoute('/productCategories/{category_id}', 'ProductCategory', 'ProductCategory', CATEGORY_PROPS),
    listRoute({
      path: '/productCategories/assignedProducts',
      items: 'assigned_product_categories',
      keys: (ctx) => [...ctx.data.table('ProductCategory').ids()].filter((c) => productsIn(ctx, c).length > 0),
      props: { product_category_id: idText, product_ids: (c, ctx) => productsIn(ctx, c).map(String) },
      filters: { product_ids: { kind: 'ids', get: (c, ctx) => productsIn(ctx, c) }, product_category_ids: { kind: 'ids', get: self } },
      orderBy: { product_category_id: self },
      table: 'ProductCategoryAssign',
    }),
    tableList('ProductInterestBundle', {
      path: '/productInterestBundles',
      items: 'product_interest_bundles',
      props: BUNDLE_PROPS,
      filters: { name: textField(text('ProductInterestBundle', 'BundleName')) },
      orderBy: { name: text('ProductInterestBundle', 'BundleName') },
    }),
    rowRoute('/productInterestBundles/{id}', 'ProductInterestBundle', 'ProductInterestBundle', BUNDLE_PROPS),
  ];
}

function positive(value: string, field: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw badRequest(`Invalid value '${value}' for filter field '${field}': expected an id`);
  return Number(value);
}
