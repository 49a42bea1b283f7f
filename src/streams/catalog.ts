import type { KeapClient, LogFn } from '../keap/client.js';
import { KeapError } from '../keap/errors.js';
import { readCustomFields, type CustomField } from './custom-fields.js';
import type { ReportConfig } from './report-types.js';
import { reportStreamDefs } from './report-streams.js';
import { applySensitivePolicy } from './sensitive-fields.js';
import type { StreamDef } from './stream-def.js';
import { tableStreamDefs } from './table-streams.js';

export interface CatalogOptions {
  tables: string[] | undefined;
  reports: readonly ReportConfig[];
  /** List password fields (streams/sensitive-fields.ts) in the schemas. */
  includePasswordFields?: boolean;
}

/**
 * What `discover` lists: the configured tables with this account's custom fields, then the report
 * streams. A user whose credentials cannot read DataFormField still gets the shipped schemas.
 */
export async function discoverStreams(o: CatalogOptions, client: KeapClient, log: LogFn): Promise<StreamDef[]> {
  let custom: CustomField[] = [];
  const needsCustom = !o.tables || o.tables.some((t) => ['Contact', 'Affiliate', 'Lead', 'ContactAction', 'Company', 'Job', 'RecurringOrder'].includes(t));
  if (needsCustom) {
    try {
      custom = await readCustomFields(client);
    } catch (err) {
      if (err instanceof KeapError && err.failureType === 'config_error' && err.rule !== 'bad-table-or-field' && err.rule !== 'no-access') throw err;
      log('WARN', `custom fields are not listed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return applySensitivePolicy([...tableStreamDefs(o.tables, custom), ...reportStreamDefs(o.reports)], o.includePasswordFields ?? false);
}

/** What `read` can run: every table stream (the catalog's schema says which fields) and the reports. */
export function readableStreams(o: CatalogOptions): StreamDef[] {
  return applySensitivePolicy([...tableStreamDefs(undefined), ...reportStreamDefs(o.reports)], o.includePasswordFields ?? false);
}
