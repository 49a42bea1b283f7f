import { formatIsoUtc } from '../keap/dates.js';
import { KeapError } from '../keap/errors.js';
import { XmlRpcDateTime, isStruct, type XmlRpcStruct, type XmlRpcValue } from '../xmlrpc/types.js';
import type { JsonSchema } from './json-schema.js';
import { fieldsOf, RecordShaper } from './record-shaper.js';
import type { DateWindow } from './report-dates.js';
import type { CallInput, Item } from './report-entry.js';
import { listItems } from './report-items.js';
import { buildQuery, queryCursorField } from './report-query.js';
import type { ResolvedReport } from './report-resolve.js';
import { affiliateIdOf, canonical, listRows, mapElement, mapEntries, RowKeyer, scalarOf } from './report-rows.js';
import { tableStream } from './report-schemas.js';
import { type InProgress, type StreamState } from './state.js';
import { finalWindowEnd, reportWindow, WINDOW_END } from './report-window.js';
import type { StreamRun } from './stream-def.js';
import type { ReadContext } from './table-reader.js';

/**
 * The one engine every report stream runs on. A run lists its items (report-items.ts), calls the
 * report's method for each (one call, or pages), turns the answer into rows (report-rows.ts) with
 * the identifying members added, and checkpoints:
 * - paged reports after every page that is not the last: in_progress {item, page: next page};
 * - fan-out reports after an item that emitted rows (and every 100 items): in_progress.done;
 * - always a final {LastSuccessfulRun: start of this run} after the last row.
 * A resumed run keeps the run's start and window (in_progress.started_at, .since), skips the
 * items in `done` and starts the current item at its saved page.
 *
 * Date-window reports send the window as XML-RPC dateTimes in the app's zone. An incremental sync
 * reads from where the previous one's window ended (less lookback; the configured start for the
 * first) to the configured end, never past this run's start: a fixed end date stays where the user
 * put it, in every sync mode, and only an open end (or one counted in days back) moves. The end
 * read is kept in the state as `window_end`, the next sync's start.
 */

/** Where a date-window report's incremental syncs continue from (the stream's cursor). */

/** Checkpoint fan-out progress at least this often, even when items return nothing. */
const ITEMS_PER_CHECKPOINT = 100;

export async function readReport(r: ResolvedReport, run: StreamRun, ctx: ReadContext): Promise<void> {
  const { entry, params, stream } = r;
  const { client, sink, tz } = ctx;
  const prev = run.state;
  const resumed = prev.in_progress;
  const startedAt = resumed?.started_at ?? formatIsoUtc(ctx.clock.now());
  const startedMs = Date.parse(startedAt);
  const incremental = run.syncMode === 'incremental';
  if (resumed) sink.log('INFO', `${stream}: resuming the pass started ${startedAt} (${resumed.done?.length ?? 0} items done)`);

  let window: DateWindow | undefined;
  let since: string | undefined;
  let query: XmlRpcStruct | undefined;
  if (entry.incremental === 'window' && params.dates) {
    window = reportWindow(r.params.dates as NonNullable<typeof r.params.dates>, prev, incremental, startedMs, ctx);
    since = formatIsoUtc(window.startMs);
  }
  if (entry.incremental === 'query') {
    since = resumed?.since ?? queryBound(prev, incremental, ctx);
    const bound = tz.queryLowerBound(Date.parse(since));
    // A date-only field holds midnight: compared with a time of day it would miss the rest of
    // that day, so it is compared with the day.
    const dateOnly = tableStream(params.table ?? '')?.date_only.includes(queryCursorField(params.query) ?? '') === true;
    query = buildQuery(params.table ?? '', params.query, dateOnly ? `${bound.slice(0, 10)} 00:00:00` : bound) as XmlRpcStruct;
  }

  const configured: JsonSchema = run.schema.properties ? run.schema : r.schema;
  const shaper = new RecordShaper(fieldsOf(configured), tz, { passThrough: r.record.open, keys: r.record.primaryKey, omit: run.omit });
  const keyed = r.record.primaryKey.includes('_key');
  const windowMembers: XmlRpcStruct = window ? { window_start: formatIsoUtc(window.startMs), window_end: formatIsoUtc(window.endMs) } : {};
  const callWindow = window ? { start: new XmlRpcDateTime(tz.formatCompact(window.startMs)), end: new XmlRpcDateTime(tz.formatCompact(window.endMs)) } : undefined;

  let sinceState = 0;
  const done: string[] = [...(resumed?.done ?? [])];
  const doneSet = new Set(done);
  const checkpoint = (extra: Partial<InProgress>): void => {
    const progress: InProgress = { started_at: startedAt };
    if (since !== undefined) progress.since = since;
    if (done.length) progress.done = [...done];
    Object.assign(progress, extra);
    const s: StreamState = {};
    if (prev.LastSuccessfulRun !== undefined) s.LastSuccessfulRun = prev.LastSuccessfulRun;
    s.in_progress = progress;
    sink.state(stream, s, sinceState);
    sinceState = 0;
  };

  if (window && window.startMs >= window.endMs) {
    sink.log('INFO', `${stream}: the date window ${formatIsoUtc(window.startMs)} .. ${formatIsoUtc(window.endMs)} is empty; nothing to read`);
  } else {
    const items = await listItems(r, ctx);
    const todo = items.filter((it) => !doneSet.has(it.key));
    let sinceCheckpoint = 0;
    for (const [n, item] of todo.entries()) {
      const startPage = resumed?.item === item.key ? (resumed.page ?? 0) : 0;
      const emit = emitter(item);
      try {
        await readItem(item, startPage, emit, (page) => checkpoint({ item: item.key, page }));
      } catch (err) {
        if (!(err instanceof KeapError && err.skippable)) throw err;
        sink.log('WARN', `${stream}: ${item.label} skipped: ${err.message}`);
      }
      done.push(item.key);
      sinceCheckpoint++;
      const last = n === todo.length - 1;
      if (!last && entry.items !== 'single' && (sinceState > 0 || sinceCheckpoint >= ITEMS_PER_CHECKPOINT)) {
        checkpoint({});
        sinceCheckpoint = 0;
      }
    }
  }
  const final: StreamState = { LastSuccessfulRun: startedAt };
  if (window && incremental) final[WINDOW_END] = finalWindowEnd(prev, window);
  sink.state(stream, final, sinceState);

  /**
   * Builds and writes the record of one row of `item` (`affiliateId`: whose row it is, in an
   * affiliate batch; `columns`: every column the row was asked for, null where Keap left it out).
   */
  function emitter(item: Item): (row: XmlRpcStruct, affiliateId?: number, columns?: readonly string[]) => void {
    const keyer = keyed ? new RowKeyer(`${entry.id}|${canonical(item.members)}`) : undefined;
    return (row, affiliateId, columns) => {
      const full: XmlRpcStruct = { ...inColumnOrder(row, columns), ...item.members, ...windowMembers };
      if (entry.items === 'affiliate_batches') full['affiliate_id'] = affiliateId ?? null;
      if (keyer) full['_key'] = keyer.key(row);
      sink.record(stream, shaper.shape(full), shaper.nulled.length ? [...shaper.nulled] : undefined);
      sinceState++;
    };
  }

  async function readItem(
    item: Item,
    startPage: number,
    emit: (row: XmlRpcStruct, affiliateId?: number, columns?: readonly string[]) => void,
    pageDone: (next: number) => void,
  ): Promise<void> {
    let fields = r.selects;
    // A saved search's rows carry its columns, whose names come from getAllReportColumns (not
    // table fields: 'Follow-UpSequence'), unless `fields` names some.
    const columns = entry.paging === 'saved_search' && fields.length === 0 ? await searchColumns(item) : undefined;
    if (entry.selectsAllColumns && columns !== undefined) fields = columns;
    const input = (page: number): CallInput => ({ params, item, window: callWindow, page, pageSize: ctx.pageSize, fields, query });
    const what = `${entry.method} (${item.label})`;

    if (entry.shape === 'file') return readFile(item, emit);
    if (entry.shape === 'scalar') {
      const v = await client.call(entry.method, entry.args(input(0)), { what });
      emit({ [entry.valueMember?.name ?? 'value']: scalarOf(v) });
      return;
    }
    if (entry.items === 'affiliate_batches') {
      // Small answers, read whole: which row is which affiliate may need the row count.
      const v = await client.call(entry.method, entry.args(input(0)), { what });
      const keyed = byAffiliateKey(v);
      if (keyed) {
        for (const [id, row] of keyed) emit(row, affiliateIdOf(row) ?? id);
        return;
      }
      const rows = listRows(v);
      // Rows say which affiliate they are about; failing that, one row per id asked, in order.
      rows.forEach((row, i) => emit(row, affiliateIdOf(row) ?? (item.ids.length === 1 || rows.length === item.ids.length ? item.ids[i] : undefined)));
      return;
    }
    /** An element of an array answer, or (whole) an answer that is not an array. */
    const toRows = (v: XmlRpcValue, whole: boolean): XmlRpcStruct[] => {
      if (entry.shape !== 'map') return listRows(v);
      const k = entry.keyMember?.name ?? 'key';
      const val = entry.valueMember?.name ?? 'value';
      return (whole ? mapEntries(v) : mapElement(v)).map(([key, value]) => ({ [k]: key, [val]: value }));
    };
    // A server that ignores the page number answers the same page forever: stop at a repeat.
    let previous: string | undefined;
    const repeated = (print: string, page: number): boolean => {
      if (print !== previous) {
        previous = print;
        return false;
      }
      sink.log('WARN', `${stream}: ${what} answered page ${page} with the same rows as page ${page - 1}; stopping there`);
      return true;
    };
    for (let page = startPage; ; page++) {
      if (entry.paging === 'saved_search') {
        // Keap fixes these pages' size, so they are read whole: a repeated page is caught before
        // its rows go out twice. The end is an empty page.
        const rows = listRows(await client.call(entry.method, entry.args(input(page)), { what, ready: () => sink.ready() }));
        if (rows.length === 0 || repeated(canonical(rows), page)) return;
        rows.forEach((row) => emit(row, undefined, columns));
        pageDone(page + 1);
        continue;
      }
      let first: string | undefined;
      const count = await streamCall(entry.method, () => entry.args(input(page)), what, (el, whole) => {
        first ??= canonical(el);
        for (const row of toRows(el, whole)) emit(row);
      });
      // DataService pages end with a short one.
      if (entry.paging === 'none' || count < ctx.pageSize || repeated(`${count}:${first ?? ''}`, page)) return;
      pageDone(page + 1);
    }
  }

  /**
   * One call whose array answer is streamed element by element. After a retry the same page
   * arrives again from its first element: elements already emitted are skipped. Returns how many
   * elements the answer had (a non-array answer counts as its rows).
   */
  async function streamCall(method: string, args: () => readonly XmlRpcValue[], what: string, onElement: (el: XmlRpcValue, whole: boolean) => void): Promise<number> {
    let delivered = 0;
    let seen = 0;
    const result = await client.call(
      method,
      () => {
        seen = 0;
        return args();
      },
      {
        what,
        ready: () => sink.ready(),
        onItem: (el) => {
          seen++;
          if (seen <= delivered) return;
          delivered++;
          onElement(el, false);
        },
      },
    );
    if (Array.isArray(result)) {
      // A transport that does not stream still answers with the whole array.
      for (const el of result.slice(delivered)) onElement(el, false);
      return delivered + Math.max(0, result.length - delivered);
    }
    onElement(result, true);
    return listRows(result).length;
  }

  /** Every column the saved search has. */
  async function searchColumns(item: Item): Promise<string[]> {
    const v = await client.call('SearchService.getAllReportColumns', [item.id, item.userId], { what: `SearchService.getAllReportColumns (${item.label})` });
    return mapEntries(v)
      .map(([k]) => (typeof k === 'string' ? k : String(k)))
      .filter((k) => k !== '');
  }

  /** Get File: name and size from FileBox, then the content, kept as the base64 text Keap sent. */
  async function readFile(item: Item, emit: (row: XmlRpcStruct) => void): Promise<void> {
    let box: XmlRpcStruct = {};
    try {
      const v = await client.call('DataService.load', ['FileBox', item.id, ['Id', 'FileName', 'Extension', 'FileSize']], { what: `DataService.load on FileBox ${item.id}` });
      if (isStruct(v)) box = v;
    } catch (err) {
      // Not found is the file's answer too; anything else (no access to FileBox) only costs the name.
      if (!(err instanceof KeapError) || err.skippable || err.failureType !== 'config_error') throw err;
      sink.log('WARN', `${stream}: no file name for file ${item.id}: ${err.message}`);
    }
    const data = await client.call(entry.method, [item.id], { what: `${entry.method} (${item.label})` });
    emit({ file_name: fileName(box), file_size: box['FileSize'] ?? null, data: isStruct(data) || Array.isArray(data) ? null : data });
  }
}

/** The row with every one of `columns` first, in their order (null where absent), then its other members. */
function inColumnOrder(row: XmlRpcStruct, columns: readonly string[] | undefined): XmlRpcStruct {
  if (columns === undefined) return row;
  const out: XmlRpcStruct = {};
  for (const c of columns) out[c] = row[c] ?? null;
  for (const [k, v] of Object.entries(row)) if (!(k in out)) out[k] = v;
  return out;
}

/** `{"12": {...}, "13": {...}}`: per-affiliate rows keyed by affiliate id. */
function byAffiliateKey(v: XmlRpcValue): [number, XmlRpcStruct][] | undefined {
  if (!isStruct(v)) return undefined;
  const entries = Object.entries(v);
  if (entries.length === 0 || !entries.every(([k, x]) => /^\d+$/.test(k) && isStruct(x))) return undefined;
  return entries.map(([k, x]) => [Number(k), x as XmlRpcStruct]);
}

function fileName(box: XmlRpcStruct): XmlRpcValue {
  const name = box['FileName'];
  const ext = box['Extension'];
  if (typeof name !== 'string' || name === '') return null;
  return typeof ext === 'string' && ext !== '' && !name.includes('.') ? `${name}.${ext}` : name;
}

/** data_query's LastSuccessfulRun: the bookmark (incremental), else start_date, else the epoch. */
function queryBound(prev: StreamState, incremental: boolean, ctx: ReadContext): string {
  const last = prev.LastSuccessfulRun;
  if (incremental && last !== undefined) return formatIsoUtc(Date.parse(last) - ctx.lookbackMs);
  return ctx.startDate ?? formatIsoUtc(0);
}
