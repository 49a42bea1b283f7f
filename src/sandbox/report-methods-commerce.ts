import { XmlRpcBase64, type XmlRpcStruct, type XmlRpcValue } from '../xmlrpc/types.js';
import { PAYMENT_OPTIONS } from './rest/settings.js';
import { recordNotFound } from './keap-fault.js';
import { registerMethods, type MethodContext, type MethodHandler } from './methods.js';
import { DISCOUNT_COUNT, discountOf, freeTrialOf, ORDER_TOTAL_RANGES, SHIPPING, WEB_FORMS, type Discount, type DiscountKind, type ShippingOption } from './catalog.js';
import { existing, money, num, pick, structOf } from './report-data.js';

/**
 * DiscountService, FileService, InvoiceService, ProductService, ShippingService and
 * WebFormService: the by-id reports. Discounts, trials, shipping options and web forms are the
 * small fixed sets of catalog.ts, which REST lists too (XML-RPC has no way to list discounts, so a
 * user knows their ids); files, invoices, payments and products come from their tables.
 */

function discountId(ctx: MethodContext, values: XmlRpcValue[], name: string): number {
  const id = ctx.params(values, `(String key, int ${name})`).count(1).int(0);
  if (id < 1 || id > DISCOUNT_COUNT) throw recordNotFound();
  return id;
}

/** The discount's common members as DiscountService returns them. */
function discountStruct(ctx: MethodContext, kind: DiscountKind, values: XmlRpcValue[]): [Discount, XmlRpcStruct] {
  const d = discountOf(ctx.data, kind, discountId(ctx, values, 'id'));
  if (d === undefined) throw recordNotFound();
  return [d, { Id: d.id, Name: d.name, Description: d.description, ApplyDiscountToCommission: d.applyToCommission ? 1 : 0 }];
}

/** Percent (1) or amount (0), and how much. */
const amount = (d: Discount): XmlRpcStruct => ({ PercentOrAmt: d.percent ? 1 : 0, Amt: money(d.amount) });

const discounts: Record<string, MethodHandler> = {
  'DiscountService.getCategoryDiscount': (ctx, v) => {
    const [d, base] = discountStruct(ctx, 'category', v);
    return { ...base, Amt: money(d.amount) };
  },
  'DiscountService.getCategoryAssignmentsForCategoryDiscount': (ctx, v) => {
    const [d] = discountStruct(ctx, 'category', v);
    return d.categoryIds.map((categoryId, k) => ({ Id: d.id * 10 + k, CategoryDiscountId: d.id, ProductCategoryId: categoryId }));
  },
  'DiscountService.getOrderTotalDiscount': (ctx, v) => {
    const [d, base] = discountStruct(ctx, 'order', v);
    return { ...base, ...amount(d), PayType: d.gross ? 'Gross' : 'Net' };
  },
  'DiscountService.getProductTotalDiscount': (ctx, v) => {
    const [d, base] = discountStruct(ctx, 'product', v);
    return { ...base, ...amount(d), ProductId: d.productId };
  },
  'DiscountService.getShippingTotalDiscount': (ctx, v) => {
    const [d, base] = discountStruct(ctx, 'shipping', v);
    return { ...base, ...amount(d) };
  },
  'DiscountService.getFreeTrial': (ctx, v) => {
    const t = freeTrialOf(ctx.data, discountId(ctx, v, 'trialId'));
    if (t === undefined) throw recordNotFound();
    return { Id: t.id, Name: t.name, Description: t.description, FreeTrialDays: t.days, HidePrice: t.hidePrice ? 1 : 0, SubscriptionPlanId: t.subscriptionPlanId };
  },
};

// ---- shipping: one option of each kind (catalog.ts) ----

const listShipping = (ctx: MethodContext, values: XmlRpcValue[]): XmlRpcValue => {
  ctx.params(values, '(String key)').count(0);
  return SHIPPING.map((o) => ({ Id: o.id, Name: o.name, Type: o.type }));
};

/** The option with this id, if it is of the getter's kind (Keap keeps each kind in its own table). */
function shippingOption(ctx: MethodContext, values: XmlRpcValue[], getter: string): ShippingOption {
  const id = ctx.params(values, '(String key, int optionId)').count(1).int(0);
  const o = SHIPPING.find((x) => x.id === id && (x.getter === getter || (getter === 'getOrderTotalShippingRanges' && x.type === 'OrderTotal')));
  if (!o) throw recordNotFound();
  return o;
}

/** An option with its settings, money as doubles. */
function optionStruct(o: ShippingOption): XmlRpcStruct {
  const out: XmlRpcStruct = { Id: o.id, Name: o.name, Type: o.type };
  for (const [k, v] of Object.entries(o.settings)) out[k] = typeof v === 'number' ? money(v) : v;
  return out;
}

const shipping: Record<string, MethodHandler> = {
  'ShippingService.getAllShippingOptions': listShipping,
  'ShippingService.getOrderTotalShippingRanges': (ctx, v) => {
    const o = shippingOption(ctx, v, 'getOrderTotalShippingRanges');
    return ORDER_TOTAL_RANGES.map(([min, max, rate], k) => ({ Id: o.id * 100 + k + 1, OptionId: o.id, MinTotal: money(min), MaxTotal: money(max), Rate: money(rate) }));
  },
  'ShippingService.getProductBasedShippingOption': (ctx, v) => {
    const o = shippingOption(ctx, v, 'getProductBasedShippingOption');
    const products = Math.min(4, ctx.table('Product').count());
    return Array.from({ length: products }, (_, k) => ({ Id: o.id * 100 + k + 1, OptionId: o.id, Name: o.name, ProductId: k + 1, Rate: money(2 + k * 1.5) }));
  },
};
for (const o of SHIPPING) {
  if (o.getter === 'getProductBasedShippingOption') continue;
  shipping[`ShippingService.${o.getter}`] = (ctx, v) => optionStruct(shippingOption(ctx, v, o.getter));
}

const invoices: Record<string, MethodHandler> = {
  'InvoiceService.calculateAmountOwed': (ctx, v) => {
    const id = existing(ctx.table('Invoice'), ctx.params(v, '(String key, int invoiceId)').count(1).int(0));
    return money(num(ctx.table('Invoice').value(id, 'TotalDue')));
  },
  'InvoiceService.getAllPaymentOptions': (ctx, v) => {
    ctx.params(v, '(String key)').count(0);
    return { ...PAYMENT_OPTIONS };
  },
  'InvoiceService.getPayments': (ctx, v) => {
    const id = existing(ctx.table('Invoice'), ctx.params(v, '(String key, int invoiceId)').count(1).int(0));
    // Payment rows carry their invoice's id (Payment.InvoiceId); an unpaid invoice has none.
    const payments = ctx.table('Payment');
    const paid = num(ctx.table('Invoice').value(id, 'TotalPaid')) > 0;
    const ids: number[] = [];
    if (paid && payments.exists(id) && payments.value(id, 'InvoiceId') === id) ids.push(id);
    for (const pid of payments.insertedIds()) if (payments.value(pid, 'InvoiceId') === id) ids.push(pid);
    return ids.map((pid) => structOf(ctx, payments, pid));
  },
  'InvoiceService.getAllShippingOptions': listShipping,
};

registerMethods({
  ...discounts,
  ...shipping,
  ...invoices,
  'FileService.getFile': (ctx, v) => {
    const id = ctx.params(v, '(String key, int fileId)').count(1).int(0);
    const bytes = ctx.data.fileContent(id);
    if (bytes === undefined) throw recordNotFound();
    // Old docs call the answer a base64 string; whether Keap sends it as <base64> or as text is
    // not on record, so odd files come as <base64> and even ones as text, wrapped at 76 columns as
    // MIME encoders write it.
    if (id % 2 === 1) return XmlRpcBase64.fromBytes(bytes);
    return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
  },
  'ProductService.getInventory': (ctx, v) => {
    const id = existing(ctx.table('Product'), ctx.params(v, '(String key, int productId)').count(1).int(0));
    return pick(ctx.data, 'inventory', id, 250);
  },
  'WebFormService.getMap': (ctx, v) => {
    ctx.params(v, '(String key)').count(0);
    // A struct keyed by web form id (NOVAK iterates $webformId => $webformName).
    return Object.fromEntries(WEB_FORMS.map((f) => [String(f.id), f.name]));
  },
});
