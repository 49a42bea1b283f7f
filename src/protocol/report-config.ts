import { InputError } from '../input-error.js';
import { checkKeys, entryOf, precheck, resolveReports, whereOf } from '../streams/report-resolve.js';
import { reportVariant } from '../streams/report-spec.js';
import type { ReportConfig } from '../streams/report-types.js';
import { validators } from './report-validators.js';
import { validateWith } from './validate.js';

/**
 * `config.reports`, checked entry by entry against its own spec variant (chosen by `report`), so
 * a problem reads as one line naming the entry and the key:
 *   config error: reports[2] (affiliate_commissions): affiliate_ids: must be array
 * then resolved (table and field names, query syntax, date windows, stream names).
 */

/** Throws InputError('config') for the first bad entry; a non-array is left to the spec validation. */
export function validateReports(raw: unknown): void {
  if (!Array.isArray(raw)) return;
  raw.forEach((item: unknown, index) => {
    const entry = entryOf(index, item);
    checkKeys(index, item as ReportConfig, entry);
    precheck(index, item as ReportConfig);
    // Compiled ahead of time (report-validators.ts); the variant is built only to describe a failure.
    const problem = validateWith(() => reportVariant(entry), validators[entry.id], item);
    if (problem) throw new InputError('config', `${whereOf(index, item)}: ${problem}`);
  });
  resolveReports(raw as ReportConfig[]);
}
