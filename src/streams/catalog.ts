import type { KeapCaller, KeapClient, LogFn } from '../keap/client.js';
import type { KeapTimeZone } from '../keap/dates.js';
import { KeapError } from '../keap/errors.js';
import { readCustomFields, type CustomField } from './custom-fields.js';
import type { ReportConfig } from './report-types.js';
import { namesCustomFields } from './report-resolve.js';
import { refuseRestReports, reportStreamDefs } from './report-streams.js';
import { readRestModels, restStreamDefs } from './rest-streams.js';
import { applySensitivePolicy } from './sensitive-fields.js';
import type { StreamDef } from './stream-def.js';
import { tableEntries } from './table-registry.js';
import { tableStreamDefs } from './table-streams.js';

export interface CatalogOptions {
  api: 'rest' | 'xmlrpc';
  tables: string[] | undefined;
  resources: string[] | undefined;
  reports: readonly ReportConfig[];
  /** List password fields (streams/sensitive-fields.ts) in the schemas. */
  includePasswordFields?: boolean;
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
  const needsCustom =
    !o.tables || o.tables.some((t) => ['Contact', 'Affiliate', 'Lead', 'ContactAction', 'Company', 'Job', 'RecurringOrder'].includes(t)) || o.reports.some(namesCustomFields);
  if (needsCustom) {
    try {
      custom = await readCustomFields(client);
    } catch (err) {
      if (err instanceof KeapError && err.failureType === 'config_error' && err.rule !== 'bad-table-or-field' && err.rule !== 'no-access') throw err;
      log('WARN', `custom fields are not listed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return applySensitivePolicy([...tableStreamDefs(o.tables, custom), ...reportStreamDefs(o.reports, undefined, custom)], o.includePasswordFields ?? false);
}

/** REST v2: the configured resources with the account's custom fields (from each resource's model), then the reports. */
async function discoverRest(o: CatalogOptions, client: KeapCaller, log: LogFn): Promise<StreamDef[]> {
  refuseRestReports(o.reports, o.timezone);
  const models = await readRestModels(client, o.resources, (m) => log('WARN', m));
  return applySensitivePolicy(withReports(restStreamDefs(o.resources, models), reportStreamDefs(o.reports, { api: 'rest', tz: o.timezone }), log), o.includePasswordFields ?? false);
}

/**
 * Report entries keep the names users gave them: four report ids are also REST resource names
 * (affiliate_commissions, affiliate_payments, discount_shipping, webforms), so an explicit report
 * entry wins, as on XML-RPC, and the resource of that name is not offered in that run, with a line
 * saying how to have both.
 */
function withReports(resources: StreamDef[], reports: StreamDef[], log?: LogFn): StreamDef[] {
  const taken = new Set(reports.map((r) => r.name));
  for (const r of resources) {
    if (taken.has(r.name)) log?.('WARN', `the report entry named '${r.name}' takes that stream name, so the REST resource stream '${r.name}' is not offered; give the report entry a "stream" name to have both`);
  }
  return [...resources.filter((r) => !taken.has(r.name)), ...reports];
}

/**
 * What `read` can run of the streams a catalog names: those of the configured API (the catalog's
 * schema says which fields) and the reports. Of these, the config may leave some out
 * (leftOutByConfig). Streams the catalog does not name are not built: a read of one stream reads
 * one schema file, not the whole registry.
 */
export function readableStreams(o: CatalogOptions, names: readonly string[]): StreamDef[] {
  const named = new Set(names);
  const streams =
    o.api === 'rest'
      ? withReports(restStreamDefs(names), reportStreamDefs(o.reports, { api: 'rest', tz: o.timezone }))
      : [...tableStreamDefs(tableEntries().filter((t) => named.has(t.stream)).map((t) => t.table)), ...reportStreamDefs(o.reports)];
  return applySensitivePolicy(streams, o.includePasswordFields ?? false);
}

/** The config lists that pick streams by name, each given (a list) or not (everything). */
export type ConfigSelection = Readonly<Record<string, readonly string[] | undefined>>;

export function configSelection(o: CatalogOptions): ConfigSelection {
  return { tables: o.tables, resources: o.resources };
}

/**
 * The streams of `names` the config leaves out, by the setting that does: a stream is read only
 * if the list that picks it (its `selectedBy`), when given, names it. The config limits `read` as
 * it limits `discover`, whatever the catalog lists, as Airbyte and Meltano users expect of a
 * connector's own filter.
 */
export function leftOutByConfig(names: readonly string[], defs: ReadonlyMap<string, StreamDef>, selection: ConfigSelection): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of names) {
    const by = defs.get(name)?.selectedBy;
    const list = by ? selection[by.setting] : undefined;
    if (by && list && !list.includes(by.name)) out.set(name, by.setting);
  }
  return out;
}
