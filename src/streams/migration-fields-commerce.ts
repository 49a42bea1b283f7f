import type { Invoice, Job, OrderItem, Payment, Product } from './table-types.js';
import { mapper, type FieldMapping, type TableFieldMap, type TableName } from './migration-types.js';

/**
 * Field-by-field maps of the commerce tables (migration-map.ts). On REST an order is the Job and its
 * Invoice together; money is a CurrencyValue whose `amount` is in the currency's smallest unit
 * (cents), where XML-RPC gave dollars.
 */

const CENTS = 'In cents on REST (XML-RPC gave dollars).';

const o = mapper<'orders'>();
const ORDER_CREATED = { since: 'created_since_time', until: 'created_until_time' };
const ORDER_MODIFIED = { since: 'modified_since_time', until: 'modified_until_time' };

const INVOICE: TableFieldMap<Invoice, 'orders'> = {
  Id: o.to('invoice_id', { eq: 'invoice_id' }),
  ContactId: o.to('contact.id', { eq: 'contact_id' }),
  JobId: o.to('id', { eq: 'id', in: 'ids' }),
  DateCreated: o.to('creation_time', ORDER_CREATED),
  InvoiceTotal: o.to('total.amount', undefined, CENTS),
  TotalPaid: o.to('total_paid.amount', undefined, CENTS),
  TotalDue: o.to('total_due.amount', undefined, CENTS),
  PayStatus: o.to('status', undefined, 'DRAFT, SENT, VIEWED or PAID on REST; the `paid` filter (true/false) selects paid orders.'),
  CreditStatus: o.to('credit_status'),
  RefundStatus: o.to('refund_status'),
  PayPlanStatus: o.none('REST gives the payment plan itself (payment_plan), not a status.'),
  AffiliateId: o.to('sales_affiliate_id'),
  LeadAffiliateId: o.to('lead_affiliate_id'),
  PromoCode: o.to('promo_code'),
  InvoiceType: o.none('Not on REST v2.'),
  Description: o.to('title', { eq: 'title' }),
  ProductSold: o.to('order_items', undefined, 'The products sold are the order\'s order_items.'),
  Synced: o.to('synced'),
  LastUpdated: o.to('modification_time', ORDER_MODIFIED),
};

const shipTo = 'shipping_information';
const JOB: TableFieldMap<Job, 'orders'> = {
  Id: o.to('id', { eq: 'id', in: 'ids' }),
  JobTitle: o.to('title', { eq: 'title' }),
  ContactId: o.to('contact.id', { eq: 'contact_id' }),
  StartDate: o.to('order_time'),
  DueDate: o.to('due_time'),
  JobNotes: o.to('notes'),
  ProductId: o.to('order_items', { eq: 'product_id' }, 'The products are the order\'s order_items; the filter selects orders with that product.'),
  JobStatus: o.none('Not on REST v2.'),
  DateCreated: o.to('creation_time', ORDER_CREATED),
  JobRecurringId: o.none('Subscriptions are the `subscriptions` stream; order items name theirs (subscription_id).'),
  OrderType: o.to('order_type', { eq: 'order_type' }, 'ONLINE or OFFLINE on REST.'),
  OrderStatus: o.to('status'),
  ShipFirstName: o.to(`${shipTo}.given_name`),
  ShipMiddleName: o.none('Not on REST v2.'),
  ShipLastName: o.to(`${shipTo}.family_name`),
  ShipCompany: o.to(`${shipTo}.company`),
  ShipPhone: o.to(`${shipTo}.phone_number`),
  ShipStreet1: o.to(`${shipTo}.address.line1`),
  ShipStreet2: o.to(`${shipTo}.address.line2`),
  ShipCity: o.to(`${shipTo}.address.locality`, { eq: 'shipping_locality' }),
  ShipState: o.to(`${shipTo}.address.region_code`, { eq: 'shipping_region_code' }),
  ShipZip: o.to(`${shipTo}.address.postal_code`, { eq: 'shipping_postal_code' }),
  ShipCountry: o.to(`${shipTo}.address.country_code`, { eq: 'shipping_country_code' }, 'An ISO 3166-1 alpha-3 code on REST.'),
  LastUpdated: o.to('modification_time', ORDER_MODIFIED),
};

const i = mapper<'order_items'>();
const ORDER_ITEM: TableFieldMap<OrderItem, 'order_items'> = {
  Id: i.to('id'),
  OrderId: i.to('order_id', { eq: 'id', in: 'ids' }),
  ProductId: i.to('product.id'),
  SubscriptionPlanId: i.to('subscription_plan.id'),
  ItemName: i.to('name'),
  Qty: i.to('quantity'),
  CPU: i.to('cost_per_unit.amount', undefined, CENTS),
  PPU: i.to('price_per_unit.amount', undefined, CENTS),
  ItemDescription: i.to('description'),
  ItemType: i.to('item_type', undefined, 'A name on REST (PRODUCT, SHIPPING, ...), a code on XML-RPC.'),
  Notes: i.to('notes'),
};

const p = mapper<'sales_payments'>();
const PAYMENT: TableFieldMap<Payment, 'sales_payments'> = {
  Id: p.to('id', { eq: 'id', in: 'ids' }),
  PayDate: p.to('payment_time', { since: 'since_time', until: 'until_time' }),
  UserId: p.none('Not on REST v2.'),
  PayAmt: p.to('amount', { eq: 'amount' }),
  PayType: p.to('type'),
  ContactId: p.to('contact_id', { eq: 'contact_id' }),
  PayNote: p.to('note'),
  InvoiceId: p.none('REST payments name their orders (order_ids), not invoices.'),
  RefundId: p.to('refund_payment_id'),
  ChargeId: p.none('Not on REST v2; the gateway\'s reference is external_transaction_id.'),
  Commission: p.to('commissioned'),
  Synced: p.to('synced'),
};

const pr = mapper<'products'>();
const PRODUCT: TableFieldMap<Product, 'products'> = {
  Id: pr.to('id', { eq: 'product_id', in: 'product_ids' }),
  ProductName: pr.to('name', { eq: 'name' }),
  ProductPrice: pr.to('price.amount', undefined, CENTS),
  Sku: pr.to('sku', { eq: 'sku' }),
  ShortDescription: pr.to('short_description', { eq: 'short_description' }),
  Taxable: pr.to('taxable'),
  CountryTaxable: pr.to('country_taxable'),
  StateTaxable: pr.to('state_taxable'),
  CityTaxable: pr.to('city_taxable'),
  Weight: pr.to('weight'),
  IsPackage: pr.to('is_package'),
  NeedsDigitalDelivery: pr.to('needs_digital_delivery'),
  Description: pr.to('description', { eq: 'description' }),
  HideInStore: pr.to('storefront_hidden'),
  Status: pr.to('active'),
  TopHTML: pr.to('top_html'),
  BottomHTML: pr.to('bottom_html'),
  ShippingTime: pr.none('Not on REST v2.'),
  LargeImage: pr.none('GET /products/{product_id}/images/legacyImageData, one request per product.'),
  InventoryNotifiee: pr.to('inventory.email_for_inventory_notifications'),
  InventoryLimit: pr.to('inventory.inventory_limit'),
  Shippable: pr.to('shippable'),
  DateCreated: pr.to('create_time'),
  LastUpdated: pr.to('update_time'),
};

export const COMMERCE_FIELDS: Record<TableName, Readonly<Record<string, FieldMapping>>> = {
  Invoice: INVOICE,
  Job: JOB,
  OrderItem: ORDER_ITEM,
  Payment: PAYMENT,
  Product: PRODUCT,
};
