import type { KeapTimeZone } from '../keap/dates.js';
import { parseMenuQuery, QuerySyntaxError } from '../keap/query-syntax.js';
import { fieldMapping } from './migration-map.js';
import type { FieldMapping } from './migration-types.js';
import type { RestFilterField, RestStream } from './rest-registry.js';

/**
 * data_query on REST v2: the menu's query text (keap/query-syntax.ts) as a REST `filter` on the
 * table's resource stream, through the migration map's field filters and the spec's vocabulary for
 * that stream (schemas/rest.json):
 *   'City':'Ogden'                  -> city==Ogden
 *   'FirstName':'Mar%'              -> given_name==Mar*          (where the filter takes a wildcard)
 *   'Id':'~>~ 100'                  -> contact_id>100            (where the filter takes the operator)
 *   'Id':'1,2,3'                    -> ids==1,2,3
 *   'LastUpdated':'~>=~ 2024-01-01' -> start_update_time==2024-01-01T05:00:00.000Z (the app's zone)
 *   'LastUpdated':'2016%'           -> start_update_time==2016-01-01T05:00:00.000Z;end_update_time==...
 *   'LastUpdated':'~>=~LastSuccessfulRun' -> the stream's bookmark on that time filter (incremental)
 *   'GroupId':'12,30'               -> tag_contacts read for tags 12 and 30 only
 * Anything REST cannot say is one line naming the field or operator and what REST accepts there.
 */

export interface RestQuery {
  /** Filter clauses sent with every request. */
  clauses: string[];
  /** LastSuccessfulRun: the REST time field it bounds and the time filter that carries the bookmark (undefined: the stream's own incremental read). */
  bookmark?: { field: string; since: string | undefined };
  /** The parents (tags) to read, when the query names them. */
  parents?: string[];
}

export class RestQueryError extends Error {
  override name = 'RestQueryError';
}

/** Marks the bookmark while the query is parsed, to find the field compared with it. */
const BOOKMARK = '\u0001LastSuccessfulRun\u0001';
const OPERATORS: Record<string, string> = { '~>~': '>', '~>=~': '>=', '~<~': '<', '~<=~': '<=', '~<>~': '!=' };
/** What Keap allows on custom fields depends on their type, which only the account knows: Keap judges. */
const CUSTOM_FIELD: RestFilterField = { ops: ['==', '>', '<', '>=', '<='], wildcard: true, list: false };
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

export function translateQuery(table: string, stream: RestStream, text: string, tz: KeapTimeZone): RestQuery {
  let data;
  try {
    data = parseMenuQuery(text, { lastSuccessfulRun: BOOKMARK });
  } catch (err) {
    if (err instanceof QuerySyntaxError) throw new RestQueryError(err.message);
    throw err;
  }
  const out: RestQuery = { clauses: [] };
  for (const [field, value] of Object.entries(data)) {
    const m = fieldMapping(table, field);
    if (!m) throw new RestQueryError(`'${field}' is not a field of ${table}`);
    const say = (problem: string): RestQueryError => new RestQueryError(`'${field}' (REST ${stream.stream}.${m.rest ?? '—'}): ${problem}`);
    const filter = m.filter;
    if (!filter) throw say(`REST cannot filter ${stream.stream} on it; ${accepted(table, stream)}`);
    if (Array.isArray(value)) {
      const list = value.map(String);
      if ('parent' in filter) out.parents = list;
      else if ('in' in filter && filter.in) out.clauses.push(`${filter.in}==${list.join(',')}`);
      else if (list.length === 1 && 'eq' in filter) out.clauses.push(`${filter.eq}==${list[0]}`);
      else throw say(`REST takes no list of values for it; ${accepted(table, stream)}`);
      continue;
    }
    if (value === '~null~') throw say('REST filters cannot select empty values (~null~)');
    if (value.includes(';')) throw say("a REST filter value cannot contain ';'");
    const op = Object.keys(OPERATORS).find((o) => value.startsWith(`${o} `));
    const operand = op ? value.slice(op.length + 1) : value;
    if ('parent' in filter) {
      if (op || !/^\d+$/.test(operand)) throw say('REST reads the tags it is given: write tag ids (\'12\' or \'12,30\')');
      out.parents = [operand];
      continue;
    }
    if ('since' in filter) {
      translateTime(out, m, filter, op, operand, tz, say);
      continue;
    }
    if (operand === BOOKMARK || operand.includes(BOOKMARK)) throw say('LastSuccessfulRun compares times; this field is not one');
    const rest = 'eq' in filter ? filter.eq : undefined;
    if (rest === undefined) throw say(`REST takes only a list of values for it (${filter.in ?? ''}): write 'a,b,c'`);
    const vocabulary = stream.filters?.fields[rest] ?? (field.startsWith('_') && stream.filters?.custom ? CUSTOM_FIELD : undefined);
    if (!vocabulary) throw say(`${stream.stream} takes no filter ${rest}; ${accepted(table, stream)}`);
    const restOp = op ? (OPERATORS[op] as string) : '==';
    if (!vocabulary.ops.includes(restOp)) throw say(`REST's ${rest} takes ${vocabulary.ops.join(' ')}, not ${restOp}`);
    const wild = operand.indexOf('%');
    if (wild === -1) out.clauses.push(`${rest}${restOp}${operand}`);
    else if (operand === '%') {
      // On XML-RPC `'%'` is "not empty"; only the record's id is never empty, so only there it reads every row.
      if (m.rest !== 'id') throw say("REST cannot select non-empty values ('%' alone); leave the field out to read every row");
    } else if (wild !== operand.length - 1 || op) throw say(`REST matches a prefix only ('Og%' -> ${rest}==Og*), not '${operand}'`);
    else if (!vocabulary.wildcard) throw say(`REST's ${rest} takes no wildcard, only whole values`);
    else out.clauses.push(`${rest}==${operand.slice(0, -1)}*`);
  }
  return out;
}

function translateTime(out: RestQuery, m: FieldMapping, filter: { since: string; until?: string }, op: string | undefined, operand: string, tz: KeapTimeZone, say: (p: string) => RestQueryError): void {
  const field = m.rest ?? '';
  if (operand === BOOKMARK) {
    if (op !== '~>=~' && op !== '~>~') throw say("LastSuccessfulRun is a lower bound: write '~>=~LastSuccessfulRun'");
    out.bookmark = { field, since: filter.since };
    return;
  }
  if (operand.includes(BOOKMARK)) throw say("LastSuccessfulRun stands alone: write '~>=~LastSuccessfulRun'");
  const until = (ms: number): void => {
    if (!filter.until) throw say(`REST has only a lower bound for it (${filter.since})`);
    out.clauses.push(`${filter.until}==${new Date(ms).toISOString()}`);
  };
  if (!op) {
    // The menu's date patterns: a year, a month or a day, as a range.
    const p = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?%$/.exec(operand);
    if (!p) throw say(`REST compares times with ~>=~ and ~<=~ (or a date pattern like '2016%'), not '${operand}'`);
    const [y, mo, d] = [Number(p[1]), p[2] === undefined ? undefined : Number(p[2]), p[3] === undefined ? undefined : Number(p[3])];
    const start = tz.wallToUtc({ year: y, month: mo ?? 1, day: d ?? 1, hour: 0, minute: 0, second: 0 });
    const next = d !== undefined ? { year: y, month: mo ?? 1, day: d + 1 } : mo !== undefined ? { year: y, month: mo + 1, day: 1 } : { year: y + 1, month: 1, day: 1 };
    const end = tz.wallToUtc({ ...normalise(next), hour: 0, minute: 0, second: 0 }) - 1000;
    out.clauses.push(`${filter.since}==${new Date(start).toISOString()}`);
    until(end);
    return;
  }
  const d = DATE.exec(operand.trim());
  if (!d) throw say(`'${operand}' is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, in the app's time zone)`);
  const ms = tz.wallToUtc({ year: Number(d[1]), month: Number(d[2]), day: Number(d[3]), hour: Number(d[4] ?? 0), minute: Number(d[5] ?? 0), second: Number(d[6] ?? 0) });
  if (op === '~>=~' || op === '~>~') out.clauses.push(`${filter.since}==${new Date(op === '~>~' ? ms + 1000 : ms).toISOString()}`);
  else if (op === '~<=~' || op === '~<~') until(op === '~<~' ? ms - 1000 : ms);
  else throw say('REST compares times with ~>=~ and ~<=~ only');
}

/** Day 32 of a month, month 13: the calendar's next day or month. */
function normalise(d: { year: number; month: number; day: number }): { year: number; month: number; day: number } {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** "it filters on: Email (email), FirstName (given_name), ..." from the table's map and the stream's vocabulary. */
function accepted(table: string, stream: RestStream): string {
  const fields = Object.keys(stream.filters?.fields ?? {});
  return `REST filters ${stream.stream} on ${fields.length ? fields.join(', ') : 'nothing'}${stream.filters?.custom ? ' and custom fields' : ''} ('tap-infusionsoft list fields ${table} --api rest' maps them)`;
}
