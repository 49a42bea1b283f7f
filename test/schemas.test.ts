import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSchemas } from '../scripts/generate-schemas.js';
import { getAjv } from '../src/protocol/schema-compiler.js';
import { tableStreams } from '../src/streams/table-registry.js';
import { reference } from './helpers/reference.js';

describe('the generated table schemas', () => {
  it('are exactly what the generator makes from the table definitions (run: node dist/scripts/generate-schemas.js)', async () => {
    const files = await generateSchemas(reference('keap-tables-detailed.json'));
    expect(files.length).toBe(62);
    for (const f of files) expect(readFileSync(f.path, 'utf8'), f.path).toBe(f.content);
  });

  it('cover all 60 tables, as valid draft-07 schemas with every field nullable', () => {
    const streams = tableStreams();
    expect(streams).toHaveLength(60);
    for (const s of streams) {
      expect(() => getAjv().compile(s.schema)).not.toThrow();
      for (const [name, p] of Object.entries(s.schema.properties ?? {})) {
        expect(p.type, `${s.stream}.${name}`).toContain('null');
      }
      for (const k of s.primary_key) expect(Object.keys(s.schema.properties ?? {})).toContain(k);
      if (s.cursor) expect((s.schema.properties ?? {})[s.cursor]?.format).toBe('date-time');
    }
  });

  it('never request unreadable fields such as card numbers', () => {
    const cc = tableStreams().find((s) => s.table === 'CreditCard');
    expect(Object.keys(cc?.schema.properties ?? {})).not.toContain('CardNumber');
    expect(Object.keys(cc?.schema.properties ?? {})).not.toContain('CVV2');
    expect(Object.keys(cc?.schema.properties ?? {})).toContain('Last4');
  });

  it('pick LastUpdated, else DateCreated, else full refresh', () => {
    const by = new Map(tableStreams().map((s) => [s.table, s]));
    expect(by.get('Contact')?.cursor).toBe('LastUpdated');
    expect(by.get('Invoice')?.cursor).toBe('LastUpdated');
    expect(by.get('ContactGroupAssign')?.cursor).toBe('DateCreated');
    expect(by.get('StageMove')?.cursor).toBe('DateCreated');
    expect(by.get('Affiliate')?.cursor).toBeNull();
    expect(by.get('ContactGroupAssign')?.primary_key).toEqual(['ContactId', 'GroupId']);
    expect(by.get('ContactGroupAssign')?.keyset).toBe('ContactId');
  });

  it('map Keap types faithfully: dates to UTC date-time, ints, doubles, booleans, blobs', () => {
    const p = (table: string, field: string): unknown => tableStreams().find((s) => s.table === table)?.schema.properties?.[field];
    expect(p('Contact', 'LastUpdated')).toEqual({ type: ['null', 'string'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' });
    expect(p('Contact', 'Id')).toEqual({ type: ['null', 'integer'] });
    expect(p('Invoice', 'InvoiceTotal')).toEqual({ type: ['null', 'number'] });
    expect(p('SubscriptionPlan', 'Active')).toEqual({ type: ['null', 'boolean'] });
    expect(p('Product', 'LargeImage')).toEqual({ type: ['null', 'string'], contentEncoding: 'base64' });
    expect(p('ContactGroupAssign', 'Contact.LastUpdated')).toMatchObject({ format: 'date-time' });
  });
});
