import { idText, ms, ref, self, text, time, view } from './accessors.js';
import { ok, pathId, type RestCtx, type Route } from './context.js';
import { customValues, type ModelResource } from './custom-fields.js';
import { badRequest } from './errors.js';
import { COMPARE, textField, type FilterField, type FilterFields } from './filter.js';
import { itemRoute, render, rowRoute, tableList, type FieldsParam, type Getters } from './list.js';
import { address, CONTACT_ADDRESSES, contactAddresses, countryCode, emails, fax, phone, phones } from './people.js';
import { createdAt, existing, pickOf, rowsWhere } from './relations.js';
import { calendarDate, defined, iso, type JsonObject } from './wire.js';

/**
 * Contacts and companies, rendered from the Contact and Company tables (the rows DataService
 * serves), with contact links, lead scores and link types.
 */

const SOURCE_TYPES = ['MANUAL', 'WEBFORM', 'IMPORT', 'API', 'LANDING_PAGE', 'INTERNAL_FORM'];
const SOCIAL_TYPES: Readonly<Record<string, string>> = { Facebook: 'FACEBOOK', LinkedIn: 'LINKED_IN', Twitter: 'TWITTER', Instagram: 'INSTAGRAM' };

/** Contact links are generated: contacts 10n and 10n+1 are linked, by link type n (mod the types). */
export function contactLinks(ctx: RestCtx, id: number): JsonObject[] {
  const contacts = ctx.data.table('Contact');
  const types = [...ctx.data.table('LinkedContactType').ids()];
  const first = id % 10 === 0 ? id : id % 10 === 1 ? id - 1 : 0;
  const type = types[(first / 10) % Math.max(1, types.length)];
  if (first === 0 || type === undefined || !contacts.exists(first) || !contacts.exists(first + 1)) return [];
  return [{ id: String(first / 10), contact1_id: String(first), contact2_id: String(first + 1), link_type_id: String(type), link_type_name: view(ctx, 'LinkedContactType', type).str('TypeName') }];
}

/** Lead scores are generated per contact; they date from the contact's LastUpdated. */
function leadScore(ctx: RestCtx, id: number): JsonObject {
  return { score: String(pickOf(ctx.data, 'leadScore', id, 101)), last_updated: view(ctx, 'Contact', id).time('LastUpdated') };
}

const dateOf =
  (table: string, column: string) =>
  (id: number, ctx: RestCtx): string | undefined => {
    const v = view(ctx, table, id).ms(column);
    return v === undefined ? undefined : calendarDate(ctx.data.wall, v);
  };

const C = (column: string) => text('Contact', column);

const CONTACT_PROPS: Getters<number> = {
  id: idText,
  links: (id, ctx) =>
    contactLinks(ctx, id).map((l) => ({
      id: l['id'],
      linked_contact_id: l['contact1_id'] === String(id) ? l['contact2_id'] : l['contact1_id'],
      link_type_id: l['link_type_id'],
      link_type_name: l['link_type_name'],
    })),
  addresses: (id, ctx) => contactAddresses(view(ctx, 'Contact', id)),
  company: (id, ctx) => {
    const v = view(ctx, 'Contact', id);
    const cid = v.ref('CompanyID');
    return cid === undefined ? undefined : { id: cid, company_name: v.str('Company') };
  },
  prefix: C('Title'),
  suffix: C('Suffix'),
  website: C('Website'),
  groups: C('Groups'),
  update_time: time('Contact', 'LastUpdated'),
  create_time: time('Contact', 'DateCreated'),
  score_value: (id, ctx) => leadScore(ctx, id)['score'],
  tag_ids: (id, ctx) => {
    const cga = ctx.data.table('ContactGroupAssign');
    return rowsWhere(ctx.data, 'ContactGroupAssign', 'ContactId', id).map((r) => String(cga.value(r, 'GroupId')));
  },
  anniversary_date: dateOf('Contact', 'Anniversary'),
  birth_date: dateOf('Contact', 'Birthday'),
  contact_type: C('ContactType'),
  custom_fields: (id, ctx) => customValues(ctx.data, 'Contact', id),
  email_addresses: (id, ctx) => emails(ctx.data, view(ctx, 'Contact', id)),
  family_name: C('LastName'),
  fax_numbers: (id, ctx) => defined([fax(view(ctx, 'Contact', id), 1), fax(view(ctx, 'Contact', id), 2)]),
  given_name: C('FirstName'),
  job_title: C('JobTitle'),
  leadsource_id: ref('Contact', 'LeadSourceId'),
  middle_name: C('MiddleName'),
  owner_id: ref('Contact', 'OwnerID'),
  phone_numbers: (id, ctx) => phones(view(ctx, 'Contact', id)),
  preferred_locale: C('Language'),
  preferred_name: C('Nickname'),
  referral_code: C('ReferralCode'),
  social_accounts: (id, ctx) =>
    rowsWhere(ctx.data, 'SocialAccount', 'ContactId', id).map((r) => {
      const v = view(ctx, 'SocialAccount', r);
      return { name: v.str('AccountName'), type: SOCIAL_TYPES[v.str('AccountType') ?? ''] ?? 'SOCIAL_ACCOUNT_TYPE_UNSPECIFIED' };
    }),
  source_type: (id, ctx) => SOURCE_TYPES[pickOf(ctx.data, 'sourceType', id, SOURCE_TYPES.length)],
  spouse_name: C('SpouseName'),
  time_zone: C('TimeZone'),
  account_id: ref('Contact', 'AccountId'),
  assistant_name: C('AssistantName'),
  assistant_phone: C('AssistantPhone'),
  billing_information: C('BillingInformation'),
  created_by: ref('Contact', 'CreatedBy'),
  last_updated_by: ref('Contact', 'LastUpdatedBy'),
};

/**
 * What `/contacts` sends without `fields` (Keap documents no default; this is the sandbox's
 * choice): identity, email, phone, addresses, company, owner and the two stamps. `/contacts/model`
 * lists every other name as an optional property.
 */
export const CONTACT_DEFAULT_FIELDS = ['id', 'given_name', 'family_name', 'middle_name', 'email_addresses', 'phone_numbers', 'addresses', 'company', 'owner_id', 'create_time', 'update_time'];

/** The names the description of `fields` lists (`notes` is accepted, but the Contact schema has no such property). */
const CONTACT_FIELD_NAMES = [
  'addresses', 'anniversary_date', 'birth_date', 'company', 'contact_type', 'create_time', 'custom_fields', 'email_addresses', 'family_name', 'fax_numbers',
  'given_name', 'id', 'job_title', 'leadsource_id', 'links', 'middle_name', 'notes', 'origin', 'owner_id', 'phone_numbers', 'preferred_locale', 'preferred_name',
  'prefix', 'referral_code', 'score_value', 'social_accounts', 'source_type', 'spouse_name', 'suffix', 'tag_ids', 'time_zone', 'update_time', 'utm_parameters',
  'website', 'account_id', 'assistant_name', 'assistant_phone', 'billing_information', 'created_by', 'groups', 'last_updated_by',
];

const CONTACT_FIELDS: FieldsParam = { allowed: CONTACT_FIELD_NAMES, defaults: CONTACT_DEFAULT_FIELDS, mode: 'select' };

function contactFilters(): FilterFields<number> {
  const fields: Record<string, FilterField<number>> = {
    email: textField(C('Email'), true),
    given_name: textField(C('FirstName'), true),
    family_name: textField(C('LastName'), true),
    middle_name: textField(C('MiddleName'), true),
    company_id: { kind: 'number', integer: true, get: (id, ctx) => view(ctx, 'Contact', id).num('CompanyID') },
    contact_ids: { kind: 'ids', get: self },
    ids: { kind: 'ids', get: self },
    start_update_time: { kind: 'since', get: ms('Contact', 'LastUpdated') },
    end_update_time: { kind: 'until', get: ms('Contact', 'LastUpdated') },
    phone_number: {
      kind: 'test',
      parse: (value, _field, clauses) => {
        const slots = clauses.find((c) => c.field === 'phone_fields')?.value;
        if (slots === undefined) throw badRequest('Filter field phone_number requires phone_fields (e.g. phone_fields==PHONE1,PHONE2)');
        return { value: value.toLowerCase(), columns: slots.split(',').map((x) => `Phone${x.trim().toUpperCase().replace('PHONE', '')}`) };
      },
      test: (id, want, ctx) => {
        const w = want as { value: string; columns: string[] };
        const v = view(ctx, 'Contact', id);
        return w.columns.some((column) => (v.str(column) ?? '').toLowerCase() === w.value);
      },
    },
    // Validated here, applied by phone_number.
    phone_fields: { kind: 'test', parse: (value, field, clauses) => checkPhoneFields(value, field, clauses), test: () => true },
  };
  CONTACT_ADDRESSES.forEach(([cols], i) => {
    const p = `${['billing', 'shipping', 'other'][i] ?? 'other'}_address`;
    fields[`${p}_line1`] = textField(C(cols.line1));
    fields[`${p}_locality`] = textField(C(cols.locality));
    fields[`${p}_region`] = textField(C(cols.region));
    fields[`${p}_postal_code`] = textField(C(cols.postal));
    fields[`${p}_country_code`] = textField((id, ctx) => countryCode(view(ctx, 'Contact', id).str(cols.country)));
  });
  fields['city'] = textField(C('City'), true);
  fields['state'] = textField(C('State'), true);
  fields['website'] = textField(C('Website'), true);
  fields['lead_source_name'] = textField(C('Leadsource'), true);
  fields['contact_id'] = { kind: 'number', integer: true, ops: COMPARE, get: self };
  return fields;
}

function checkPhoneFields(value: string, field: string, clauses: readonly { field: string }[]): null {
  const bad = value.split(',').find((x) => !/^PHONE[1-5]$/i.test(x.trim()));
  if (bad !== undefined) throw badRequest(`Invalid value '${value}' for filter field '${field}': expected a comma-separated list of PHONE1..PHONE5`);
  if (!clauses.some((c) => c.field === 'phone_number')) throw badRequest('Filter field phone_fields is only used with phone_number');
  return null;
}

const K = (column: string) => text('Company', column);

const COMPANY_PROPS: Getters<number> = {
  id: idText,
  address: (id, ctx) => {
    const block = CONTACT_ADDRESSES[0];
    return block === undefined ? undefined : address(view(ctx, 'Company', id), block[0], block[1]);
  },
  notes: K('ContactNotes'),
  website: K('Website'),
  suffix: K('Suffix'),
  title: K('Title'),
  groups: K('Groups'),
  company_name: K('Company'),
  custom_fields: (id, ctx) => customValues(ctx.data, 'Company', id),
  email_address: (id, ctx) => {
    const email = view(ctx, 'Company', id).str('Email');
    return email === undefined ? undefined : { email, field: 'EMAIL1' };
  },
  fax_number: (id, ctx) => fax(view(ctx, 'Company', id), 1),
  phone_number: (id, ctx) => phone(view(ctx, 'Company', id), 1),
  update_time: time('Company', 'LastUpdated'),
  create_time: time('Company', 'DateCreated'),
  anniversary_date: dateOf('Company', 'Anniversary'),
  assistant_name: K('AssistantName'),
  assistant_phone: K('AssistantPhone'),
  billing_information: K('BillingInformation'),
  birth_date: dateOf('Company', 'Birthday'),
  contact_type: K('ContactType'),
  first_name: K('FirstName'),
  job_title: K('JobTitle'),
  last_name: K('LastName'),
  middle_name: K('MiddleName'),
  preferred_name: K('Nickname'),
  owner_id: ref('Company', 'OwnerID'),
  referral_code: K('ReferralCode'),
  spouse_name: K('SpouseName'),
  account_id: ref('Company', 'AccountId'),
  created_by: ref('Company', 'CreatedBy'),
  last_updated_by: ref('Company', 'LastUpdatedBy'),
};

/** What the description of `/companies` `fields` says Keap leaves out by default. */
const COMPANY_OPTIONAL = ['notes', 'fax_number', 'address', 'email_address', 'phone_number', 'update_time', 'create_time', 'custom_fields'];
const COMPANY_FIELDS: FieldsParam = { allowed: Object.keys(COMPANY_PROPS), defaults: Object.keys(COMPANY_PROPS).filter((f) => !COMPANY_OPTIONAL.includes(f)), mode: 'add' };

/** A company as the default selection renders it (tagged companies nest it so). */
export function companyRecord(ctx: RestCtx, id: number): JsonObject {
  return render(COMPANY_PROPS, id, ctx, new Set(COMPANY_FIELDS.defaults));
}

const COMPANY_FILTERS: FilterFields<number> = {
  company_name: textField(K('Company')),
  name: textField(K('Company'), true),
  email: textField(K('Email')),
  city: textField(K('City'), true),
  state: textField(K('State'), true),
  since_time: { kind: 'since', get: ms('Company', 'LastUpdated') },
  until_time: { kind: 'until', get: ms('Company', 'LastUpdated') },
  company_id: { kind: 'number', integer: true, ops: COMPARE, get: self },
};

export const CONTACT_MODELS: readonly ModelResource[] = [
  { resource: 'contacts', table: 'Contact', recordType: 'CONTACT', optional: CONTACT_FIELD_NAMES.filter((f) => !CONTACT_DEFAULT_FIELDS.includes(f)) },
  { resource: 'companies', table: 'Company', recordType: 'COMPANY', optional: COMPANY_OPTIONAL },
];

const contactId = (ctx: RestCtx): number => existing(ctx.data.table('Contact'), pathId(ctx, 'contact_id'), 'Contact');
const LINK_TYPE = (column: string) => text('LinkedContactType', column);

export function contactRoutes(): Route[] {
  return [
    tableList('Contact', {
      path: '/contacts',
      items: 'contacts',
      props: CONTACT_PROPS,
      filters: contactFilters(),
      customTable: 'Contact',
      orderBy: { id: self, create_time: ms('Contact', 'DateCreated'), email: C('Email'), update_time: ms('Contact', 'LastUpdated') },
      fields: CONTACT_FIELDS,
    }),
    itemRoute({ path: '/contacts/{contact_id}', find: contactId, props: CONTACT_PROPS, fields: CONTACT_FIELDS }),
    {
      method: 'GET',
      path: '/contacts/{contact_id}/links',
      handle: (ctx) => ok({ links: contactLinks(ctx, contactId(ctx)).map(({ id: _id, ...link }) => link), next_page_token: '' }),
    },
    { method: 'GET', path: '/contacts/{contact_id}/leadScore', handle: (ctx) => ok(leadScore(ctx, contactId(ctx))) },
    tableList('LinkedContactType', {
      path: '/contacts/links/types',
      items: 'contact_link_types',
      props: {
        id: idText,
        name: LINK_TYPE('TypeName'),
        max_links: (id, ctx) => view(ctx, 'LinkedContactType', id).num('MaxLinked'),
        create_time: (id, ctx) => iso(createdAt(ctx.data, 'LinkedContactType', id)),
      },
      filters: { name: textField(LINK_TYPE('TypeName')) },
      orderBy: { name: LINK_TYPE('TypeName'), max_links: (id, ctx) => view(ctx, 'LinkedContactType', id).num('MaxLinked'), create_time: (id, ctx) => createdAt(ctx.data, 'LinkedContactType', id) },
    }),
    tableList('Company', {
      path: '/companies',
      items: 'companies',
      props: COMPANY_PROPS,
      filters: COMPANY_FILTERS,
      customTable: 'Company',
      orderBy: { id: self, create_time: ms('Company', 'DateCreated'), name: K('Company'), email: K('Email') },
      fields: COMPANY_FIELDS,
    }),
    rowRoute('/companies/{company_id}', 'Company', 'Company', COMPANY_PROPS, COMPANY_FIELDS),
  ];
}
