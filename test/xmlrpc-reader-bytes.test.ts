import { describe, expect, it } from 'vitest';
import { encodeResponse } from '../src/xmlrpc/encode.js';
import { XmlRpcReader, parseXmlRpc, type ParsedMessage } from '../src/xmlrpc/parse.js';
import { XmlRpcBase64, XmlRpcDateTime, XmlRpcDouble, type XmlRpcStruct, type XmlRpcValue } from '../src/xmlrpc/types.js';

/**
 * The reader's byte path (Latin-1 scan, UTF-8 decoded per value, members read in one go) must
 * give exactly what reading the decoded text gives, whatever the chunking; these tests hold the
 * two paths against each other and against the general element-by-element path.
 */

function readBytes(body: Buffer, size: number, onItem?: (v: XmlRpcValue) => void): ParsedMessage {
  const r = new XmlRpcReader({ onItem });
  for (let i = 0; i < body.length; i += size) r.write(body.subarray(i, i + size));
  return r.end();
}

function page(members: string[]): string {
  const rows = members.map((m) => `<value><struct>${m}</struct></value>`).join('');
  return `<?xml version="1.0"?><methodResponse><params><param><value><array><data>${rows}</data></array></value></param></params></methodResponse>`;
}

const member = (name: string, value: string): string => `<member><name>${name}</name><value>${value}</value></member>`;

/** A small seeded generator, so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

const ALPHABET = ['a', 'Z', ' ', '7', 'é', 'Ø', 'ß', '€', '中', '😀', '<', '>', '&', '"', "'", '\n', '\t', 'ü', 'ﬁ', '\u2028'];

function randomText(r: () => number, max = 12): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

function randomRow(r: () => number): XmlRpcStruct {
  const row: XmlRpcStruct = {};
  const kinds = Math.floor(r() * 12) + 1;
  for (let i = 0; i < kinds; i++) {
    const name = r() < 0.2 ? `Ünïcode${i}` : `Field${Math.floor(r() * 40)}`;
    const k = Math.floor(r() * 8);
    row[name] =
      k === 0
        ? Math.floor(r() * 2e9) - 1e9
        : k === 1
          ? new XmlRpcDateTime(`20${String(10 + Math.floor(r() * 15))}0${1 + Math.floor(r() * 9)}1${Math.floor(r() * 9)}T0${Math.floor(r() * 9)}:1${Math.floor(r() * 9)}:5${Math.floor(r() * 9)}`)
          : k === 2
            ? r() < 0.5
            : k === 3
              ? Math.round(r() * 1e6) / 100 + 0.5
              : k === 4
                ? ''
                : k === 5
                  ? XmlRpcBase64.fromBytes(Buffer.from(randomText(r)))
                  : randomText(r);
  }
  return row;
}

describe('the reader on bytes', () => {
  it('reads the same values from bytes in any chunking as from the decoded text', () => {
    const r = rng(7);
    for (let round = 0; round < 30; round++) {
      const rows = Array.from({ length: 1 + Math.floor(r() * 6) }, () => randomRow(r));
      const xml = encodeResponse(rows);
      const fromText = parseXmlRpc(xml);
      const body = Buffer.from(xml, 'utf8');
      for (const size of [1, 2, 3, 5, 17, 64, 4096, body.length]) {
        expect(readBytes(body, size), `round ${round}, chunks of ${size}`).toEqual(fromText);
      }
    }
  });

  it('decodes UTF-8 per value: a character split by the chunk at every byte boundary', () => {
    const text = 'Zoë 中文 😀 Ørsted ﬁ';
    const body = Buffer.from(page([member('Name', text) + member('Ünïcode', `<string>${text}</string>`)]), 'utf8');
    for (let cut = 1; cut < body.length; cut++) {
      const items: XmlRpcValue[] = [];
      const r = new XmlRpcReader({ onItem: (v) => items.push(v) });
      r.write(body.subarray(0, cut));
      r.write(body.subarray(cut));
      r.end();
      expect(items, `cut at ${cut}`).toEqual([{ Name: text, Ünïcode: text }]);
    }
  });

  it('reads invalid UTF-8 as U+FFFD, as decoding the whole body would', () => {
    const head = Buffer.from('<methodResponse><params><param><value><struct><member><name>A</name><value>x', 'utf8');
    const bad = Buffer.from([0xc3, 0x28, 0xe2, 0x82, 0xff, 0x41]);
    const tail = Buffer.from('</value></member></struct></value></param></params></methodResponse>', 'utf8');
    const body = Buffer.concat([head, bad, tail]);
    const expected = parseXmlRpc(body.toString('utf8'));
    for (const size of [1, 7, body.length]) expect(readBytes(body, size)).toEqual(expected);
  });

  it('reads each scalar Keap sends through the member fast path, and anything unusual the general way, to the same values', () => {
    const members = [
      member('S', 'plain'),
      member('E', ''),
      member('I4', '<i4>-42</i4>'),
      member('Int', '<int>7</int>'),
      member('Big', '<i4>123456789012345678</i4>'),
      member('D', '<dateTime.iso8601>20251102T01:30:00</dateTime.iso8601>'),
      member('Dz', '<dateTime.iso8601>2025-11-02T01:30:00Z</dateTime.iso8601>'),
      member('Db', '<double>-1.5E3</double>'),
      member('B1', '<boolean>1</boolean>'),
      member('B0', '<boolean>0</boolean>'),
      member('Str', '<string>in a tag</string>'),
      member('Es', '<string></string>'),
      member('Amp', 'Tom &amp; Jerry &#x1F600;'),
      member('Cr', 'a\r\nb\rc'),
      member('Sp', '<i4> 12 </i4>'),
      member('B64', '<base64>aGVsbG8=</base64>'),
      member('Nil', '<nil/>'),
      member('Cdata', '<![CDATA[<x>&amp;]]>'),
      `<member>\n  <name>Ws</name>\n  <value><i4>3</i4></value>\n</member>`,
    ];
    const got = parseXmlRpc(Buffer.from(page([members.join('')]), 'utf8'));
    const row = (got.kind === 'response' ? (got.params[0] as XmlRpcValue[])[0] : undefined) as XmlRpcStruct;
    expect(row).toEqual({
      S: 'plain',
      E: '',
      I4: -42,
      Int: 7,
      Big: 123456789012345678n,
      D: new XmlRpcDateTime('20251102T01:30:00'),
      Dz: new XmlRpcDateTime('2025-11-02T01:30:00Z'),
      Db: -1500,
      B1: true,
      B0: false,
      Str: 'in a tag',
      Es: '',
      Amp: 'Tom & Jerry 😀',
      Cr: 'a\nb\nc',
      Sp: 12,
      B64: new XmlRpcBase64('aGVsbG8='),
      Nil: null,
      Cdata: '<x>&amp;',
      Ws: 3,
    });
    // The same document as text takes the text path; the two agree.
    expect(parseXmlRpc(page([members.join('')]))).toEqual(got);
  });

  it('raises the same errors on the fast path as on the general one', () => {
    for (const [value, message] of [
      ['<i4>4x</i4>', /malformed integer '4x'/],
      ['<boolean>2</boolean>', /malformed boolean '2'/],
      ['<double>1..2</double>', /malformed double '1\.\.2'/],
      ['<dateTime.iso8601>yesterday</dateTime.iso8601>', /malformed dateTime\.iso8601 'yesterday'/],
      ['&nope;', /undeclared entity/],
      ['<i4>1</int>', /unexpected/],
    ] as const) {
      expect(() => parseXmlRpc(Buffer.from(page([member('X', value)]), 'utf8')), value).toThrow(message);
      expect(() => parseXmlRpc(page([member('X', value)])), value).toThrow(message);
    }
  });

  it('builds rows that are ordinary objects: members in document order, Object.prototype, JSON as usual', () => {
    const got = parseXmlRpc(Buffer.from(page([member('b', '1') + member('a', '<i4>2</i4>') + member('10', 'x')]), 'utf8'));
    const row = ((got as { params: XmlRpcValue[][] }).params[0] as XmlRpcValue[])[0] as XmlRpcStruct;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row)).toEqual(['10', 'b', 'a']);
    expect(JSON.stringify(row)).toBe('{"10":"x","b":"1","a":2}');
    expect(Object.hasOwn(row, 'b')).toBe(true);
    expect('__hash_a' in row).toBe(false);
  });

  it('gives every row the same string for a member name', () => {
    const rows: XmlRpcStruct[] = [];
    readBytes(Buffer.from(page([member('FirstName', 'A'), member('FirstName', 'B')]), 'utf8'), 13, (v) => rows.push(v as XmlRpcStruct));
    const [k1] = Object.keys(rows[0] as XmlRpcStruct);
    const [k2] = Object.keys(rows[1] as XmlRpcStruct);
    expect(k1).toBe('FirstName');
    expect(k2).toBe(k1);
  });

  it('reads on correctly when an item callback reads another answer in the middle of a chunk', () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ Id: i, Name: `név ${i} ${'x'.repeat(i)}` }));
    const body = Buffer.from(encodeResponse(rows), 'utf8');
    const other = Buffer.from(encodeResponse([{ Other: 'ö'.repeat(500) }]), 'utf8');
    const seen: XmlRpcValue[] = [];
    readBytes(body, 333, (v) => {
      seen.push(v);
      expect(readBytes(other, 97).kind).toBe('response');
    });
    expect(seen).toEqual(rows);
  });

  it('reads a document fed as strings after bytes, and bytes after strings', () => {
    const xml = encodeResponse([{ A: 'é', B: new XmlRpcDouble(2) }]);
    const expected = parseXmlRpc(xml);
    const half = Math.floor(xml.length / 2);
    const a = new XmlRpcReader();
    a.write(Buffer.from(xml.slice(0, half), 'utf8'));
    a.write(xml.slice(half));
    expect(a.end()).toEqual(expected);
    const b = new XmlRpcReader();
    b.write(xml.slice(0, half));
    b.write(Buffer.from(xml.slice(half), 'utf8'));
    expect(b.end()).toEqual(expected);
  });
});
