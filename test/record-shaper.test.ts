import { describe, expect, it } from 'vitest';
import { KeapTimeZone } from '../src/keap/dates.js';
import { integerText, quote, RecordShaper, toIsoUtc, type FieldKind, type ShapedField } from '../src/streams/record-shaper.js';
import { jsonString } from '../src/streams/json-text.js';
import { XmlRpcBase64, XmlRpcDateTime, XmlRpcDouble, type XmlRpcStruct } from '../src/xmlrpc/types.js';

/**
 * The shaper writes record JSON as text, null runs from a cache and strings quoted without
 * JSON.stringify when they need no escape; its text must parse to exactly the record a plain
 * object would give, in schema order.
 */

const tz = new KeapTimeZone('America/New_York');

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

describe('toIsoUtc', () => {
  it("reads Keap's compact form on the app's wall clock, and a text with its own zone as that zone says", () => {
    expect(toIsoUtc('20171208T11:56:04', tz)).toBe('2017-12-08T16:56:04Z');
    expect(toIsoUtc('20170708T11:56:04', tz)).toBe('2017-07-08T15:56:04Z');
    expect(toIsoUtc('2017-12-08T11:56:04Z', tz)).toBe('2017-12-08T11:56:04Z');
    expect(toIsoUtc('2017-12-08T11:56:04+02:00', tz)).toBe('2017-12-08T09:56:04Z');
    expect(toIsoUtc('20171208T11:56:04-0500', tz)).toBe('2017-12-08T16:56:04Z');
    // Compact-shaped but not a time: not a date.
    expect(toIsoUtc('20171208T25:56:04', tz)).toBeNull();
    expect(toIsoUtc('2017120xT11:56:04', tz)).toBeNull();
  });
});

describe('quote', () => {
  it('is jsonString (JSON.stringify, U+2028/U+2029 escaped too) for every kind of string', () => {
    const cases = ['', 'plain', 'say "hi"', 'back\\slash', 'tab\tnew\nline', '\u0000\u001f', 'é中😀', '\u2028\u2029', '\ud800', 'a\udc00b', '\ud83d\ude00', '\u007f', '</script>'];
    for (const s of cases) expect(quote(s), JSON.stringify(s)).toBe(jsonString(s));
    expect(quote('a\u2028b')).toBe('"a\\u2028b"');
    const r = rng(3);
    for (let i = 0; i < 2000; i++) {
      let s = '';
      const n = Math.floor(r() * 8);
      for (let k = 0; k < n; k++) s += String.fromCharCode(Math.floor(r() * 0x10000));
      expect(quote(s)).toBe(jsonString(s));
      expect(JSON.parse(quote(s))).toBe(s);
    }
  });
});

describe('integerText', () => {
  it('is String() for every integer', () => {
    const cases = [0, -0, 1, 9, 10, 99, 100, 101, 999, 1000, 12345, 2147483647, 2147483648, -1, -2147483648, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 60, 123456789012345680000, 1e21, -1e22];
    for (const n of cases) expect(integerText(n), String(n)).toBe(String(n));
    const r = rng(5);
    for (let i = 0; i < 20000; i++) {
      const n = Math.floor(r() * 10 ** Math.floor(r() * 17)) * (r() < 0.2 ? -1 : 1);
      expect(integerText(n)).toBe(String(n));
    }
  });
});

describe('the record shaper', () => {
  const kinds: FieldKind[] = ['string', 'integer', 'number', 'boolean', 'date-time', 'json'];
  const fields: ShapedField[] = Array.from({ length: 40 }, (_, i) => ({ name: `F${i}`, kind: kinds[i % kinds.length] as FieldKind }));

  function value(kind: FieldKind, r: () => number): XmlRpcStruct[string] {
    switch (kind) {
      case 'string':
        return r() < 0.5 ? `text ${Math.floor(r() * 100)}` : 'quote " and \\';
      case 'integer':
        return Math.floor(r() * 1e6);
      case 'number':
        return r() * 100;
      case 'boolean':
        return r() < 0.5;
      case 'date-time':
        return new XmlRpcDateTime('20250704T12:30:15');
      default:
        return [1, 'two'];
    }
  }

  function expected(row: XmlRpcStruct): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const v = row[f.name];
      if (v === undefined || v === null) out[f.name] = null;
      else if (v instanceof XmlRpcDateTime) out[f.name] = '2025-07-04T16:30:15Z';
      else out[f.name] = v;
    }
    return out;
  }

  it('writes every field in schema order, nulls where the row has none, whatever runs of nulls come', () => {
    const shaper = new RecordShaper(fields, tz);
    const r = rng(11);
    for (let i = 0; i < 500; i++) {
      const row: XmlRpcStruct = {};
      const density = r();
      for (const f of fields) {
        if (r() < density) row[f.name] = value(f.kind, r);
        else if (r() < 0.1) row[f.name] = null;
      }
      const text = shaper.shape(row);
      expect(Object.keys(JSON.parse(text) as object)).toEqual(fields.map((f) => f.name));
      expect(JSON.parse(text)).toEqual(expected(row));
    }
    expect(shaper.shape({})).toBe(`{${fields.map((f) => `"${f.name}":null`).join(',')}}`);
  });

  it('puts extra members first and keeps the nulled list per record', () => {
    const shaper = new RecordShaper([{ name: 'A', kind: 'integer' }, { name: 'B', kind: 'integer' }], tz);
    expect(shaper.shape({ B: 'seven' }, '"param":1')).toBe('{"param":1,"A":null,"B":null}');
    expect(shaper.nulled).toEqual([{ field: 'B', reason: 'SOURCE_SERIALIZATION_ERROR' }]);
    expect(shaper.shape({ A: 1 })).toBe('{"A":1,"B":null}');
    expect(shaper.nulled).toEqual([]);
  });

  it('writes no text that is not strict JSON: non-finite numbers are nulled and reported, every string escaped', () => {
    const fields: ShapedField[] = [
      { name: 'N', kind: 'number' },
      { name: 'S', kind: 'string' },
      { name: 'B', kind: 'base64' },
      { name: 'J', kind: 'json' },
      { name: 'line\u2028name', kind: 'string' },
    ];
    const shaper = new RecordShaper(fields, tz, { passThrough: true });
    const text = shaper.shape({
      N: Number.POSITIVE_INFINITY,
      S: 'x\u2029y',
      B: new XmlRpcBase64('AA"}'),
      J: [new XmlRpcDouble(Number.NEGATIVE_INFINITY), { 'k\u2028': Number.NaN }],
      'line\u2028name': 'ok',
      'extra\u2028': new XmlRpcDouble(Number.POSITIVE_INFINITY),
    });
    expect(text).not.toMatch(/[\u2028\u2029]|Infinity|NaN/);
    expect(JSON.parse(text)).toEqual({ N: null, S: 'x\u2029y', B: 'AA"}', J: [null, { 'k\u2028': null }], 'line\u2028name': 'ok', 'extra\u2028': null });
    expect(shaper.nulled).toEqual([{ field: 'N', reason: 'SOURCE_SERIALIZATION_ERROR' }]);
  });

  it('fails a row whose key cannot be read as its type, instead of writing a null key', () => {
    const shaper = new RecordShaper([{ name: 'ContactId', kind: 'integer' }, { name: 'GroupId', kind: 'integer' }, { name: 'Note', kind: 'integer' }], tz, { keys: ['ContactId', 'GroupId'] });
    expect(shaper.shape({ ContactId: 1, GroupId: 2, Note: 'x' })).toBe('{"ContactId":1,"GroupId":2,"Note":null}');
    expect(() => shaper.shape({ ContactId: 1, GroupId: new XmlRpcDouble(2.5) })).toThrow(/key field GroupId cannot be read as its type/);
    expect(() => shaper.shape({ ContactId: Number.POSITIVE_INFINITY, GroupId: 2 })).toThrow(/key field ContactId/);
    // A key Keap left out is null as any other column (the table reader checks the paging key itself).
    expect(shaper.shape({ ContactId: 1 })).toBe('{"ContactId":1,"GroupId":null,"Note":null}');
  });

  it('shapes wide schemas (past the run cache) the same way', () => {
    const wide: ShapedField[] = Array.from({ length: 300 }, (_, i) => ({ name: `W${i}`, kind: 'integer' }));
    const shaper = new RecordShaper(wide, tz);
    const row: XmlRpcStruct = { W0: 0, W150: 150, W299: 299 };
    const parsed = JSON.parse(shaper.shape(row)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toHaveLength(300);
    expect(parsed['W150']).toBe(150);
    expect(parsed['W1']).toBeNull();
  });
});
