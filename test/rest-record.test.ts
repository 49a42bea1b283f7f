import { describe, expect, it } from 'vitest';
import { JsonPageReader } from '../src/rest/page-reader.js';
import { SandboxData } from '../src/sandbox/data.js';
import { RestRouter } from '../src/sandbox/rest/router.js';
import { jsonString } from '../src/streams/json-text.js';
import { customColumnSchema } from '../src/streams/rest-custom-fields.js';
import { encodeAs, RestShaper, restFieldsOf, type RestField } from '../src/streams/rest-record.js';
import { restStreams } from '../src/streams/rest-registry.js';
import { mulberry32 } from './helpers/sync-log.js';

/**
 * The REST record shaper writes a record from the text Keap sent, decoding only what it must; its
 * records must be the records the parsed path wrote (every value through encodeAs, custom fields
 * from the parsed `custom_fields` list), value for value, with the same fields reported as nulled,
 * and every line one line of valid JSON. Held against that path on real sandbox records and on
 * seeded records made of the awkward values: numbers whose text is not their value, escapes,
 * U+2028, times in every form, nested values pretty-printed or holding 1e999.
 */

/** The parsed path, as it was: the reference the shaper is held to. */
function reference(fields: readonly RestField[], record: Record<string, unknown>, columns?: Record<string, unknown>): { text: string; nulled: string[] } {
  const custom = new Map<string, unknown>();
  const list = record['custom_fields'];
  if (Array.isArray(list)) {
    for (const c of list) {
      if (typeof c !== 'object' || c === null) continue;
      const o = c as { id?: unknown; content?: unknown };
      if (o.id !== undefined && o.id !== null) custom.set(String(o.id), o.content);
    }
  }
  const nulled: string[] = [];
  const parts = fields.map((f) => {
    const src = f.source;
    const v = src === undefined ? record[f.name] : 'customFieldId' in src ? (Array.isArray(list) ? custom.get(src.customFieldId) : undefined) : columns?.[src.column];
    let text = 'null';
    if (v !== undefined && v !== null) {
      const t = encodeAs(f.kind, v);
      if (t === undefined) nulled.push(f.name);
      else text = t;
    }
    return `${jsonString(f.name)}:${text}`;
  });
  return { text: `{${parts.join(',')}}`, nulled };
}

/** Each record of a page body through the page reader and the shaper. */
function shapeAll(body: string, itemsKey: string, shaper: RestShaper, columns?: Record<string, unknown>): { text: string; nulled: string[] }[] {
  const out: { text: string; nulled: string[] }[] = [];
  const reader = new JsonPageReader({ itemsKey, onItem: (item) => out.push({ text: Buffer.from(shaper.shape(item, columns)).toString('utf8'), nulled: shaper.nulled.map((n) => n.field) }) });
  reader.write(Buffer.from(body, 'utf8'));
  reader.end();
  return out;
}

function expectSameRecords(body: string, itemsKey: string, fields: RestField[], columns?: Record<string, unknown>): number {
  const got = shapeAll(body, itemsKey, new RestShaper(fields), columns);
  const items = (JSON.parse(body) as Record<string, Record<string, unknown>[]>)[itemsKey] ?? [];
  expect(got).toHaveLength(items.length);
  items.forEach((item, i) => {
    const want = reference(fields, item, columns);
    const g = got[i] as { text: string; nulled: string[] };
    const label = `record ${i}: ${JSON.stringify(item).slice(0, 400)}\n got ${g.text.slice(0, 400)}`;
    // One line of valid JSON, that a JavaScript target reads as one line too.
    expect(/[\n\r\u2028\u2029]/.test(g.text), label).toBe(false);
    expect(JSON.parse(g.text), label).toEqual(JSON.parse(want.text));
    expect(g.nulled, label).toEqual(want.nulled);
  });
  return items.length;
}

describe('REST records from raw text', () => {
  it('are the records the parsed path wrote, on real sandbox pages of every kind of resource', () => {
    const data = new SandboxData({ seed: 17, contacts: 60 });
    const router = new RestRouter();
    const get = (path: string, query = ''): Record<string, unknown> => {
      const { result } = router.handle({ method: 'GET', path, query: new URLSearchParams(query), body: {}, data, now: Date.UTC(2024, 0, 1), pageTokenTtlMs: undefined, app: 'test' });
      expect(result.status, path).toBe(200);
      return result.body as Record<string, unknown>;
    };
    const model = get('/contacts/model') as { custom_fields: { id: string; field_name: string; label: string; field_type: string }[] };
    let records = 0;
    for (const s of restStreams().filter((r) => r.parent === null && r.flatten === null)) {
      const fields = restFieldsOf(s.schema);
      if (s.stream === 'contacts') {
        for (const c of model.custom_fields) {
          const kind = restFieldsOf({ properties: { x: customColumnSchema({ id: c.id, column: '', label: c.label, fieldType: c.field_type }) } })[0]?.kind ?? 'json';
          fields.push({ name: `custom_fields.${c.field_name}`, kind, source: { customFieldId: c.id } });
        }
      }
      const query = s.fields ? `page_size=30&fields=${[...s.fields, 'custom_fields'].filter((f, i, a) => a.indexOf(f) === i).join(',')}` : s.paged ? 'page_size=30' : '';
      const { result } = router.handle({ method: 'GET', path: s.path, query: new URLSearchParams(query), body: {}, data, now: Date.UTC(2024, 0, 1), pageTokenTtlMs: undefined, app: 'test' });
      if (result.status !== 200) continue;
      records += expectSameRecords(JSON.stringify(result.body), s.items_key, fields, s.stream === 'contacts' ? undefined : { unused: 1 });
    }
    expect(records).toBeGreaterThan(150);
  });

  it('are the records the parsed path wrote, on seeded records of awkward values', () => {
    const random = mulberry32(5);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const fields: RestField[] = [
      ...(['string', 'integer', 'number', 'boolean', 'date-time', 'base64', 'json'] as const).map((kind) => ({ name: kind, kind })),
      { name: 'custom.a', kind: 'integer', source: { customFieldId: '1' } },
      { name: 'custom.b', kind: 'date-time', source: { customFieldId: '2' } },
      { name: 'custom.c', kind: 'json', source: { customFieldId: '3' } },
      { name: 'parent_id', kind: 'string', source: { column: 'parent_id' } },
    ];
    const customIds = ['"1"', '1', '1.0', '"2"', '2', '3', '"3"', '"12"', '"1 "', 'null', 'true', '{}', '[3]', '"\\u0031"'];
    let seen = 0;
    for (let round = 0; round < 150; round++) {
      const records: string[] = [];
      for (let r = 0; r < 8; r++) {
        const members: string[] = [];
        for (const f of fields.slice(0, 7)) if (random() < 0.9) members.push(`${JSON.stringify(f.name)}:${pick(VALUES)}`);
        if (random() < 0.8) {
          const entries = Array.from({ length: Math.floor(random() * 5) }, () =>
            random() < 0.1 ? pick(VALUES) : `{${[random() < 0.9 ? `"id":${pick(customIds)}` : '', random() < 0.9 ? `"content":${pick(VALUES)}` : ''].filter(Boolean).join(',')}}`,
          );
          members.push(`"custom_fields":${random() < 0.9 ? `[${entries.join(',')}]` : pick(VALUES)}`);
        }
        // Members in any order, some repeated (the last one counts, as JSON.parse keeps it).
        if (random() < 0.2 && members.length) members.push(pick(members));
        members.sort(() => random() - 0.5);
        records.push(`{${members.join(random() < 0.1 ? ' ,\n ' : ',')}}`);
      }
      seen += expectSameRecords(`{"items":[${records.join(',')}]}`, 'items', fields, { parent_id: pick([5, '5', undefined, null, true, 1.5]) });
    }
    expect(seen).toBe(1200);
  });
});

/** JSON texts whose values test the shaper's shortcuts: each is valid JSON. */
const VALUES = [
  '"abc"',
  '""',
  '"12"',
  '" 12 "',
  '"-7"',
  '"1.5"',
  '"1e999"',
  '"true"',
  '"Yes"',
  '"0"',
  '"é中😀"',
  '"caf\\u00e9"',
  '"a\u2028b\u2029c"',
  '"a\\u2028b"',
  '"line\\nbreak"',
  '"QUJD"',
  '"QU JD\\n"',
  '"2024-05-21T14:30:00Z"',
  '"2024-05-21T14:30:00.123Z"',
  '"2024-02-29T23:59:59Z"',
  '"2025-02-29T00:00:00Z"',
  '"2025-02-30T00:00:00Z"',
  '"2024-05-21T14:30:00+0200"',
  '"2024-05-21T14:30:00+02:00"',
  '"2024-05-21T14:30:00"',
  '"2024-05-21"',
  '"2024-05-21T14:30:00\\u005a"',
  '"2024-02-29T23:59:59.000Z"',
  '"2023-02-29T00:00:00.000Z"',
  '"1900-02-29T00:00:00.000Z"',
  '"2000-02-29T00:00:00.000Z"',
  '"2024-04-31T00:00:00.000Z"',
  '"2024-05-31T14:30:00.000Z"',
  '"2024-05-31T14:30:00Z"',
  '"2024-05-31T14:30:00.5Z"',
  '"not a time"',
  '0',
  '-0',
  '-0.0',
  '1',
  '-12',
  '1.0',
  '1.50',
  '0.1',
  '100.25',
  '-12.5',
  '0.000001',
  '0.0000001',
  '0.0000123',
  '-0.5',
  '123456789012.345',
  '1234567890123.456',
  '0.30000000000000004',
  '1.5e0',
  '1e2',
  '1E-2',
  '-1.5e+3',
  '1e999',
  '-1e999',
  '123456789012345',
  '-123456789012345',
  '1234567890123456',
  '9007199254740993',
  '12345678901234567890',
  'true',
  'false',
  'null',
  '{}',
  '[]',
  '{"a":1,"b":[true,null,"x"]}',
  '{"a":1e999}',
  '[1.50,-0,1E2]',
  '{"s":"\u2028"}',
  '{"s":"\\u2028"}',
  '{\n  "pretty": [\n    1\n  ]\n}',
  '[ {"id" : "1"} , 2 ]',
  '{"deep":{"er":{"est":["é"]}}}',
];
