import type { ValidateFunction } from 'ajv';
import { InputError } from '../input-error.js';
import type { ReportEntry } from '../streams/report-entry.js';
import { checkKeys, entryOf, precheck, resolveReports, whereOf } from '../streams/report-resolve.js';
import { reportVariant } from '../streams/report-spec.js';
import type { ReportConfig } from '../streams/report-types.js';
import { compile, validateWith } from './validate.js';

/**
 * `config.reports`, checked entry by entry against its own spec variant (chosen by `report`), so
 * a problem reads as one line naming the entry and the key:
 *   config error: reports[2] (affiliate_commissions): affiliate_ids: must be array
 * then resolved (table and field names, query syntax, date windows, stream names).
 */

const validators = new Map<string, { schema: object; validate: ValidateFunction }>();

function variantOf(entry: ReportEntry): { schema: object; validate: ValidateFunction } {
  let v = validators.get(entry.id);
  if (!v) {
    const schema = reportVariant(entry);
    v = { schema, validate: compile(schema) };
    validators.set(entry.id, v);
  }
  return v;
}

/** Throws InputError('config') for the first bad entry; a non-array is left to the spec validation. */
export function validateReports(raw: unknown): void {
  if (!Array.isArray(raw)) return;
  raw.forEach((item: unknown, index) => {
    const entry = entryOf(index, item);
    checkKeys(index, item as ReportConfig, entry);
    precheck(index, item as ReportConfig);
    const { schema, validate } = variantOf(entry);
    const problem = validateWith(schema, validate, item);
    if (problem) throw new InputError('config', `${whereOf(index, item)}: ${problem}`);
  });
  resolveReports(raw as ReportConfig[]);
}
