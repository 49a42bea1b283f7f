/**
 * The REST v2 resource streams, as data: which list endpoints of Keap's official OpenAPI file hold
 * account data, and how each is read without losing a row. scripts/generate-rest-schemas.ts joins
 * this with the OpenAPI file (items key, record schema, page-size limit, the `fields`, `filter` and
 * `order_by` vocabularies) into schemas/rest.json, the registry the one REST engine reads, and
 * checks every filter and order field named here against the spec's own parameter text.
 *
 * How a resource is paged and kept incremental (`sync`), best first, as the spec allows:
 * - `keyset`: the spec lets us filter on the id (`contact_id>N`) and order by it: every page is a
 *   fresh query for ids past the last one read, so rows deleted or changed mid-sync never shift an
 *   unchanged row out of view (Keap's page tokens are offsets). Incremental passes add the server's
 *   time filter (`since`).
 * - `filter`: a server-side time filter (`since`) and Keap's page tokens, ordered by `order_by`.
 * - `order`: no time filter, but the spec orders by the update time: read newest first and stop at
 *   the first row older than the bookmark.
 * - `full`: full refresh only, Keap's page tokens (or one answer: a few small endpoints do not page).
 * A time filter's exact semantics are the spec's words: every pass re-reads from the last bookmark
 * less an overlap (at least one second) and drops rows it already emitted (same key and cursor).
 */

import type { RestParent, RestFlatten, RestSync } from '../src/streams/rest-registry.js';

export interface RestResourceDef {
  /** The stream name; must be the DESIGN naming rule applied to `path` (checked), or a derived stream's own name. */
  stream: string;
  /** The GET path under /v2, as the spec writes it (`/tags/{tag_id}/contacts`). */
  path: string;
  primary_key?: string[];
  /** The record field incremental syncs follow; null: full refresh only. */
  cursor: string | null;
  sync: RestSync;
  /** The resource's custom-field model endpoint (`/contacts/model`), when it has custom fields. */
  model?: string;
  /**
   * What to send as `fields`: 'schema' (every field the stream's schema has, for endpoints that take
   * any property) or 'enum' (the spec's optional values, for endpoints that list them).
   */
  fields?: 'schema' | 'enum';
  /** Filter clauses always sent (e.g. users: include inactive ones). */
  always?: string[];
  parent?: RestParent;
  flatten?: RestFlatten;
  /** Said in the README and in discover's description. */
  note?: string;
}

export const REST_RESOURCES: readonly RestResourceDef[] = [
  // ----------------------------------------------------------------- CRM
  {
    stream: 'contacts',
    path: '/contacts',
    cursor: 'update_time',
    sync: { kind: 'keyset', id_filter: 'contact_id', since: 'start_update_time', order_by: 'id' },
    model: '/contacts/model',
    fields: 'schema',
  },
  {
    stream: 'companies',
    path: '/companies',
    cursor: 'update_time',
    sync: { kind: 'keyset', id_filter: 'company_id', since: 'since_time', order_by: 'id' },
    model: '/companies/model',
    fields: 'schema',
  },
  { stream: 'contact_link_types', path: '/contacts/links/types', cursor: null, sync: { kind: 'full', order_by: 'create_time' } },
  {
    stream: 'tags',
    path: '/tags',
    cursor: 'update_time',
    sync: { kind: 'filter', since: 'since_update_time', order_by: 'update_time' },
  },
  {
    stream: 'tag_categories',
    path: '/tags/categories',
    cursor: 'update_time',
    sync: { kind: 'filter', since: 'since_update_time', order_by: 'update_time' },
  },
  {
    stream: 'tag_contacts',
    path: '/tags/{tag_id}/contacts',
    primary_key: ['tag_id', 'id'],
    cursor: 'applied_time',
    sync: { kind: 'filter', since: 'since_applied_time', order_by: 'applied_time' },
    parent: { stream: 'tags', param: 'tag_id', column: 'tag_id' },
    note: 'One request (or more) per tag. A tag removed from a contact is not reported (Keap has no feed of removals).',
  },
  {
    stream: 'notes',
    path: '/notes',
    cursor: 'update_time',
    sync: { kind: 'keyset', id_filter: 'id', since: 'since_time', order_by: 'id' },
    model: '/notes/model',
    fields: 'enum',
  },
  {
    stream: 'note_templates',
    path: '/notes/templates',
    cursor: null,
    sync: { kind: 'full' },
  },
  {
    stream: 'tasks',
    path: '/tasks',
    cursor: 'modification_time',
    sync: { kind: 'keyset', id_filter: 'id', since: 'since_time', order_by: 'id' },
    model: '/tasks/model',
    fields: 'enum',
  },
  {
    stream: 'opportunities',
    path: '/opportunities',
    cursor: 'last_updated_time',
    sync: { kind: 'order', order_by: 'update_time' },
    model: '/opportunities/model',
    fields: 'enum',
  },
  { stream: 'opportunity_stages', path: '/opportunities/stages', cursor: null, sync: { kind: 'full', order_by: 'stage_order' } },
  {
    stream: 'opportunity_stage_moves',
    path: '/opportunities/stageMoves',
    cursor: 'move_time',
    sync: { kind: 'order', order_by: 'move_date' },
  },
  { stream: 'users', path: '/users', cursor: null, sync: { kind: 'full', order_by: 'create_time' }, always: ['include_inactive==true', 'include_partners==true'] },
  { stream: 'user_groups', path: '/userGroups', cursor: null, sync: { kind: 'full' } },
  {
    stream: 'emails',
    path: '/emails',
    cursor: 'sent_time',
    sync: { kind: 'filter', since: 'start_created_time', order_by: 'created_time' },
    note: 'Sent emails, without their bodies (one request per email would fetch those).',
  },
  { stream: 'email_addresses', path: '/emailAddresses', primary_key: ['email'], cursor: null, sync: { kind: 'full', order_by: 'email' } },
  { stream: 'email_templates', path: '/emails/templates', cursor: null, sync: { kind: 'full', order_by: 'id' } },
  {
    stream: 'files',
    path: '/files',
    cursor: 'updated_time',
    sync: { kind: 'order', order_by: 'updated_time' },
    note: 'File metadata; the contents are the `file` report.',
  },
  // ----------------------------------------------------------------- marketing
  { stream: 'campaigns', path: '/campaigns', cursor: null, sync: { kind: 'full', order_by: 'id' } },
  { stream: 'campaign_sequences', path: '/campaigns/{campaign_id}/sequences', primary_key: ['campaign_id', 'id'], cursor: null, sync: { kind: 'full' }, parent: { stream: 'campaigns', param: 'campaign_id', column: 'campaign_id' } },
  { stream: 'campaign_goals', path: '/campaigns/{campaign_id}/goals', primary_key: ['campaign_id', 'id'], cursor: null, sync: { kind: 'full' }, parent: { stream: 'campaigns', param: 'campaign_id', column: 'campaign_id' } },
  { stream: 'automations', path: '/automations', cursor: null, sync: { kind: 'full', order_by: 'name' } },
  { stream: 'automation_category', path: '/automationCategory', cursor: null, sync: { kind: 'full' } },
  { stream: 'webforms', path: '/webforms', cursor: 'update_time', sync: { kind: 'filter', since: 'since_update_time', order_by: 'update_time' } },
  { stream: 'lead_sources', path: '/leadSources', cursor: 'update_time', sync: { kind: 'order', order_by: 'update_time' } },
  { stream: 'lead_source_categories', path: '/leadSourceCategories', cursor: null, sync: { kind: 'full', order_by: 'name' } },
  {
    stream: 'lead_source_expenses',
    path: '/leadSources/{lead_source_id}/expenses',
    primary_key: ['lead_source_id', 'id'],
    cursor: 'update_time',
    sync: { kind: 'order', order_by: 'update_time' },
    parent: { stream: 'lead_sources', param: 'lead_source_id', column: 'lead_source_id' },
  },
  {
    stream: 'lead_source_recurring_expenses',
    path: '/leadSources/{lead_source_id}/recurringExpenses',
    primary_key: ['lead_source_id', 'id'],
    cursor: 'update_time',
    sync: { kind: 'order', order_by: 'update_time' },
    parent: { stream: 'lead_sources', param: 'lead_source_id', column: 'lead_source_id' },
  },
  { stream: 'reporting_reports', path: '/reporting/reports', cursor: null, sync: { kind: 'full', order_by: 'created_time' }, note: 'Saved reports (saved searches); their rows are the `saved_search` report.' },
  // ----------------------------------------------------------------- e-commerce
  {
    stream: 'orders',
    path: '/orders',
    cursor: 'modification_time',
    sync: { kind: 'keyset', id_filter: 'id', since: 'modified_since_time', order_by: 'id' },
    model: '/orders/model',
  },
  {
    stream: 'order_items',
    path: '/orders',
    primary_key: ['order_id', 'id'],
    cursor: 'order_modification_time',
    sync: { kind: 'keyset', id_filter: 'id', since: 'modified_since_time', order_by: 'id' },
    flatten: { stream: 'orders', field: 'order_items', columns: { order_id: 'id', order_modification_time: 'modification_time' } },
    note: 'The items of each order (`order_items` of /orders), with their order\'s id and modification time; an order changed since the bookmark brings all its items again.',
  },
  {
    stream: 'order_payments',
    path: '/orders/{order_id}/payments',
    primary_key: ['order_id', 'id'],
    cursor: 'last_updated_time',
    sync: { kind: 'full', order_by: 'pay_time' },
    parent: { stream: 'orders', param: 'order_id', column: 'order_id', incremental: true },
    note: 'One request per order; incremental syncs ask only for orders modified since the bookmark (a payment modifies its order). sales_payments lists every payment in far fewer requests.',
  },
  {
    stream: 'subscriptions',
    path: '/subscriptions',
    cursor: 'modification_time',
    sync: { kind: 'order', order_by: 'modification_time' },
    model: '/subscriptions/model',
  },
  { stream: 'products', path: '/products', cursor: 'update_time', sync: { kind: 'order', order_by: 'last_updated_time' } },
  { stream: 'product_subscriptions', path: '/products/{product_id}/subscriptions', primary_key: ['product_id', 'id'], cursor: null, sync: { kind: 'full', order_by: 'id' }, parent: { stream: 'products', param: 'product_id', column: 'product_id' }, note: 'Subscription plans of each product.' },
  { stream: 'product_options', path: '/products/{product_id}/options', primary_key: ['product_id', 'id'], cursor: null, sync: { kind: 'full' }, parent: { stream: 'products', param: 'product_id', column: 'product_id' } },
  { stream: 'product_categories', path: '/productCategories', cursor: null, sync: { kind: 'keyset', id_filter: 'product_category_id', order_by: 'id' } },
  { stream: 'product_category_assigned_products', path: '/productCategories/assignedProducts', primary_key: ['product_category_id'], cursor: null, sync: { kind: 'full', order_by: 'product_category_id' } },
  { stream: 'product_interest_bundles', path: '/productInterestBundles', cursor: null, sync: { kind: 'full', order_by: 'name' } },
  {
    stream: 'sales_payments',
    path: '/sales/payments',
    cursor: 'payment_time',
    sync: { kind: 'keyset', id_filter: 'id', since: 'since_time', order_by: 'id' },
    note: 'The spec does not say which time `since_time` compares; read as the payment time (refunds are payments of their own).',
  },
  {
    stream: 'sales_transactions',
    path: '/sales/transactions',
    primary_key: [],
    cursor: 'transaction_time',
    sync: { kind: 'filter', since: 'since_time', order_by: 'transaction_time' },
    note: 'Keap gives transactions no id: no primary key, so append (not deduplicate) them.',
  },
  { stream: 'payment_methods', path: '/paymentMethods', primary_key: ['payment_method_id'], cursor: 'created_time', sync: { kind: 'filter', since: 'since_time', order_by: 'created_time' } },
  { stream: 'merchants', path: '/merchants', cursor: null, sync: { kind: 'full', order_by: 'id' } },
  { stream: 'shipping', path: '/shipping', cursor: null, sync: { kind: 'full' }, note: 'Shipping methods.' },
  { stream: 'discount_shipping', path: '/discounts/shipping', cursor: null, sync: { kind: 'full', order_by: 'id' } },
  { stream: 'discount_products', path: '/discounts/products', cursor: null, sync: { kind: 'full', order_by: 'id' } },
  { stream: 'discount_product_categories', path: '/discounts/productCategories', cursor: null, sync: { kind: 'keyset', id_filter: 'id', order_by: 'id' } },
  { stream: 'discount_order_totals', path: '/discounts/orderTotals', cursor: null, sync: { kind: 'full', order_by: 'id' } },
  { stream: 'discount_free_trials', path: '/discounts/freeTrials', cursor: null, sync: { kind: 'full', order_by: 'id' } },
  // ----------------------------------------------------------------- affiliates
  { stream: 'affiliates', path: '/affiliates', cursor: null, sync: { kind: 'keyset', id_filter: 'id', order_by: 'id' }, model: '/affiliates/model' },
  {
    stream: 'affiliate_commissions',
    path: '/affiliates/{affiliate_id}:commissions',
    primary_key: ['affiliate_id', 'invoice_id', 'time_earned', 'product_name', 'description'],
    cursor: 'time_earned',
    sync: { kind: 'filter', since: 'since_time', order_by: 'time_earned' },
    parent: { stream: 'affiliates', param: 'affiliate_id', column: 'affiliate_id' },
    note: 'Keap gives commissions no id; the key is the affiliate, invoice, time, product and description.',
  },
  {
    stream: 'affiliate_payments',
    path: '/affiliates/{affiliate_id}/payments',
    primary_key: ['affiliate_id', 'id'],
    cursor: 'pay_date',
    sync: { kind: 'filter', since: 'since_time', order_by: 'pay_date' },
    parent: { stream: 'affiliates', param: 'affiliate_id', column: 'affiliate_id' },
  },
  { stream: 'affiliate_summaries', path: '/affiliates/summaries', primary_key: ['affiliateId'], cursor: null, sync: { kind: 'full', order_by: 'affiliate_id' }, note: 'Totals to date per affiliate (the since/until filters choose a window of earnings, not changed rows).' },
  { stream: 'affiliate_redirects', path: '/affiliates/redirects', cursor: null, sync: { kind: 'full', order_by: 'date_created' } },
  { stream: 'affiliate_commission_programs', path: '/affiliates/commissionPrograms', cursor: null, sync: { kind: 'full', order_by: 'date_created' } },
  {
    stream: 'affiliate_commission_program_resources',
    path: '/affiliates/commissionPrograms/{commission_program_id}/resources',
    primary_key: ['commission_program_id', 'id'],
    cursor: null,
    sync: { kind: 'full' },
    parent: { stream: 'affiliate_commission_programs', param: 'commission_program_id', column: 'commission_program_id' },
  },
  { stream: 'referrals', path: '/referrals', cursor: 'referral_time', sync: { kind: 'order', order_by: 'referral_time' } },
];

/** GET list endpoints deliberately not offered as streams, and why (the README lists them). */
export const LEFT_OUT: readonly { path: string; why: string }[] = [
  { path: '/contacts/{contact_id}/tags', why: 'the same facts as tag_contacts, at one request per contact instead of per tag' },
  { path: '/companies/{company_id}/tags', why: 'one request per company; companies are rarely tagged' },
  { path: '/tags/{tag_id}/companies', why: 'one request per tag for companies, which are rarely tagged; its records have no key of their own' },
  { path: '/contacts/{contact_id}/notes', why: 'the same notes as `notes`, one request per contact' },
  { path: '/contacts/{contact_id}/paymentMethods', why: 'the same records as `payment_methods`, one request per contact' },
  { path: '/contacts/{contact_id}/links', why: 'one request per contact for a feature few accounts use' },
  { path: '/affiliates/{affiliate_id}/referrals', why: 'the same records as `referrals`, one request per affiliate' },
  { path: '/automations/ids', why: 'the ids of `automations`' },
  { path: '/leadSources/{lead_source_id}/recurringExpenses/{lead_source_recurring_expense_id}/expenses', why: 'a subset of `lead_source_expenses`' },
  { path: '/locales/countries', why: 'reference data, the same for every account' },
  { path: '/locales/countries/{country_code}/provinces', why: 'reference data, the same for every account' },
  { path: '/settings/contactOptionTypes', why: 'account settings, not data' },
  { path: '/integrations/wordpress/options', why: 'integration settings, not data' },
  { path: '/{resource}/model/customFields/tabs|groups', why: 'custom-field layout; the fields themselves become typed columns' },
];
