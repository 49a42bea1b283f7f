import { describe, expect, it } from 'vitest';
import { parseArgs, type Command } from '../src/protocol/args.js';
import { runList } from '../src/protocol/list-command.js';
import type { JsonSchema } from '../src/streams/json-schema.js';
import { fieldMapping, fieldMaps, filterText, TABLE_MAP } from '../src/streams/migration-map.js';
import { restStreams, type RestStream } from '../src/streams/rest-registry.js';
import { tableStreams } from '../src/streams/table-registry.js';
import { capture } from './helpers/report-harness.js';

/**
 * The migration map against both registries: every one of the 60 tables is mapped, every field of
 * the twelve mapped tables has its entry, every REST path names a field (and a slot the field's
 * description lists) of the generated REST schemas, and every filter is in the spec's vocabulary
 * for that stream. A typo, or a field Keap renames in the OpenAPI file, fails here.
 */

const streams = new Map(restStreams().map((s) => [s.stream, s]));

/** The schema a path leads to, or why it leads nowhere. */
function resolve(schema: JsonSchema, path: string): JsonSchema | string {
  let cur: JsonSchema = schema;
  for (const part of path.match(/[^.[\]]+(\[[^\]]*\])?/g) ?? []) {
    const m = /^([^[]+)(?:\[(\w+)=(\w+)\])?$/.exec(part);
    if (!m) return `bad segment '${part}'`;
    const [, name = '', key, value] = m;
    const next = cur.properties?.[name];
    if (!next) return `no field '${name}' (has ${Object.keys(cur.properties ?? {}).join(', ')})`;
    cur = next;
    if (key !== undefined) {
      const item = cur.items;
      const slot = item?.properties?.[key];
      if (!item || !slot) return `'${name}' is not a list of objects with '${key}'`;
      if (!String(slot.description ?? '').includes(value ?? '')) return `'${name}[].${key}' does not list ${value} (${String(slot.description)})`;
      cur = item;
    }
  }
  return cur;
}

describe('the migration map (XML-RPC tables -> REST v2 streams)', () => {
  it('maps each of the 60 tables to a REST stream, or says why it is not on REST', () => {
    expect(Object.keys(TABLE_MAP).sort()).toEqual(tableStreams().map((t) => t.table).sort());
    for (const [table, m] of Object.entries(TABLE_MAP)) {
      if (m.stream === null) expect(m.note.length, table).toBeGreaterThan(10);
      else expect(streams.has(m.stream), `${table} -> ${m.stream}`).toBe(true);
    }
  });

  it('maps every field of the twelve tables people sync most, each REST path to a field of the generated schemas', () => {
    const twelve = ['Contact', 'Company', 'Invoice', 'Job', 'OrderItem', 'Payment', 'Product', 'ContactGroup', 'ContactGroupAssign', 'Lead', 'ContactAction', 'Affiliate'];
    expect(Object.keys(fieldMaps()).sort()).toEqual([...twelve].sort());
    let paths = 0;
    for (const table of twelve) {
      const stream = streams.get(TABLE_MAP[table]?.stream ?? '') as RestStream;
      const fields = Object.keys(tableStreams().find((t) => t.table === table)?.schema.properties ?? {});
      expect(Object.keys(fieldMaps()[table] ?? {}).sort(), table).toEqual([...fields].sort());
      for (const field of fields) {
        const m = fieldMapping(table, field);
        if (!m?.rest) {
          expect(m?.note, `${table}.${field} has no REST place and no reason`).toBeTruthy();
          continue;
        }
        const found = resolve(stream.schema, m.rest);
        expect(typeof found === 'string' ? found : 'ok', `${table}.${field} -> ${stream.stream}.${m.rest}`).toBe('ok');
        paths++;
      }
    }
    expect(paths).toBeGreaterThanOrEqual(249);
    // The check itself can fail: a slot the spec does not list, a field it does not have.
    const contacts = (streams.get('contacts') as RestStream).schema;
    expect(resolve(contacts, 'email_addresses[field=EMAIL4].email')).toMatch(/does not list EMAIL4/);
    expect(resolve(contacts, 'company.name')).toMatch(/no field 'name'/);
  });

  it('names only filters the spec lists for that stream', () => {
    for (const [table, map] of Object.entries(fieldMaps())) {
      const stream = streams.get(TABLE_MAP[table]?.stream ?? '') as RestStream;
      const vocabulary = stream.filters?.fields ?? {};
      for (const [field, m] of Object.entries(map)) {
        const f = m.filter;
        if (!f) continue;
        const where = `${table}.${field} on ${stream.stream}`;
        if ('parent' in f) expect(stream.parent, where).not.toBeNull();
        const names = 'since' in f ? [f.since, ...(f.until ? [f.until] : [])] : 'parent' in f ? [] : ['eq' in f ? f.eq : undefined, f.in].filter((x): x is string => x !== undefined);
        for (const name of names) expect(Object.keys(vocabulary), `${where}: filter ${name}`).toContain(name);
        if ('in' in f && f.in) expect(vocabulary[f.in]?.list, `${where}: ${f.in} takes a list`).toBe(true);
      }
    }
  });

  it('maps custom fields to their typed columns and a filter by field_name', () => {
    expect(fieldMapping('Contact', '_Score')).toMatchObject({ rest: 'custom_fields.Score', filter: { eq: 'Score' } });
    expect(fieldMapping('Stage', '_Score')).toBeUndefined();
    expect(fieldMapping('Contact', 'NoSuchField')).toBeUndefined();
    expect(filterText('contacts', { eq: 'contact_id', in: 'ids' })).toBe('contact_id (== >= <= > <), ids (list)');
    expect(filterText('contacts', { since: 'start_update_time', until: 'end_update_time' })).toBe('>= start_update_time, <= end_update_time');
  });

  it('shows the map with `list fields TABLE --api rest` and `list tables --api rest`, no account needed', async () => {
    const run = async (...args: string[]): Promise<Record<string, unknown>[]> => {
      const r = await capture(`list ${args.join(' ')}`, (s) => runList(s, parseArgs(['list', ...args, '--json']) as Extract<Command, { kind: 'list' }>));
      expect(r.code).toBe(0);
      return r.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    const contact = await run('fields', 'Contact', '--api', 'rest');
    expect(contact.find((r) => r['field'] === 'Email')).toEqual({ field: 'Email', rest: 'email_addresses[field=EMAIL1].email', filter: 'email (== prefix*)', note: null });
    expect(contact.find((r) => r['field'] === 'Password')).toMatchObject({ rest: null, note: 'Not readable through REST v2.' });
    expect(contact.at(-1)).toMatchObject({ field: '_Name (custom)', rest: 'custom_fields.Name' });
    const tables = await run('tables', '--api', 'rest');
    expect(tables).toHaveLength(60);
    expect(tables.find((r) => r['table'] === 'Ticket')).toMatchObject({ rest_stream: null });
    expect(tables.find((r) => r['table'] === 'Job')).toMatchObject({ rest_stream: 'orders' });
    await expect(capture('list fields Stage', (s) => runList(s, parseArgs(['list', 'fields', 'Stage', '--api', 'rest']) as Extract<Command, { kind: 'list' }>))).rejects.toThrow(/no field-by-field map for Stage: its REST stream is opportunity_stages/);
    expect(() => parseArgs(['list', 'tags', '--api', 'rest'])).toThrow(/--api rest goes with 'list tables' and 'list fields TABLE'/);
  });
});
