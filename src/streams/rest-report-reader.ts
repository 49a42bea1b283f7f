import { formatIsoUtc } from '../keap/dates.js';
import type { XmlRpcStruct } from '../xmlrpc/types.js';
import type { DateWindow } from './report-dates.js';
import type { ResolvedReport } from './report-resolve.js';
import { canonical, RowKeyer } from './report-rows.js';
import { finalWindowEnd, reportWindow, WINDOW_END } from './report-window.js';
import { readRest, type Expanded } from './rest-reader.js';
import { restFieldsOf } from './rest-record.js';
import { reportSegments } from './rest-report-items.js';
import type { RestReportPlan } from './rest-report-plan.js';
import type { StreamRun } from './stream-def.js';
import type { ReadContext } from './table-reader.js';

/**
 * The one engine of the report streams on REST v2: a report's plan (rest-report-plan.ts) read as a
 * pass of rest-reader.ts, which pages (keyset, Keap's tokens, newest first), checkpoints after every
 * page and segment, and resumes. This file adds what makes a report: its segments (the affiliates,
 * tags, saved searches or ids it loops over), its date window as the endpoint's time filters, its
 * records taken out of the answer (a member object, each element of a member list, the one method of
 * a list that matches the id), the columns that say which call a record came from, `_key` for records
 * without an id, a second request's answer as a field (a file's data), and the window's end in the
 * finished state.
 */

export async function readRestReport(r: ResolvedReport, plan: RestReportPlan, run: StreamRun, ctx: ReadContext): Promise<void> {
  const { report } = plan;
  const prev = run.state;
  const incremental = run.syncMode === 'incremental';
  const startedAt = prev.in_progress?.started_at ?? formatIsoUtc(ctx.clock.now());
  const clauses = [...plan.clauses];
  const finalState: Record<string, string> = {};
  let since: string | undefined;
  let windowColumns: Record<string, string> = {};
  if (report.window && r.params.dates) {
    const window: DateWindow = reportWindow(r.params.dates, prev, incremental, Date.parse(startedAt), ctx);
    since = formatIsoUtc(window.startMs);
    if (incremental) finalState[WINDOW_END] = finalWindowEnd(prev, window);
    if (window.startMs >= window.endMs) {
      ctx.sink.log('INFO', `${r.stream}: the date window ${since} .. ${formatIsoUtc(window.endMs)} is empty; nothing to read`);
      ctx.sink.state(r.stream, { LastSuccessfulRun: startedAt, ...finalState }, 0);
      return;
    }
    // Keap's time filters are instants; the window's days are the app's, as on XML-RPC.
    clauses.push(`${report.window.since}==${new Date(window.startMs).toISOString()}`, `${report.window.until}==${new Date(window.endMs).toISOString()}`);
    windowColumns = { window_start: since, window_end: formatIsoUtc(window.endMs) };
  }
  // A full refresh of a query on LastSuccessfulRun starts at start_date, as on XML-RPC.
  if (plan.query?.bookmark && !incremental) since = ctx.startDate;

  const configured = run.schema.properties ? run.schema : plan.schema;
  const keyers = new Map<string, RowKeyer>();
  const keyed = plan.primaryKey.includes('_key');

  /** An answer's item as the report's records, each with the columns that say where it came from. */
  const expand = async (item: Record<string, unknown>, columns: Record<string, unknown>): Promise<Expanded[]> => {
    const out: Expanded[] = [];
    for (const own of take(item)) {
      // The record's own fields win: a column only fills what the record leaves out (tag_contacts' tag_id).
      const record: Record<string, unknown> = { ...columns, ...windowColumns, ...own };
      const itemField = report.itemField;
      if (itemField) record[itemField.column] = own[itemField.field] === undefined || own[itemField.field] === null ? null : String(own[itemField.field]);
      if (keyed) record['_key'] = keyerOf(columns).key(own as XmlRpcStruct);
      if (report.attach) record[report.attach.as] = await attached(String(own['id'] ?? ''));
      out.push({ record, columns: {} });
    }
    return out;
  };

  const take = (item: Record<string, unknown>): Record<string, unknown>[] => {
    const t = report.take;
    if (!t) return [item];
    if ('match' in t) return String(item['id']) === String(r.params[t.match] ?? '') ? [item] : [];
    const v = item[t.member];
    if (t.as !== undefined) {
      const as = t.as;
      return Array.isArray(v) ? v.map((x: unknown) => ({ [as]: x })) : [];
    }
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? [v as Record<string, unknown>] : [];
  };

  /** Occurrence counting is per call, as on XML-RPC: one keyer per segment's columns. */
  const keyerOf = (columns: Record<string, unknown>): RowKeyer => {
    const identity = `${r.entry.id}|${canonical(columns as XmlRpcStruct)}`;
    let k = keyers.get(identity);
    if (!k) keyers.set(identity, (k = new RowKeyer(identity)));
    return k;
  };

  const attached = async (id: string): Promise<unknown> => {
    const path = (report.attach?.endpoint ?? '').replace(/\{[^}]+\}/, encodeURIComponent(id));
    const body = await ctx.client.rest({ path, what: `GET ${path}` });
    return typeof body === 'string' ? body : null;
  };

  await readRest(
    {
      entry: plan.entry,
      fields: restFieldsOf(configured),
      fieldsParam: plan.fieldsParam,
      incremental,
      state: prev,
      report: {
        segments: () => reportSegments(r, plan, ctx),
        clauses,
        query: report.query ?? {},
        method: report.method ?? 'GET',
        object: report.answer === 'object',
        tokenKey: report.token_key ?? 'next_page_token',
        since,
        startedAt,
        expand,
        finalState,
      },
    },
    ctx,
  );
}
