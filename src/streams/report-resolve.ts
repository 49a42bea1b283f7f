import { InputError } from '../input-error.js';
import { customFieldSchema, type CustomField } from './custom-fields.js';
import { parseMenuQuery, QuerySyntaxError } from '../keap/query-syntax.js';
import type { JsonSchema } from './json-schema.js';
import { checkDateWindow } from './report-dates.js';
import type { RecordSpec, ReportEntry } from './report-entry.js';
import { readParams, type ReportParams } from './report-params.js';
import { REPORT_IDS, reportEntry, tagContactField } from './report-registry.js';
import { DATE_TIME, hasCustomFields, INT, tableFieldSchema, tableNames, tableStream } from './report-schemas.js';
import type { ReportConfig } from './report-types.js';
import { tableEntries } from './table-registry.js';

/**
 * A `config.reports` entry made ready to read: its registry entry, typed parameters, stream name,
 * record schema. Everything the schema cannot say is checked here (table and field names, query
 * syntax, date windows, stream names), each problem one line naming the entry and the key.
 */
export interface ResolvedReport {
  index: number;
  /** "reports[2] (affiliate_commissions)": how messages name the entry. */
  where: string;
  entry: ReportEntry;
  stream: string;
  params: ReportParams;
  record: RecordSpec;
  schema: JsonSchema;
  /** The fields the call selects. */
  selects: string[];
}

export function whereOf(index: number, raw: unknown): string {
  const id = raw && typeof raw === 'object' && typeof (raw as { report?: unknown }).report === 'string' ? (raw as { report: string }).report : undefined;
  return id === undefined ? `reports[${index}]` : `reports[${index}] (${id})`;
}

const fail = (where: string, message: string): InputError => new InputError('config', `${where}: ${message}`);

/** The registry entry of a config entry, or a one-line error (unknown id, with the nearest one). */
export function entryOf(index: number, raw: unknown): ReportEntry {
  const where = whereOf(index, raw);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fail(where, 'must be an object with a "report" key');
  const id = (raw as { report?: unknown }).report;
  // Without a report id there is nothing to name the entry by but its place.
  if (id === undefined) throw new InputError('config', `${where}.report: is required but missing`);
  if (typeof id !== 'string') throw new InputError('config', `${where}.report: must be string`);
  const entry = reportEntry(id);
  if (!entry) {
    const near = nearest(id, REPORT_IDS);
    throw fail(where, `report: unknown report '${id}'${near ? `; did you mean '${near}'?` : ''} (spec.json lists the 39 report ids)`);
  }
  return entry;
}

/** Parameters that are not this report's: almost always a typo ('affiliate_id' for 'affiliate_ids'). */
export function checkKeys(index: number, raw: ReportConfig, entry: ReportEntry): void {
  const allowed = ['report', 'stream', ...Object.keys(entry.params)];
  for (const key of Object.keys(raw)) {
    if (allowed.includes(key)) continue;
    const near = nearest(key, allowed);
    const takes = Object.keys(entry.params);
    throw fail(
      whereOf(index, raw),
      `${key}: is not a parameter of this report${near ? `; did you mean '${near}'?` : ''} (it takes ${takes.length ? takes.join(', ') : 'no parameters'})`,
    );
  }
}

/**
 * Checks made before schema validation because they say more than it can: the table name (with
 * the nearest one), the date window's kind, tag ids written as numbers.
 */
export function precheck(index: number, raw: ReportConfig): void {
  const where = whereOf(index, raw);
  if (typeof raw['table'] === 'string') checkTable(where, raw['table']);
  const dates = raw['dates'];
  if (dates && typeof dates === 'object' && !Array.isArray(dates)) {
    const d = dates as Record<string, unknown>;
    const kinds = ['report_date', 'days_back', 'date_range'];
    if (d['duration'] === undefined) throw fail(where, `dates.duration: is required but missing (one of ${kinds.map((k) => `"${k}"`).join(', ')})`);
    if (!kinds.includes(d['duration'] as string)) throw fail(where, `dates.duration: must be one of ${kinds.map((k) => `"${k}"`).join(', ')}`);
    for (const end of ['start', 'end']) {
      const e = d[end];
      if (!e || typeof e !== 'object' || Array.isArray(e)) continue;
      const bound = (e as Record<string, unknown>)['bound'];
      if (bound === undefined) throw fail(where, `dates.${end}.bound: is required but missing ("date" or "days_back")`);
      if (bound !== 'date' && bound !== 'days_back') throw fail(where, `dates.${end}.bound: must be "date" or "days_back"`);
    }
  }
  const tags = raw['tags'];
  if (Array.isArray(tags)) {
    const n = tags.findIndex((t) => typeof t === 'number');
    if (n >= 0) throw fail(where, `tags[${n}]: must be string (write tag ids in quotes, e.g. "${String(tags[n])}")`);
  }
}

function checkTable(where: string, table: string): void {
  if (tableStream(table)) return;
  const near = nearest(table, tableNames());
  throw fail(where, `table: unknown table '${table}'${near ? `; did you mean '${near}'?` : ''} ('tap-infusionsoft list tables' shows them)`);
}

/**
 * Resolves every entry; the entries must already match their spec variant (protocol/report-config.ts).
 * `custom`: the account's custom fields, when known (discover), so a report over a table types them
 * as the table's stream does.
 */
export function resolveReports(raws: readonly ReportConfig[], custom: readonly CustomField[] = []): ResolvedReport[] {
  const out: ResolvedReport[] = [];
  const names = new Map<string, number>();
  // Names only: the table schemas are not read for a run without reports over tables.
  const tableStreamNames = new Set(tableEntries().map((t) => t.stream));
  raws.forEach((raw, index) => {
    const entry = entryOf(index, raw);
    checkKeys(index, raw, entry);
    const where = whereOf(index, raw);
    const params = readParams(raw);
    checkParams(where, entry, params);
    const stream = typeof raw.stream === 'string' && raw.stream !== '' ? raw.stream : entry.id;
    const first = names.get(stream);
    if (first !== undefined) {
      throw fail(where, `stream: the stream name '${stream}' is already used by reports[${first}]; give each entry that uses the same report a distinct 'stream'`);
    }
    if (tableStreamNames.has(stream)) throw fail(where, `stream: '${stream}' is the name of a table stream; give this entry another 'stream'`);
    names.set(stream, index);
    const record = withCustomFieldTypes(entry.record(params), fieldTable(entry, params), custom);
    out.push({ index, where, entry, stream, params, record, schema: recordSchema(entry, record), selects: entry.selects?.(params) ?? [] });
  });
  return out;
}

function checkParams(where: string, entry: ReportEntry, p: ReportParams): void {
  if (p.table !== undefined) checkTable(where, p.table);
  if (p.fields) checkFields(where, entry, p);
  if (p.query !== undefined && p.table !== undefined) checkQuery(where, p.table, p.query);
  if (p.dates) {
    const problem = checkDateWindow(p.dates);
    if (problem) throw fail(where, problem);
  }
  if (entry.items === 'saved_searches') {
    if (p.saved_search_id === undefined && p.saved_search_filter === undefined) {
      throw fail(where, "saved_search_id: is required but missing (or give saved_search_filter, e.g. '*' for every saved search)");
    }
    if (p.saved_search_id !== undefined && p.saved_search_filter !== undefined) {
      throw fail(where, 'saved_search_filter: give saved_search_id or saved_search_filter, not both');
    }
  }
}

/** The table whose fields a report's `fields` name, or undefined when any name goes (saved searches). */
function fieldTable(entry: ReportEntry, p: ReportParams): string | undefined {
  if (entry.id === 'contacts_by_email' || entry.id === 'contacts_by_id') return 'Contact';
  if (entry.id === 'contacts_by_tags') return 'ContactGroupAssign';
  return p.table;
}

/** Custom fields (`_Name`) of `table` typed by their DataFormField type, as in the table streams. */
function withCustomFieldTypes(record: RecordSpec, table: string | undefined, custom: readonly CustomField[]): RecordSpec {
  const formId = table === undefined ? null : (tableStream(table)?.custom_field_form_id ?? null);
  if (formId === null || custom.length === 0) return record;
  const fields = { ...record.fields };
  for (const c of custom) {
    if (c.formId === formId && c.name in fields) fields[c.name] = { ...customFieldSchema(c.dataType), description: `Custom field: ${c.label}` };
  }
  return { ...record, fields };
}

/** Whether a report entry names custom fields, whose types discover then looks up. */
export function namesCustomFields(raw: ReportConfig): boolean {
  const fields = raw['fields'];
  return Array.isArray(fields) && fields.some((f) => typeof f === 'string' && f.startsWith('_'));
}

function checkFields(where: string, entry: ReportEntry, p: ReportParams): void {
  const table = fieldTable(entry, p);
  if (table === undefined) return;
  for (const f of p.fields ?? []) {
    const name = entry.id === 'contacts_by_tags' ? tagContactField(f) : f;
    if (tableFieldSchema(table, name)) continue;
    const list = `('tap-infusionsoft list fields ${table}' shows them)`;
    if (f.startsWith('_') && !hasCustomFields(table)) {
      const instead = entry.id === 'contacts_by_tags' ? "Keap's ContactGroupAssign joins the standard Contact fields only; read custom fields with contacts_by_id or the contact stream" : `${table} has no custom fields`;
      throw fail(where, `fields: '${f}' is a custom field, and ${instead} ${list}`);
    }
    const known = Object.keys(tableStream(table)?.schema.properties ?? {});
    const near = nearest(name, known);
    const whose = entry.id === 'contacts_by_tags' ? 'a Contact field ContactGroupAssign can return' : `a field of ${table}`;
    throw fail(where, `fields: '${f}' is not ${whose}${near ? `; did you mean '${entry.id === 'contacts_by_tags' ? near.replace(/^Contact\./, '') : near}'?` : ''} ${list}`);
  }
}

function checkQuery(where: string, table: string, text: string): void {
  let data;
  try {
    data = parseMenuQuery(text, { lastSuccessfulRun: '2000-01-01 00:00:00' });
  } catch (err) {
    if (err instanceof QuerySyntaxError) throw fail(where, `query: ${err.message}`);
    throw err;
  }
  for (const field of Object.keys(data)) {
    if (tableFieldSchema(table, field)) continue;
    const near = nearest(field, Object.keys(tableStream(table)?.schema.properties ?? {}));
    throw fail(where, `query: '${field}' is not a field of ${table}${near ? `; did you mean '${near}'?` : ''}`);
  }
}

/** The members the engine adds to every row, in order, with their schemas. */
export function memberSchemas(entry: ReportEntry, record: RecordSpec): Record<string, JsonSchema> {
  const m: Record<string, JsonSchema> = {};
  switch (entry.items) {
    case 'affiliates':
    case 'affiliate_batches':
      m['affiliate_id'] = INT;
      break;
    case 'tags':
      m['tag_id'] = INT;
      break;
    case 'saved_searches':
      m['saved_search_id'] = INT;
      m['user_id'] = INT;
      break;
    case 'single':
      if (entry.idParam) m[entry.idParam] = INT;
      break;
  }
  if (entry.incremental === 'window') {
    m['window_start'] = { ...DATE_TIME, description: 'Start of the date window this row was read for' };
    m['window_end'] = { ...DATE_TIME, description: 'End of the date window this row was read for' };
  }
  if (record.primaryKey.includes('_key')) {
    m['_key'] = { type: 'string', description: 'Synthetic key: a hash of the report parameters and the row, stable across syncs' };
  }
  if (entry.keyMember) m[entry.keyMember.name] = entry.keyMember.schema;
  if (entry.valueMember) m[entry.valueMember.name] = entry.valueMember.schema;
  return m;
}

function recordSchema(entry: ReportEntry, record: RecordSpec): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: entry.title,
    description: `${entry.title} (Keap ${entry.method}). ${entry.about}`,
    type: 'object',
    additionalProperties: true,
    properties: { ...memberSchemas(entry, record), ...record.fields },
  };
}

/** The closest candidate within a small edit distance, to suggest for a typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}
