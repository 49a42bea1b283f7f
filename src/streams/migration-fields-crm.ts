import type { Affiliate, Company, Contact, ContactAction, ContactGroup, Lead } from './table-types.js';
import { mapper, type FieldMapping, type TableFieldMap, type TableName } from './migration-types.js';

/**
 * Field-by-field maps of the CRM tables (migration-map.ts): each XML-RPC field, where it is in the
 * REST record, and the REST filter data_query uses for it. Keap's legacy slots became arrays keyed
 * by their slot: address 1 is BILLING, 2 SHIPPING, 3 OTHER; Email, EmailAddress2 and 3 are EMAIL1..3.
 */

const c = mapper<'contacts'>();
const ADDRESS_SLOTS = { 1: 'BILLING', 2: 'SHIPPING', 3: 'OTHER' } as const;
const ADDRESS_FILTERS = { 1: 'billing_address', 2: 'shipping_address', 3: 'other_address' } as const;
const addr = (slot: 1 | 2 | 3, part: 'line1' | 'line2' | 'locality' | 'region' | 'postal_code' | 'country_code' | 'zip_four' | 'field', filter?: string): FieldMapping<'contacts'> =>
  c.to(`addresses[field=${ADDRESS_SLOTS[slot]}].${part}`, filter ? { eq: `${ADDRESS_FILTERS[slot]}_${filter}` } : undefined, part === 'country_code' ? 'An ISO 3166-1 alpha-3 code on REST (XML-RPC kept the name).' : undefined);
const phone = (slot: 1 | 2 | 3 | 4 | 5, part: 'number' | 'extension' | 'type'): FieldMapping<'contacts'> => c.to(`phone_numbers[field=PHONE${slot}].${part}`);
const fax = (slot: 1 | 2, part: 'number' | 'type'): FieldMapping<'contacts'> => c.to(`fax_numbers[field=FAX${slot}].${part}`);
const email = (slot: 1 | 2 | 3): FieldMapping<'contacts'> => c.to(`email_addresses[field=EMAIL${slot}].email`, { eq: 'email' }, slot === 1 ? undefined : 'The email filter matches any of the contact\'s addresses.');

const CONTACT: TableFieldMap<Contact, 'contacts'> = {
  Address1Type: addr(1, 'field'),
  Address2Street1: addr(2, 'line1', 'line1'),
  Address2Street2: addr(2, 'line2'),
  Address2Type: addr(2, 'field'),
  Address3Street1: addr(3, 'line1', 'line1'),
  Address3Street2: addr(3, 'line2'),
  Address3Type: addr(3, 'field'),
  Anniversary: c.to('anniversary_date'),
  AssistantName: c.to('assistant_name'),
  AssistantPhone: c.to('assistant_phone'),
  BillingInformation: c.to('billing_information'),
  Birthday: c.to('birth_date'),
  City: c.to('addresses[field=BILLING].locality', { eq: 'city' }),
  City2: addr(2, 'locality', 'locality'),
  City3: addr(3, 'locality', 'locality'),
  Company: c.to('company.company_name'),
  AccountId: c.to('account_id'),
  CompanyID: c.to('company.id', { eq: 'company_id' }),
  ContactNotes: c.none("REST v2's contact has no notes field; notes are the `notes` stream."),
  ContactType: c.to('contact_type'),
  Country: addr(1, 'country_code', 'country_code'),
  Country2: addr(2, 'country_code', 'country_code'),
  Country3: addr(3, 'country_code', 'country_code'),
  CreatedBy: c.to('created_by'),
  DateCreated: c.to('create_time'),
  Email: email(1),
  EmailAddress2: email(2),
  EmailAddress3: email(3),
  Fax1: fax(1, 'number'),
  Fax1Type: fax(1, 'type'),
  Fax2: fax(2, 'number'),
  Fax2Type: fax(2, 'type'),
  FirstName: c.to('given_name', { eq: 'given_name' }),
  Groups: c.to('groups', undefined, 'Also as a list: tag_ids.'),
  Id: c.to('id', { eq: 'contact_id', in: 'ids' }),
  JobTitle: c.to('job_title'),
  LastName: c.to('family_name', { eq: 'family_name' }),
  LastUpdated: c.to('update_time', { since: 'start_update_time', until: 'end_update_time' }),
  LastUpdatedBy: c.to('last_updated_by'),
  Leadsource: c.none('REST records carry the lead source id (leadsource_id), not its name.', { eq: 'lead_source_name' }),
  LeadSourceId: c.to('leadsource_id'),
  MiddleName: c.to('middle_name', { eq: 'middle_name' }),
  Nickname: c.to('preferred_name'),
  OwnerID: c.to('owner_id'),
  Password: c.none('Not readable through REST v2.'),
  Phone1: phone(1, 'number'),
  Phone1Ext: phone(1, 'extension'),
  Phone1Type: phone(1, 'type'),
  Phone2: phone(2, 'number'),
  Phone2Ext: phone(2, 'extension'),
  Phone2Type: phone(2, 'type'),
  Phone3: phone(3, 'number'),
  Phone3Ext: phone(3, 'extension'),
  Phone3Type: phone(3, 'type'),
  Phone4: phone(4, 'number'),
  Phone4Ext: phone(4, 'extension'),
  Phone4Type: phone(4, 'type'),
  Phone5: phone(5, 'number'),
  Phone5Ext: phone(5, 'extension'),
  Phone5Type: phone(5, 'type'),
  PostalCode: addr(1, 'postal_code', 'postal_code'),
  PostalCode2: addr(2, 'postal_code', 'postal_code'),
  PostalCode3: addr(3, 'postal_code', 'postal_code'),
  ReferralCode: c.to('referral_code'),
  SpouseName: c.to('spouse_name'),
  State: c.to('addresses[field=BILLING].region', { eq: 'state' }),
  State2: addr(2, 'region', 'region'),
  State3: addr(3, 'region', 'region'),
  StreetAddress1: addr(1, 'line1', 'line1'),
  StreetAddress2: addr(1, 'line2'),
  Suffix: c.to('suffix'),
  Title: c.to('prefix'),
  Username: c.none('Not readable through REST v2.'),
  Validated: c.none('Not on REST v2.'),
  Website: c.to('website', { eq: 'website' }),
  ZipFour1: addr(1, 'zip_four'),
  ZipFour2: addr(2, 'zip_four'),
  ZipFour3: addr(3, 'zip_four'),
  Language: c.to('preferred_locale'),
  TimeZone: c.to('time_zone'),
};

const co = mapper<'companies'>();
const oneAddress = co.none('A company has one address on REST (address).');
const oneEmail = co.none('A company has one email address on REST (email_address).');
const onePhone = co.none('A company has one phone number on REST (phone_number).');
const oneFax = co.none('A company has one fax number on REST (fax_number).');

const COMPANY: TableFieldMap<Company, 'companies'> = {
  Address1Type: co.to('address.field'),
  Address2Street1: oneAddress,
  Address2Street2: oneAddress,
  Address2Type: oneAddress,
  Address3Street1: oneAddress,
  Address3Street2: oneAddress,
  Address3Type: oneAddress,
  Anniversary: co.to('anniversary_date'),
  AssistantName: co.to('assistant_name'),
  AssistantPhone: co.to('assistant_phone'),
  BillingInformation: co.to('billing_information'),
  Birthday: co.to('birth_date'),
  City: co.to('address.locality', { eq: 'city' }),
  City2: oneAddress,
  City3: oneAddress,
  Company: co.to('company_name', { eq: 'name' }),
  AccountId: co.to('account_id'),
  CompanyID: co.to('id', { eq: 'company_id' }),
  ContactNotes: co.to('notes'),
  ContactType: co.to('contact_type'),
  Country: co.to('address.country_code', undefined, 'An ISO 3166-1 alpha-3 code on REST (XML-RPC kept the name).'),
  Country2: oneAddress,
  Country3: oneAddress,
  CreatedBy: co.to('created_by'),
  DateCreated: co.to('create_time'),
  Email: co.to('email_address.email', { eq: 'email' }),
  EmailAddress2: oneEmail,
  EmailAddress3: oneEmail,
  Fax1: co.to('fax_number.number'),
  Fax1Type: co.to('fax_number.type'),
  Fax2: oneFax,
  Fax2Type: oneFax,
  FirstName: co.to('first_name'),
  Groups: co.to('groups'),
  Id: co.to('id', { eq: 'company_id' }),
  JobTitle: co.to('job_title'),
  LastName: co.to('last_name'),
  LastUpdated: co.to('update_time', { since: 'since_time', until: 'until_time' }),
  LastUpdatedBy: co.to('last_updated_by'),
  MiddleName: co.to('middle_name'),
  Nickname: co.to('preferred_name'),
  OwnerID: co.to('owner_id'),
  Password: co.none('Not readable through REST v2.'),
  Phone1: co.to('phone_number.number'),
  Phone1Ext: co.to('phone_number.extension'),
  Phone1Type: co.to('phone_number.type'),
  Phone2: onePhone,
  Phone2Ext: onePhone,
  Phone2Type: onePhone,
  Phone3: onePhone,
  Phone3Ext: onePhone,
  Phone3Type: onePhone,
  Phone4: onePhone,
  Phone4Ext: onePhone,
  Phone4Type: onePhone,
  Phone5: onePhone,
  Phone5Ext: onePhone,
  Phone5Type: onePhone,
  PostalCode: co.to('address.postal_code'),
  PostalCode2: oneAddress,
  PostalCode3: oneAddress,
  ReferralCode: co.to('referral_code'),
  SpouseName: co.to('spouse_name'),
  State: co.to('address.region', { eq: 'state' }),
  State2: oneAddress,
  State3: oneAddress,
  StreetAddress1: co.to('address.line1'),
  StreetAddress2: co.to('address.line2'),
  Suffix: co.to('suffix'),
  Title: co.to('title'),
  Username: co.none('Not readable through REST v2.'),
  Validated: co.none('Not on REST v2.'),
  Website: co.to('website'),
  ZipFour1: co.to('address.zip_four'),
  ZipFour2: oneAddress,
  ZipFour3: oneAddress,
};

const t = mapper<'tags'>();
const CONTACT_GROUP: TableFieldMap<ContactGroup, 'tags'> = {
  Id: t.to('id', { in: 'tag_ids' }),
  GroupName: t.to('name', { eq: 'name' }),
  GroupCategoryId: t.to('category.id', { eq: 'category_id' }),
  GroupDescription: t.to('description', { eq: 'description' }),
};

const tc = mapper<'tag_contacts'>();
/** The Contact columns ContactGroupAssign joins that tag_contacts carries; the others are the contact's, in `contacts`. */
const TAG_CONTACT_COLUMNS: Readonly<Record<string, FieldMapping<'tag_contacts'>>> = {
  'Contact.Id': tc.to('id'),
  'Contact.Email': tc.to('email', { eq: 'email' }),
  'Contact.FirstName': tc.to('given_name', { eq: 'given_name' }),
  'Contact.LastName': tc.to('family_name', { eq: 'family_name' }),
};
const joinedContact = tc.none('tag_contacts carries the contact\'s id, names and email; join `contacts` on id for the rest.');

/** ContactGroupAssign: its own columns, then every joined `Contact.X` (whatever the table registry lists). */
function contactGroupAssign(fields: readonly string[]): Record<string, FieldMapping<'tag_contacts'>> {
  const own: Record<string, FieldMapping<'tag_contacts'>> = {
    GroupId: tc.to('tag_id', { parent: true }),
    ContactGroup: tc.none('The tag\'s name is in `tags` (join on tag_id).'),
    DateCreated: tc.to('applied_time', { since: 'since_applied_time', until: 'until_applied_time' }),
    ContactId: tc.to('id'),
  };
  for (const f of fields) if (f.startsWith('Contact.')) own[f] = TAG_CONTACT_COLUMNS[f] ?? joinedContact;
  return own;
}

const o = mapper<'opportunities'>();
const LEAD: TableFieldMap<Lead, 'opportunities'> = {
  Id: o.to('id', { eq: 'opportunity_id', in: 'ids' }),
  OpportunityTitle: o.to('opportunity_title', { eq: 'opportunity_title' }),
  ContactID: o.to('contact.id', { eq: 'contact_id' }),
  AffiliateId: o.to('affiliate_id', { eq: 'affiliate_id' }),
  UserID: o.to('user.id', { eq: 'user_id' }),
  StageID: o.to('stage.id', { eq: 'stage_id' }),
  StatusID: o.to('status_id'),
  Leadsource: o.to('lead_source', { eq: 'lead_source_name' }),
  Objection: o.to('objection'),
  ProjectedRevenueLow: o.to('projected_revenue_low', { eq: 'projected_revenue_low' }),
  ProjectedRevenueHigh: o.to('projected_revenue_high', { eq: 'projected_revenue_high' }),
  OpportunityNotes: o.to('opportunity_notes'),
  DateCreated: o.to('created_time'),
  LastUpdated: o.to('last_updated_time'),
  LastUpdatedBy: o.to('last_updated_by'),
  CreatedBy: o.to('created_by'),
  EstimatedCloseDate: o.to('estimated_close_time'),
  NextActionDate: o.to('next_action_time'),
  NextActionNotes: o.to('next_action_notes'),
  DateInStage: o.to('stage_entrance_time'),
  IncludeInForecast: o.to('include_in_forecast'),
  MonthlyRevenue: o.to('monthly_revenue'),
  OrderRevenue: o.to('order_revenue'),
};

const n = mapper<'notes'>();
const tasksOnly = (field: string): FieldMapping<'notes'> => n.none(`Tasks and appointments only: \`tasks\` has ${field}.`);
const CONTACT_ACTION: TableFieldMap<ContactAction, 'notes'> = {
  Id: n.to('id', { eq: 'id', in: 'ids' }),
  ContactId: n.to('contact_id', { eq: 'contact_id' }),
  OpportunityId: tasksOnly('opportunity_id'),
  ActionType: n.to('type'),
  ActionDescription: n.to('title', { eq: 'title' }),
  CreationDate: n.to('create_time'),
  CreationNotes: n.to('text'),
  CompletionDate: tasksOnly('completion_time'),
  ActionDate: tasksOnly('due_time'),
  EndDate: tasksOnly('due_time'),
  PopupDate: tasksOnly('remind_time_mins'),
  UserID: n.to('assigned_to_user.id', { eq: 'assigned_to_user_id' }),
  Accepted: tasksOnly('accepted'),
  CreatedBy: n.to('created_by_user_id'),
  LastUpdated: n.to('update_time', { since: 'since_time', until: 'until_time' }),
  LastUpdatedBy: n.to('last_updated_by_user_id'),
  Priority: tasksOnly('priority'),
  IsAppointment: n.none('Appointments are not on REST v2.'),
  ObjectType: n.none('Notes are ObjectType Note; tasks are the `tasks` stream.'),
};

const a = mapper<'affiliates'>();
const inPrograms = a.none('Commission settings live in the commission programs (`affiliate_commission_programs`).');
const AFFILIATE: TableFieldMap<Affiliate, 'affiliates'> = {
  Id: a.to('id', { eq: 'id' }),
  ContactId: a.to('contact_id', { eq: 'contact_id' }),
  ParentId: a.to('parent_affiliate_id'),
  LeadAmt: inPrograms,
  LeadPercent: inPrograms,
  SaleAmt: inPrograms,
  SalePercent: inPrograms,
  PayoutType: inPrograms,
  DefCommissionType: inPrograms,
  Status: a.to('status', { eq: 'status' }, 'ACTIVE or INACTIVE on REST (1 or 0 on XML-RPC).'),
  AffName: a.to('name', { eq: 'name' }),
  Password: a.none('Not readable through REST v2.'),
  AffCode: a.to('code', { eq: 'code' }),
  NotifyLead: a.to('notify_on_lead'),
  NotifySale: a.to('notify_on_sale'),
  LeadCookieFor: a.to('track_leads_days'),
};

/** ContactGroupAssign's joined columns are listed by the caller (the table registry knows them). */
export function crmFields(contactGroupAssignFields: readonly string[]): Record<TableName, Readonly<Record<string, FieldMapping>>> {
  return {
    Contact: CONTACT,
    Company: COMPANY,
    ContactGroup: CONTACT_GROUP,
    ContactGroupAssign: contactGroupAssign(contactGroupAssignFields),
    Lead: LEAD,
    ContactAction: CONTACT_ACTION,
    Affiliate: AFFILIATE,
  };
}
