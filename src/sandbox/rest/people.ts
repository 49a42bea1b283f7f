import type { SandboxData } from '../data.js';
import { defined, RowView, type JsonObject } from './wire.js';

/**
 * The blocks REST nests people in, built from the flat columns Keap keeps on Contact, Company and
 * User: address blocks 1/2/3 are BILLING/SHIPPING/OTHER, Phone1..5 and Fax1/2 keep their slot as
 * `field`, Email/EmailAddress2/3 are EMAIL1..3 with the opt-in status of EmailAddStatus.
 */

/** ISO 3166 codes of the countries the generator uses (alpha-3 for addresses, alpha-2 for regions). */
const COUNTRIES: Readonly<Record<string, readonly [string, string]>> = {
  'united states': ['USA', 'US'],
  canada: ['CAN', 'CA'],
  'united kingdom': ['GBR', 'GB'],
  switzerland: ['CHE', 'CH'],
  brazil: ['BRA', 'BR'],
  australia: ['AUS', 'AU'],
};

export function countryCode(country: string | undefined): string | undefined {
  return country === undefined ? undefined : COUNTRIES[country.toLowerCase()]?.[0];
}

export interface AddressColumns {
  line1: string;
  line2: string;
  locality: string;
  region: string;
  postal: string;
  zipFour?: string;
  country: string;
}

export const CONTACT_ADDRESSES: readonly (readonly [AddressColumns, string])[] = [
  [{ line1: 'StreetAddress1', line2: 'StreetAddress2', locality: 'City', region: 'State', postal: 'PostalCode', zipFour: 'ZipFour1', country: 'Country' }, 'BILLING'],
  [{ line1: 'Address2Street1', line2: 'Address2Street2', locality: 'City2', region: 'State2', postal: 'PostalCode2', zipFour: 'ZipFour2', country: 'Country2' }, 'SHIPPING'],
  [{ line1: 'Address3Street1', line2: 'Address3Street2', locality: 'City3', region: 'State3', postal: 'PostalCode3', zipFour: 'ZipFour3', country: 'Country3' }, 'OTHER'],
];

/** One address block, or undefined when none of its columns hold a value. */
export function address(v: RowView, c: AddressColumns, field?: string): JsonObject | undefined {
  const line1 = v.str(c.line1);
  const line2 = v.str(c.line2);
  const locality = v.str(c.locality);
  const region = v.str(c.region);
  const postal = v.str(c.postal);
  const country = v.str(c.country);
  const zipFour = c.zipFour === undefined ? undefined : v.str(c.zipFour);
  if (line1 === undefined && line2 === undefined && locality === undefined && region === undefined && postal === undefined && country === undefined && zipFour === undefined) return undefined;
  const codes = country === undefined ? undefined : COUNTRIES[country.toLowerCase()];
  return {
    country,
    line1,
    line2,
    locality,
    region,
    field,
    country_code: codes?.[0],
    postal_code: postal,
    region_code: codes !== undefined && region !== undefined ? `${codes[1]}-${region}` : undefined,
    zip_code: codes?.[0] === 'USA' ? postal : undefined,
    zip_four: zipFour,
  };
}

export function contactAddresses(v: RowView): JsonObject[] {
  return defined(CONTACT_ADDRESSES.map(([cols, field]) => address(v, cols, field)));
}

export function phone(v: RowView, slot: number): JsonObject | undefined {
  const number = v.str(`Phone${slot}`);
  if (number === undefined) return undefined;
  return { extension: v.str(`Phone${slot}Ext`), number, type: v.str(`Phone${slot}Type`), field: `PHONE${slot}` };
}

export function phones(v: RowView, slots = 5): JsonObject[] {
  return defined(Array.from({ length: slots }, (_, i) => phone(v, i + 1)));
}

export function fax(v: RowView, slot: number): JsonObject | undefined {
  const number = v.str(`Fax${slot}`);
  return number === undefined ? undefined : { number, type: v.str(`Fax${slot}Type`), field: `FAX${slot}` };
}

export const EMAIL_COLUMNS = ['Email', 'EmailAddress2', 'EmailAddress3'] as const;

/** EmailAddStatus.Type as REST's email_opt_status. */
const OPT_STATUS: Readonly<Record<string, string>> = {
  SingleOptIn: 'SINGLE_OPT_IN',
  DoubleOptIn: 'DOUBLE_OPT_IN',
  UnengagedMarketable: 'UNENGAGED_MARKETABLE',
  UnengagedNonMarketable: 'UNENGAGED_NON_MARKETABLE',
  NonMarketable: 'NON_MARKETABLE',
  HardBounce: 'HARD_BOUNCE',
  Lockdown: 'LOCKDOWN',
  Confirmed: 'CONFIRMED',
};

const OPTED_IN = new Set(['SINGLE_OPT_IN', 'DOUBLE_OPT_IN', 'CONFIRMED', 'UNENGAGED_MARKETABLE']);

export function optStatus(type: string | undefined): string {
  return OPT_STATUS[type ?? ''] ?? 'UNENGAGED_MARKETABLE';
}

export function isOptedIn(status: string): boolean {
  return OPTED_IN.has(status);
}

/**
 * The EmailAddStatus row for an address. Generated row n records contact n's email, so that row is
 * tried first; edited and inserted rows are searched directly (a handful), never the whole table.
 */
export function emailStatusRow(data: SandboxData, email: string, hint: number): number | undefined {
  const t = data.table('EmailAddStatus');
  const want = email.toLowerCase();
  const matches = (id: number): boolean => String(t.value(id, 'Email') ?? '').toLowerCase() === want;
  if (hint <= t.baseCount && t.overlayRow(hint) === undefined && matches(hint)) return hint;
  for (const id of [...t.overlaidBaseIds(), ...t.insertedIds()]) if (t.exists(id) && matches(id)) return id;
  return undefined;
}

export function emails(data: SandboxData, v: RowView): JsonObject[] {
  const out: JsonObject[] = [];
  EMAIL_COLUMNS.forEach((column, i) => {
    const email = v.str(column);
    if (email === undefined) return;
    const row = emailStatusRow(data, email, v.id);
    const status = row === undefined ? undefined : optStatus(new RowView(data.table('EmailAddStatus'), row).str('Type'));
    out.push({ email, field: `EMAIL${i + 1}`, is_opt_in: status === undefined ? undefined : isOptedIn(status), email_opt_status: status });
  });
  return out;
}

/** Keap's BasicContact (orders, transactions): undefined when the contact is gone. */
export function basicContact(data: SandboxData, id: number | undefined): JsonObject | undefined {
  const t = data.table('Contact');
  if (id === undefined || !t.exists(id)) return undefined;
  const v = new RowView(t, id);
  return { id: String(id), email: v.str('Email'), given_name: v.str('FirstName'), family_name: v.str('LastName') };
}

/** Keap's BasicUser (a note's assignee). */
export function basicUser(data: SandboxData, id: number | undefined): JsonObject | undefined {
  const t = data.table('User');
  if (id === undefined || !t.exists(id)) return undefined;
  const v = new RowView(t, id);
  return { id: String(id), given_name: v.str('FirstName'), family_name: v.str('LastName'), email_address: v.str('Email') };
}
