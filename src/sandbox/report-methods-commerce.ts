import { XmlRpcBase64, type XmlRpcStruct, type XmlRpcValue } from '../xmlrpc/types.js';
import { recordNotFound } from './keap-fault.js';
import { registerMethods, type MethodContext, type MethodHandler } from './methods.js';
import { existing, money, num, pick, structOf } from './report-data.js';

/**
 * DiscountService, FileService, InvoiceService, ProductService, ShippingService and
 * WebFormService: the by-id reports. Discounts, trials, shipping options and web forms are small
 * fixed sets with ids 1..N (XML-RPC has no way to list discounts, so a user knows their ids);
 * files, invoices, payments and products come from their tables.
 */

const DISCOUNTS = 5;

function discountId(ctx: MethodContext, values: XmlRpcValue[], name: string): number {
  const id = ctx.params(values, `(String key, int ${name})`).count(1).int(0);
  if (id < 1 || id > DISCOUNTS) throw recordNotFound();
  return id;
}

function discountBase(ctx: MethodContext, kind: string, id: number): XmlRpcStruct {
  return {
    Id: id,
    Name: `${kind} ${id}`,
    Description: `${kind} number ${id} (sandbox)`,
    ApplyDiscountToCommission: pick(ctx.data, `${kind}:commission`, id, 2),
  };
}

/** Percent (1) or amount (0), and how much. */
function amount(ctx: MethodContext, kind: string, id: number): XmlRpcStruct {
  const percent = pick(ctx.data, `${kind}:percent`, id, 2);
  return { PercentOrAmt: percent, Amt: money(percent ? 5 + pick(ctx.data, `${kind}:amt`, id, 20) : 2.5 + pick(ctx.data, `${kind}:amt`, id, 40)) };
}

const discounts: Record<string, MethodHandler> = {
  'DiscountService.getCategoryDiscount': (ctx, v) => {
    const id = discountId(ctx, v, 'id');
    return { ...discountBase(ctx, 'Category discount', id), Amt: money(5 + id) };
  },
  'DiscountService.getCategoryAssignmentsForCategoryDiscount': (ctx, v) => {
    const id = discountId(ctx, v, 'id');
    const categories = ctx.table('ProductCategory').count();
    return [0, 1].map((k) => ({ Id: id * 10 + k, CategoryDiscountId: id, ProductCategoryId: 1 + ((id + k * 2) % Math.max(1, categories)) }));
  },
  'DiscountService.getOrderTotalDiscount': (ctx, v) => {
    const id = discountId(ctx, v, 'id');
    return { ...discountBase(ctx, 'Order total discount', id), ...amount(ctx, 'order', id), PayType: id % 2 ? 'Gross' : 'Net' };
  },
  'DiscountService.getProductTotalDiscount': (ctx, v) => {
    const id = discountId(ctx, v, 'id');
    return { ...discountBase(ctx, 'Product total discount', id), ...amount(ctx, 'product', id), ProductId: 1 + (id % Math.max(1, ctx.table('Product').count())) };
  },
  'DiscountService.getShippingTotalDiscount': (ctx, v) => {
    const id = discountId(ctx, v, 'id');
    return { ...discountBase(ctx, 'Shipping discount', id), ...amount(ctx, 'shipping', id) };
  },
  'DiscountService.getFreeTrial': (ctx, v) => {
    const id = discountId(ctx, v, 'trialId');
    return {
      Id: id,
      Name: `${[7, 14, 30, 7, 60][id - 1] ?? 7}-day free trial`,
      Description: 'Try it free, cancel any time',
      FreeTrialDays: [7, 14, 30, 7, 60][id - 1] ?? 7,
      HidePrice: id % 2,
      SubscriptionPlanId: 1 + (id % Math.max(1, ctx.table('SubscriptionPlan').count())),
    };
  },
};

// ---- shipping: one option of each kind ----

interface ShippingOption {
  Id: number;
  Name: string;
  Type: string;
  getter: string;
}

const SHIPPING: readonly ShippingOption[] = [
  { Id: 1, Name: 'Standard flat rate', Type: 'Flat', getter: 'getFlatRateShippingOption' },
  { Id: 2, Name: 'Per item', Type: 'OrderQuantity', getter: 'getOrderQuantityShippingOption' },
  { Id: 3, Name: 'By order total', Type: 'OrderTotal', getter: 'getOrderTotalShippingOption' },
  { Id: 4, Name: 'By product', Type: 'Product', getter: 'getProductBasedShippingOption' },
  { Id: 5, Name: 'UPS Ground', Type: 'Ups', getter: 'getUpsShippingOption' },
  { Id: 6, Name: 'By weight', Type: 'Weight', getter: 'getWeightBasedShippingOption' },
];

const listShipping = (ctx: MethodContext, values: XmlRpcValue[]): XmlRpcValue => {
  ctx.params(values, '(String key)').count(0);
  return SHIPPING.map((o) => ({ Id: o.Id, Name: o.Name, Type: o.Type }));
};

/** The option with this id, if it is of the getter's kind (Keap keeps each kind in its own table). */
function shippingOption(ctx: MethodContext, values: XmlRpcValue[], getter: string): ShippingOption {
  const id = ctx.params(values, '(String key, int optionId)').count(1).int(0);
  const o = SHIPPING.find((x) => x.Id === id && (x.getter === getter || (getter === 'getOrderTotalShippingRanges' && x.Type === 'OrderTotal')));
  if (!o) throw recordNotFound();
  return o;
}

const shipping: Record<string, MethodHandler> = {
  'ShippingService.getAllShippingOptions': listShipping,
  'ShippingService.getFlatRateShippingOption': (ctx, v) => {
    const o = shippingOption(ctx, v, 'getFlatRateShippingOption');
    return { Id: o.Id, Name: o.Name, Type: o.Type, Rate: money(5.95) };
  },
  'ShippingService.getOrderQuantityShippingOption': (ctx, v) => {
    const o = shippingOption(ctx, v, 'getOrderQuantityShippingOption');
    return { Id: o.Id, Name: o.Name, Type: o.Type, FirstItemRate: money(4.5), AdditionalItemRate: money(1.25) };
  },
  'ShippingService.getOrderTotalShippingOption': (ctx, v) => {
    const o = shippingOption(ctx, v, 'getOrderTotalShippingOption');
    return { Id: o.Id, Name: o.Name, Type: o.Type, Active: true };
  },
  'ShippingService.getOrderTotalShippingRanges': (ctx, v) => {
    const o = shippingOption(ctx, v, 'getOrderTotalShippingRanges');
    const ranges: [number, number, number][] = [
      [0, 50, 7.5],
      [50, 150, 4.95],
      [150, 1_000_000, 0],
    ];
    return ranges.map(([min, max, rate], k) => ({ Id: o.Id * 100 + k + 1, OptionId: o.Id, MinTotal: money(min), MaxTotal: money(max), Rate: money(rate) }));
  },
  'ShippingService.getProductBasedShippingOption': (ctx, v) => {
    const o = shippingOption(ctx, v, 'getProductBasedShippingOption');
    const products = Math.min(4, ctx.table('Product').count());
    return Array.from({ length: products }, (_, k) => ({ Id: o.Id * 100 + k + 1, OptionId: o.Id, Name: o.Name, ProductId: k + 1, Rate: money(2 + k * 1.5) }));
  },
  'ShippingService.getUpsShippingOption': (ctx, v) => {
    const o = shippingOption(ctx, v, 'getUpsShippingOption');
    return { Id: o.Id, Name: o.Name, Type: o.Type, Service: 'Ground', OriginZip: '84401', Markup: money(1) };
  },
  'ShippingService.getWeightBasedShippingOption': (ctx, v) => {
    const o = shippingOption(ctx, v, 'getWeightBasedShippingOption');
    return { Id: o.Id, Name: o.Name, Type: o.Type, RatePerPound: money(0.85), MinimumCharge: money(3) };
  },
};

const invoices: Record<string, MethodHandler> = {
  'InvoiceService.calculateAmountOwed': (ctx, v) => {
    const id = existing(ctx.table('Invoice'), ctx.params(v, '(String key, int invoiceId)').count(1).int(0));
    return money(num(ctx.table('Invoice').value(id, 'TotalDue')));
  },
  'InvoiceService.getAllPaymentOptions': (ctx, v) => {
    ctx.params(v, '(String key)').count(0);
    return { CREDIT_CARD: 'Credit Card', PAYPAL: 'PayPal', CHECK: 'Check', CASH: 'Cash' };
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
    return { '1': 'Contact Us', '3': 'Newsletter Signup', '4': 'Free Consultation', '7': 'Webinar Registration', '12': 'Affiliate Application' };
  },
});
