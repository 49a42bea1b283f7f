import type { XmlRpcDateTime } from '../xmlrpc/types.js';
import type { CallInput, RecordSpec, ReportEntry, ReportId } from './report-entry.js';
import type { ParamUse, ReportParams } from './report-params.js';
import { queryCursorField } from './report-query.js';
import {
  allTableFields,
  CATEGORY_ASSIGNMENT_FIELDS,
  CLAWBACK_FIELDS,
  COMMISSION_FIELDS,
  DEFAULT_CONTACT_FIELDS,
  DEFAULT_TAG_CONTACT_FIELDS,
  DISCOUNT_FIELDS,
  FREE_TRIAL_FIELDS,
  INT,
  NEVER_READ,
  NUM,
  PAYOUT_FIELDS,
  paymentFields,
  PROGRAM_FIELDS,
  REDIRECT_LINK_FIELDS,
  RUNNING_TOTAL_FIELDS,
  SHIPPING_OPTION_FIELDS,
  SHIPPING_RANGE_FIELDS,
  STR,
  SUMMARY_FIELDS,
  tableFields,
  tableNames,
  tableStream,
} from './report-schemas.js';

/**
 * The 39 reports of the Infusionsoft report menu (keap-api.md §2), as data. Titles are the menu's;
 * parameter names are the menu's (DESIGN.md). One engine reads them all (report-reader.ts).
 */

const REQ: ParamUse = { required: true };
const OPT: ParamUse = { required: false };

const window = (c: CallInput): [XmlRpcDateTime, XmlRpcDateTime] => {
  if (!c.window) throw new Error('a date-window report was called without its window');
  return [c.window.start, c.window.end];
};

/** Rows of a report whose keys are unverified: open, keyed on `_key`. */
const keyed = (fields: RecordSpec['fields'], cursor: string | null = null): RecordSpec => ({ fields, open: true, primaryKey: ['_key'], cursor });
const open = (fields: RecordSpec['fields'], primaryKey: string[]): RecordSpec => ({ fields, open: true, primaryKey, cursor: null });

const UNVERIFIED = "Keap's field names for this report are not verified; fields it returns beyond these are passed through as they come.";

// ---- field selection ----

function withFirst(first: readonly string[], fields: readonly string[]): string[] {
  return [...first, ...fields.filter((f) => !first.includes(f))];
}

function contactSelects(p: ReportParams): string[] {
  return withFirst(['Id'], p.fields ?? DEFAULT_CONTACT_FIELDS);
}

/** contacts_by_tags fields are Contact fields; ContactGroupAssign serves them as `Contact.X`. */
export function tagContactField(f: string): string {
  const own = ['ContactId', 'GroupId', 'DateCreated', 'ContactGroup'];
  return own.includes(f) || f.startsWith('Contact.') ? f : `Contact.${f}`;
}

function tagSelects(p: ReportParams): string[] {
  return withFirst(['ContactId', 'GroupId', 'DateCreated'], p.fields ? p.fields.map(tagContactField) : DEFAULT_TAG_CONTACT_FIELDS);
}

/** data_*: the chosen fields (default all), plus the key and the query's cursor, which paging and state need. */
function dataSelects(p: ReportParams): string[] {
  const table = p.table ?? '';
  const t = tableStream(table);
  const key = t?.primary_key ?? ['Id'];
  const cursor = queryCursorField(p.query);
  return withFirst([...key, ...(cursor ? [cursor] : [])], p.fields ?? allTableFields(table, NEVER_READ));
}

/** Which list `fields` takes its names from, said per report ('accept what that list shows'). */
const CONTACT_FIELDS: ParamUse = {
  required: false,
  description: "Contact fields to read, as 'tap-infusionsoft list fields Contact' shows them, custom fields (starting with '_') included.",
};
const TABLE_FIELDS: ParamUse = {
  required: false,
  description: "Fields of the table to read, as 'tap-infusionsoft list fields TABLE' shows them; on tables with custom fields, those too (starting with '_').",
};

const contactsAbout = (how: string): string =>
  `${how} Fields: 'fields' (Contact field names; default: Id, names, email addresses, phone, address, tags, owner, dates).`;

const discount = (id: ReportId, title: string, method: string, idParam: 'category_discount_id' | 'discount_id' | 'product_discount_id' | 'shipping_discount_id', what: string): ReportEntry => ({
  id,
  title,
  method: `DiscountService.${method}`,
  about: `The settings of one ${what} (one row). ${UNVERIFIED}`,
  params: { [idParam]: REQ },
  items: 'single',
  idParam,
  paging: 'none',
  shape: 'rows',
  args: (c) => [c.item.id],
  record: () => open(DISCOUNT_FIELDS, [idParam]),
});

const shipping = (id: ReportId, title: string, method: string, what: string, several = false): ReportEntry => ({
  id,
  title,
  method: `ShippingService.${method}`,
  about: `${what} ${UNVERIFIED}`,
  params: { option_id: REQ },
  items: 'single',
  idParam: 'option_id',
  paging: 'none',
  shape: 'rows',
  args: (c) => [c.item.id],
  record: () => (several ? keyed(SHIPPING_RANGE_FIELDS) : open(SHIPPING_OPTION_FIELDS, ['option_id'])),
});

const savedSearchParams = { saved_search_id: OPT, saved_search_filter: OPT, user_id: OPT };

export const REPORTS: readonly ReportEntry[] = [
  // ---- Affiliates ----
  {
    id: 'affiliate_clawbacks',
    title: 'Affiliate - Clawbacks',
    method: 'APIAffiliateService.affClawbacks',
    about: `Commissions taken back from affiliates within the date window, one row per clawback, per affiliate. ${UNVERIFIED}`,
    params: { affiliate_ids: OPT, dates: REQ },
    items: 'affiliates',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.id, ...window(c)],
    record: () => keyed(CLAWBACK_FIELDS, 'window_end'),
    incremental: 'window',
  },
  {
    id: 'affiliate_commissions',
    title: 'Affiliate - Commissions',
    method: 'APIAffiliateService.affCommissions',
    about: `Commissions affiliates earned within the date window, one row per commission, per affiliate. ${UNVERIFIED}`,
    params: { affiliate_ids: OPT, dates: REQ },
    items: 'affiliates',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.id, ...window(c)],
    record: () => keyed(COMMISSION_FIELDS, 'window_end'),
    incremental: 'window',
  },
  {
    id: 'affiliate_payments',
    title: 'Affiliate - Payments',
    method: 'APIAffiliateService.affPayouts',
    about: `Payments (payouts) made to affiliates within the date window, one row per payment, per affiliate. ${UNVERIFIED}`,
    params: { affiliate_ids: OPT, dates: REQ },
    items: 'affiliates',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.id, ...window(c)],
    record: () => keyed(PAYOUT_FIELDS, 'window_end'),
    incremental: 'window',
  },
  {
    id: 'affiliate_redirect_links',
    title: 'Affiliate - Redirect Links',
    method: 'AffiliateService.getRedirectLinksForAffiliate',
    about: `The referral (redirect) links of each affiliate. ${UNVERIFIED}`,
    params: { affiliate_ids: OPT },
    items: 'affiliates',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.id],
    record: () => keyed(REDIRECT_LINK_FIELDS),
  },
  {
    id: 'affiliate_summary',
    title: 'Affiliate Summary',
    method: 'APIAffiliateService.affSummary',
    about: `One row of totals per affiliate for the date window (amount earned, clawbacks, payments). ${UNVERIFIED}`,
    params: { affiliate_ids: OPT, dates: REQ },
    items: 'affiliate_batches',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.ids, ...window(c)],
    record: () => ({ fields: SUMMARY_FIELDS, open: true, primaryKey: ['affiliate_id', 'window_start', 'window_end'], cursor: 'window_end' }),
    incremental: 'window',
  },
  {
    id: 'affiliate_running_totals',
    title: 'Affiliate - Running Totals',
    method: 'APIAffiliateService.affRunningTotals',
    about: `Each affiliate's current balances: amount earned, payments, clawbacks and running balance. ${UNVERIFIED}`,
    params: { affiliate_ids: OPT },
    items: 'affiliate_batches',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.ids],
    record: () => open(RUNNING_TOTAL_FIELDS, ['affiliate_id']),
  },
  // ---- Affiliate programs ----
  {
    id: 'affiliate_programs',
    title: 'Affiliate Program - All Programs',
    method: 'AffiliateProgramService.getAffiliatePrograms',
    about: 'Every affiliate (commission) program: Id, name, priority, notes.',
    params: {},
    items: 'single',
    paging: 'none',
    shape: 'rows',
    args: () => [],
    record: () => open(PROGRAM_FIELDS, ['Id']),
  },
  {
    id: 'affiliate_programs_for_affiliate',
    title: "Affiliate Program - Affiliate's Programs",
    method: 'AffiliateProgramService.getProgramsForAffiliate',
    about: 'The programs each affiliate belongs to (AffiliateId is non-zero for an affiliate\'s own override program).',
    params: { affiliate_ids: OPT },
    items: 'affiliates',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.id],
    record: () => open(PROGRAM_FIELDS, ['affiliate_id', 'Id']),
  },
  {
    id: 'affiliates_by_program',
    title: "Affiliate Program - Program's Affiliates",
    method: 'AffiliateProgramService.getAffiliatesByProgram',
    about: "The affiliates of one program, with their Affiliate fields (Keap adds contact and custom fields, passed through as they come).",
    params: { program_id: REQ },
    items: 'single',
    idParam: 'program_id',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.id],
    record: () => open(tableFields('Affiliate', allTableFields('Affiliate', NEVER_READ)), ['program_id', 'Id']),
  },
  {
    id: 'affiliate_program_resources',
    title: 'Affiliate Program - Resources',
    method: 'AffiliateProgramService.getResourcesForAffiliateProgram',
    about: 'The resources (banners, links, HTML) offered to the affiliates of one program (AffResource fields).',
    params: { program_id: REQ },
    items: 'single',
    idParam: 'program_id',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.id],
    record: () => open(tableFields('AffResource', allTableFields('AffResource')), ['program_id', 'Id']),
  },
  // ---- Contacts and data ----
  {
    id: 'contacts_by_email',
    title: 'Contacts - By Email Address',
    method: 'ContactService.findByEmail',
    about: contactsAbout('Contacts whose Email, EmailAddress2 or EmailAddress3 is the given address.'),
    params: { email: REQ, fields: CONTACT_FIELDS },
    items: 'single',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.params.email ?? '', c.fields],
    selects: contactSelects,
    record: (p) => ({ fields: tableFields('Contact', contactSelects(p)), open: false, primaryKey: ['Id'], cursor: null }),
  },
  {
    id: 'contacts_by_id',
    title: 'Contacts - By ID',
    method: 'ContactService.load',
    about: contactsAbout('One contact by Id.'),
    params: { contact_id: REQ, fields: CONTACT_FIELDS },
    items: 'single',
    idParam: 'contact_id',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.id, c.fields],
    selects: contactSelects,
    record: (p) => ({ fields: tableFields('Contact', contactSelects(p)), open: false, primaryKey: ['contact_id'], cursor: null }),
  },
  {
    id: 'contacts_by_tags',
    title: 'Contacts - By Tags',
    method: 'DataService.query',
    about:
      "The contacts that have any of the given tags, one row per tag and contact (ContactGroupAssign), with the contact's fields as Contact.Field. " +
      "Fields: 'fields' (Contact field names; default: names, email, company, phone, location, dates).",
    params: {
      tags: REQ,
      fields: {
        required: false,
        description:
          "Contact fields as 'tap-infusionsoft list fields ContactGroupAssign' shows them (Contact.FirstName), or without 'Contact.' (FirstName). " +
          "Keap's ContactGroupAssign joins the standard Contact fields only: for custom fields, use contacts_by_id or the contact stream.",
      },
    },
    items: 'tags',
    paging: 'offset',
    shape: 'rows',
    args: (c) => ['ContactGroupAssign', c.pageSize, c.page, { GroupId: c.item.id }, c.fields, 'ContactId', true],
    selects: tagSelects,
    record: (p) => ({ fields: tableFields('ContactGroupAssign', tagSelects(p)), open: false, primaryKey: ['tag_id', 'ContactId'], cursor: null }),
  },
  {
    id: 'data_record_by_id',
    title: 'Data - Record by ID',
    method: 'DataService.load',
    about: "One record of any DataService table by Id. Fields: 'fields' (default: every field of the table).",
    params: { table: { required: true, extra: { enum: tableNames() } }, record_id: REQ, fields: TABLE_FIELDS },
    items: 'single',
    idParam: 'record_id',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.params.table ?? '', c.item.id, c.fields],
    selects: dataSelects,
    record: (p) => ({ fields: tableFields(p.table ?? '', dataSelects(p)), open: false, primaryKey: ['record_id'], cursor: null }),
  },
  {
    id: 'data_query',
    title: 'Data - Query a Data Table',
    method: 'DataService.query',
    about:
      "The rows of a DataService table that match a query, in pages. Incremental when the query compares a date with LastSuccessfulRun (e.g. 'LastUpdated':'~>=~LastSuccessfulRun'). " +
      "Fields: 'fields' (default: every field of the table).",
    params: { table: { required: true, extra: { enum: tableNames() } }, query: OPT, fields: TABLE_FIELDS },
    items: 'single',
    paging: 'offset',
    shape: 'rows',
    args: (c) => [c.params.table ?? '', c.pageSize, c.page, c.query ?? {}, c.fields, tableStream(c.params.table ?? '')?.keyset ?? 'Id', true],
    selects: dataSelects,
    record: (p) => ({
      fields: tableFields(p.table ?? '', dataSelects(p)),
      open: false,
      primaryKey: tableStream(p.table ?? '')?.primary_key ?? ['Id'],
      cursor: queryCursorField(p.query) ?? null,
    }),
    incremental: 'query',
  },
  // ---- Discounts ----
  discount('discount_category', 'Discount - Category', 'getCategoryDiscount', 'category_discount_id', 'product category discount'),
  {
    id: 'discount_category_assignments',
    title: 'Discount - Category Assignments',
    method: 'DiscountService.getCategoryAssignmentsForCategoryDiscount',
    about: `The product categories a category discount applies to, one row per assignment. ${UNVERIFIED}`,
    params: { category_discount_id: REQ },
    items: 'single',
    idParam: 'category_discount_id',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.id],
    record: () => keyed(CATEGORY_ASSIGNMENT_FIELDS),
  },
  discount('discount_order_total', "Discount - Order's Discount", 'getOrderTotalDiscount', 'discount_id', 'order total discount'),
  discount('discount_product_total', 'Discount - Product Total', 'getProductTotalDiscount', 'product_discount_id', 'product total discount'),
  discount('discount_shipping', 'Discount - Shipping', 'getShippingTotalDiscount', 'shipping_discount_id', 'shipping total discount'),
  {
    id: 'discount_free_trial',
    title: "Discount - Subscription's Free Trial",
    method: 'DiscountService.getFreeTrial',
    about: `The settings of one subscription free trial (one row). ${UNVERIFIED}`,
    params: { trial_id: REQ },
    items: 'single',
    idParam: 'trial_id',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.id],
    record: () => open(FREE_TRIAL_FIELDS, ['trial_id']),
  },
  // ---- Files, invoices, products ----
  {
    id: 'file',
    title: 'Get File',
    method: 'FileService.getFile',
    about: "One file from the file boxes: its name and size (FileBox table) and its content, base64-encoded, in 'data'.",
    params: { file_id: REQ },
    items: 'single',
    idParam: 'file_id',
    paging: 'none',
    shape: 'file',
    args: (c) => [c.item.id],
    record: () => ({
      fields: { file_name: STR, file_size: INT, data: { type: ['null', 'string'], contentEncoding: 'base64' } },
      open: false,
      primaryKey: ['file_id'],
      cursor: null,
    }),
  },
  {
    id: 'invoice_amount_due',
    title: 'Invoice - Amount Due',
    method: 'InvoiceService.calculateAmountOwed',
    about: 'What is still owed on one invoice (one row).',
    params: { invoice_id: REQ },
    items: 'single',
    idParam: 'invoice_id',
    paging: 'none',
    shape: 'scalar',
    valueMember: { name: 'amount_due', schema: NUM },
    args: (c) => [c.item.id],
    record: () => ({ fields: {}, open: false, primaryKey: ['invoice_id'], cursor: null }),
  },
  {
    id: 'invoice_payment_options',
    title: 'Invoice - Available Payment Options',
    method: 'InvoiceService.getAllPaymentOptions',
    about: "The payment types enabled in the Order Settings, one row each (id = Keap's key, name = its label). Keap's answer shape is not verified.",
    params: {},
    items: 'single',
    paging: 'none',
    shape: 'map',
    keyMember: { name: 'id', schema: STR },
    valueMember: { name: 'name', schema: STR },
    args: () => [],
    record: () => ({ fields: {}, open: false, primaryKey: ['id'], cursor: null }),
  },
  {
    id: 'invoice_payments',
    title: 'Invoice - Payments',
    method: 'InvoiceService.getPayments',
    about: `The payments made against one invoice (Payment fields). ${UNVERIFIED}`,
    params: { invoice_id: REQ },
    items: 'single',
    idParam: 'invoice_id',
    paging: 'none',
    shape: 'rows',
    args: (c) => [c.item.id],
    record: () => keyed(paymentFields()),
  },
  {
    id: 'invoice_shipping_options',
    title: 'Invoice - Available Shipping Options',
    method: 'InvoiceService.getAllShippingOptions',
    about: `The shipping options available to invoices, one row each. ${UNVERIFIED}`,
    params: {},
    items: 'single',
    paging: 'none',
    shape: 'rows',
    args: () => [],
    record: () => keyed(SHIPPING_OPTION_FIELDS),
  },
  {
    id: 'product_inventory',
    title: 'Product - Inventory',
    method: 'ProductService.getInventory',
    about: 'How many of one product are in stock (one row).',
    params: { product_id: REQ },
    items: 'single',
    idParam: 'product_id',
    paging: 'none',
    shape: 'scalar',
    valueMember: { name: 'inventory', schema: INT },
    args: (c) => [c.item.id],
    record: () => ({ fields: {}, open: false, primaryKey: ['product_id'], cursor: null }),
  },
  // ---- Saved searches ----
  {
    id: 'search_available_fields',
    title: 'Search - Available Fields',
    method: 'SearchService.getAllReportColumns',
    about: "The columns of saved searches: one row per column (its name and label). Give 'Saved search id' or 'Saved search name filter'.",
    params: savedSearchParams,
    items: 'saved_searches',
    paging: 'none',
    shape: 'map',
    keyMember: { name: 'column', schema: STR },
    valueMember: { name: 'label', schema: STR },
    args: (c) => [c.item.id, c.item.userId],
    record: () => ({ fields: {}, open: false, primaryKey: ['saved_search_id', 'column'], cursor: null }),
  },
  {
    id: 'saved_search',
    title: 'Search - Saved Search (complete)',
    method: 'SearchService.getSavedSearchResultsAllFields',
    about:
      "The results of saved searches with all their columns, page by page. Give 'Saved search id' or 'Saved search name filter' (* = every saved search). " +
      'Columns depend on the search, so they are passed through as Keap names them.',
    params: savedSearchParams,
    items: 'saved_searches',
    paging: 'saved_search',
    shape: 'rows',
    args: (c) => [c.item.id, c.item.userId, c.page],
    record: () => keyed({}),
  },
  {
    id: 'saved_search_fields',
    title: 'Search - Saved Search New (partial)',
    method: 'SearchService.getSavedSearchResults',
    about:
      "The results of saved searches with the chosen columns ('fields'; default: every column of the search), page by page. " +
      "Give 'Saved search id' or 'Saved search name filter'.",
    params: { ...savedSearchParams, fields: { required: false, description: "Column names of the saved search ('Search - Available Fields' lists them). Default: every column." } },
    items: 'saved_searches',
    paging: 'saved_search',
    shape: 'rows',
    args: (c) => [c.item.id, c.item.userId, c.page, c.fields],
    selects: (p) => p.fields ?? [],
    selectsAllColumns: true,
    record: (p) => keyed(Object.fromEntries((p.fields ?? []).map((f) => [f, STR]))),
  },
  // ---- Shipping ----
  {
    id: 'shipping_options',
    title: 'Shipping - Available Shipping Options',
    method: 'ShippingService.getAllShippingOptions',
    about: `Every shipping option, one row each (their ids are what the other shipping reports take). ${UNVERIFIED}`,
    params: {},
    items: 'single',
    paging: 'none',
    shape: 'rows',
    args: () => [],
    record: () => keyed(SHIPPING_OPTION_FIELDS),
  },
  shipping('shipping_flat_rate', 'Shipping - Flat Rate', 'getFlatRateShippingOption', 'One flat-rate shipping option (one row).'),
  shipping('shipping_order_quantity', 'Shipping - Order Quantity', 'getOrderQuantityShippingOption', 'One shipping option priced by order quantity (one row).'),
  shipping('shipping_order_total', 'Shipping - Order Shipping Options', 'getOrderTotalShippingOption', 'One shipping option priced by order total (one row).'),
  shipping('shipping_order_total_ranges', 'Shipping - Order Shipping Ranges', 'getOrderTotalShippingRanges', 'The price ranges of an order-total shipping option, one row per range.', true),
  shipping('shipping_product_based', 'Shipping - Product Shipping Options', 'getProductBasedShippingOption', 'One product-based shipping option (a row per entry Keap returns).', true),
  shipping('shipping_ups', 'Shipping - UPS', 'getUpsShippingOption', 'One UPS shipping option (one row).'),
  shipping('shipping_weight_based', 'Shipping - Weight-Based', 'getWeightBasedShippingOption', 'One weight-based shipping option (one row).'),
  // ---- Web forms ----
  {
    id: 'webforms',
    title: 'Webform IDs',
    method: 'WebFormService.getMap',
    about: 'Every web form: its id and name.',
    params: {},
    items: 'single',
    paging: 'none',
    shape: 'map',
    keyMember: { name: 'id', schema: INT },
    valueMember: { name: 'name', schema: STR },
    args: () => [],
    record: () => ({ fields: {}, open: false, primaryKey: ['id'], cursor: null }),
  },
];

const BY_ID = new Map<string, ReportEntry>(REPORTS.map((r) => [r.id, r]));

export function reportEntry(id: string): ReportEntry | undefined {
  return BY_ID.get(id);
}

export const REPORT_IDS: readonly ReportId[] = REPORTS.map((r) => r.id);

