import type { CustomField } from './custom-fields.js';
import { InputError } from '../input-error.js';
import type { KeapTimeZone } from '../keap/dates.js';
import { readReport } from './report-reader.js';
import { resolveReports, type ResolvedReport } from './report-resolve.js';
import type { ReportConfig } from './report-types.js';
import { planRestReport } from './rest-report-plan.js';
import { readRestReport } from './rest-report-reader.js';
import { parseStreamState } from './state.js';
import type { StreamDef } from './stream-def.js';

/**
 * The report streams of `config.reports`: one per entry, named by its `stream` key or its report
 * id, each read by the one report engine of the API the config reads (report-reader.ts on XML-RPC,
 * rest-report-reader.ts on REST v2). Entries are resolved (and checked) here as well as when the
 * config is loaded, so a caller that builds streams directly gets the same errors. `custom` types
 * the custom fields XML-RPC reports over a table name.
 */

/** With `api: rest`, the zone a query's dates are in. */
export interface RestReportOptions {
  api: 'rest';
  tz: KeapTimeZone;
}

export function reportStreamDefs(reports: readonly ReportConfig[], rest?: RestReportOptions, custom: readonly CustomField[] = []): StreamDef[] {
  return resolveReports(reports, rest ? [] : custom).map((r) => (rest ? restReportStreamDef(r, rest.tz) : reportStreamDef(r)));
}

/**
 * With `api: rest`: the first entry REST v2 cannot serve, as the one-line error `check` and
 * `discover` stop on (read fails only that stream, with the same line).
 */
export function refuseRestReports(reports: readonly ReportConfig[], tz: KeapTimeZone): void {
  for (const r of resolveReports(reports)) planRestReport(r, tz);
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

function restReportStreamDef(r: ResolvedReport, tz: KeapTimeZone): StreamDef {
  let plan;
  try {
    plan = planRestReport(r, tz);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    // A report REST v2 cannot serve: the stream is offered so that a catalog naming it fails it
    // alone, with the same line check and discover give.
    return { ...reportStreamDef(r), read: () => Promise.reject(err) };
  }
  const cursor = plan.cursor;
  return {
    name: r.stream,
    kind: 'report',
    description: plan.description,
    schema: plan.schema,
    primaryKey: plan.primaryKey,
    cursorField: cursor,
    supportedSyncModes: cursor ? ['full_refresh', 'incremental'] : ['full_refresh'],
    parseState: (raw) => parseStreamState(r.stream, raw, cursor),
    read: (run, ctx) => readRestReport(r, plan, run, ctx),
  };
}
