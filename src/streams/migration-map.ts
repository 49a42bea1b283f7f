import { COMMERCE_FIELDS } from './migration-fields-commerce.js';
import { crmFields } from './migration-fields-crm.js';
import type { FieldFilter, FieldMapping, RestPath, RestStreamName, TableName } from './migration-types.js';
import { restStreams } from './rest-registry.js';
import { tableStreams } from './table-registry.js';

/**
 * The migration guide as data: where each of the 60 DataService tables lives on REST v2 (its
 * resource stream, or why it has none), and for the tables people sync most, where each field
 * went. One table, read by the README's generated guide (scripts/generate-docs.ts), by
 * `list fields TABLE --api rest`, and by data_query on REST, which turns the menu's XML-RPC field
 * names into REST filters with it. test/migration-map.test.ts holds every REST path against the
 * generated REST schemas, so a typo or a field Keap renames fails there.
 */

export interface TableMapping {
  /** The REST stream that holds the table's rows, or null ("not on REST"). */
  stream: RestStreamName | null;
  /** Where the rest of the table went, or why it is not on REST. */
  note: string;
}

const on = (stream: RestStreamName, note = ''): TableMapping => ({ stream, note });
const off = (note: string): TableMapping => ({ stream: null, note });

export const TABLE_MAP: Readonly<Record<TableName, TableMapping>> = {
  ActionSequence: off('Legacy action sets have no REST v2 endpoint; automations (`automations`) replace them.'),
  AffResource: on('affiliate_commission_program_resources', 'Read per commission program.'),
  Affiliate: on('affiliates', 'Commission rates moved to the commission programs (`affiliate_commission_programs`).'),
  CCharge: on('sales_transactions', 'Card charges are transactions (transaction_method, payment_method.card_info).'),
  CProgram: off('Legacy subscription programs have no REST v2 endpoint; subscription plans are `product_subscriptions`.'),
  Campaign: on('campaigns'),
  CampaignStep: on('campaign_sequences', 'Campaigns are read as their sequences; single steps have no REST v2 endpoint.'),
  Campaignee: off('REST v2 does not list which contacts are in a campaign; `campaign_sequences` counts them (active_contact_count).'),
  Company: on('companies', 'A company has one address, email, phone and fax on REST.'),
  Contact: on('contacts', 'Addresses, emails, phones and faxes are arrays keyed by their slot (`field`).'),
  ContactAction: on('notes', 'Notes (ObjectType Note); tasks and appointments are the `tasks` stream.'),
  ContactGroup: on('tags'),
  ContactGroupAssign: on('tag_contacts', 'One request per tag; each row carries the contact\'s id, names and email.'),
  ContactGroupCategory: on('tag_categories'),
  CreditCard: on('payment_methods', 'Card details are limited to brand, type, last four and expiry (card_info).'),
  DataFormField: off('Not a stream on REST: each resource\'s custom fields come from its /model endpoint and are typed columns (`custom_fields.<name>`).'),
  DataFormGroup: off('Custom-field layout (/model/customFields/groups); not account data.'),
  DataFormTab: off('Custom-field layout (/model/customFields/tabs); not account data.'),
  EmailAddStatus: on('email_addresses', 'Opt-in status per address.'),
  Expense: on('lead_source_expenses', 'Expenses are read per lead source.'),
  FileBox: on('files', 'Metadata; the contents are the `file` report.'),
  GroupAssign: off('REST v2 lists user groups (`user_groups`) without their members.'),
  Invoice: on('orders', 'An invoice is its order on REST: the order carries invoice_id and the totals (in cents).'),
  InvoiceItem: on('order_items'),
  InvoicePayment: on('order_payments', 'One request per order; `sales_payments` lists every payment.'),
  Job: on('orders'),
  JobRecurringInstance: off('REST v2 lists subscriptions (`subscriptions`), not their billing instances.'),
  Lead: on('opportunities'),
  LeadSource: on('lead_sources'),
  LeadSourceCategory: on('lead_source_categories'),
  LeadSourceExpense: on('lead_source_expenses'),
  LeadSourceRecurringExpense: on('lead_source_recurring_expenses'),
  LinkedContactType: on('contact_link_types'),
  MtgLead: off('Appointment leads have no REST v2 endpoint.'),
  OrderItem: on('order_items', 'The items of each order (`order_items` of /orders).'),
  PayPlan: on('orders', 'Each order\'s payment_plan.'),
  PayPlanItem: on('orders', 'Each order\'s payment_plan.payment_plan_items.'),
  Payment: on('sales_payments'),
  Product: on('products'),
  ProductCategory: on('product_categories'),
  ProductCategoryAssign: on('product_category_assigned_products', 'One row per category with its product_ids.'),
  ProductInterest: on('product_interest_bundles', 'The interests of each bundle (product_interests).'),
  ProductInterestBundle: on('product_interest_bundles'),
  ProductOptValue: on('product_options', 'The values of each option (list_items).'),
  ProductOption: on('product_options'),
  RecurringOrder: on('subscriptions'),
  RecurringOrderWithContact: on('subscriptions', 'Join `contacts` on contact_id for the contact\'s fields.'),
  Referral: on('referrals'),
  SavedFilter: on('reporting_reports', 'The saved searches; their rows are the `saved_search` report.'),
  SocialAccount: on('contacts', 'Each contact\'s social_accounts.'),
  Stage: on('opportunity_stages'),
  StageMove: on('opportunity_stage_moves'),
  Status: off('Opportunity statuses have no REST v2 list; each opportunity carries status and status_id.'),
  SubscriptionPlan: on('product_subscriptions'),
  Template: on('email_templates', 'Email templates; note templates are `note_templates`.'),
  Ticket: off('Keap retired the help desk; REST v2 has no tickets.'),
  TicketStage: off('Keap retired the help desk; REST v2 has no tickets.'),
  TicketType: off('Keap retired the help desk; REST v2 has no tickets.'),
  User: on('users'),
  UserGroup: on('user_groups'),
};

export type FieldMaps = Readonly<Record<TableName, Readonly<Record<string, FieldMapping>>>>;

let maps: FieldMaps | undefined;

/** The field-by-field maps (table -> XML-RPC field -> its REST place), for the tables people sync most. */
export function fieldMaps(): FieldMaps {
  const assign = tableStreams().find((t) => t.table === 'ContactGroupAssign');
  maps ??= { ...crmFields(Object.keys(assign?.schema.properties ?? {})), ...COMMERCE_FIELDS };
  return maps;
}

/** Where one field went: a custom field (`_Name`) of a mapped table is its custom-field column. */
export function fieldMapping(table: string, field: string): FieldMapping | undefined {
  const map = fieldMaps()[table];
  const own = map && Object.prototype.hasOwnProperty.call(map, field) ? map[field] : undefined;
  if (own) return own;
  if (field.startsWith('_') && field.length > 1 && map) {
    const name = field.slice(1);
    return { rest: `custom_fields.${name}` as RestPath<RestStreamName>, filter: { eq: name }, note: 'A custom field: its REST field_name is the XML-RPC name without the leading underscore.' };
  }
  return undefined;
}

/** The mapping of a table, if the name is one of the 60 (exact case). */
export function tableMapping(table: string): TableMapping | undefined {
  return Object.prototype.hasOwnProperty.call(TABLE_MAP, table) ? TABLE_MAP[table] : undefined;
}

/** How data_query filters on a field, in words: `given_name (==, prefix*)`, `>= start_update_time, <= end_update_time`. */
export function filterText(stream: RestStreamName, filter: FieldFilter | undefined): string {
  if (!filter) return '';
  if ('parent' in filter) return 'the parent in the path';
  if ('since' in filter) return [`>= ${filter.since}`, ...(filter.until ? [`<= ${filter.until}`] : [])].join(', ');
  const vocabulary = restStreams().find((s) => s.stream === stream)?.filters?.fields ?? {};
  const parts: string[] = [];
  if ('eq' in filter) {
    const f = vocabulary[filter.eq];
    const how = [...(f?.ops ?? ['==']), ...(f?.wildcard ? ['prefix*'] : [])];
    parts.push(`${filter.eq} (${how.join(' ')})`);
  }
  if (filter.in) parts.push(`${filter.in} (list)`);
  return parts.join(', ');
}
