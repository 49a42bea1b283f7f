/**
 * The 39 reports of the Infusionsoft report menu on REST v2, as data (src/streams/rest-report-
 * registry.ts says what each member means). scripts/generate-rest-schemas.ts checks every entry
 * against Keap's OpenAPI file (the endpoint and method exist, each filter and time filter is one
 * the endpoint takes, the record's stream or component exists, the key is among its fields) and
 * writes schemas/rest-reports.json, the registry the one report engine reads.
 *
 * The same ids and parameters as on XML-RPC; the records are the REST endpoint's (REST field names).
 */

import type { RestReportDef } from '../src/streams/rest-report-registry.js';

const WINDOW = { since: 'since_time', until: 'until_time' };

/** One record of a by-id discount endpoint. */
const discount = (report: RestReportDef['report'], path: string, stream: string, key: string): RestReportDef => ({
  report,
  endpoint: `/discounts/${path}/{discount_id}`,
  loop: 'id',
  answer: 'object',
  record: { stream },
  key: [key],
});

/** One shipping method of GET /shipping, chosen by option_id. */
const shippingOption = (report: RestReportDef['report']): RestReportDef => ({
  report,
  endpoint: '/shipping',
  loop: 'id',
  answer: 'list',
  take: { match: 'option_id' },
  record: { stream: 'shipping' },
  key: ['option_id'],
});

export const REST_REPORTS: readonly RestReportDef[] = [
  // ---- Affiliates ----
  {
    report: 'affiliate_clawbacks',
    loop: 'none',
    refused: {
      closest: 'affiliate_summaries',
      why: 'REST v2 lists no clawbacks one by one, only their total per affiliate (GET /affiliates/summaries; the affiliate_summary report reads it over the same date window)',
    },
  },
  {
    report: 'affiliate_commissions',
    endpoint: '/affiliates/{affiliate_id}:commissions',
    loop: 'affiliates',
    window: WINDOW,
    answer: 'list',
    record: { stream: 'affiliate_commissions' },
    key: ['affiliate_id', 'invoice_id', 'time_earned', 'product_name', 'description'],
  },
  {
    report: 'affiliate_payments',
    endpoint: '/affiliates/{affiliate_id}/payments',
    loop: 'affiliates',
    window: WINDOW,
    answer: 'list',
    record: { stream: 'affiliate_payments' },
    key: ['affiliate_id', 'id'],
  },
  {
    report: 'affiliate_redirect_links',
    endpoint: '/affiliates/redirects',
    loop: 'affiliate_filter',
    filter: ['affiliate_id=={item}'],
    answer: 'list',
    record: { stream: 'affiliate_redirects' },
    key: ['id'],
  },
  {
    report: 'affiliate_summary',
    endpoint: '/affiliates/summaries',
    loop: 'affiliate_batch',
    filter: ['affiliate_ids=={item}'],
    window: WINDOW,
    answer: 'list',
    record: { stream: 'affiliate_summaries' },
    itemField: { column: 'affiliate_id', field: 'affiliateId' },
    key: ['affiliate_id', 'window_start', 'window_end'],
  },
  {
    report: 'affiliate_running_totals',
    endpoint: '/affiliates/summaries',
    loop: 'affiliate_batch',
    filter: ['affiliate_ids=={item}'],
    answer: 'list',
    record: { stream: 'affiliate_summaries' },
    itemField: { column: 'affiliate_id', field: 'affiliateId' },
    key: ['affiliate_id'],
  },
  // ---- Affiliate programs ----
  { report: 'affiliate_programs', endpoint: '/affiliates/commissionPrograms', loop: 'none', answer: 'list', record: { stream: 'affiliate_commission_programs' }, key: ['id'] },
  {
    report: 'affiliate_programs_for_affiliate',
    endpoint: '/affiliates/commissionPrograms',
    loop: 'affiliates',
    filter: ['affiliate_id=={item}'],
    answer: 'list',
    record: { stream: 'affiliate_commission_programs' },
    key: ['affiliate_id', 'id'],
  },
  { report: 'affiliates_by_program', endpoint: '/affiliates/{id}', loop: 'program_affiliates', answer: 'object', record: { stream: 'affiliates' }, key: ['program_id', 'id'] },
  {
    report: 'affiliate_program_resources',
    endpoint: '/affiliates/commissionPrograms/{commission_program_id}/resources',
    loop: 'id',
    answer: 'list',
    record: { stream: 'affiliate_commission_program_resources' },
    key: ['program_id', 'id'],
  },
  // ---- Contacts and data ----
  { report: 'contacts_by_email', endpoint: '/contacts', loop: 'none', filter: ['email=={email}'], answer: 'list', record: { stream: 'contacts' }, key: ['id'], fieldsOf: 'Contact' },
  { report: 'contacts_by_id', endpoint: '/contacts/{contact_id}', loop: 'id', answer: 'object', record: { stream: 'contacts' }, key: ['contact_id'], fieldsOf: 'Contact' },
  { report: 'contacts_by_tags', endpoint: '/tags/{tag_id}/contacts', loop: 'tags', answer: 'list', record: { stream: 'tag_contacts' }, key: ['tag_id', 'id'], fieldsOf: 'ContactGroupAssign' },
  { report: 'data_record_by_id', loop: 'table' },
  { report: 'data_query', loop: 'table' },
  // ---- Discounts: REST lists them too (the discount_* resource streams) ----
  discount('discount_category', 'productCategories', 'discount_product_categories', 'category_discount_id'),
  {
    report: 'discount_category_assignments',
    endpoint: '/discounts/productCategories/{discount_id}',
    loop: 'id',
    answer: 'object',
    take: { member: 'product_categories', as: 'product_category_id' },
    record: { stream: 'discount_product_categories' },
    key: ['category_discount_id', 'product_category_id'],
  },
  discount('discount_order_total', 'orderTotals', 'discount_order_totals', 'discount_id'),
  discount('discount_product_total', 'products', 'discount_products', 'product_discount_id'),
  discount('discount_shipping', 'shipping', 'discount_shipping', 'shipping_discount_id'),
  discount('discount_free_trial', 'freeTrials', 'discount_free_trials', 'trial_id'),
  // ---- Files, invoices, products ----
  { report: 'file', endpoint: '/files/{file_id}', loop: 'id', answer: 'object', attach: { endpoint: '/files/{file_id}:data', as: 'data' }, record: { stream: 'files' }, key: ['file_id'] },
  {
    report: 'invoice_amount_due',
    endpoint: '/orders',
    loop: 'id',
    filter: ['invoice_id=={item}'],
    answer: 'list',
    record: { stream: 'orders', pick: ['id', 'invoice_id', 'status', 'total', 'total_paid', 'total_due', 'refund_total', 'modification_time'] },
    key: ['invoice_id'],
  },
  {
    report: 'invoice_payment_options',
    endpoint: '/settings/applications:getConfiguration',
    loop: 'none',
    answer: 'object',
    query: { fields: 'ECOMMERCE' },
    take: { member: 'ecommerce' },
    record: { component: 'ApplicationConfigurationModuleEcommerce' },
    key: [],
  },
  { report: 'invoice_payments', endpoint: '/orders/{order_id}/payments', loop: 'invoice_order', answer: 'list', record: { stream: 'order_payments' }, key: ['invoice_id', 'id'] },
  { report: 'invoice_shipping_options', endpoint: '/shipping', loop: 'none', answer: 'list', record: { stream: 'shipping' }, key: ['id'] },
  { report: 'product_inventory', endpoint: '/products/{product_id}', loop: 'id', answer: 'object', take: { member: 'inventory' }, record: { component: 'ProductInventory_Detail' }, key: ['product_id'] },
  // ---- Saved searches (saved reports) ----
  { report: 'search_available_fields', endpoint: '/reporting/reports/{report_id}/model', loop: 'saved_searches', answer: 'list', record: { component: 'ReportField' }, key: ['saved_search_id', 'name'] },
  { report: 'saved_search', endpoint: '/reporting/reports/{report_id}:run', method: 'POST', loop: 'saved_searches', answer: 'list', record: { component: 'ReportEntryRecord' }, key: ['_key'] },
  {
    report: 'saved_search_fields',
    endpoint: '/reporting/reports/{report_id}:run',
    method: 'POST',
    loop: 'saved_searches',
    answer: 'list',
    record: { component: 'ReportEntryRecord' },
    key: ['_key'],
    fieldsAsIs: true,
  },
  // ---- Shipping ----
  { report: 'shipping_options', endpoint: '/shipping', loop: 'none', answer: 'list', record: { stream: 'shipping' }, key: ['id'] },
  shippingOption('shipping_flat_rate'),
  shippingOption('shipping_order_quantity'),
  shippingOption('shipping_order_total'),
  {
    report: 'shipping_order_total_ranges',
    loop: 'none',
    refused: { closest: 'shipping', why: "REST v2 lists shipping methods with their settings (GET /shipping), not an order-total method's price ranges" },
  },
  shippingOption('shipping_product_based'),
  shippingOption('shipping_ups'),
  shippingOption('shipping_weight_based'),
  // ---- Web forms ----
  { report: 'webforms', endpoint: '/webforms', loop: 'none', answer: 'list', record: { stream: 'webforms' }, key: ['id'] },
];
