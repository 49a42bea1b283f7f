import type { KeapCaller, KeapClient, LogFn } from '../keap/client.js';
import type { KeapTimeZone } from '../keap/dates.js';
import { KeapError } from '../keap/errors.js';
import { readCustomFields, type CustomField } from './custom-fields.js';
import type { ReportConfig } from './report-types.js';
import { refuseRestReports, reportStreamDefs } from './report-streams.js';
import { readRestModels, restStreamDefs } from './rest-streams.js';
import type { StreamDef } from './stream-def.js';
import { tableStreamDefs } from './table-streams.js';

export interface CatalogOptions {
  api: 'rest' | 'xmlrpc';
  tables: string[] | undefined;
  resources: string[] | undefined;
  reports: readonly ReportConfig[];
  /** The app's time zone (REST queries' dates). */
  timezone: KeapTimeZone;
}

/**
 * What `discover` lists: the configured tables with this account's custom fields, then the report
 * streams. A user whose credentials cannot read DataFormField still gets the shipped schemas.
 */
export async function discoverStreams(o: CatalogOptions, client: KeapClient, log: LogFn): Promise<StreamDef[]> {
  if (o.api === 'rest') return discoverRest(o, client, log);
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
  return [...tableStreamDefs(o.tables, custom), ...reportStreamDefs(o.reports)];
}

/** REST v2: the configured resources with the account's custom fields (from each resource's model), then the reports. */
async function discoverRest(o: CatalogOptions, client: KeapCaller, log: LogFn): Promise<StreamDef[]> {
  refuseRestReports(o.reports, o.timezone);
  const models = await readRestModels(client, o.resources, (m) => log('WARN', m));
  return withReports(restStreamDefs(o.resources, models), reportStreamDefs(o.reports, { api: 'rest', tz: o.timezone }), log);
}

/** What `read` can run: every stream of the configured API (the catalog's schema says which fields) and the reports. */
export function readableStreams(o: CatalogOptions): StreamDef[] {
  if (o.api === 'rest') return withReports(restStreamDefs(undefined), reportStreamDefs(o.reports, { api: 'rest', tz: o.timezone }));
  return [...tableStreamDefs(undefined), ...reportStreamDefs(o.reports)];
}

/**
 * Four report ids are also REST resource names (affiliate_commissions, affiliate_payments,
 * discount_shipping, webforms): a report entry keeps its stream name on REST, as on XML-RPC, so the
 * resource of that name gives way to it.
 */
function withReports(resources: StreamDef[], reports: StreamDef[], log?: LogFn): StreamDef[] {
  const taken = new Set(reports.map((r) => r.name));
  for (const name of resources.filter((s) => taken.has(s.name)).map((s) => s.name)) {
    log?.('INFO', `the resource stream ${name} is not offered: a report entry of config.reports produces a stream of that name (give the entry another 'stream' to have both)`);
  }
  return [...resources.filter((s) => !taken.has(s.name)), ...reports];
}
