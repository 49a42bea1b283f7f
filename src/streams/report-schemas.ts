import type { JsonSchema } from './json-schema.js';
import { fieldSchema, tableEntries, tableStreams, type KeapType, type TableStream } from './table-registry.js';

/**
 * Record schemas of the report streams. Where a report returns table rows (contacts, DataService,
 * AffResource) the field schemas are the shipped table schemas; where Keap's return keys are
 * unverified (keap-api.md §8) the fields below are the names public SDKs use or the report menu
 * shows, the schema stays open and unknown keys pass through.
 */

export const nullable = (type: KeapType): JsonSchema => fieldSchema(type);
export const DATE_TIME = nullable('DateTime');
export const INT = nullable('Integer');
export const NUM = nullable('Double');
export const STR = nullable('String');

export function fieldsOfTypes(types: Record<string, KeapType>): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(types).map(([k, t]) => [k, nullable(t)]));
}

let byTable: Map<string, TableStream> | undefined;

export function tableStream(table: string): TableStream | undefined {
  byTable ??= new Map(tableStreams().map((t) => [t.table, t]));
  return byTable.get(table);
}

export function tableNames(): string[] {
  // The report registry lists the names as it loads: reading all 60 table schemas for that would
  // cost every run, most of which never need one.
  return tableEntries().map((t) => t.table);
}

/** Whether Keap gives the table custom fields (those `list fields TABLE` shows). */
export function hasCustomFields(table: string): boolean {
  const id = tableStream(table)?.custom_field_form_id;
  return id !== null && id !== undefined;
}

/**
 * A field's schema in a table. Custom fields (`_Name`) exist on the tables Keap gives them to; they
 * are text here, and discover types those the account's DataFormField lists (report-resolve.ts).
 */
export function tableFieldSchema(table: string, field: string): JsonSchema | undefined {
  const s = tableStream(table)?.schema.properties?.[field];
  if (s) return s;
  if (field.startsWith('_') && field.length > 1 && hasCustomFields(table)) return { ...STR, description: 'Custom field (text: its type was not read from DataFormField)' };
  return undefined;
}

/** The properties of a table restricted to `fields` (in that order). */
export function tableFields(table: string, fields: readonly string[]): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const f of fields) out[f] = tableFieldSchema(table, f) ?? STR;
  return out;
}

/** Every field of a table schema, in schema order. */
export function allTableFields(table: string, except: readonly string[] = []): string[] {
  return Object.keys(tableStream(table)?.schema.properties ?? {}).filter((f) => !except.includes(f));
}

/** The Contact fields read when a contact report names none: who, how to reach them, when. */
export const DEFAULT_CONTACT_FIELDS = [
  'Id',
  'FirstName',
  'LastName',
  'Email',
  'EmailAddress2',
  'EmailAddress3',
  'Company',
  'JobTitle',
  'Phone1',
  'StreetAddress1',
  'City',
  'State',
  'PostalCode',
  'Country',
  'Groups',
  'OwnerID',
  'ContactType',
  'Leadsource',
  'DateCreated',
  'LastUpdated',
];

/** The Contact columns ContactGroupAssign joins, read by contacts_by_tags when it names none. */
export const DEFAULT_TAG_CONTACT_FIELDS = [
  'Contact.FirstName',
  'Contact.LastName',
  'Contact.Email',
  'Contact.Company',
  'Contact.Phone1',
  'Contact.City',
  'Contact.State',
  'Contact.Country',
  'Contact.DateCreated',
  'Contact.LastUpdated',
];

/** Fields that never leave the connector, even when a table schema lists them. */
export const NEVER_READ = ['Password'];

// ---- Fields of reports whose shape comes from SDKs and the report menu, not from captures ----

/** NOVAK Commission.php; the same set is in Keap's REST `/affiliates/commissions`. */
export const COMMISSION_FIELDS = fieldsOfTypes({
  AffiliateId: 'Integer',
  ContactId: 'Integer',
  ContactFirstName: 'String',
  ContactLastName: 'String',
  SoldByFirstName: 'String',
  SoldByLastName: 'String',
  SaleAffId: 'Integer',
  InvoiceId: 'Integer',
  ProductName: 'String',
  Description: 'String',
  AmtEarned: 'Double',
  DateEarned: 'DateTime',
});

/** NOVAK Clawback.php. */
export const CLAWBACK_FIELDS = fieldsOfTypes({
  ContactId: 'Integer',
  FirstName: 'String',
  LastName: 'String',
  SoldByFirstName: 'String',
  SoldByLastName: 'String',
  SaleAffId: 'Integer',
  InvoiceId: 'Integer',
  ProductName: 'String',
  Description: 'String',
  Amount: 'Double',
  DateEarned: 'DateTime',
});

/** The columns of Keap's affiliate payout report. */
export const PAYOUT_FIELDS = fieldsOfTypes({ PayDate: 'DateTime', PayAmt: 'Double', PayType: 'String', PayNote: 'String' });

/** Keap's referral tracking link settings. */
export const REDIRECT_LINK_FIELDS = fieldsOfTypes({ Id: 'Integer', AffiliateId: 'Integer', Name: 'String', LocalURLCode: 'String', RedirectURL: 'String' });

/** Per affiliate: the members real consumers store (keap-evidence.md §1, MEMBERIUM and APP-LEDGER). */
export const RUNNING_TOTAL_FIELDS = fieldsOfTypes({ AffiliateId: 'Integer', AmountEarned: 'Double', Payments: 'Double', Clawbacks: 'Double', RunningBalance: 'Double' });

export const SUMMARY_FIELDS = fieldsOfTypes({ AffiliateId: 'Integer', AmountEarned: 'Double', Clawbacks: 'Double', Payments: 'Double', RunningBalance: 'Double' });

/** OLDDOCS sample of getProgramsForAffiliate. */
export const PROGRAM_FIELDS = fieldsOfTypes({ Id: 'Integer', Name: 'String', Priority: 'Integer', Notes: 'String', AffiliateId: 'Integer' });

/** The parameters of DiscountService's add* methods, which the getters presumably return. */
export const DISCOUNT_FIELDS = fieldsOfTypes({
  Id: 'Integer',
  Name: 'String',
  Description: 'String',
  ApplyDiscountToCommission: 'Integer',
  PercentOrAmt: 'Integer',
  Amt: 'Double',
  PayType: 'String',
  ProductId: 'Integer',
});

export const CATEGORY_ASSIGNMENT_FIELDS = fieldsOfTypes({ Id: 'Integer', CategoryDiscountId: 'Integer', ProductCategoryId: 'Integer' });

export const FREE_TRIAL_FIELDS = fieldsOfTypes({
  Id: 'Integer',
  Name: 'String',
  Description: 'String',
  FreeTrialDays: 'Integer',
  HidePrice: 'Integer',
  SubscriptionPlanId: 'Integer',
});

export const SHIPPING_OPTION_FIELDS = fieldsOfTypes({ Id: 'Integer', Name: 'String', Type: 'String' });

export const SHIPPING_RANGE_FIELDS = fieldsOfTypes({ Id: 'Integer', OptionId: 'Integer', MinTotal: 'Double', MaxTotal: 'Double', Rate: 'Double' });

/** Payment table columns: what InvoiceService.getPayments presumably returns. */
export function paymentFields(): Record<string, JsonSchema> {
  return tableFields('Payment', allTableFields('Payment'));
}
