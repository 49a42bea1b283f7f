import { InputError } from '../input-error.js';
import type { KeapTimeZone } from '../keap/dates.js';
import type { JsonSchema } from './json-schema.js';
import { fieldMapping, tableMapping } from './migration-map.js';
import { tagContactField } from './report-registry.js';
import type { ResolvedReport } from './report-resolve.js';
import { restStreams, type RestStream, type RestSync } from './rest-registry.js';
import { reportMembers, restReport, type RestReport } from './rest-report-registry.js';
import { RestQueryError, translateQuery, type RestQuery } from './rest-query.js';

/**
 * A report entry of the config made ready to read through REST v2: its registry entry (for
 * data_record_by_id and data_query, one built from the table's resource stream), the stream entry
 * whose paging the engine follows, the record schema, key and cursor, the `fields` to ask for, and
 * data_query's translated filter. Everything REST cannot do is found here, before a request: one
 * line naming the entry, what REST lacks, and the REST stream that comes closest.
 */
export interface RestReportPlan {
  report: RestReport;
  /** The entry the engine pages like (a resource's for data_query; built from the report for the others). */
  entry: RestStream;
  /** The resource stream whose records the report's are, if any. */
  stream: RestStream | undefined;
  schema: JsonSchema;
  primaryKey: string[];
  cursor: string | null;
  /** The identifying columns (report-registry's members) that are not fields of the record. */
  members: string[];
  /** The `fields` query parameter, where the endpoint takes one. */
  fieldsParam: string | undefined;
  /** data_query: the query as REST clauses. */
  query: RestQuery | undefined;
  /** Filter clauses of every request: the query's, or a parameter's (`email==jane@example.com`). */
  clauses: string[];
  description: string;
}

const STRING_ID: JsonSchema = { type: ['null', 'string'] };

export function planRestReport(r: ResolvedReport, tz: KeapTimeZone): RestReportPlan {
  const def = restReport(r.entry.id);
  const fail = (message: string): InputError => new InputError('config', `${r.where}: ${message}`);
  if (!def) throw fail('no REST v2 registry entry (schemas/rest-reports.json is stale)');
  if (def.refused) {
    throw fail(`not on REST v2: ${def.refused.why}; the closest REST stream is ${def.refused.closest}. Set "api": "xmlrpc" to read this report until Keap switches XML-RPC off on 2026-12-31`);
  }
  const report = def.loop === 'table' ? tableReport(r, def, fail) : def;
  const streamName = report.record && 'stream' in report.record ? report.record.stream : undefined;
  const stream = restStreams().find((s) => s.stream === streamName);
  let query: RestQuery | undefined;
  let base: RestStream | undefined;
  if (r.entry.id === 'data_query' && stream) {
    try {
      query = r.params.query ? translateQuery(r.params.table ?? '', stream, r.params.query, tz) : undefined;
    } catch (err) {
      if (err instanceof RestQueryError) throw fail(`query: ${err.message}`);
      throw err;
    }
    base = queryEntry(stream, query, r, fail);
  }

  // The record's own fields: the stream's (or only those picked), or the component's.
  let own: Record<string, JsonSchema> = report.schema?.properties ?? stream?.schema.properties ?? {};
  const record = report.record;
  if (record && 'stream' in record && record.pick) own = Object.fromEntries(record.pick.map((f) => [f, own[f] ?? {}]));
  if (report.take && 'member' in report.take && report.take.as) {
    const items = own[report.take.member]?.items;
    own = { [report.take.as]: { ...(items ?? {}), type: ['null', typeOf(items) ?? 'string'] } };
  }
  const cursor = report.window ? 'window_end' : query?.bookmark ? (base?.cursor ?? null) : null;
  const selected = selectFields(r, report, own, stream, fail);
  // The bookmark's field goes out whatever `fields` says: the state is kept on it.
  if (cursor && cursor in own && !selected.includes(cursor)) selected.push(cursor);
  const members = reportMembers(report, r.entry.idParam).filter((m) => !(m in own));
  const properties: Record<string, JsonSchema> = {};
  for (const m of members) properties[m] = memberSchema(m);
  for (const f of selected) properties[f] = own[f] ?? {};
  if (report.attach) properties[report.attach.as] = { type: ['null', 'string'], contentEncoding: 'base64', description: `The answer of GET ${report.attach.endpoint} (base64).` };

  const clauses = [...(query?.clauses ?? []), ...(report.loop === 'none' ? (report.filter ?? []).map((c) => paramClause(c, r, fail)) : [])];
  const key = r.entry.id === 'data_query' ? (stream?.primary_key ?? ['id']) : (report.key ?? []);
  const endpoint = report.endpoint ?? stream?.path ?? '';
  const description = `${r.entry.title}. REST v2: ${report.method ?? 'GET'} ${endpoint}${report.summary ? ` (${report.summary.replace(/\.$/, '')})` : ''}${loopText(report)}.`;
  return {
    report,
    entry: base ?? reportEntryOf(r, report, key),
    stream,
    schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: r.entry.title,
      description,
      type: 'object',
      additionalProperties: true,
      properties,
    },
    primaryKey: key,
    cursor,
    members,
    fieldsParam: report.fieldsAsIs ? r.params.fields?.join(',') : fieldsParamOf(report, selected, stream),
    query,
    clauses,
    description,
  };
}

/** `email=={email}` with the parameter's value; a value REST's filter syntax cannot carry is refused. */
function paramClause(template: string, r: ResolvedReport, fail: (m: string) => InputError): string {
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const v = String((r.params as Record<string, unknown>)[name] ?? '');
    if (/[;*]/.test(v)) throw fail(`${name}: REST v2's filter cannot carry ';' or '*' in '${v}'`);
    return v;
  });
}

/** data_record_by_id and data_query: the registry entry of the table's REST stream. */
function tableReport(r: ResolvedReport, def: RestReport, fail: (m: string) => InputError): RestReport {
  const table = r.params.table ?? '';
  const m = tableMapping(table);
  if (!m?.stream) throw fail(`table: ${table} is not on REST v2: ${m?.note ?? 'no mapping'}`.replace(/\.$/, ''));
  const stream = restStreams().find((s) => s.stream === m.stream) as RestStream;
  const common = { ...def, record: { stream: stream.stream }, filters: stream.filters, page_size_max: stream.page_size_max, summary: '' };
  if (r.entry.id === 'data_query') {
    return { ...common, endpoint: stream.path, answer: 'list', key: stream.primary_key, items_key: stream.items_key, token_key: stream.paged ? 'next_page_token' : null };
  }
  // The table's Id is the record's `id` (a by-id GET, or the list's id filter), or another field
  // the list filters on (an Invoice's Id is its order's invoice_id).
  const id = fieldMapping(table, 'Id') ?? (stream.primary_key.includes('id') ? { rest: 'id' } : undefined);
  const list = (filter: string): RestReport => ({ ...common, endpoint: stream.path, answer: 'list', filter: [`${filter}=={item}`], key: ['record_id'], items_key: stream.items_key, token_key: null });
  const canList = !stream.parent && !stream.flatten;
  if (id?.rest === 'id' && stream.by_id && !stream.parent) {
    return { ...common, endpoint: stream.by_id, answer: 'object', key: ['record_id'], items_key: null, token_key: null };
  }
  if (id?.rest === 'id' && stream.sync.kind === 'keyset' && canList) return list(stream.sync.id_filter);
  const eq = id?.filter && 'eq' in id.filter ? id.filter.eq : undefined;
  if (id?.rest !== 'id' && eq !== undefined && canList && stream.filters?.fields[eq]) return list(eq);
  throw fail(`table: REST v2 has no read by id of ${table} (its rows are read as ${stream.stream}, GET ${stream.path}); the closest REST stream is ${stream.stream}`);
}

/** data_query: the resource stream paged its own way, with the query's clauses and its bookmark. */
function queryEntry(stream: RestStream, query: RestQuery | undefined, r: ResolvedReport, fail: (m: string) => InputError): RestStream {
  let sync: RestSync = stream.sync;
  let cursor: string | null = null;
  const bookmark = query?.bookmark;
  if (bookmark) {
    if (bookmark.field === stream.cursor && bookmark.since === undefined) cursor = stream.cursor;
    else if (bookmark.since !== undefined && (sync.kind === 'keyset' || sync.kind === 'filter')) {
      cursor = bookmark.field;
      sync = { ...sync, since: bookmark.since };
    } else if (bookmark.field === stream.cursor) cursor = stream.cursor;
    else throw fail(`query: REST v2 keeps no bookmark on ${stream.stream}.${bookmark.field}; its incremental field is ${stream.cursor ?? 'none (full refresh only)'}`);
    if (cursor && !(cursor in (stream.schema.properties ?? {}))) throw fail(`query: ${stream.stream} has no field ${cursor} to keep a bookmark on`);
  }
  // A query on the keyset's own id field would fight the keyset's `id>N`: page by Keap's tokens instead.
  if (sync.kind === 'keyset') {
    const idFilter = sync.id_filter;
    if (query?.clauses.some((c) => c.split(/[=<>!]/)[0] === idFilter)) {
      sync = sync.since !== undefined ? { kind: 'filter', since: sync.since, order_by: sync.order_by } : { kind: 'full', order_by: sync.order_by };
    }
  }
  if (query?.parents && !stream.parent) throw fail(`query: ${stream.stream} is not read per parent`);
  return { ...stream, stream: r.stream, cursor, sync, primary_key: stream.primary_key };
}

/** Every other report: an entry built from the report's endpoint (no incremental field of its own: windows are the report's). */
function reportEntryOf(r: ResolvedReport, report: RestReport, key: string[]): RestStream {
  return {
    stream: r.stream,
    path: report.endpoint ?? '',
    items_key: report.items_key ?? '',
    record_schema: '',
    primary_key: key,
    cursor: null,
    sync: { kind: 'full' },
    paged: report.token_key !== null,
    page_size_max: report.page_size_max,
    fields: null,
    model: null,
    always: [],
    parent: null,
    flatten: null,
    filters: report.filters,
    by_id: null,
    by_id_fields: null,
    description: '',
    schema: {},
  };
}

/**
 * The record fields to emit: all of them, or those `fields` names, as XML-RPC field names of the
 * report's table (mapped by the migration map) or as REST field names, plus the key.
 */
function selectFields(r: ResolvedReport, report: RestReport, own: Record<string, JsonSchema>, stream: RestStream | undefined, fail: (m: string) => InputError): string[] {
  const all = Object.keys(own);
  const asked = r.params.fields;
  const table = report.fieldsOf ?? (report.loop === 'table' ? r.params.table : undefined);
  if (!asked || table === undefined) return all;
  const out = new Set<string>((report.key ?? []).filter((k) => all.includes(k)));
  for (const f of asked) {
    if (all.includes(f)) {
      out.add(f);
      continue;
    }
    const name = r.entry.id === 'contacts_by_tags' ? tagContactField(f) : f;
    const m = fieldMapping(table, name);
    const top = m?.rest?.split(/[.[]/)[0];
    if (top && all.includes(top)) {
      out.add(top);
      continue;
    }
    const why = m ? (m.rest ? `its REST place ${m.rest} is not in these records` : (m.note ?? 'not on REST v2')) : `not a ${table} field`;
    throw fail(`fields: '${f}' has no REST v2 field in ${stream?.stream ?? 'this report'} (${why}); the records have ${all.join(', ')}`);
  }
  return all.filter((f) => out.has(f));
}

/**
 * `fields` for endpoints that take it: the selected fields it accepts (Keap leaves some out unless
 * asked, and a field left out is lost data). A by-id GET takes its own list; a list GET the stream's.
 */
function fieldsParamOf(report: RestReport, selected: string[], stream: RestStream | undefined): string | undefined {
  if (report.query?.['fields'] !== undefined || !stream || report.answer === undefined) return undefined;
  const accepted = report.answer === 'object' && report.endpoint === stream.by_id ? stream.by_id_fields : report.endpoint === stream.path ? stream.fields : null;
  const chosen = (accepted ?? []).filter((f) => selected.includes(f));
  return chosen.length ? chosen.join(',') : undefined;
}

function memberSchema(name: string): JsonSchema {
  if (name === 'window_start' || name === 'window_end') return { type: ['null', 'string'], format: 'date-time', description: `${name === 'window_start' ? 'Start' : 'End'} of the date window this row was read for` };
  if (name === '_key') return { type: 'string', description: 'Synthetic key: a hash of the report parameters and the row, stable across syncs' };
  return { ...STRING_ID, description: `The ${name.replace(/_/g, ' ')} this row was read for` };
}

function typeOf(s: JsonSchema | undefined): string | undefined {
  const t = s?.type;
  return Array.isArray(t) ? t.find((x) => x !== 'null') : t;
}

function loopText(report: RestReport): string {
  const each: Partial<Record<RestReport['loop'], string>> = {
    affiliates: ', once per affiliate',
    affiliate_filter: ', filtered by affiliate',
    affiliate_batch: ', up to 1000 affiliates a request',
    tags: ', once per tag',
    saved_searches: ', once per saved search',
    program_affiliates: ", once per affiliate of the program (GET /affiliates/commissionPrograms/{commission_program_id})",
    invoice_order: ', for the order of the invoice (GET /orders?filter=invoice_id==N)',
  };
  const window = report.window ? `; the date window as ${report.window.since}/${report.window.until}` : '';
  const attach = report.attach ? `, with GET ${report.attach.endpoint}` : '';
  return `${each[report.loop] ?? ''}${attach}${window}`;
}
