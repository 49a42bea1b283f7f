import type { KeapCaller } from '../keap/client.js';
import { formatIsoUtc } from '../keap/dates.js';
import { KeapError } from '../keap/errors.js';
import { internName } from '../rest/json-keys.js';
import { T_ARRAY, T_NULL, T_OBJECT } from '../rest/json-scan.js';
import { readPage, type Page } from '../rest/page.js';
import { eachRaw, type PageEnd } from '../rest/page-reader.js';
import type { RawJson } from '../rest/raw-json.js';
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
 *
 * A resource's pages are read as they stream in (rest/page-reader.ts): each record is shaped from
 * Keap's bytes and handed on before the page has ended. A report's answer is read whole (a by-id
 * object, a POST, its own token name) and its items expanded (an await per item, which a streamed
 * page cannot make), then written by the same shaper.
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
  /** The key's member names, interned once (rest/json-keys.ts). */
  private readonly keyIds: number[];
  /** A report's items of the page being read, expanded once the page is in (emitReport). */
  private pending: Expanded[] = [];
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
    this.keyIds = plan.entry.primary_key.map(internName);
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
      const id = item.get('id');
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

  /**
   * One page, each item handed to onItem: a resource's as it streams in, a report's once its answer
   * is in (a list page, or one object for a by-id GET), then expanded into its records. `query` is
   * asked before every attempt.
   */
  private async page(path: string, query: () => Record<string, string>, onItem: (item: RawJson) => void): Promise<PageEnd> {
    const report = this.plan.report;
    if (!report) {
      return this.client.restPage({ path, query, what: `GET ${path}`, itemsKey: this.entry.items_key, ready: () => this.ctx.sink.ready(), onItem });
    }
    const method = report.method;
    // Read inside the attempt: an answer of the wrong shape is retried, never an empty page.
    const read = (json: unknown): Page => (report.object ? { items: [json], nextPageToken: undefined } : readPage(json, this.entry.items_key, report.tokenKey));
    const page = (await this.client.rest({ method, path, query, what: `${method} ${path}`, read })) as Page;
    this.pending = [];
    eachRaw(page.items, onItem);
    await this.emitReport();
    return { items: page.items.length, nextPageToken: page.nextPageToken };
  }

  /**
   * Keyset paging: every page a fresh query for ids past the last one read, in id order. An attempt
   * that fails after handing on part of a page is asked again for ids past the last one handed on.
   */
  private async keyset(segment: RestSegment, start: Position, save: (pos: Position) => void): Promise<void> {
    const sync = this.entry.sync;
    if (sync.kind !== 'keyset') return;
    const { path, columns } = segment;
    let after = start.after;
    for (;;) {
      // The last id handed on (across attempts), and the id this attempt asked to read past.
      let last = after;
      let floor = after;
      const query = (): Record<string, string> => {
        floor = last;
        const clauses = [...this.baseClauses(), ...segment.clauses];
        if (last !== undefined) clauses.push(`${sync.id_filter}>${last}`);
        return this.query(clauses, `${sync.order_by} asc`);
      };
      const page = await this.page(path, query, (item) => {
        const record = asRecord(item, path);
        const id = numericId(record.get('id'), this.entry.stream);
        if (floor !== undefined && id <= floor) return;
        if (last !== undefined && id <= last) {
          throw new KeapError(`GET ${path}: records did not arrive in id order; refusing to page on them`, 'system_error', 'unordered');
        }
        last = id;
        this.emit(record, columns, undefined);
      });
      if (last === after) {
        if (page.items > 0) {
          throw new KeapError(`GET ${path}: Keap answered ${sync.id_filter}>${after} with records at or before it; refusing to page on them`, 'system_error', 'unordered');
        }
        return;
      }
      after = last;
      if (page.nextPageToken === undefined) return;
      save({ after });
    }
  }

  /**
   * Keap's page tokens, with the time filter where there is one, or newest first and stop at the
   * bookmark. An attempt that fails after handing on part of a page reads the same page again and
   * skips what it handed on (PageLedger).
   */
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
      const ledger = new PageLedger();
      const before = previous;
      let older = false;
      const attempt = (): Record<string, string> => {
        ledger.attempt();
        previous = before;
        older = false;
        return q;
      };
      const page = await this.page(path, attempt, (item) => {
        const record = asRecord(item, path);
        if (sinceMs !== undefined && this.cursor) {
          const raw = record.get(this.cursor);
          const t = typeof raw === 'string' ? parseTime(raw) : undefined;
          if (t !== undefined) {
            if (previous !== undefined && t > previous && ordered) {
              ordered = false;
              this.ctx.sink.log('WARN', `${this.entry.stream}: Keap did not order ${path} by ${orderBy ?? 'its time'}; reading every page`);
            }
            previous = t;
            if (t < sinceMs) {
              older = true;
              return;
            }
          }
        }
        this.emit(record, columns, ledger);
      });
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

  /** An answer's item as records: itself, or each element of the array a derived stream is made of. */
  private emit(record: RawJson, columns: Record<string, unknown>, ledger: PageLedger | undefined): void {
    const flatten = this.entry.flatten;
    if (flatten) {
      const outer: Record<string, unknown> = { ...columns };
      for (const [column, field] of Object.entries(flatten.columns)) outer[column] = record.get(field);
      const at = record.indexOf(flatten.field);
      if (at < 0 || record.typeOf(at) === T_NULL) return;
      if (record.typeOf(at) !== T_ARRAY) throw new KeapError(`GET ${this.entry.path}: ${flatten.field} is not a list`, 'system_error', 'bad-row');
      const list = record.open(at);
      for (let i = 0; i < list.size; i++) {
        if (list.typeOf(i) !== T_OBJECT) throw notAnObject(this.entry.path);
        this.emitItem(list.open(i), outer, ledger);
      }
      return;
    }
    this.emitItem(record, columns, ledger);
  }

  /** A resource's record goes out now; a report's waits for the page's end to be expanded. */
  private emitItem(record: RawJson, columns: Record<string, unknown>, ledger: PageLedger | undefined): void {
    if (this.plan.report) this.pending.push({ record: objectOf(record), columns });
    else this.emitOne(record, columns, ledger);
  }

  /** The page's report items, each expanded into the records the report makes of it. */
  private async emitReport(): Promise<void> {
    const report = this.plan.report;
    if (!report) return;
    const items = this.pending;
    this.pending = [];
    for (const item of items) {
      for (const e of await report.expand(item.record, item.columns)) eachRaw([e.record], (raw) => this.emitOne(raw, e.columns, undefined));
    }
  }

  private emitOne(record: RawJson, columns: Record<string, unknown>, ledger: PageLedger | undefined): void {
    const key = this.keyOf(record, columns);
    if (this.cursor) {
      const raw = columns[this.cursor] ?? record.get(this.cursor);
      const ms = typeof raw === 'string' ? parseTime(raw) : undefined;
      const iso = ms === undefined ? undefined : new Date(ms).toISOString();
      if (!this.margin.admit(key, iso)) return;
      if (iso !== undefined && (this.maxCursor === undefined || iso > this.maxCursor)) this.maxCursor = iso;
    }
    if (ledger !== undefined && !ledger.handOn(key)) return;
    this.ctx.sink.record(this.entry.stream, this.shaper.shape(record, columns), this.shaper.nulled.length ? [...this.shaper.nulled] : undefined);
    this.sinceState++;
  }

  /** The record's primary key as text; a record without its key fails the stream. */
  private keyOf(record: RawJson, columns: Record<string, unknown>): string {
    const key = this.entry.primary_key;
    if (key.length === 1) return this.keyPart(record, columns, 0);
    const parts: string[] = [];
    for (let i = 0; i < key.length; i++) parts.push(this.keyPart(record, columns, i));
    return parts.join(':');
  }

  private keyPart(record: RawJson, columns: Record<string, unknown>, i: number): string {
    const k = this.entry.primary_key[i] as string;
    let v = columns[k];
    if (v === undefined || v === null) {
      const at = record.indexOfKey(this.keyIds[i] as number, k);
      v = at < 0 ? undefined : record.value(at);
    }
    if (v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v)) || typeof v === 'object') {
      // Commission rows have no id: their key is several fields, some of which may be empty.
      if (i > 0) return '';
      throw new KeapError(`GET ${this.entry.path}: a record without its key ${k}; refusing to emit it`, 'system_error', 'bad-row');
    }
    return String(v);
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

  async each(client: KeapCaller, visit: (item: RawJson) => void): Promise<void> {
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
      let last = after;
      // A page read again after a failure part way visits its first items again: the caller keeps ids in a set.
      const page = await client.restPage({
        path: p.path,
        query: q,
        what: `GET ${p.path}`,
        itemsKey: p.items_key,
        onItem: (item) => {
          const record = asRecord(item, p.path);
          if (sync.kind === 'keyset') {
            const id = numericId(record.get('id'), p.stream);
            if (after !== undefined && id <= after) return;
            last = last === undefined ? id : Math.max(last, id);
          }
          visit(record);
        },
      });
      if (page.nextPageToken === undefined) return;
      if (sync.kind === 'keyset') {
        if (last === after) return;
        after = last;
      } else token = page.nextPageToken;
    }
  }
}

/**
 * What a token page handed on, by record key in order, so that an attempt that reads the page again
 * after a failure part way hands on only what the failed attempts did not. The page normally comes
 * back the same, and its first records are matched in order (a key repeated on purpose, as
 * commission rows may repeat theirs, stays repeated); if it comes back different, by key alone.
 */
class PageLedger {
  private readonly handed: string[] = [];
  private attempts = 0;
  private replay: string[] = [];
  private at = 0;
  private rest: Map<string, number> | undefined;

  /** A new attempt at the page begins. */
  attempt(): void {
    if (this.attempts++ === 0) return;
    this.replay = [...this.handed];
    this.at = 0;
    this.rest = undefined;
  }

  /** Whether the record with this key goes out now (false: an earlier attempt handed it on). */
  handOn(key: string): boolean {
    if (this.at < this.replay.length) {
      if (this.rest === undefined && this.replay[this.at] === key) {
        this.at++;
        return false;
      }
      if (this.rest === undefined) {
        // The page came back different (rows changed between attempts): match what is left by key.
        this.rest = new Map();
        for (let i = this.at; i < this.replay.length; i++) {
          const k = this.replay[i] as string;
          this.rest.set(k, (this.rest.get(k) ?? 0) + 1);
        }
        this.at = this.replay.length;
      }
    }
    if (this.rest !== undefined) {
      const n = this.rest.get(key);
      if (n !== undefined) {
        if (n === 1) this.rest.delete(key);
        else this.rest.set(key, n - 1);
        return false;
      }
    }
    this.handed.push(key);
    return true;
  }
}

function asRecord(item: RawJson, path: string): RawJson {
  if (item.type !== T_OBJECT) throw notAnObject(path);
  return item;
}

function notAnObject(path: string): KeapError {
  return new KeapError(`GET ${path}: a record that is not a JSON object; refusing the page`, 'system_error', 'bad-row');
}

/** A record's members as JSON.parse would give them (a report's item, for its expand). */
function objectOf(record: RawJson): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < record.size; i++) o[record.key(i)] = record.value(i);
  return o;
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
