import type { KeapCaller } from '../keap/client.js';
import { formatIsoUtc } from '../keap/dates.js';
import { KeapError } from '../keap/errors.js';
import type { Page } from '../rest/page.js';
import { restStreams, type RestStream } from './rest-registry.js';
import { parseTime, RestShaper, type RestField } from './rest-record.js';
import type { InProgress, StreamState } from './state.js';
import { LookbackMargin, type ReadContext } from './table-reader.js';

/**
 * Reads one REST v2 resource stream to the end, checkpointing after every page (scripts/
 * rest-resources.ts says how each resource is paged; this file is the one engine for all of them).
 *
 * Bookmarks work as for the tables: a finished pass leaves LastSuccessfulRun = the second the pass
 * started, and the next incremental pass asks Keap for rows changed since then, less an overlap of
 * at least one second (lookback_seconds when larger): Keap stamps rows to the second, so a row
 * changed in the same second the last pass started is read again, and a row re-read unchanged in the
 * overlap is dropped by key and cursor (LookbackMargin). While a pass runs, in_progress says where it
 * stands (the last id of a keyset pass, Keap's page token otherwise, the parent being read), so a
 * killed sync resumes after its last checkpointed page. A page token Keap no longer accepts restarts
 * the pass from the bookmark it started from: rows may repeat, none is skipped.
 */

export interface RestPlan {
  entry: RestStream;
  /** The fields to emit, in order (schema fields, custom-field columns, supplied columns). */
  fields: RestField[];
  /** The `fields` parameter to send, or undefined. */
  fieldsParam: string | undefined;
  incremental: boolean;
  state: StreamState;
}

/** Keap stamps rows to the second: a pass always re-reads at least this much of the last one. */
export const MIN_OVERLAP_MS = 1_000;
/** A pass whose page token keeps being refused gives up after this many restarts. */
const MAX_RESTARTS = 3;

export async function readRest(plan: RestPlan, ctx: ReadContext): Promise<void> {
  const reader = new RestPass(plan, ctx);
  await reader.run();
}

/** Where a segment of paging resumes: after an id (keyset) or at a page token. */
interface Position {
  after?: number;
  pageToken?: string;
}

class RestPass {
  private readonly entry: RestStream;
  private readonly client: KeapCaller;
  private readonly cursor: string | null;
  private readonly prev: StreamState;
  private readonly resumed: InProgress | undefined;
  private readonly startedAt: string;
  private readonly since: string | undefined;
  private readonly shaper: RestShaper;
  private readonly margin: LookbackMargin;
  private readonly pageSize: number | undefined;
  private maxCursor: string | undefined;
  private sinceState = 0;
  private restarts = 0;
  /** Nested collections: the parent being read, and the last one read to its end. */
  private currentParent: string | undefined;
  private parentAfter: string | undefined;

  constructor(
    private readonly plan: RestPlan,
    private readonly ctx: ReadContext,
  ) {
    this.entry = plan.entry;
    this.client = ctx.client;
    this.cursor = plan.incremental ? plan.entry.cursor : null;
    this.prev = plan.state;
    this.resumed = this.prev.in_progress;
    this.startedAt = this.resumed?.started_at ?? formatIsoUtc(ctx.clock.now());
    const overlap = Math.max(ctx.lookbackMs, MIN_OVERLAP_MS);
    this.since = this.resumed ? this.resumed.since : this.cursor ? lowerBound(this.prev, overlap, ctx.startDate) : undefined;
    this.shaper = new RestShaper(plan.fields);
    this.margin = new LookbackMargin(this.cursor ? overlap : 0, this.startedAt, this.prev.recent, this.resumed?.recent);
    this.maxCursor = this.cursor ? (this.prev[this.cursor] as string | undefined) : undefined;
    this.pageSize = plan.entry.paged ? Math.min(ctx.pageSize, plan.entry.page_size_max ?? 1000) : undefined;
    this.parentAfter = this.resumed?.parent_after;
  }

  async run(): Promise<void> {
    const stream = this.entry.stream;
    if (this.resumed) this.ctx.sink.log('INFO', `${stream}: resuming the pass started ${this.resumed.started_at}`);
    if (this.entry.parent) await this.readChildren();
    else await this.readSegment(this.entry.path, {}, this.resumedPosition());
    const done: StreamState = { LastSuccessfulRun: this.startedAt };
    if (this.cursor && this.maxCursor !== undefined) done[this.cursor] = this.maxCursor;
    const recent = this.margin.current();
    if (recent?.length) done.recent = recent;
    this.ctx.sink.state(stream, done, this.sinceState);
  }

  private resumedPosition(): Position {
    const r = this.resumed;
    if (!r) return {};
    const pos: Position = {};
    if (r.after !== undefined) pos.after = r.after;
    if (r.page_token !== undefined) pos.pageToken = r.page_token;
    return pos;
  }

  /**
   * A nested collection: the parent's ids (all of them, or those changed since the bookmark when the
   * parent's change marks the child's), in ascending order, each read to the end in turn.
   */
  private async readChildren(): Promise<void> {
    const parent = this.entry.parent;
    if (!parent) return;
    const ids = await this.parentIds();
    const after = this.parentAfter;
    let quiet = 0;
    for (const id of ids) {
      if (after !== undefined && compareIds(id, after) <= 0) continue;
      const resumeHere = this.resumed?.item === id ? this.resumedPosition() : {};
      const path = this.entry.path.replace(`{${parent.param}}`, encodeURIComponent(id));
      const before = this.sinceState;
      this.currentParent = id;
      await this.readSegment(path, { [parent.column]: id }, resumeHere);
      this.currentParent = undefined;
      this.parentAfter = id;
      quiet++;
      // One checkpoint per parent would flood the output for thousands of tags with no contacts:
      // checkpoint when records went out, or every 50 parents.
      if (this.sinceState > before || quiet >= 50) {
        this.checkpoint({});
        quiet = 0;
      }
    }
  }

  private async parentIds(): Promise<string[]> {
    const parent = this.entry.parent;
    if (!parent) return [];
    const p = restStreams().find((s) => s.stream === parent.stream);
    if (!p) throw new KeapError(`${this.entry.stream}: no parent stream ${parent.stream}`, 'system_error', 'registry');
    const ids: string[] = [];
    const since = parent.incremental && this.cursor ? this.since : undefined;
    const query = new ParentQuery(p, since, this.pageSize === undefined ? undefined : Math.min(this.ctx.pageSize, p.page_size_max ?? 1000));
    await query.each(this.client, (item) => {
      const id = item['id'];
      if (typeof id === 'string' || typeof id === 'number') ids.push(String(id));
    });
    return [...new Set(ids)].sort(compareIds);
  }

  /** Reads one path to its end from `start`, checkpointing after every page that is not the last. */
  private async readSegment(path: string, columns: Record<string, string>, start: Position): Promise<void> {
    const save = (pos: Position): void => this.checkpoint(pos);
    const sync = this.entry.sync;
    if (sync.kind === 'keyset') return this.keyset(path, columns, start, save);
    for (;;) {
      try {
        return await this.tokens(path, columns, start, save);
      } catch (err) {
        if (!(err instanceof KeapError) || err.rule !== 'rest-bad-page-token' || start.pageToken === undefined) throw err;
        if (++this.restarts > MAX_RESTARTS) throw err;
        this.ctx.sink.log('WARN', `${this.entry.stream}: ${err.message}; reading this pass again from ${this.since ?? 'the start'} (rows may repeat, none are skipped)`);
        start = {};
      }
    }
  }

  /** Keyset paging: every page a fresh query for ids past the last one read, in id order. */
  private async keyset(path: string, columns: Record<string, string>, start: Position, save: (pos: Position) => void): Promise<void> {
    const sync = this.entry.sync;
    if (sync.kind !== 'keyset') return;
    let after = start.after;
    for (;;) {
      const clauses = this.baseClauses();
      if (after !== undefined) clauses.push(`${sync.id_filter}>${after}`);
      const query = this.query(clauses, `${sync.order_by} asc`);
      const page = (await this.client.rest({ path, query, what: `GET ${path}`, page: this.entry.items_key })) as Page;
      let last = after;
      for (const item of page.items) {
        const record = asRecord(item, path);
        const id = numericId(record['id'], this.entry.stream);
        if (after !== undefined && id <= after) continue;
        if (last !== undefined && id <= last) {
          throw new KeapError(`GET ${path}: records did not arrive in id order; refusing to page on them`, 'system_error', 'unordered');
        }
        last = id;
        this.emit(record, columns);
      }
      if (last === after) {
        if (page.items.length > 0) {
          throw new KeapError(`GET ${path}: Keap answered ${sync.id_filter}>${after} with records at or before it; refusing to page on them`, 'system_error', 'unordered');
        }
        return;
      }
      after = last;
      if (page.nextPageToken === undefined) return;
      save({ after });
    }
  }

  /** Keap's page tokens, with the time filter where there is one, or newest first and stop at the bookmark. */
  private async tokens(path: string, columns: Record<string, string>, start: Position, save: (pos: Position) => void): Promise<void> {
    const sync = this.entry.sync;
    const newestFirst = sync.kind === 'order';
    const orderBy = sync.kind === 'keyset' ? undefined : sync.order_by;
    const query = this.query(this.baseClauses(), orderBy ? `${orderBy} ${newestFirst ? 'desc' : 'asc'}` : undefined);
    const sinceMs = newestFirst && this.since !== undefined ? Date.parse(this.since) : undefined;
    let token = start.pageToken;
    // Newest first, the pass may stop at the first page that reaches past the bookmark, but only
    // while Keap keeps the order it was asked for: out of order, every page is read.
    let ordered = true;
    let previous: number | undefined;
    for (;;) {
      const q = token === undefined ? query : { ...query, page_token: token };
      const page = (await this.client.rest({ path, query: q, what: `GET ${path}`, page: this.entry.items_key })) as Page;
      let older = false;
      for (const item of page.items) {
        const record = asRecord(item, path);
        if (sinceMs !== undefined && this.cursor) {
          const raw = record[this.cursor];
          const t = typeof raw === 'string' ? parseTime(raw) : undefined;
          if (t !== undefined) {
            if (previous !== undefined && t > previous && ordered) {
              ordered = false;
              this.ctx.sink.log('WARN', `${this.entry.stream}: Keap did not order ${path} by ${orderBy ?? 'its time'}; reading every page`);
            }
            previous = t;
            if (t < sinceMs) {
              older = true;
              continue;
            }
          }
        }
        this.emit(record, columns);
      }
      if (page.nextPageToken === undefined || (older && ordered)) return;
      token = page.nextPageToken;
      save({ pageToken: token });
    }
  }

  /** The filter clauses every query of this pass carries: the fixed ones and the time filter. */
  private baseClauses(): string[] {
    const clauses = [...this.entry.always];
    const sync = this.entry.sync;
    const since = sync.kind === 'keyset' || sync.kind === 'filter' ? sync.since : undefined;
    if (since !== undefined && this.since !== undefined && this.cursor) clauses.push(`${since}==${new Date(Date.parse(this.since)).toISOString()}`);
    return clauses;
  }

  private query(clauses: string[], orderBy: string | undefined): Record<string, string> {
    const q: Record<string, string> = {};
    if (this.pageSize !== undefined) q['page_size'] = String(this.pageSize);
    if (clauses.length) q['filter'] = clauses.join(';');
    if (orderBy !== undefined && this.entry.paged) q['order_by'] = orderBy;
    if (this.plan.fieldsParam) q['fields'] = this.plan.fieldsParam;
    return q;
  }

  private emit(record: Record<string, unknown>, columns: Record<string, string>): void {
    const flatten = this.entry.flatten;
    if (flatten) {
      const outer: Record<string, unknown> = {};
      for (const [column, field] of Object.entries(flatten.columns)) outer[column] = record[field];
      const list = record[flatten.field];
      if (list === undefined || list === null) return;
      if (!Array.isArray(list)) throw new KeapError(`GET ${this.entry.path}: ${flatten.field} is not a list`, 'system_error', 'bad-row');
      for (const inner of list) this.emitOne(asRecord(inner, this.entry.path), outer);
      return;
    }
    this.emitOne(record, columns);
  }

  private emitOne(record: Record<string, unknown>, columns: Record<string, unknown>): void {
    const key = this.keyOf(record, columns);
    if (this.cursor) {
      const raw = columns[this.cursor] ?? record[this.cursor];
      const ms = typeof raw === 'string' ? parseTime(raw) : undefined;
      const iso = ms === undefined ? undefined : new Date(ms).toISOString();
      if (!this.margin.admit(key, iso)) return;
      if (iso !== undefined && (this.maxCursor === undefined || iso > this.maxCursor)) this.maxCursor = iso;
    }
    this.ctx.sink.record(this.entry.stream, this.shaper.shape(record, columns), this.shaper.nulled.length ? [...this.shaper.nulled] : undefined);
    this.sinceState++;
  }

  /** The record's primary key as text; a record without its key fails the stream. */
  private keyOf(record: Record<string, unknown>, columns: Record<string, unknown>): string {
    const parts: string[] = [];
    for (const k of this.entry.primary_key) {
      const v = columns[k] ?? record[k];
      if (v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v)) || typeof v === 'object') {
        // Commission rows have no id: their key is several fields, some of which may be empty.
        if (this.entry.primary_key.length > 1 && k !== this.entry.primary_key[0]) {
          parts.push('');
          continue;
        }
        throw new KeapError(`GET ${this.entry.path}: a record without its key ${k}; refusing to emit it`, 'system_error', 'bad-row');
      }
      parts.push(String(v));
    }
    return parts.join(':');
  }

  /** STATE after a page: the finished bookmark as it was, plus where this pass stands. */
  private checkpoint(pos: Position): void {
    const progress: InProgress = { started_at: this.startedAt };
    if (this.since !== undefined) progress.since = this.since;
    if (pos.after !== undefined) progress.after = pos.after;
    if (pos.pageToken !== undefined) progress.page_token = pos.pageToken;
    if (this.currentParent !== undefined) progress.item = this.currentParent;
    if (this.parentAfter !== undefined) progress.parent_after = this.parentAfter;
    const recent = this.margin.current();
    if (recent) progress.recent = recent;
    const s: StreamState = {};
    if (this.prev.LastSuccessfulRun !== undefined) s.LastSuccessfulRun = this.prev.LastSuccessfulRun;
    if (this.cursor && this.maxCursor !== undefined) s[this.cursor] = this.maxCursor;
    if (this.prev.recent) s.recent = this.prev.recent;
    s.in_progress = progress;
    this.ctx.sink.state(this.entry.stream, s, this.sinceState);
    this.sinceState = 0;
  }
}

/** Pages through a parent stream for its ids, the way the parent itself is paged. */
class ParentQuery {
  constructor(
    private readonly parent: RestStream,
    private readonly since: string | undefined,
    private readonly pageSize: number | undefined,
  ) {}

  async each(client: KeapCaller, visit: (item: Record<string, unknown>) => void): Promise<void> {
    const p = this.parent;
    const sync = p.sync;
    const clauses = [...p.always];
    const sinceFilter = sync.kind === 'keyset' || sync.kind === 'filter' ? sync.since : undefined;
    if (this.since !== undefined && sinceFilter !== undefined) clauses.push(`${sinceFilter}==${new Date(Date.parse(this.since)).toISOString()}`);
    const base: Record<string, string> = {};
    if (this.pageSize !== undefined && p.paged) base['page_size'] = String(this.pageSize);
    let after: number | undefined;
    let token: string | undefined;
    for (;;) {
      const q: Record<string, string> = { ...base };
      const all = [...clauses];
      if (sync.kind === 'keyset') {
        if (after !== undefined) all.push(`${sync.id_filter}>${after}`);
        q['order_by'] = `${sync.order_by} asc`;
      } else if (token !== undefined) q['page_token'] = token;
      if (all.length) q['filter'] = all.join(';');
      const page = (await client.rest({ path: p.path, query: q, what: `GET ${p.path}`, page: p.items_key })) as Page;
      let last = after;
      for (const item of page.items) {
        const record = asRecord(item, p.path);
        if (sync.kind === 'keyset') {
          const id = numericId(record['id'], p.stream);
          if (after !== undefined && id <= after) continue;
          last = last === undefined ? id : Math.max(last, id);
        }
        visit(record);
      }
      if (page.nextPageToken === undefined) return;
      if (sync.kind === 'keyset') {
        if (last === after) return;
        after = last;
      } else token = page.nextPageToken;
    }
  }
}

function asRecord(item: unknown, path: string): Record<string, unknown> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new KeapError(`GET ${path}: a record that is not a JSON object; refusing the page`, 'system_error', 'bad-row');
  }
  return item as Record<string, unknown>;
}

/** Keyset paging compares ids as numbers; Keap's REST ids are numbers written as strings. */
function numericId(v: unknown, stream: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new KeapError(`${stream}: a record whose id is not a whole number (${JSON.stringify(v)?.slice(0, 40)}); cannot page on it`, 'system_error', 'bad-row');
  return n;
}

/** Numeric ids in numeric order, anything else after them in text order. */
function compareIds(a: string, b: string): number {
  const x = /^\d+$/.test(a) ? Number(a) : NaN;
  const y = /^\d+$/.test(b) ? Number(b) : NaN;
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  if (!Number.isNaN(x)) return -1;
  if (!Number.isNaN(y)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Where an incremental pass starts: the last finished pass's start less the overlap, else start_date. */
function lowerBound(prev: StreamState, overlapMs: number, startDate: string | undefined): string | undefined {
  const last = prev.LastSuccessfulRun;
  if (last !== undefined) return formatIsoUtc(Date.parse(last) - overlapMs);
  return startDate;
}
