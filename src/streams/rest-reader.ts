import type { KeapCaller } from '../keap/client.js';
import { formatIsoUtc } from '../keap/dates.js';
import { KeapError } from '../keap/errors.js';
import { readPage, type Page } from '../rest/page.js';
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
  /** A report's pass: what it reads beyond a resource's (rest-report-reader.ts). */
  report?: RestReportPass;
}

/**
 * One run of requests in a pass: a nested collection's parent, a report's affiliate or tag. A pass
 * reads its segments in key order and checkpoints after each, so it resumes after the last one done.
 */
export interface RestSegment {
  key: string;
  path: string;
  /** Filter clauses of this segment's requests. */
  clauses: string[];
  /** Columns every record of the segment carries (the parent's id, the report's members). */
  columns: Record<string, unknown>;
}

/** A record as the report emits it, with the columns it carries beside its own fields. */
export interface Expanded {
  record: Record<string, unknown>;
  columns: Record<string, unknown>;
}

export interface RestReportPass {
  /** The segments (undefined: the entry's path once, or its parents). */
  segments: () => Promise<RestSegment[] | undefined>;
  /** Filter clauses and query parameters of every request. */
  clauses: string[];
  query: Record<string, string>;
  method: 'GET' | 'POST';
  /** The answer is one object (a by-id GET), not a list page. */
  object: boolean;
  /** The answer's next-page token key (a report run's is `page_token`). */
  tokenKey: string;
  /** Where a pass that is not resumed starts (a date window's start), instead of the bookmark. */
  since: string | undefined;
  /** The pass's start, as the report worked out its window from it. */
  startedAt: string;
  /** An answer's item as the records to emit. */
  expand: (item: Record<string, unknown>, columns: Record<string, unknown>) => Promise<Expanded[]>;
  /** Keys the finished pass's state carries beside LastSuccessfulRun (a date window's end). */
  finalState: Record<string, string>;
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
    this.startedAt = this.resumed?.started_at ?? plan.report?.startedAt ?? formatIsoUtc(ctx.clock.now());
    const overlap = Math.max(ctx.lookbackMs, MIN_OVERLAP_MS);
    const report = plan.report;
    this.since = this.resumed ? this.resumed.since : report?.since !== undefined ? report.since : this.cursor ? lowerBound(this.prev, overlap, ctx.startDate) : undefined;
    this.shaper = new RestShaper(plan.fields);
    this.margin = new LookbackMargin(this.cursor ? overlap : 0, this.startedAt, this.prev.recent, this.resumed?.recent);
    this.maxCursor = this.cursor ? (this.prev[this.cursor] as string | undefined) : undefined;
    this.pageSize = plan.entry.paged ? Math.min(ctx.pageSize, plan.entry.page_size_max ?? 1000) : undefined;
    this.parentAfter = this.resumed?.parent_after;
  }

  async run(): Promise<void> {
    const stream = this.entry.stream;
    if (this.resumed) this.ctx.sink.log('INFO', `${stream}: resuming the pass started ${this.resumed.started_at}`);
    const segments = await this.plan.report?.segments();
    if (segments) await this.readSegments(segments);
    else if (this.entry.parent) await this.readSegments(await this.parentSegments());
    else await this.readSegment({ key: '', path: this.entry.path, clauses: [], columns: {} }, this.resumedPosition());
    const done: StreamState = { LastSuccessfulRun: this.startedAt, ...this.plan.report?.finalState };
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

  /** A nested collection's segments: one per parent id (all, or those changed since the bookmark when the parent's change marks the child's). */
  private async parentSegments(): Promise<RestSegment[]> {
    const parent = this.entry.parent;
    if (!parent) return [];
    return (await this.parentIds()).map((id) => ({ key: id, path: this.entry.path.replace(`{${parent.param}}`, encodeURIComponent(id)), clauses: [], columns: { [parent.column]: id } }));
  }

  /** Reads the segments in ascending key order, each to its end, after the last one a resumed pass finished. */
  private async readSegments(segments: readonly RestSegment[]): Promise<void> {
    const after = this.parentAfter;
    let quiet = 0;
    for (const segment of [...segments].sort((a, b) => compareIds(a.key, b.key))) {
      if (after !== undefined && compareIds(segment.key, after) <= 0) continue;
      const resumeHere = this.resumed?.item === segment.key ? this.resumedPosition() : {};
      const before = this.sinceState;
      this.currentParent = segment.key;
      await this.readSegment(segment, resumeHere);
      this.currentParent = undefined;
      this.parentAfter = segment.key;
      quiet++;
      // One checkpoint per segment would flood the output for thousands of tags with no contacts:
      // checkpoint when records went out, or every 50 segments.
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

  /** Reads one segment to its end from `start`, checkpointing after every page that is not the last. */
  private async readSegment(segment: RestSegment, start: Position): Promise<void> {
    const save = (pos: Position): void => this.checkpoint(pos);
    try {
      if (this.entry.sync.kind === 'keyset') return await this.keyset(segment, start, save);
      for (;;) {
        try {
          return await this.tokens(segment, start, save);
        } catch (err) {
          if (!(err instanceof KeapError) || err.rule !== 'rest-bad-page-token' || start.pageToken === undefined) throw err;
          if (++this.restarts > MAX_RESTARTS) throw err;
          this.ctx.sink.log('WARN', `${this.entry.stream}: ${err.message}; reading this pass again from ${this.since ?? 'the start'} (rows may repeat, none are skipped)`);
          start = {};
        }
      }
    } catch (err) {
      // A report's by-id read of something Keap does not have skips it, as on XML-RPC.
      if (!this.plan.report || !(err instanceof KeapError) || err.rule !== 'rest-not-found') throw err;
      this.ctx.sink.log('WARN', `${this.entry.stream}: ${segment.key === '' ? 'the record' : segment.key} skipped: ${err.message}`);
    }
  }

  /** One answer as a page: a list page, or one object for a by-id GET. */
  private async fetch(path: string, query: Record<string, string>): Promise<Page> {
    const report = this.plan.report;
    const method = report?.method ?? 'GET';
    // Read inside the attempt: an answer of the wrong shape is retried, never an empty page.
    const read = (json: unknown): Page =>
      report?.object ? { items: [asRecord(json, path)], nextPageToken: undefined } : readPage(json, this.entry.items_key, report?.tokenKey);
    return (await this.client.rest({ method, path, query, what: `${method} ${path}`, read })) as Page;
  }

  /** Keyset paging: every page a fresh query for ids past the last one read, in id order. */
  private async keyset(segment: RestSegment, start: Position, save: (pos: Position) => void): Promise<void> {
    const sync = this.entry.sync;
    if (sync.kind !== 'keyset') return;
    const { path, columns } = segment;
    let after = start.after;
    for (;;) {
      const clauses = [...this.baseClauses(), ...segment.clauses];
      if (after !== undefined) clauses.push(`${sync.id_filter}>${after}`);
      const query = this.query(clauses, `${sync.order_by} asc`);
      const page = await this.fetch(path, query);
      let last = after;
      for (const item of page.items) {
        const record = asRecord(item, path);
        const id = numericId(record['id'], this.entry.stream);
        if (after !== undefined && id <= after) continue;
        if (last !== undefined && id <= last) {
          throw new KeapError(`GET ${path}: records did not arrive in id order; refusing to page on them`, 'system_error', 'unordered');
        }
        last = id;
        if (this.plan.report) await this.emitExpanded(record, columns);
        else this.emit(record, columns);
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
  private async tokens(segment: RestSegment, start: Position, save: (pos: Position) => void): Promise<void> {
    const sync = this.entry.sync;
    const { path, columns } = segment;
    const newestFirst = sync.kind === 'order';
    const orderBy = sync.kind === 'keyset' ? undefined : sync.order_by;
    const query = this.query([...this.baseClauses(), ...segment.clauses], orderBy ? `${orderBy} ${newestFirst ? 'desc' : 'asc'}` : undefined);
    const sinceMs = newestFirst && this.since !== undefined ? Date.parse(this.since) : undefined;
    let token = start.pageToken;
    // Newest first, the pass may stop at the first page that reaches past the bookmark, but only
    // while Keap keeps the order it was asked for: out of order, every page is read.
    let ordered = true;
    let previous: number | undefined;
    for (;;) {
      const q = token === undefined ? query : { ...query, page_token: token };
      const page = await this.fetch(path, q);
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
        if (this.plan.report) await this.emitExpanded(record, columns);
        else this.emit(record, columns);
      }
      if (page.nextPageToken === undefined || (older && ordered)) return;
      token = page.nextPageToken;
      save({ pageToken: token });
    }
  }

  /** The filter clauses every query of this pass carries: the fixed ones and the time filter. */
  private baseClauses(): string[] {
    const clauses = [...this.entry.always, ...(this.plan.report?.clauses ?? [])];
    const sync = this.entry.sync;
    const since = sync.kind === 'keyset' || sync.kind === 'filter' ? sync.since : undefined;
    if (since !== undefined && this.since !== undefined && (this.cursor || this.plan.report)) clauses.push(`${since}==${new Date(Date.parse(this.since)).toISOString()}`);
    return clauses;
  }

  private query(clauses: string[], orderBy: string | undefined): Record<string, string> {
    const q: Record<string, string> = {};
    if (this.pageSize !== undefined) q['page_size'] = String(this.pageSize);
    if (clauses.length) q['filter'] = clauses.join(';');
    if (orderBy !== undefined && this.entry.paged) q['order_by'] = orderBy;
    if (this.plan.fieldsParam) q['fields'] = this.plan.fieldsParam;
    return { ...q, ...this.plan.report?.query };
  }

  /** A report's item, expanded into its records (the one await per record only reports pay). */
  private async emitExpanded(record: Record<string, unknown>, columns: Record<string, unknown>): Promise<void> {
    const report = this.plan.report;
    if (!report) return;
    const items: Expanded[] = [];
    this.emit(record, columns, (r, c) => items.push({ record: r, columns: c }));
    for (const item of items) for (const e of await report.expand(item.record, item.columns)) this.emitOne(e.record, e.columns);
  }

  /** An answer's item as records: itself, or each element of the array a derived stream is made of. */
  private emit(record: Record<string, unknown>, columns: Record<string, unknown>, out = (r: Record<string, unknown>, c: Record<string, unknown>): void => this.emitOne(r, c)): void {
    const flatten = this.entry.flatten;
    if (flatten) {
      const outer: Record<string, unknown> = {};
      for (const [column, field] of Object.entries(flatten.columns)) outer[column] = record[field];
      const list = record[flatten.field];
      if (list === undefined || list === null) return;
      if (!Array.isArray(list)) throw new KeapError(`GET ${this.entry.path}: ${flatten.field} is not a list`, 'system_error', 'bad-row');
      for (const inner of list) out(asRecord(inner, this.entry.path), { ...columns, ...outer });
      return;
    }
    out(record, columns);
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
      const page = (await client.rest({ path: p.path, query: q, what: `GET ${p.path}`, read: (json) => readPage(json, p.items_key) })) as Page;
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
