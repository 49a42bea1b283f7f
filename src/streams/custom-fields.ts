import type { KeapClient } from '../keap/client.js';
import { isStruct } from '../xmlrpc/types.js';
import { fieldSchema } from './table-registry.js';
import type { JsonSchema } from './json-schema.js';

/**
 * Custom fields are per account: DataFormField lists them (FormId -1 Contact, -3 Affiliate, -4 Lead,
 * -5 ContactAction, -6 Company, -9 Job, -10 RecurringOrder) and rows carry them as `_Name` columns.
 */
export interface CustomField {
  formId: number;
  name: string;
  label: string;
  dataType: number;
}

/** DataFormField.DataType codes (Keap's field types) to the record type they read as. */
export function customFieldSchema(dataType: number): JsonSchema {
  switch (dataType) {
    case 3: // Currency
    case 4: // Percent
    case 11: // Decimal Number
      return fieldSchema('Double');
    case 7: // Year
    case 12: // Whole Number
    case 22: // User (a user id)
      return fieldSchema('Integer');
    case 6: // Yes/No
      return fieldSchema('Boolean');
    case 13: // Date
    case 14: // Date/Time
      return fieldSchema('DateTime');
    default: // Phone, SSN, State, Month, Day of Week, Name, Text, Text Area, List Box, Website, Email, Radio, Dropdown, Drilldown
      return fieldSchema('String');
  }
}

export async function readCustomFields(client: KeapClient, pageSize = 1000): Promise<CustomField[]> {
  const out: CustomField[] = [];
  for (let page = 0; ; page++) {
    const rows = await client.call(
      'DataService.query',
      ['DataFormField', pageSize, page, { Id: '%' }, ['Id', 'FormId', 'Name', 'Label', 'DataType'], 'Id', true],
      { what: 'DataService.query on DataFormField' },
    );
    const list = Array.isArray(rows) ? rows : [];
    for (const r of list) {
      if (!isStruct(r)) continue;
      const formId = r['FormId'];
      const name = r['Name'];
      if (typeof formId !== 'number' || typeof name !== 'string' || name === '') continue;
      out.push({
        formId,
        name: name.startsWith('_') ? name : `_${name}`,
        label: typeof r['Label'] === 'string' ? r['Label'] : name,
        dataType: typeof r['DataType'] === 'number' ? r['DataType'] : 15,
      });
    }
    if (list.length < pageSize) return out;
  }
}
