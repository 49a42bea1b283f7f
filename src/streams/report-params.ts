import type { JsonSchema } from './json-schema.js';
import { datesSchema, type DateWindowConfig } from './report-dates.js';

/**
 * The report parameters, named as the report menu names them (DESIGN.md). Each has one JSON
 * Schema for spec.json; a report may word the title or description its own way.
 */

export type ParamName =
  | 'affiliate_ids'
  | 'program_id'
  | 'email'
  | 'fields'
  | 'contact_id'
  | 'tags'
  | 'table'
  | 'record_id'
  | 'query'
  | 'category_discount_id'
  | 'discount_id'
  | 'product_discount_id'
  | 'shipping_discount_id'
  | 'trial_id'
  | 'saved_search_filter'
  | 'saved_search_id'
  | 'user_id'
  | 'option_id'
  | 'file_id'
  | 'invoice_id'
  | 'product_id'
  | 'dates';

/** Parameters after validation, typed. */
export interface ReportParams {
  affiliate_ids?: number[];
  program_id?: number;
  email?: string;
  fields?: string[];
  contact_id?: number;
  tags?: string[];
  table?: string;
  record_id?: number;
  query?: string;
  category_discount_id?: number;
  discount_id?: number;
  product_discount_id?: number;
  shipping_discount_id?: number;
  trial_id?: number;
  saved_search_filter?: string;
  saved_search_id?: number;
  user_id?: number;
  option_id?: number;
  file_id?: number;
  invoice_id?: number;
  product_id?: number;
  dates?: DateWindowConfig;
}

/** The integer id parameters (one Keap record each). */
export const ID_PARAMS = [
  'program_id',
  'contact_id',
  'record_id',
  'category_discount_id',
  'discount_id',
  'product_discount_id',
  'shipping_discount_id',
  'trial_id',
  'saved_search_id',
  'user_id',
  'option_id',
  'file_id',
  'invoice_id',
  'product_id',
] as const satisfies readonly ParamName[];

export type IdParam = (typeof ID_PARAMS)[number];

function id(title: string, description: string): JsonSchema {
  return { type: 'integer', title, description, minimum: 1 };
}

/** The default wording of each parameter. */
const BASE: Record<ParamName, JsonSchema> = {
  affiliate_ids: {
    type: 'array',
    title: 'Affiliate ids',
    description: "Affiliate Id numbers ('tap-infusionsoft list affiliates'). Leave empty for every affiliate in the Affiliate table.",
    items: { type: 'integer', minimum: 1 },
    uniqueItems: true,
  },
  program_id: id('Affiliate program id', "The program's Id ('tap-infusionsoft list programs')."),
  email: { type: 'string', title: 'Email address', description: 'Contacts whose Email, EmailAddress2 or EmailAddress3 is this address.', minLength: 1 },
  fields: {
    type: 'array',
    title: 'Fields',
    description: "Keap field names to read ('tap-infusionsoft list fields TABLE'); custom fields start with '_'.",
    items: { type: 'string', minLength: 1 },
    uniqueItems: true,
  },
  contact_id: id('Contact id', "The contact's Id."),
  tags: {
    type: 'array',
    title: 'Tags',
    description: "Tags by Id (digits, e.g. \"12\") or by name (ContactGroup.GroupName, e.g. \"VIP customers\"; 'tap-infusionsoft list tags').",
    items: { type: 'string', minLength: 1 },
    minItems: 1,
    uniqueItems: true,
  },
  table: { type: 'string', title: 'Table', description: "A DataService table ('tap-infusionsoft list tables')." },
  record_id: id('Record id', 'The Id of the record to read.'),
  query: {
    type: 'string',
    title: 'Query',
    description:
      "Which rows, in the report menu's form: 'Field':'value' pairs separated by commas, e.g. 'City':'Ogden','GroupId':'12,30'. " +
      "Values may use % wildcards, ~null~, operators like '~>=~ 2024-01-01', and LastSuccessfulRun (the previous sync's start; " +
      "it makes the stream incremental). Empty: every row.",
    examples: ["'LastUpdated':'~>=~LastSuccessfulRun'", "'City':'Ogden'"],
  },
  category_discount_id: id('Category discount id', 'The Id of the category discount.'),
  discount_id: id('Order total discount id', 'The Id of the order total discount.'),
  product_discount_id: id('Product total discount id', 'The Id of the product total discount.'),
  shipping_discount_id: id('Shipping discount id', 'The Id of the shipping total discount.'),
  trial_id: id('Free trial id', "The Id of the subscription's free trial."),
  saved_search_filter: {
    type: 'string',
    title: 'Saved search name filter',
    description:
      "Saved searches to read, by name (SavedFilter.FilterName; * is a wildcard, * alone = all). Each is read as its owner. Use this or 'Saved search id'.",
    minLength: 1,
    examples: ['*', 'Hot leads*'],
  },
  saved_search_id: id('Saved search id', "The saved search's Id ('tap-infusionsoft list saved-searches'). Use this or 'Saved search name filter'."),
  user_id: id('User id', "The Keap user to run the saved search as. Default: the saved search's owner (SavedFilter.UserId)."),
  option_id: id('Shipping option id', "The shipping option's Id ('tap-infusionsoft list shipping-options')."),
  file_id: id('File id', "The file's Id (FileBox table)."),
  invoice_id: id('Invoice id', "The invoice's Id."),
  product_id: id('Product id', "The product's Id."),
  dates: datesSchema(),
};

export interface ParamUse {
  required: boolean;
  /** Wording for this report, replacing the default. */
  title?: string;
  description?: string;
  /** Extra schema keywords for this report (an enum of tables, ...). */
  extra?: JsonSchema;
}

export function paramSchema(name: ParamName, use: ParamUse): JsonSchema {
  const s: JsonSchema = { ...BASE[name], ...(use.extra ?? {}) };
  if (use.title) s.title = use.title;
  if (use.description) s.description = use.description;
  return s;
}

/** Typed parameters from a config entry already validated against its spec variant. */
export function readParams(raw: Record<string, unknown>): ReportParams {
  const p: ReportParams = {};
  const ints = (k: string): number[] | undefined => (Array.isArray(raw[k]) ? (raw[k] as unknown[]).filter((x): x is number => typeof x === 'number') : undefined);
  const strs = (k: string): string[] | undefined => (Array.isArray(raw[k]) ? (raw[k] as unknown[]).filter((x): x is string => typeof x === 'string') : undefined);
  const str = (k: string): string | undefined => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const affiliates = ints('affiliate_ids');
  // An empty list means what an absent one does: every affiliate.
  if (affiliates && affiliates.length) p.affiliate_ids = affiliates;
  const fields = strs('fields');
  if (fields && fields.length) p.fields = fields;
  const tags = strs('tags');
  if (tags) p.tags = tags;
  for (const k of ['email', 'table', 'query', 'saved_search_filter'] as const) {
    const v = str(k);
    if (v !== undefined && v.trim() !== '') p[k] = v;
  }
  for (const k of ID_PARAMS) {
    const v = raw[k];
    if (typeof v === 'number') p[k] = v;
  }
  const dates = raw['dates'];
  if (dates && typeof dates === 'object' && !Array.isArray(dates)) p.dates = dates as DateWindowConfig;
  return p;
}
