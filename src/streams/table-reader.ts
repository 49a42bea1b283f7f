import type { Clock } from '../keap/clock.js';
import type { KeapCaller } from '../keap/client.js';
import type { KeapTimeZone } from '../keap/dates.js';
import { formatIsoUtc } from '../keap/dates.js';
import { KeapError } from '../keap/errors.js';
import { XmlRpcDateTime, isStruct, type XmlRpcStruct, type XmlRpcValue } from '../xmlrpc/types.js';
import { RecordShaper, toIsoUtc, type ShapedField } from './record-shaper.js';
import type { Sink } from './sink.js';
import type { InProgress, StreamState } from './state.js';
import type { TableEntry } from './table-registry.js';

/**
 * Reads one DataService table to the end, checkpointing after every page.
 *
 * Pages are KEYSET pages, never offsets: each asks for rows whose key is past the last key read,
 * ordered by that key (`Id ~>~ 41000`, orderBy Id ascending, page 0). Rows inserted, updated or
 * deleted by someone else while the sync runs cannot shift a row that stayed put out of view,
 * which offset paging does (a delete before the current offset skips a row). Ids never change,
 * so a row present and unchanged for the whole pass is read exactly once.
 *
 * Incremental passes add `cursor ~>=~ since` (cursor = LastUpdated, or DateCreated for append-only
 * tables). Rows are not read in cursor order, so the bookmark a finished pass leaves is the time the
 * pass STARTED (LastSuccessfulRun): a row changed after that is stamped later and is read next time.
 */

export interface ReadContext {
  client: KeapCaller;
  sink: Sink;
  tz: KeapTimeZone;
  clock: Clock;
  pageSize: number;
  /** Where the first incremental pass starts (ISO UTC), if configured. */
  startDate: string | undefined;
  lookbackMs: number;
}

export interface TablePlan {
  entry: TableEntry;
  stream: string;
  /** Fields to request and emit (the configured schema's properties that Keap can return). */
  fields: ShapedField[];
  incremental: boolean;
  state: StreamState;
}

export async function readTable(plan: TablePlan, ctx: ReadContext): Promise<void> {
  const { entry, stream } = plan;
  const known = plan.state.cursor_missing;
  // Whether the row count is in: a pass started again without the cursor need not ask twice.
  const counted = { done: false };
  if (entry.cursor === null || known !== entry.cursor) {
    try {
      await readPass(plan, ctx, plan.incremental ? entry.cursor : null, undefined, counted);
      return;
    } catch (err) {
      if (entry.cursor === null || !(await cursorIsMissing(err, entry, ctx))) throw err;
    }
    // Keap refuses such a query whole, at the first page; the same run goes on without the cursor
    // (were it refused later, the full pass below reads again whatever went out: nothing is skipped).
    ctx.sink.log(
      'WARN',
      `${stream}: Keap says ${entry.table} has no field ${entry.cursor}; reading the whole table ${plan.incremental ? 'instead of the rows changed since the last sync ' : ''}this run and every later run (${entry.cursor} is null in its records; reset the stream's state to try ${entry.cursor} again)`,
    );
    // Whatever a killed pass left in progress assumed the cursor: start again from the first row.
    const { in_progress: _dropped, ...finished } = plan.state;
    await readPass({ ...plan, state: finished }, ctx, null, entry.cursor, counted);
    return;
  }
  ctx.sink.log('INFO', `${stream}: reading the whole table: an earlier sync found that ${entry.table} has no field ${entry.cursor} (reset the stream's state to try it again)`);
  await readPass(plan, ctx, null, entry.cursor, counted);
}

/**
 * Whether an error means the table has no column `entry.cursor`. Keap answers a query naming a
 * field it does not have with fault 10 (NoFieldFound). Its text is not documented: when it names
 * `Table.Cursor` that settles it; otherwise one query asking for the cursor column alone does.
 */
async function cursorIsMissing(err: unknown, entry: TableEntry, ctx: ReadContext): Promise<boolean> {
  if (!isNoFieldFound(err) || entry.cursor === null) return false;
  const text = err instanceof KeapError && err.signal?.kind === 'fault' ? err.signal.text : '';
  if (new RegExp(`(^|[^\\w.])${entry.table}\\.${entry.cursor}(?![\\w.])`).test(text)) return true;
  try {
    // Only the cursor is named, so a NoFieldFound now can only be about it.
    await ctx.client.call('DataService.query', [entry.table, 1, 0, { [entry.cursor]: '~null~' }, [entry.cursor]], { what: `DataService.query on ${entry.table} (is there a ${entry.cursor}?)` });
    return false;
  } catch (probe) {
    if (isNoFieldFound(probe)) return true;
    throw probe;
  }
}

function isNoFieldFound(err: unknown): boolean {
  const s = err instanceof KeapError ? err.signal : undefined;
  return s?.kind === 'fault' && (s.code === 10 || /^\s*\[NoFieldFound\]/.test(s.text));
}

/**
 * One pass over the table. `cursor`: the column an incremental pass filters on (null: every row).
 * `missing`: the table's cursor column when Keap has none: it is not asked for, and the states say
 * so for later runs.
 */
async function readPass(plan: TablePlan, ctx: ReadContext, cursor: string | null, missing: string | undefined, counted: { done: boolean }): Promise<void> {
  const { entry, stream } = plan;
  const { client, sink, tz } = ctx;
  const keyset = entry.keyset;
  const prev = plan.state;
  const resumed = prev.in_progress;
  const startedAt = resumed?.started_at ?? formatIsoUtc(ctx.clock.now());
  const since = resumed ? resumed.since : cursor ? lowerBound(prev, ctx) : undefined;
  if (resumed) sink.log('INFO', `${stream}: resuming the pass started ${startedAt} after ${keyset} ${resumed.after ?? 0}`);

  const filter: Record<string, XmlRpcValue> = {};
  if (cursor && since !== undefined) filter[cursor] = `~>=~ ${tz.queryLowerBound(Date.parse(since))}`;
  const what = `DataService.query on ${entry.table}`;
  const selected = requestedFields(plan.fields, entry, missing);
  const shaper = new RecordShaper(plan.fields, tz, { keys: entry.primary_key });
  const estimate = (counted.done ? Promise.resolve(undefined) : client.call('DataService.count', [entry.table, Object.keys(filter).length ? filter : { [keyset]: '%' }], { what: `DataService.count on ${entry.table}` }))
    .then((n) => {
      if (typeof n !== 'number') return;
      counted.done = true;
      sink.estimate(stream, n);
    })
    .catch((err: unknown) => {
      // An account-wide failure stops the sync and is said once, by the engine's caller; a field
      // Keap does not have fails the first page too, which says so.
      if (err instanceof KeapError && err.accountWide) return;
      if (!isNoFieldFound(err)) sink.log('WARN', `${stream}: no row estimate (${err instanceof Error ? err.message : String(err)})`);
    });

  const unique = entry.keyset_unique;
  // Keyset position. A unique key (Id) pages strictly after the last value read. A repeating key
  // (ContactGroupAssign.ContactId) pages from the last value again, skipping rows already read at
  // it by their whole key; a value with more rows than a page is read by offset pages of that value.
  let after = resumed?.after ?? 0;
  let strict = unique || resumed?.after_complete === true || resumed?.after === undefined;
  let seen = new Set(resumed?.after_keys ?? []);
  let tiePage = resumed?.page ?? 0;
  let maxCursor = cursor ? (prev[cursor] as string | undefined) : undefined;
  let sinceState = 0;
  const margin = new LookbackMargin(cursor ? ctx.lookbackMs : 0, startedAt, prev.recent, resumed?.recent);

  try {
    for (;;) {
      let lastKey = after;
      let pageItems = 0;
      let allAtAfter = true;
      // Keys read at lastKey when it moved past `after` (non-unique keyset only).
      let current = new Set<string>();
      const query = (): readonly XmlRpcValue[] => {
        // Asked again before every retry: resume after what this page already delivered.
        pageItems = 0;
        const q: Record<string, XmlRpcValue> = { ...filter };
        if (tiePage > 0) q[keyset] = String(after);
        else if (lastKey === after) q[keyset] = strict ? `~>~ ${after}` : `~>=~ ${after}`;
        else q[keyset] = unique ? `~>~ ${lastKey}` : `~>=~ ${lastKey}`;
        return [entry.table, ctx.pageSize, tiePage, q, selected, keyset, true];
      };
      await client.call('DataService.query', query, {
        what,
        ready: () => sink.ready(),
        onItem: (item) => {
          pageItems++;
          if (!isStruct(item)) throw new KeapError(`${what}: expected a struct per row`, 'system_error', 'bad-row');
          const key = item[keyset];
          // Infinity (`<double>1e999</double>`) is a number too: paging past it, or emitting it as a
          // null key, would lose or merge rows.
          if (typeof key !== 'number' || !Number.isSafeInteger(key)) {
            throw new KeapError(`${what}: a row whose ${keyset} is not a finite integer (${describeKey(key)})`, 'system_error', 'bad-row');
          }
          if (key < lastKey) {
            // The server ignored orderBy: keyset paging would skip rows, so stop loudly instead.
            throw new KeapError(`${what}: rows did not arrive in ${keyset} order; refusing to page on them`, 'system_error', 'unordered');
          }
          if (key !== after) allAtAfter = false;
          if (unique) {
            if (key <= after || (key === lastKey && lastKey !== after)) return; // re-sent after a retry
          } else {
            const full = rowKey(item, entry.primary_key);
            if (key === after) {
              if (strict || seen.has(full)) return;
              seen.add(full);
            } else {
              if (key !== lastKey) current = new Set();
              else if (current.has(full)) return;
              current.add(full);
            }
          }
          lastKey = key;
          if (cursor) {
            const c = cursorIso(item[cursor], tz);
            if (!margin.admit(rowKey(item, entry.primary_key), c)) return;
            if (c !== undefined && (maxCursor === undefined || c > maxCursor)) maxCursor = c;
          }
          sink.record(stream, shaper.shape(item), shaper.nulled.length ? [...shaper.nulled] : undefined);
          sinceState++;
        },
      });
      const full = pageItems >= ctx.pageSize;
      let finished = false;
      if (tiePage > 0) {
        if (full) tiePage++;
        else {
          // Every row at `after` is read: continue strictly past it.
          tiePage = 0;
          strict = true;
          seen = new Set();
        }
      } else if (!unique && full && allAtAfter) {
        // A whole page of one repeating key value: read that value by offset pages.
        tiePage = 1;
      } else {
        if (lastKey !== after) {
          after = lastKey;
          strict = unique;
          seen = current;
        }
        finished = !full;
      }
      if (finished) break;
      const progress: InProgress = { started_at: startedAt, after };
      if (since !== undefined) progress.since = since;
      if (!unique) {
        if (strict) progress.after_complete = true;
        else progress.after_keys = [...seen];
        if (tiePage > 0) progress.page = tiePage;
      }
      const recentSoFar = margin.current();
      if (recentSoFar) progress.recent = recentSoFar;
      sink.state(stream, checkpoint(prev, cursor, maxCursor, progress, missing), sinceState);
      sinceState = 0;
    }
  } finally {
    await estimate;
  }
  const done: StreamState = { LastSuccessfulRun: startedAt };
  if (cursor && maxCursor !== undefined) done[cursor] = maxCursor;
  if (missing !== undefined) done.cursor_missing = missing;
  const recent = margin.current();
  if (recent?.length) done.recent = recent;
  sink.state(stream, done, sinceState);
}

/** Where an incremental pass starts: the last finished pass's start, less the lookback margin. */
function lowerBound(prev: StreamState, ctx: ReadContext): string | undefined {
  const last = prev.LastSuccessfulRun;
  if (last !== undefined) return formatIsoUtc(Date.parse(last) - ctx.lookbackMs);
  return ctx.startDate;
}

/** While a pass is under way the finished bookmark stays as it was, plus where the pass stands. */
function checkpoint(prev: StreamState, cursor: string | null, maxCursor: string | undefined, progress: InProgress, missing: string | undefined): StreamState {
  const s: StreamState = {};
  if (prev.LastSuccessfulRun !== undefined) s.LastSuccessfulRun = prev.LastSuccessfulRun;
  if (cursor && maxCursor !== undefined) s[cursor] = maxCursor;
  if (missing !== undefined) s.cursor_missing = missing;
  // The finished pass's margin is still needed if this pass is resumed.
  if (prev.recent) s.recent = prev.recent;
  s.in_progress = progress;
  return s;
}

/** A row's cursor as ISO UTC text (which sorts as time does), or undefined when it has none. */
function cursorIso(v: XmlRpcValue | undefined, tz: KeapTimeZone): string | undefined {
  if (v === undefined || v === null) return undefined;
  const iso = v instanceof XmlRpcDateTime ? toIsoUtc(v.text, tz) : typeof v === 'string' ? toIsoUtc(v, tz) : null;
  return iso ?? undefined;
}

/** Past this many rows in the margin, keep none: the state stays small; duplicates are then possible. */
const RECENT_LIMIT = 2_000;

/**
 * lookback_seconds makes each incremental pass re-read the last part of the previous one. A row
 * re-read there with the same cursor value was emitted last time: drop it (by key and cursor). A
 * row changed since has a new cursor and goes out. Each pass remembers the rows it emitted inside
 * the margin the next pass will re-read.
 */
export class LookbackMargin {
  private readonly previous: Set<string>;
  private readonly kept: Set<string>;
  /** Epoch ms where the next pass's margin begins: compared as time, since cursors come written with or without milliseconds. */
  private readonly from: number | undefined;
  private overflow = false;

  constructor(lookbackMs: number, startedAt: string, previous: string[] | undefined, soFar: string[] | undefined) {
    this.previous = new Set(lookbackMs > 0 ? (previous ?? []) : []);
    this.kept = new Set(soFar ?? []);
    this.from = lookbackMs > 0 ? Date.parse(startedAt) - lookbackMs : undefined;
  }

  /** False for a row the previous pass already emitted with this same cursor value. */
  admit(key: string, cursor: string | undefined): boolean {
    if (this.from === undefined || cursor === undefined) return true;
    const id = `${key}@${cursor}`;
    if (this.previous.has(id)) return false;
    if (!this.overflow && Date.parse(cursor) >= this.from) {
      this.kept.add(id);
      if (this.kept.size > RECENT_LIMIT) {
        this.overflow = true;
        this.kept.clear();
      }
    }
    return true;
  }

  current(): string[] | undefined {
    return this.from === undefined || this.overflow ? undefined : [...this.kept];
  }
}

function describeKey(v: XmlRpcValue | undefined): string {
  if (v === undefined) return 'none';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return typeof v === 'string' ? 'a string' : 'a non-number';
}

function rowKey(row: XmlRpcStruct, key: readonly string[]): string {
  return key.map((k) => String(row[k] ?? '')).join(':');
}

/**
 * The selected fields, plus the keyset column and key, which paging needs even if not selected,
 * and the cursor; never `missing`, a column Keap does not have (its records carry it as null).
 */
function requestedFields(fields: readonly ShapedField[], entry: TableEntry, missing: string | undefined): string[] {
  const names = fields.map((f) => f.name).filter((f) => f !== missing);
  for (const k of [entry.keyset, ...entry.primary_key, ...(entry.cursor ? [entry.cursor] : [])]) {
    if (!names.includes(k) && k !== missing) names.push(k);
  }
  return names;
}
