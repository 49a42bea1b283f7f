import { InputError } from '../input-error.js';

/**
 * A stream's bookmark. Keyed on LastSuccessfulRun (the UTC start of the last pass that finished
 * the stream: the next incremental pass reads rows changed since then, less lookback_seconds) and
 * the cursor field with the largest value read (informational, and the cursor Airbyte shows).
 * While a pass is under way, `in_progress` says where it stands, so a run killed at any point
 * resumes after the last checkpointed page instead of starting over.
 */
export interface StreamState {
  LastSuccessfulRun?: string;
  in_progress?: InProgress;
  /**
   * With lookback_seconds: "key@cursor" of the rows the last pass emitted inside the margin the
   * next pass re-reads, so an unchanged row read again there is not emitted twice.
   */
  recent?: string[];
  /**
   * The table's cursor column when Keap answered that the table has no such field: this and later
   * runs read the whole table without it (streams/table-reader.ts).
   */
  cursor_missing?: string;
  [cursorField: string]: string | string[] | InProgress | undefined;
}

export interface InProgress {
  /** When this pass started (becomes LastSuccessfulRun when it finishes). */
  started_at: string;
  /** The lower bound on the cursor this pass reads from (absent: everything). */
  since?: string;
  /** Keyset position: the last key value fully read. */
  after?: number;
  /** For a non-unique keyset column: keys of rows already read at `after`. */
  after_keys?: string[];
  /** For a non-unique keyset column: every row at `after` is read. */
  after_complete?: boolean;
  /** For offset-paged reports: the next page to read. */
  page?: number;
  /** For reports that loop over parameters (affiliates, saved searches): items done. */
  done?: string[];
  /** For reports that loop over parameters and page: the item `page` belongs to. */
  item?: string;
  /** This pass's `recent` so far (see StreamState.recent). */
  recent?: string[];
  /** REST: Keap's token for the next page (the pass restarts from `since` if Keap no longer takes it). */
  page_token?: string;
  /** REST nested collections: the id of the last parent fully read (parents go in id order). */
  parent_after?: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export function isIsoDate(s: unknown): s is string {
  return typeof s === 'string' && ISO.test(s) && !Number.isNaN(Date.parse(s));
}

/**
 * Validates a stream's state from the --state file. Unknown keys are kept (forward compatible);
 * known keys of the wrong kind are a config error naming the stream and the key.
 */
export function parseStreamState(stream: string, raw: unknown, cursorField: string | null): StreamState {
  const where = `state for stream '${stream}'`;
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InputError('state', `${where} must be a JSON object`);
  const o = raw as Record<string, unknown>;
  const out: StreamState = {};
  if (o['recent'] !== undefined) out.recent = stringList(where, 'recent', o['recent']);
  for (const [k, v] of Object.entries(o)) {
    if (k === 'in_progress' || k === 'recent') continue;
    if (k === 'LastSuccessfulRun' || k === cursorField) {
      if (!isIsoDate(v)) throw new InputError('state', `${where}: ${k} is not an ISO 8601 date-time (${JSON.stringify(v)?.slice(0, 40)})`);
      out[k] = v;
    } else if (typeof v === 'string') out[k] = v;
  }
  if (o['in_progress'] !== undefined && o['in_progress'] !== null) out.in_progress = parseInProgress(where, o['in_progress']);
  return out;
}

function parseInProgress(where: string, raw: unknown): InProgress {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError('state', `${where}: in_progress must be an object`);
  const o = raw as Record<string, unknown>;
  if (!isIsoDate(o['started_at'])) throw new InputError('state', `${where}: in_progress.started_at is not an ISO 8601 date-time`);
  const p: InProgress = { started_at: o['started_at'] };
  if (o['since'] !== undefined) {
    if (!isIsoDate(o['since'])) throw new InputError('state', `${where}: in_progress.since is not an ISO 8601 date-time`);
    p.since = o['since'];
  }
  for (const k of ['after', 'page'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new InputError('state', `${where}: in_progress.${k} must be a non-negative integer`);
    p[k] = v;
  }
  if (o['after_complete'] !== undefined) {
    if (typeof o['after_complete'] !== 'boolean') throw new InputError('state', `${where}: in_progress.after_complete must be true or false`);
    p.after_complete = o['after_complete'];
  }
  for (const k of ['item', 'page_token', 'parent_after'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new InputError('state', `${where}: in_progress.${k} must be a string`);
    p[k] = v;
  }
  if (o['recent'] !== undefined) p.recent = stringList(where, 'in_progress.recent', o['recent']);
  for (const k of ['after_keys', 'done'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new InputError('state', `${where}: in_progress.${k} must be a list of strings`);
    p[k] = v as string[];
  }
  return p;
}

function stringList(where: string, key: string, v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new InputError('state', `${where}: ${key} must be a list of strings`);
  return v as string[];
}

/** The later of two ISO instants (either may be missing). */
export function laterIso(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
