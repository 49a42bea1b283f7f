import type { RowValue } from './columns.js';
import { type FieldGen, type TableKit } from './gen-kit.js';
import { hash4, hashString } from './random.js';
import {
  ACCENTED_FIRST_NAMES,
  COMPANY_SUFFIXES,
  COMPANY_WORDS,
  CONTACT_TYPES,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  JOB_TITLES,
  LANGUAGES,
  LAST_NAMES,
  ODD_TEXTS,
  PHONE_TYPES,
  PLACES,
  SENTENCES,
  STREETS,
  SUFFIXES,
  TAGS,
  TIME_ZONES,
  TITLES,
  type Place,
} from './words.js';

/**
 * What a generated table provides: column functions for its base rows, joined columns computed
 * from other tables on every read (overlay rows included), and what to do with the columns left
 * over: leave them null (people tables, where real accounts fill a fraction of ~80 columns) or
 * fill them by name and type.
 */
export interface TableBuild {
  gens: Record<string, FieldGen>;
  joins?: Record<string, Join>;
  rest: 'null' | 'generic';
}

/** `table.field` of the row whose id is this row's `via` column. */
export interface Join {
  via: string;
  table: string;
  field: string;
}

/** Lowercase ASCII for email local parts: 'Zoë' -> 'zoe', '🦄 Unicorn' -> 'unicorn'. */
export function slug(s: string): string {
  const out = s
    .normalize('NFD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  return out.length > 0 ? out : 'x';
}

/** Names, place and phone of a person row, from one kit. */
export function personParts(k: TableKit, prefix = ''): {
  first: (id: number) => string;
  last: (id: number) => string;
  place: (id: number) => Place;
  street: (id: number) => string;
  phone: (id: number) => string;
  zip: (id: number) => string;
} {
  const first = k.pick(`${prefix}FirstName`, FIRST_NAMES);
  const last = k.pick(`${prefix}LastName`, LAST_NAMES);
  const place = k.pick(`${prefix}Place`, PLACES);
  const streetNo = k.hasher(`${prefix}StreetNo`);
  const streetName = k.pick(`${prefix}Street`, STREETS);
  const digits = k.hasher(`${prefix}Phone`);
  return {
    first,
    last,
    place,
    street: (id) => `${100 + (streetNo(id) % 9900)} ${streetName(id)}`,
    phone: (id) => {
      const p = place(id);
      const n = digits(id);
      return `${p.phone}-555-${String(n % 10000).padStart(4, '0')}`;
    },
    zip: (id) => {
      const p = place(id);
      return p.country === 'United States' ? `${p.zip}${String(streetNo(id) % 100).padStart(2, '0')}` : p.zip;
    },
  };
}

/** A long note (40,000 characters) on one contact in 997: page sizes and parsers must cope. */
function longNote(id: number): string {
  const line = `Long note for contact ${id}: ${SENTENCES.join(' ')}\n`;
  return line.repeat(Math.ceil(40_000 / line.length)).slice(0, 40_000);
}

export function contactBuild(k: TableKit): TableBuild {
  const p = personParts(k);
  const accented = k.pick('AccentedName', ACCENTED_FIRST_NAMES);
  const domain = k.pick('Domain', EMAIL_DOMAINS);
  const companyId = k.fk('CompanyID', 'Company');
  const leadSourceId = k.fk('LeadSourceId', 'LeadSource');
  const hasCompany = 0.5;
  const address = (gen: FieldGen): FieldGen => k.when(0.6, 'address', gen);
  const sentence = k.pick('Note', SENTENCES);
  const tags = tagPair(k);
  const firstName = (id: number): string => {
    const odd = id % 97;
    if (odd === 11 || odd === 12) return accented(id);
    if (odd === 13) return '🦄 Unicorn';
    return p.first(id);
  };
  const lastName = (id: number): string => (id % 97 === 14 ? "O'Brien" : p.last(id));
  const email = (id: number): string => {
    const local = `${slug(firstName(id))}.${slug(lastName(id))}${id}`;
    // A share of addresses in odd case, as people type them: findByEmail must ignore case.
    return id % 97 === 15 ? `${local.toUpperCase()}@${domain(id).toUpperCase()}` : `${local}@${domain(id)}`;
  };
  const company = k.when(hasCompany, 'company', (id) => {
    const odd = id % 97;
    if (odd === 16) return '';
    if (odd === 17) return ODD_TEXTS[0];
    return k.env.lookup('Company', companyId(id), 'Company');
  });
  const notes = (id: number): RowValue => {
    if (id % 997 === 500) return longNote(id);
    const odd = id % 97;
    if (odd === 18) return `${ODD_TEXTS[2]} ${ODD_TEXTS[3]}`;
    if (odd === 19) return ODD_TEXTS[4];
    return null;
  };
  const someNotes = k.when(0.2, 'notes', sentence);
  const gens: Record<string, FieldGen> = {
    Id: (id) => id,
    FirstName: firstName,
    LastName: lastName,
    Email: (id) => (id % 41 === 7 ? null : email(id)),
    EmailAddress2: k.when(0.15, 'email2', (id) => `${slug(firstName(id))}${id}@work.example.com`),
    Phone1: k.when(0.8, 'phone1', p.phone),
    Phone1Type: k.when(0.8, 'phone1', k.pick('Phone1Type', PHONE_TYPES)),
    Phone2: k.when(0.2, 'phone2', p.phone),
    StreetAddress1: address(p.street),
    StreetAddress2: (id) => (id % 97 === 20 ? ODD_TEXTS[5] : k.when(0.15, 'street2', (i) => `Suite ${i % 500}`)(id)),
    City: address((id) => p.place(id).city),
    State: address((id) => p.place(id).state),
    PostalCode: address(p.zip),
    Country: address((id) => p.place(id).country),
    Address1Type: address(() => 'Billing'),
    Company: company,
    CompanyID: k.when(hasCompany, 'company', companyId),
    AccountId: k.when(hasCompany, 'company', companyId),
    JobTitle: (id) => (id % 97 === 16 ? '' : k.when(0.4, 'job', k.pick('JobTitle', JOB_TITLES))(id)),
    ContactType: k.when(0.7, 'type', k.pick('ContactType', CONTACT_TYPES)),
    Leadsource: k.when(0.5, 'leadsource', (id) => k.env.lookup('LeadSource', leadSourceId(id), 'Name')),
    LeadSourceId: k.when(0.5, 'leadsource', (id) => leadSourceId(id)),
    ContactNotes: (id) => notes(id) ?? someNotes(id),
    Nickname: (id) => (id % 97 === 21 ? '"Doc" O\'Neil' : k.when(0.1, 'nick', p.first)(id)),
    MiddleName: k.when(0.15, 'middle', k.pick('MiddleName', FIRST_NAMES)),
    Title: k.when(0.2, 'title', k.pick('Title', TITLES)),
    Suffix: k.when(0.03, 'suffix', k.pick('Suffix', SUFFIXES)),
    Website: k.when(0.15, 'web', (id) => `https://www.${slug(lastName(id))}${id}.example.com`),
    Birthday: k.when(0.25, 'birthday', k.dateOnly('Birthday', 1945, 2004)),
    Anniversary: k.when(0.05, 'anniversary', k.dateOnly('Anniversary', 1975, 2024)),
    Language: k.when(0.3, 'lang', k.pick('Language', LANGUAGES)),
    TimeZone: k.when(0.4, 'tz', k.pick('TimeZone', TIME_ZONES)),
    Groups: (id) => {
      const [a, b] = tags(id);
      return `${a},${b}`;
    },
    DateCreated: k.created,
    LastUpdated: k.updated,
    CreatedBy: k.fk('CreatedBy', 'User'),
    LastUpdatedBy: k.fk('LastUpdatedBy', 'User'),
    OwnerID: k.fk('OwnerID', 'User'),
    Validated: k.when(0.3, 'validated', () => '1'),
    _Color: k.when(0.4, '_Color', k.pick('_Color', ['Red', 'Green', 'Blue', 'Teal', 'Fuchsia & Gold'])),
    _Score: k.when(0.6, '_Score', k.int('_Score', 0, 100)),
    _Renewal: k.when(0.3, '_Renewal', k.dateOnly('_Renewal', 2025, 2027)),
    _VIP: k.when(0.5, '_VIP', k.flag('_VIP', 0.2)),
    _Budget: k.when(0.3, '_Budget', k.money('_Budget', 100, 25_000)),
    _Region: k.when(0.35, '_Region', k.pick('_Region', ['North', 'South', 'East', 'West'])),
  };
  return { gens, rest: 'null' };
}

/** Each contact carries two distinct tags; ContactGroupAssign rows 2c-1 and 2c hold them. */
export function tagPair(k: TableKit): (contactId: number) => [number, number] {
  const seed = k.env.seed;
  const salt = hashString('ContactGroupAssign:tags');
  const n = TAGS.length;
  return (c) => {
    const h = hash4(seed, salt, c, 0);
    const a = 1 + (h % n);
    const b = 1 + ((a + (((h >>> 8) % (n - 1)) + 1) - 1) % n);
    return [a, b];
  };
}

export function contactGroupAssignBuild(k: TableKit, contactColumns: Iterable<string>): TableBuild {
  const tags = tagPair(k);
  const contact = (r: number): number => ((r - 1) >> 1) + 1;
  const joins: Record<string, Join> = { ContactGroup: { via: 'GroupId', table: 'ContactGroup', field: 'GroupName' } };
  for (const f of contactColumns) joins[`Contact.${f}`] = { via: 'ContactId', table: 'Contact', field: f };
  return {
    gens: {
      ContactId: contact,
      GroupId: (r) => tags(contact(r))[(r - 1) & 1] ?? 1,
      DateCreated: k.created,
    },
    joins,
    rest: 'null',
  };
}

export function companyBuild(k: TableKit): TableBuild {
  const p = personParts(k);
  const word = k.pick('CompanyWord', COMPANY_WORDS);
  const suffix = k.pick('CompanySuffix', COMPANY_SUFFIXES);
  const name = (id: number): string => `${word(id)} ${suffix(id)}`;
  const address = (gen: FieldGen): FieldGen => k.when(0.8, 'address', gen);
  return {
    gens: {
      Id: (id) => id,
      Company: name,
      CompanyID: (id) => id,
      AccountId: (id) => id,
      Email: k.when(0.7, 'email', (id) => `info@${slug(name(id))}${id}.example.com`),
      Phone1: k.when(0.8, 'phone', p.phone),
      Phone1Type: k.when(0.8, 'phone', () => 'Work'),
      Website: k.when(0.6, 'web', (id) => `https://${slug(name(id))}.example.com`),
      StreetAddress1: address(p.street),
      City: address((id) => p.place(id).city),
      State: address((id) => p.place(id).state),
      PostalCode: address(p.zip),
      Country: address((id) => p.place(id).country),
      ContactType: () => 'Company',
      DateCreated: k.created,
      LastUpdated: k.updated,
      CreatedBy: k.fk('CreatedBy', 'User'),
      LastUpdatedBy: k.fk('LastUpdatedBy', 'User'),
      OwnerID: k.fk('OwnerID', 'User'),
      _Industry: k.when(0.6, '_Industry', k.pick('_Industry', ['Retail', 'Services', 'Software', 'Health'])),
      _Employees: k.when(0.5, '_Employees', k.int('_Employees', 1, 500)),
    },
    rest: 'null',
  };
}

const USERS: readonly [string, string][] = [
  ['Ada', 'Admin'],
  ['Sam', 'Sales'],
  ['Sue', 'Support'],
  ['Mia', 'Marketing'],
];

export function userBuild(k: TableKit): TableBuild {
  const p = personParts(k);
  const user = (id: number): [string, string] => USERS[(id - 1) % USERS.length] ?? ['User', String(id)];
  const first = (id: number): string => user(id)[0];
  const last = (id: number): string => (id > USERS.length ? `${user(id)[1]} ${id}` : user(id)[1]);
  return {
    gens: {
      Id: (id) => id,
      FirstName: first,
      LastName: last,
      Email: (id) => `${slug(first(id))}.${slug(last(id))}@sandbox.example.com`,
      Phone1: p.phone,
      Phone1Type: () => 'Work',
      City: (id) => p.place(id).city,
      State: (id) => p.place(id).state,
      PostalCode: p.zip,
      Title: k.pick('Title', TITLES),
      Signature: (id) => `${first(id)} ${last(id)}\nSandbox Co.`,
      HTMLSignature: (id) => `<p><b>${first(id)} ${last(id)}</b><br/>Sandbox Co. &amp; friends</p>`,
      GlobalUserId: (id) => 100_000 + id * 137,
      Partner: (id) => (id === 4 ? 1 : 0),
    },
    rest: 'null',
  };
}

export function affiliateBuild(k: TableKit): TableBuild {
  const contactId = k.fk('ContactId', 'Contact');
  const parent = k.hasher('ParentId');
  return {
    gens: {
      Id: (id) => id,
      ContactId: contactId,
      ParentId: (id) => (id > 3 && parent(id) % 3 === 0 ? 1 + (parent(id) % (id - 1)) : 0),
      LeadAmt: k.money('LeadAmt', 0, 10),
      LeadPercent: k.money('LeadPercent', 0, 5),
      SaleAmt: k.money('SaleAmt', 0, 50),
      SalePercent: k.money('SalePercent', 5, 30),
      PayoutType: k.pick('PayoutType', [4, 5]),
      DefCommissionType: k.pick('DefCommissionType', [1, 2]),
      Status: (id) => (id % 7 === 0 ? 0 : 1),
      AffName: (id) => {
        const c = contactId(id);
        return `${String(k.env.lookup('Contact', c, 'FirstName') ?? '')} ${String(k.env.lookup('Contact', c, 'LastName') ?? '')}`.trim();
      },
      AffCode: (id) => `aff${String(id).padStart(3, '0')}`,
      NotifyLead: k.flag('NotifyLead'),
      NotifySale: k.flag('NotifySale', 0.8),
      LeadCookieFor: k.pick('LeadCookieFor', [30, 60, 90]),
      _PayoutEmail: k.when(0.7, '_PayoutEmail', (id) => `payouts+aff${id}@example.com`),
      _Tier: k.when(0.8, '_Tier', k.int('_Tier', 1, 3)),
    },
    rest: 'generic',
  };
}
