import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeapTimeZone } from '../src/keap/dates.js';
import { readPage } from '../src/rest/page.js';
import { parseJson, RestParseError } from '../src/rest/transport.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { jsonValue } from '../src/streams/json-text.js';
import { jsonOf, RecordShaper, type ShapedField } from '../src/streams/record-shaper.js';
import { encodeCall } from '../src/xmlrpc/encode.js';
import { XmlRpcReader } from '../src/xmlrpc/parse.js';
import { isStruct, XmlRpcDateTime, XmlRpcParseError, type XmlRpcValue } from '../src/xmlrpc/types.js';
import { strictLineProblem } from './helpers/protocol.js';
import { reference } from './helpers/reference.js';
import { mulberry32 as prng } from './helpers/sync-log.js';

/**
 * Issue 12, "also deliver": the two readers of what Keap sends, the XML-RPC reader and the REST v2
 * JSON page reader, fed thousands of seeded mutations of real captured responses and of sandbox
 * pages (bytes flipped, cut, duplicated, hostile snippets spliced in), in chunks cut everywhere.
 * Whatever arrives: the reader answers or throws its own parse error (the error table's `parse`
 * signal), reads the same whatever the chunking, never hangs, and every record line made of what
 * it read is strict JSON. A failure prints the seed and the case number to replay it.
 */

const SEED = 0x12f0;
const XML_CASES = 3000;
const JSON_CASES = 3000;

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: () => number, n: number): number => Math.floor(r() * n);

/** Text a hostile or broken server might put anywhere: markup cut short, numbers with no JSON form, line separators, forged JSON. */
const XML_SNIPPETS = [
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<',
  '>',
  '&',
  '&#0;',
  '&#x2028;',
  '&amp;',
  '\u2028',
  '\u2029',
  '"},"stream":"x","data":{"a":"',
  '<double>1e999</double>',
  '<double>-1e999</double>',
  '<double>NaN</double>',
  '<i4>99999999999999999999</i4>',
  '<base64>AA"}</base64>',
  '<dateTime.iso8601>99999999T99:99:99</dateTime.iso8601>',
  '<value><array><data>'.repeat(70),
  '<!DOCTYPE x [<!ENTITY a "b">]>',
  '\x00',
  '\xff\xfe',
  '\xc3',
  '\r\n',
];

/** Values a lying server could put where a row's value was: each is well-formed XML-RPC. */
const HOSTILE_VALUES = [
  '<double>1e999</double>',
  '<double>-1e999</double>',
  '<base64>AAAA"},"stream":"contact","data":{"Id":999,"x":"</base64>',
  '<string>a\xe2\x80\xa8b\xe2\x80\xa9</string>',
  'line&#x2028;sep',
  '<string>"},"stream":"contact","data":{"x":"</string>',
  '<i4>2147483648</i4>',
  '<i8>99999999999999999999</i8>',
  '<dateTime.iso8601>20170229T25:00:00</dateTime.iso8601>',
  '<boolean>2</boolean>',
  '<nil/>',
  '<struct><member><name>a"b\xe2\x80\xa8</name><value><double>1e999</double></value></member></struct>',
  '<array><data><value><double>-1e999</double></value></data></array>',
];

/** A scalar `<value>`, or a member name: where a hostile value or name goes in well-formed. */
const SCALAR_VALUE = /<value>(?:[^<]*|<(i4|int|i8|string|double|boolean|dateTime\.iso8601|base64)>[^<]*<\/\1>)<\/value>|<name>[^<]*<\/name>/g;

/** Replaces one scalar value (or member name) of `doc` with a hostile one, keeping it well-formed. */
function substitute(doc: Buffer, r: () => number): Buffer {
  const text = doc.toString('latin1');
  const spots = [...text.matchAll(SCALAR_VALUE)];
  const spot = spots.length ? pick(r, spots) : undefined;
  if (spot?.index === undefined) return doc;
  const hostile = spot[0].startsWith('<name>') ? '<name>a"b\xe2\x80\xa8c</name>' : `<value>${pick(r, HOSTILE_VALUES)}</value>`;
  return Buffer.from(text.slice(0, spot.index) + hostile + text.slice(spot.index + spot[0].length), 'latin1');
}

const JSON_SNIPPETS = ['1e999', '-1e999', 'NaN', '"\u2028"', '"\\u2028"', '\u2029', '{', '}', '[', ']', ',', '"', '\\', 'null', '"next_page_token":5', '[[[[[[[[[[', '\x00', '\xff', '"},"stream":"x"'];

/**
 * One mutation of `doc`: flip, cut, duplicate, delete, or splice in a snippet; sometimes several.
 * With `hostile`, half the time a value is swapped for a hostile one instead, so that documents
 * that stay readable carry what a lying server would send.
 */
function mutate(doc: Buffer, r: () => number, snippets: readonly string[], hostile = false): Buffer {
  if (hostile && r() < 0.5) return substitute(substitute(doc, r), r);
  let b = doc;
  const n = 1 + int(r, 3);
  for (let k = 0; k < n; k++) {
    const at = int(r, b.length + 1);
    switch (int(r, 5)) {
      case 0: {
        const c = Buffer.from(b);
        if (c.length) c[Math.min(at, c.length - 1)] = int(r, 256);
        b = c;
        break;
      }
      case 1:
        b = b.subarray(0, at);
        break;
      case 2: {
        const len = int(r, 200);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
        break;
      }
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + int(r, 50))]);
        break;
      default:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(pick(r, snippets), 'latin1'), b.subarray(at)]);
    }
  }
  return b;
}

/** Chunk sizes: everywhere (1 byte) for small bodies, else random up to 4 KiB. */
function chunked(doc: Buffer, r: () => number): Buffer[] {
  const out: Buffer[] = [];
  const tiny = doc.length < 1500 && r() < 0.3;
  for (let i = 0; i < doc.length; ) {
    const n = tiny ? 1 : 1 + int(r, 4096);
    out.push(doc.subarray(i, i + n));
    i += n;
  }
  return out;
}

type Outcome = { ok: true; items: XmlRpcValue[]; params: XmlRpcValue[] } | { ok: false; error: XmlRpcParseError };

/** The reader's answer, streaming the top-level array as the connector does. Throws anything that is not a parse error. */
function readXml(chunks: readonly Buffer[]): Outcome {
  const items: XmlRpcValue[] = [];
  const reader = new XmlRpcReader({ onItem: (v) => items.push(v), maxBytes: 64 * 1024 * 1024 });
  try {
    for (const c of chunks) reader.write(c);
    const m = reader.end();
    return { ok: true, items, params: m.kind === 'fault' ? [m.code, m.message] : m.params };
  } catch (err) {
    if (err instanceof XmlRpcParseError) return { ok: false, error: err };
    throw err;
  }
}

const tz = new KeapTimeZone('America/New_York');
const KINDS: ShapedField['kind'][] = ['integer', 'number', 'string', 'date-time', 'base64', 'boolean', 'json'];

/** A record line for each row, as the writer would print it: every line must be strict JSON. */
function recordLineProblems(rows: readonly XmlRpcValue[]): string[] {
  const problems: string[] = [];
  for (const row of rows) {
    if (!isStruct(row)) continue;
    // Every member under every kind, and the rest through an open schema.
    const names = Object.keys(row);
    for (const kind of KINDS) {
      const shaper = new RecordShaper(names.map((name) => ({ name, kind })), tz, { passThrough: true });
      const line = `{"type":"RECORD","record":{"stream":"s","data":${shaper.shape(row)},"emitted_at":1}}`;
      const p = strictLineProblem(line);
      if (p) problems.push(`${kind}: ${p}: ${line.slice(0, 200)}`);
      // Valid JSON can still be forged: a value that closes its string and opens another stream.
      else if ((JSON.parse(line) as { record: { stream: string } }).record.stream !== 's') problems.push(`${kind}: forged record: ${line.slice(0, 200)}`);
    }
  }
  return problems;
}

function corpus(dir: string, test: (name: string) => boolean): Buffer[] {
  return readdirSync(dir)
    .filter(test)
    .map((f) => readFileSync(join(dir, f)));
}

let sandbox: Sandbox;
const xmlDocs: Buffer[] = [];
const jsonDocs: Buffer[] = [];

beforeAll(async () => {
  const fixtures = reference('keap-fixtures');
  xmlDocs.push(
    ...corpus(join(fixtures, 'ruby-vcr'), (f) => f.endsWith('.response.xml')),
    ...corpus(join(fixtures, 'docs'), (f) => f.endsWith('.response.xml')),
    ...corpus(join(fixtures, 'issues'), (f) => f.endsWith('.xml')),
  );
  jsonDocs.push(...corpus(join(fixtures, 'http'), (f) => f.endsWith('.json')));
  // Sandbox pages: rows of the widest tables, a report, a file.
  sandbox = await startSandbox({ port: 0, seed: 12, contacts: 40, gzip: false });
  const call = async (method: string, params: XmlRpcValue[]): Promise<Buffer> => {
    const res = await fetch(sandbox.apiUrl, { method: 'POST', headers: { 'X-Keap-API-Key': sandbox.credentials.api_key, 'Content-Type': 'text/xml' }, body: encodeCall(method, ['k', ...params]) });
    return Buffer.from(await res.arrayBuffer());
  };
  const contacts = await call('DataService.query', ['Contact', 15, 0, { Id: '%' }, ['Id', 'FirstName', 'LastName', 'Email', 'Groups', 'DateCreated', 'LastUpdated']]);
  xmlDocs.push(contacts);
  for (const table of ['Invoice', 'Product', 'Job']) xmlDocs.push(await call('DataService.query', [table, 15, 0, { Id: '%' }, ['Id', 'DateCreated', 'LastUpdated']]));
  const window = [new XmlRpcDateTime('20200101T00:00:00'), new XmlRpcDateTime('20300101T00:00:00')];
  xmlDocs.push(await call('APIAffiliateService.affCommissions', [1, ...window]));
  xmlDocs.push(await call('FileService.getFile', [1]));
  // The same Contact rows as a REST v2 list page.
  const page = readXml([contacts]);
  if (page.ok) {
    const rows = page.items.map((v) => jsonOf(v, tz)).join(',');
    jsonDocs.push(Buffer.from(`{"contacts":[${rows}],"next_page_token":"abc"}`), Buffer.from('{"contacts":[],"next_page_token":null}'));
  }
});

afterAll(async () => {
  await sandbox?.close();
});

describe('the XML-RPC reader, fuzzed', () => {
  it(`reads ${XML_CASES} mutated answers in any chunking: its own parse error or the same values, and strict record lines`, () => {
    expect(xmlDocs.length).toBeGreaterThan(40);
    const r = prng(SEED);
    let refused = 0;
    for (let n = 0; n < XML_CASES; n++) {
      const doc = mutate(pick(r, xmlDocs), r, XML_SNIPPETS, true);
      const where = `seed ${SEED}, case ${n}`;
      const whole = readXml([doc]);
      const pieces = readXml(chunked(doc, r));
      expect(pieces.ok, `${where}: chunking changed the outcome (${whole.ok ? 'ok' : whole.error.message} / ${pieces.ok ? 'ok' : pieces.error.message})`).toBe(whole.ok);
      if (!whole.ok || !pieces.ok) {
        refused++;
        continue;
      }
      expect(pieces.items, where).toEqual(whole.items);
      expect(pieces.params, where).toEqual(whole.params);
      expect(recordLineProblems([...whole.items, ...whole.params]), where).toEqual([]);
    }
    // Both outcomes are exercised: most mutations break the document, some leave it readable.
    expect(refused).toBeGreaterThan(XML_CASES / 10);
    expect(refused).toBeLessThan(XML_CASES);
  });
});

describe('the REST v2 JSON page reader, fuzzed', () => {
  it(`reads ${JSON_CASES} mutated pages: its own parse error or a page whose items make strict record lines`, () => {
    const r = prng(SEED + 1);
    let pages = 0;
    for (let n = 0; n < JSON_CASES; n++) {
      const doc = mutate(pick(r, jsonDocs), r, JSON_SNIPPETS);
      const where = `seed ${SEED + 1}, case ${n}`;
      let items: unknown[];
      try {
        items = readPage(parseJson(doc, 'application/json'), 'contacts').items;
      } catch (err) {
        expect(err, where).toBeInstanceOf(RestParseError);
        continue;
      }
      pages++;
      for (const item of items) {
        const p = strictLineProblem(`{"type":"RECORD","record":{"stream":"contacts","data":${jsonValue(item)},"emitted_at":1}}`);
        if (p !== undefined) expect.fail(`${where}: ${p}`);
      }
    }
    expect(pages).toBeGreaterThan(0);
  });
});
