/**
 * Where public evidence contradicts or completes Keap's table definitions
 * (../shared/reference/keap-tables-detailed.json). The evidence is ../shared/reference/keap-evidence.md
 * (§ numbers below are its sections); its sources are Keap's own "Table Schema" document (DOC-TS),
 * Infusionsoft's server-side field_access.xml (NOVAK-XML) and SDK classes built from real answers.
 *
 * Both generators apply this table: the connector's stream schemas (generate-schemas.ts) and the
 * sandbox's table definitions (generate-sandbox-tables.ts). Neither side reads the other's output,
 * so a field wrong in one of them shows up as a difference the tests see.
 */

/** DOC-TS's type vocabulary (Id is written Integer here, as the definitions do). */
export type EvidenceType = 'String' | 'Integer' | 'Long' | 'Double' | 'DateTime' | 'Boolean' | 'Blob' | 'Enum';

/** One table of keap-tables-detailed.json (the members the generators read). */
export interface DetailedField {
  type: string;
  /** Access letters (E D A R), or null when only a name-based guess lists the field. */
  access: string | null;
}
export interface DetailedTable {
  description: string | null;
  incremental_cursor_candidates: string[];
  fields: Record<string, DetailedField>;
}

/** §2.4-2.8 and §2.11: DOC-TS types where the definitions say otherwise. */
export const TYPE_CORRECTIONS: Readonly<Record<string, Readonly<Record<string, EvidenceType>>>> = {
  LeadSourceExpense: { Amount: 'Double' },
  LeadSourceRecurringExpense: { Amount: 'Double' },
  ProductOptValue: { PriceAdjustment: 'Double' },
  Ticket: { Ordering: 'Double' },
  // DOC-TS type Id: integers, where the definitions had text.
  CCharge: { PaymentId: 'Integer', MerchantId: 'Integer' },
  // XML-RPC <base64> values.
  CProgram: { LargeImage: 'Blob' },
  Product: { LargeImage: 'Blob' },
  ProductCategory: { CategoryImage: 'Blob' },
  // DOC-TS Long: a file can pass 2 GB, past <i4>.
  FileBox: { FileSize: 'Long' },
};

/**
 * §2.10: DOC-TS type `Date`, a calendar day without a time of day (Keap sends it as midnight on the
 * app's clock). Such a field is documented as date-only and is never a sub-day cursor. The Contact
 * columns ContactGroupAssign joins (`Contact.Birthday`) are date-only as the Contact columns are.
 */
export const DATE_ONLY: Readonly<Record<string, readonly string[]>> = {
  Company: ['Anniversary', 'Birthday'],
  Contact: ['Anniversary', 'Birthday'],
  InvoicePayment: ['PayDate'],
  Job: ['DueDate', 'StartDate'],
  JobRecurringInstance: ['EndDate', 'StartDate'],
  LeadSource: ['EndDate', 'StartDate'],
  PayPlan: ['DateDue', 'InitDate', 'StartDate'],
  PayPlanItem: ['DateDue'],
  Payment: ['PayDate'],
  RecurringOrder: ['EndDate', 'LastBillDate', 'NextBillDate', 'PaidThruDate', 'StartDate'],
  RecurringOrderWithContact: ['EndDate', 'LastBillDate', 'NextBillDate', 'PaidThruDate', 'StartDate'],
  Referral: ['DateExpires', 'DateSet'],
  Ticket: ['CloseDate', 'DateInStage', 'FolowUpDate', 'TargetCompletionDate'],
};

const numbered = (prefix: string, n: number, type: EvidenceType): Record<string, EvidenceType> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i + 1}`, type]));

/** §2.12 (NOVAK-XML): ContactGroupAssign joins 22 more Contact columns than the definitions list. */
export const ADDED_FIELDS: Readonly<Record<string, Readonly<Record<string, EvidenceType>>>> = {
  ContactGroupAssign: {
    ...numbered('Contact.CustomDate', 5, 'DateTime'),
    ...numbered('Contact.CustomDbl', 5, 'Double'),
    ...numbered('Contact.CustomField', 10, 'String'),
    'Contact.HTMLSignature': 'String',
    'Contact.Signature': 'String',
  },
};

/** §2.2: fields the definitions list (from one source, by name only) that the table does not have. */
export const ABSENT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Campaignee: ['Id'],
};

export interface KeyEvidence {
  primaryKey: readonly string[];
  /** The column pages are keyed on (streams/table-reader.ts). */
  keyset: string;
  /** Whether no two rows share a keyset value. */
  unique: boolean;
}

/**
 * §2.1-2.2: tables whose rows are not identified by `Id`.
 * - RecurringOrderWithContact: `Id` is the contact's id (NOVAK-XML `sql-field-join="Contact.Id"`);
 *   the subscription is `RecurringOrderId` (`JobRecurring.Id`), so a contact with two
 *   subscriptions has two rows with the same Id.
 * - Campaignee and ContactGroupAssign have no Id: a contact in a campaign, a contact with a tag.
 *   They page on ContactId, which repeats (a few rows per contact), rather than on the campaign or
 *   tag, which repeats thousands of times.
 */
export const KEYS: Readonly<Record<string, KeyEvidence>> = {
  RecurringOrderWithContact: { primaryKey: ['RecurringOrderId'], keyset: 'RecurringOrderId', unique: true },
  Campaignee: { primaryKey: ['CampaignId', 'ContactId'], keyset: 'ContactId', unique: false },
  ContactGroupAssign: { primaryKey: ['ContactId', 'GroupId'], keyset: 'ContactId', unique: false },
};

/** Field descriptions the evidence calls for. */
export const FIELD_NOTES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  RecurringOrderWithContact: {
    Id: "The contact's Id (joined from Contact), not the subscription's: RecurringOrderId identifies the row.",
  },
};

/**
 * §2.3: cursors no public schema shows (only a name-based guess lists them). Keap may answer that
 * the field does not exist; the connector then reads the table in full (streams/table-reader.ts).
 */
export const UNCONFIRMED_CURSORS: Readonly<Record<string, string>> = {
  InvoiceItem: 'LastUpdated',
  InvoicePayment: 'LastUpdated',
  Product: 'LastUpdated',
};

/** Whether `table.field` is date-only, joined Contact columns included. */
export function isDateOnly(table: string, field: string): boolean {
  if (DATE_ONLY[table]?.includes(field) === true) return true;
  const dot = field.indexOf('.');
  return dot !== -1 && DATE_ONLY[field.slice(0, dot)]?.includes(field.slice(dot + 1)) === true;
}

/** A field is readable unless the table docs list access letters without R (card number, CVV). */
export function readable(f: DetailedField): boolean {
  return f.access === null || f.access.includes('R');
}

/**
 * A field's type: the definitions', corrected by the evidence. A ContactGroupAssign `Contact.X`
 * column is Contact's column X, typed as Contact types it: the table docs call several of them
 * plain strings, but dates arrive as dateTime.
 */
function fieldType(tables: Readonly<Record<string, DetailedTable>>, table: string, name: string, listed: string): EvidenceType {
  const corrected = TYPE_CORRECTIONS[table]?.[name];
  if (corrected !== undefined) return corrected;
  const dot = name.indexOf('.');
  if (dot !== -1) {
    const source = name.slice(0, dot);
    const field = name.slice(dot + 1);
    const joined = TYPE_CORRECTIONS[source]?.[field] ?? tables[source]?.fields[field]?.type;
    if (joined !== undefined) return joined as EvidenceType;
  }
  return listed as EvidenceType;
}

/**
 * The fields of a table as the evidence has them, in the definitions' order: absent ones out,
 * missing ones in at the end, types corrected. `readable` is false for write-only fields.
 */
export function evidenceFields(tables: Readonly<Record<string, DetailedTable>>, table: string): { name: string; type: EvidenceType; readable: boolean }[] {
  const def = tables[table];
  if (def === undefined) return [];
  const absent = ABSENT_FIELDS[table] ?? [];
  const fields = Object.entries(def.fields)
    .filter(([name]) => !absent.includes(name))
    .map(([name, f]) => ({ name, type: fieldType(tables, table, name, f.type), readable: readable(f) }));
  for (const [name, type] of Object.entries(ADDED_FIELDS[table] ?? {})) {
    if (!fields.some((f) => f.name === name)) fields.push({ name, type, readable: true });
  }
  return fields;
}
