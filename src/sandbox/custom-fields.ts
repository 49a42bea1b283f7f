import type { ColumnKind } from './columns.js';

/**
 * The sandbox account's custom fields. Keap keeps their definitions as rows of `DataFormField`
 * (Name without the underscore, FormId naming the table, DataType a code) and exposes the values
 * as `_Name` columns of the table; a connector discovers them by reading DataFormField.
 */
export interface CustomFieldDef {
  formId: number;
  /** Without the leading underscore, as DataFormField.Name holds it. */
  name: string;
  label: string;
  /** Keap DataType code: 3 Currency, 4 Percent, 6 Yes/No, 12 Whole Number, 13 Date, 15 Text, 19 Email, 21 Dropdown... */
  dataType: number;
  values?: string;
  defaultValue?: string;
}

/** DataFormField.FormId per table (keap-api.md §1). */
export const FORM_IDS: Readonly<Record<string, number>> = {
  Contact: -1,
  Affiliate: -3,
  Lead: -4,
  Company: -6,
  Job: -9,
};

export const CUSTOM_FIELDS: readonly CustomFieldDef[] = [
  { formId: -1, name: 'Color', label: 'Favorite Color', dataType: 15 },
  { formId: -1, name: 'Score', label: 'Lead Score', dataType: 12, defaultValue: '0' },
  { formId: -1, name: 'Renewal', label: 'Renewal Date', dataType: 13 },
  { formId: -1, name: 'VIP', label: 'VIP?', dataType: 6 },
  { formId: -1, name: 'Budget', label: 'Budget', dataType: 3 },
  { formId: -1, name: 'Region', label: 'Region', dataType: 21, values: 'North\nSouth\nEast\nWest' },
  { formId: -6, name: 'Industry', label: 'Industry', dataType: 21, values: 'Retail\nServices\nSoftware\nHealth' },
  { formId: -6, name: 'Employees', label: 'Employees', dataType: 12 },
  { formId: -9, name: 'Channel', label: 'Sales Channel', dataType: 15 },
  { formId: -9, name: 'GiftWrap', label: 'Gift Wrap', dataType: 6 },
  { formId: -3, name: 'PayoutEmail', label: 'Payout Email', dataType: 19 },
  { formId: -3, name: 'Tier', label: 'Tier', dataType: 12 },
  { formId: -4, name: 'Probability', label: 'Win Probability', dataType: 4 },
  { formId: -4, name: 'CloseReason', label: 'Close Reason', dataType: 15 },
];

/**
 * How a custom field's value travels. Yes/No and User are stored as integers (1/0, a user id);
 * Currency, Percent and Decimal as doubles; Date and Date/Time as dates; every other type is text.
 */
export function customFieldKind(dataType: number): ColumnKind {
  switch (dataType) {
    case 3:
    case 4:
    case 11:
      return 'double';
    case 6:
    case 12:
    case 22:
      return 'int';
    case 13:
    case 14:
      return 'date';
    default:
      return 'string';
  }
}

export function customFieldsOf(table: string): CustomFieldDef[] {
  const formId = FORM_IDS[table];
  return formId === undefined ? [] : CUSTOM_FIELDS.filter((f) => f.formId === formId);
}

/** Forms that have custom fields, in a fixed order: DataFormTab/DataFormGroup row n belongs to form n. */
export const CUSTOM_FORMS: readonly number[] = [-1, -6, -9, -3, -4];
