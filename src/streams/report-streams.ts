import type { CustomField } from './custom-fields.js';
import { readReport } from './report-reader.js';
import { resolveReports, type ResolvedReport } from './report-resolve.js';
import type { ReportConfig } from './report-types.js';
import { parseStreamState } from './state.js';
import type { StreamDef } from './stream-def.js';

/**
 * The report streams of `config.reports`: one per entry, named by its `stream` key or its report
 * id, each read by the one report engine. Entries are resolved (and checked) here as well as when
 * the config is loaded, so a caller that builds streams directly gets the same errors. `custom`
 * types the custom fields reports over a table name.
 */
export function reportStreamDefs(reports: readonly ReportConfig[], custom: readonly CustomField[] = []): StreamDef[] {
  return resolveReports(reports, custom).map(reportStreamDef);
}

export function reportStreamDef(r: ResolvedReport): StreamDef {
  const cursor = r.record.cursor;
  return {
    name: r.stream,
    kind: 'report',
    description: String(r.schema.description ?? r.entry.title),
    schema: r.schema,
    primaryKey: r.record.primaryKey,
    cursorField: cursor,
    supportedSyncModes: cursor ? ['full_refresh', 'incremental'] : ['full_refresh'],
    parseState: (raw) => parseStreamState(r.stream, raw, cursor),
    read: (run, ctx) => readReport(r, run, ctx),
  };
}
