import { InputError } from '../input-error.js';
import type { KeapClient } from '../keap/client.js';
import { customFieldSchema, readCustomFields } from '../streams/custom-fields.js';
import type { JsonSchema } from '../streams/json-schema.js';
import { kindOf } from '../streams/record-shaper.js';
import { ownerOf, queryAll } from '../streams/report-items.js';
import { nearest } from '../streams/report-resolve.js';
import { fieldMapping, filterText, tableMapping, TABLE_MAP } from '../streams/migration-map.js';
import { listRows, mapEntries } from '../streams/report-rows.js';
import { tableStreams } from '../streams/table-registry.js';
import { isStruct, XmlRpcDouble, type XmlRpcStruct, type XmlRpcValue } from '../xmlrpc/types.js';
import type { Command } from './args.js';
import type { Session } from './session.js';
import type { Affiliate, ContactGroup, SavedFilter } from '../streams/table-types.js';

/**
 * `tap-infusionsoft list WHAT --config C [--json]`: what a user needs to fill a report entry (ids
 * of affiliates, programs, tags, saved searches with their owners, shipping options, web forms;
 * table and field names), as an aligned table on stdout, or one JSON object per line with --json.
 */

/**
 * Columns read per listing, checked at compile time against the generated row types of the tables
 * (src/streams/table-types.ts): a misspelt or retired column fails the build, not a user's run.
 */
const AFFILIATE_COLUMNS = ['Id', 'AffCode', 'AffName', 'ContactId', 'Status'] as const satisfies readonly (keyof Affiliate)[];
const TAG_COLUMNS = ['Id', 'GroupName', 'GroupCategoryId'] as const satisfies readonly (keyof ContactGroup)[];
const SAVED_SEARCH_COLUMNS = ['Id', 'FilterName', 'UserId', 'ReportStoredName'] as const satisfies readonly (keyof SavedFilter)[];

type Cell = string | number | boolean | null;
type Row = Record<string, Cell>;

const WHATS = ['affiliates', 'programs', 'tags', 'saved-searches', 'shipping-options', 'webforms', 'tables', 'fields'];

export async function runList(session: Session, command: Extract<Command, { kind: 'list' }>): Promise<number> {
  const what = command.what;
  if (!WHATS.includes(what)) {
    const near = nearest(what, WHATS);
    throw new InputError('arguments', `cannot list '${what}'${near ? `; did you mean '${near}'?` : ''} (one of ${WHATS.join(', ')})`);
  }
  if (what !== 'fields' && command.table !== undefined) throw new InputError('arguments', `unexpected argument '${command.table}'`);
  let rows: Row[];
  if (command.api === 'rest') {
    rows = what === 'tables' ? restTables() : restFields(tableOf(command.table));
  } else if (what === 'tables') {
    rows = tableStreams().map((t) => ({ table: t.table, stream: t.stream, cursor: t.cursor }));
  } else {
    const table = what === 'fields' ? tableOf(command.table) : undefined;
    const loaded = await session.loadConfig(command.config);
    const { client } = await session.runtime(loaded);
    rows = await listing(what, client, loaded.settings.pageSize, table);
  }
  print(session, rows, command.json);
  return 0;
}

function tableOf(name: string | undefined): string {
  if (name === undefined) throw new InputError('arguments', "list fields needs a table name, e.g. 'list fields Contact' ('list tables' shows them)");
  const tables = tableStreams().map((t) => t.table);
  const found = tables.find((t) => t === name) ?? tables.find((t) => t.toLowerCase() === name.toLowerCase());
  if (found) return found;
  const near = nearest(name, tables);
  throw new InputError('arguments', `unknown table '${name}'${near ? `; did you mean '${near}'?` : ''} ('list tables' shows them)`);
}

/** `list tables --api rest`: each table's REST stream, or why it has none (the migration map). */
function restTables(): Row[] {
  return tableStreams().map((t) => {
    const m = TABLE_MAP[t.table];
    return { table: t.table, rest_stream: m?.stream ?? null, note: m?.note || null };
  });
}

/** `list fields TABLE --api rest`: each field's REST place and filter (the migration map). */
function restFields(table: string): Row[] {
  const m = tableMapping(table);
  const stream = m?.stream;
  const probe = fieldMapping(table, 'Id') ?? fieldMapping(table, 'GroupId');
  if (!stream || !probe) {
    const where = stream ? `its REST stream is ${stream} ('discover' with api rest shows its fields)` : `it is not on REST: ${m?.note ?? ''}`;
    throw new InputError('arguments', `no field-by-field map for ${table}: ${where}`);
  }
  const t = tableStreams().find((x) => x.table === table);
  const fields = [...Object.keys(t?.schema.properties ?? {}), '_Name'];
  return fields.map((field) => {
    const f = fieldMapping(table, field);
    return {
      field: field === '_Name' ? '_Name (custom)' : field,
      rest: f?.rest ?? null,
      filter: filterText(stream, f?.filter) || null,
      note: f?.note ?? null,
    };
  });
}

async function listing(what: string, client: KeapClient, pageSize: number, table: string | undefined): Promise<Row[]> {
  switch (what) {
    case 'affiliates':
      return pick(await queryAll(client, 'Affiliate', { Id: '%' }, [...AFFILIATE_COLUMNS], pageSize), [...AFFILIATE_COLUMNS]);
    case 'programs':
      return pick(listRows(await client.call('AffiliateProgramService.getAffiliatePrograms', [])), ['Id', 'Name', 'Priority']);
    case 'tags':
      return pick(await queryAll(client, 'ContactGroup', { Id: '%' }, [...TAG_COLUMNS], pageSize), [...TAG_COLUMNS]);
    case 'saved-searches': {
      const rows = await queryAll(client, 'SavedFilter', { Id: '%' }, [...SAVED_SEARCH_COLUMNS], pageSize);
      return rows.map((r) => ({
        Id: cell(r['Id']),
        FilterName: cell(r['FilterName']),
        // The user to run it as (the first of a comma list); the whole list beside it.
        Owner: ownerOf(r['UserId']) ?? null,
        UserId: cell(r['UserId']),
        ReportStoredName: cell(r['ReportStoredName']),
      }));
    }
    case 'shipping-options':
      // Keap's key names here are unverified: take the first member that looks like each.
      return listRows(await client.call('ShippingService.getAllShippingOptions', [])).map((r) => ({
        id: loose(r, /^(id|optionid|option_id)$/i),
        name: loose(r, /^(name|optionname|option_name|title)$/i),
        type: loose(r, /^(type|optiontype|option_type|method)$/i),
      }));
    case 'webforms':
      return mapEntries(await client.call('WebFormService.getMap', [])).map(([id, name]) => ({ id: cell(id), name: cell(name) }));
    default:
      return fields(client, table as string);
  }
}

async function fields(client: KeapClient, table: string): Promise<Row[]> {
  const t = tableStreams().find((x) => x.table === table);
  const rows: Row[] = Object.entries(t?.schema.properties ?? {}).map(([field, s]) => ({ field, type: keapType(s), custom: false, label: null }));
  if (t?.custom_field_form_id !== null && t?.custom_field_form_id !== undefined) {
    const formId = t.custom_field_form_id;
    for (const c of await readCustomFields(client)) {
      if (c.formId === formId) rows.push({ field: c.name, type: keapType(customFieldSchema(c.dataType)), custom: true, label: c.label });
    }
  }
  return rows;
}

/** The Keap type name a field schema stands for. */
function keapType(s: JsonSchema): string {
  switch (kindOf(s)) {
    case 'integer':
      return 'Integer';
    case 'number':
      return 'Double';
    case 'boolean':
      return 'Boolean';
    case 'date-time':
      return 'DateTime';
    case 'base64':
      return 'Blob';
    case 'string':
      return 'String';
    case 'json':
      return 'Any';
  }
}

function pick(rows: readonly XmlRpcStruct[], columns: readonly string[]): Row[] {
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, cell(r[c])])));
}

function loose(row: XmlRpcStruct, name: RegExp): Cell {
  const k = Object.keys(row).find((key) => name.test(key));
  return k === undefined ? null : cell(row[k]);
}

function cell(v: XmlRpcValue | undefined): Cell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof XmlRpcDouble) return v.value;
  if (Array.isArray(v) || isStruct(v)) return JSON.stringify(v);
  return String(v);
}

function print(session: Session, rows: readonly Row[], json: boolean): void {
  if (json) {
    for (const r of rows) session.writer.line(JSON.stringify(r));
    return;
  }
  const columns = rows.length ? Object.keys(rows[0] as Row) : [];
  if (columns.length === 0) {
    session.stderr.line('(none)');
    return;
  }
  const text = (c: Cell): string => (c === null ? '' : String(c).replace(/\s+/g, ' '));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c] ?? null).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  session.writer.line(line(columns));
  for (const r of rows) session.writer.line(line(columns.map((c) => text(r[c] ?? null))));
}
