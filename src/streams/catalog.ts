import type { KeapClient, LogFn } from '../keap/client.js';
import { KeapError } from '../keap/errors.js';
import { readCustomFields, type CustomField } from './custom-fields.js';
import type { ReportConfig } from './report-types.js';
import { reportStreamDefs } from './report-streams.js';
import type { StreamDef } from './stream-def.js';
import { tableStreamDefs } from './table-streams.js';

export interface CatalogOptions {
  tables: string[] | undefined;
  reports: readonly ReportConfig[];
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
  return [...tableStreamDefs(o.tables, custom), ...reportStreamDefs(o.reports)];
}

/**
 * What `read` can run: every table stream (the catalog's schema says which fields) and the reports.
 * Of these, the config may leave some out (leftOutByConfig).
 */
export function readableStreams(o: CatalogOptions): StreamDef[] {
  return [...tableStreamDefs(undefined), ...reportStreamDefs(o.reports)];
}

/** The config lists that pick streams by name, each given (a list) or not (everything). */
export type ConfigSelection = Readonly<Record<string, readonly string[] | undefined>>;

export function configSelection(o: CatalogOptions): ConfigSelection {
  return { tables: o.tables };
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
