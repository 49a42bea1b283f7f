import { describe, expect, it } from 'vitest';
import { RestParseError } from '../src/rest/errors.js';
import { T_ARRAY, T_OBJECT } from '../src/rest/json-scan.js';
import { readPage } from '../src/rest/page.js';
import { JsonPageReader } from '../src/rest/page-reader.js';
import { TYPE_NAMES, type RawJson } from '../src/rest/raw-json.js';
import { parseJson } from '../src/rest/transport.js';
import { SandboxData } from '../src/sandbox/data.js';
import { RestRouter } from '../src/sandbox/rest/router.js';
import { restStreams } from '../src/streams/rest-registry.js';
import { mulberry32 } from './helpers/sync-log.js';

/**
 * The streaming page reader against the whole-answer path it replaces (UTF-8 check, JSON.parse,
 * readPage): on real sandbox pages, on hand-made edge cases and on thousands of seeded mutations of
 * both, fed in chunks cut everywhere, it accepts exactly the bodies that path accepts, hands on
 * exactly its records (read back member by member through the views, nested values opened, not
 * parsed), and refuses the rest with a RestParseError. Its two refusals of its own (nesting past 64,
 * two lists under the items key) are checked to be only that.
 */

type Outcome = { ok: true; items: unknown[]; token: string | undefined } | { ok: false; error: RestParseError; items: unknown[] };

/** The whole-answer path: what a body meant before streaming. */
function reference(body: Buffer, itemsKey: string): Outcome {
  try {
    const page = readPage(parseJson(body, 'application/json'), itemsKey);
    return { ok: true, items: page.items.map(normalise), token: page.nextPageToken };
  } catch (error) {
    if (!(error instanceof RestParseError)) throw error;
    return { ok: false, error, items: [] };
  }
}

/** The streaming reader, given the body cut at `cuts`. */
function streamed(body: Buffer, itemsKey: string, cuts: readonly number[] = []): Outcome {
  const items: unknown[] = [];
  const reader = new JsonPageReader({ itemsKey, onItem: (item) => items.push(item.type === T_OBJECT ? fromView(item) : { notAnObject: TYPE_NAMES[item.type] }) });
  try {
    let at = 0;
    for (const cut of [...cuts, body.length]) {
      reader.write(body.subarray(at, cut));
      at = cut;
    }
    const end = reader.end();
    expect(end.items).toBe(items.length);
    return { ok: true, items, token: end.nextPageToken };
  } catch (error) {
    if (!(error instanceof RestParseError)) throw error;
    return { ok: false, error, items };
  }
}

/** An element as the reader hands it on: an object is compared whole, anything else by its kind. */
function normalise(item: unknown): unknown {
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) return item;
  return { notAnObject: item === null ? 'null' : Array.isArray(item) ? 'an array' : `a ${typeof item}` };
}

/** A view read back as a value, every nested object and array opened as a view of its own. */
function fromView(v: RawJson): unknown {
  if (v.type === T_ARRAY) return Array.from({ length: v.size }, (_, i) => memberValue(v, i));
  const o: Record<string, unknown> = {};
  // defineProperty, as JSON.parse does: a member named __proto__ is a member.
  for (let i = 0; i < v.size; i++) Object.defineProperty(o, v.key(i), { value: memberValue(v, i), enumerable: true, writable: true, configurable: true });
  return o;
}

function memberValue(v: RawJson, i: number): unknown {
  const t = v.typeOf(i);
  return t === T_OBJECT || t === T_ARRAY ? fromView(v.open(i)) : v.value(i);
}

function depth(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  return 1 + Math.max(0, ...Object.values(v).map(depth));
}

/** The two outcomes agree, or the reader refused for one of its own two reasons, and only then. */
function expectSame(body: Buffer, itemsKey: string, got: Outcome, want: Outcome, label: string): void {
  if (want.ok && !got.ok) {
    const m = got.error.message;
    if (/nested deeper than 64/.test(m)) {
      expect(got.error.reason, label).toBe('refused');
      expect(depth(JSON.parse(body.toString('utf8'))), label).toBeGreaterThan(64);
      return;
    }
    if (m.includes(`two "${itemsKey}" lists`)) {
      expect(body.toString('utf8').split(`"${itemsKey}"`).length, label).toBeGreaterThan(2);
      return;
    }
  }
  expect(got.ok, `${label}: ${got.ok ? 'accepted' : got.error.message} / reference ${want.ok ? 'accepted' : want.error.message}`).toBe(want.ok);
  if (got.ok && want.ok) {
    expect(got.items, label).toEqual(want.items);
    expect(got.token, label).toBe(want.token);
  }
}

/** Real pages, as the sandbox renders them (and serves them: JSON.stringify of its answer). */
function sandboxPages(): { itemsKey: string; body: Buffer }[] {
  const data = new SandboxData({ seed: 11, contacts: 120 });
  const router = new RestRouter();
  const stream = (name: string) => restStreams().find((s) => s.stream === name);
  const pages: { itemsKey: string; body: Buffer }[] = [];
  const contacts = stream('contacts');
  const ask = (path: string, itemsKey: string, query: string): void => {
    const { result } = router.handle({ method: 'GET', path, query: new URLSearchParams(query), body: {}, data, now: Date.UTC(2024, 0, 1), pageTokenTtlMs: undefined, app: 'test' });
    expect(result.status, path).toBe(200);
    pages.push({ itemsKey, body: Buffer.from(JSON.stringify(result.body), 'utf8') });
  };
  // A few records each: the mutations below change one page in a thousand places, not one place in a big page.
  ask('/contacts', 'contacts', `page_size=4&fields=${[...(contacts?.fields ?? []), 'custom_fields'].join(',')}`);
  ask('/orders', 'orders', 'page_size=2');
  ask('/opportunities', 'opportunities', 'page_size=4');
  ask('/companies', 'companies', 'page_size=4');
  ask('/tags', 'tags', 'page_size=8');
  return pages;
}

const PAGES = sandboxPages();

/** Hand-made bodies for the corners of the grammar, each as valid as it says. */
const EDGE_RECORDS = [
  '{}',
  '{"a":0,"b":-0,"c":1.5,"d":-1.5e-10,"e":1E+5,"f":1e999,"g":-1e999,"h":12345678901234567890123}',
  '{"s":"esc \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\uD83D\\uDE00 \\ud800 \\u00e9"}',
  '{"raw":"é中😀\u007f\u2028\u2029","":"empty name","__proto__":{"x":1},"a\\u0062":"escaped name","ünï":"name past ASCII"}',
  '{"t":true,"f":false,"n":null,"nested":{"a":[1,[2,[3,{"b":[]}]]],"c":{}},"list":[{},[],"",0,null]}',
  '{"dup":1,"dup":2,"dup":{"last":true}}',
  ' \t\r\n{ \t\r\n"ws" \t\r\n: \t\r\n[ \t\r\n1 \t\r\n, \t\r\n2 \t\r\n] \t\r\n} \t\r\n',
  '"a string"',
  '42',
  'null',
  '[1,2]',
];

const EDGE_BODIES = [
  ...EDGE_RECORDS.map((r) => `{"contacts":[${r}],"next_page_token":"t"}`),
  `{"contacts":[${EDGE_RECORDS.join(',')}]}`,
  '{"next_page_token":"before","contacts":[{"id":"1"}]}',
  '{"contacts":[],"next_page_token":null}',
  '{"contacts":[],"next_page_token":""}',
  '{"contacts":[],"next_page_token":7}',
  '{"contacts":[],"next_page_token":"a","next_page_token":"b"}',
  '{"contacts":[],"next_page_token":7,"next_page_token":"b"}',
  '{"contacts":[],"next_page_token":"\\u0074ok\\u00e9n"}',
  '{"contacts":[],"other":{"deep":[[[{"x":"y"}]]]},"more":"x"}',
  '{"contacts":[1],"contacts":[2]}',
  '{"contacts":{}}',
  '{"contacts":null}',
  '{"contacts":"x"}',
  '{}',
  '[]',
  '"contacts"',
  '',
  '   ',
  '\ufeff{"contacts":[]}',
  '{"contacts":[]} ',
  '{"contacts":[]}x',
  '{"contacts":[]}{}',
  '{"contacts":[],}',
  '{"contacts":[1,]}',
  '{"contacts":[{"a":[1,]}]}',
  '{"contacts":[{"a":{"b":1,}}]}',
  '{"contacts":[{"a":1,}]}',
  '{"contacts":[{"a":[,1]}]}',
  '{"contacts":[{,"a":1}]}',
  '{"contacts":[01]}',
  '{"contacts":[1.]}',
  '{"contacts":[.5]}',
  '{"contacts":[+1]}',
  '{"contacts":[1e]}',
  '{"contacts":[-]}',
  '{"contacts":[0x1]}',
  '{"contacts":[Infinity]}',
  '{"contacts":[NaN]}',
  '{"contacts":[tru]}',
  '{"contacts":[True]}',
  '{"contacts":["\\x"]}',
  '{"contacts":["\\u12"]}',
  '{"contacts":["\\U0041"]}',
  '{"contacts":["tab\there"]}',
  '{"contacts":["nl\nhere"]}',
  '{"contacts":["\u0000"]}',
  '{"contacts":[{"a" 1}]}',
  '{"contacts":[{"a":1 "b":2}]}',
  '{"contacts":[{a:1}]}',
  "{'contacts':[]}",
  '{"contacts":[]\u000b}',
  '{"contacts":[]\u00a0}',
  '{"contacts":[{"a":1}',
  '<!DOCTYPE html><html></html>',
];

/** Bodies with bytes that are not UTF-8, or not whole UTF-8. */
const BAD_UTF8 = [
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
  [0x80],
  [0xff],
].map((bytes) => Buffer.concat([Buffer.from('{"contacts":[{"s":"a'), Buffer.from(bytes), Buffer.from('b"}]}')]));

/** Every way of cutting a body into chunks that matters: whole, byte by byte, and seeded random cuts. */
function cuttings(length: number, random: () => number): number[][] {
  const random3 = Array.from({ length: 3 }, () => Math.floor(random() * length)).sort((a, b) => a - b);
  return [[], random3, Array.from({ length: Math.floor(length / 7) }, (_, i) => (i + 1) * 7)];
}

const INTERESTING = Buffer.from('{}[]":,\\ 0123456789eE-+.tfnulsrx\n\t\r\u0000\u007f', 'latin1');
const HIGH = [0xc3, 0xa9, 0xe2, 0x80, 0xa8, 0xff, 0xf0, 0x9f];
const SNIPPETS = [',', ',]', ',}', '[]', '{}', '""', ':', '"a":1,', '"a":', 'true', 'null', '-0', '1e5', '0.5', '\\u00e9', '\\"', '\\', ' ', '\n', '[[', ']]'].map((t) => Buffer.from(t, 'utf8'));

/** One seeded change to a body: a byte replaced, dropped or added, a token added, a slice repeated or cut out, or the end cut off. */
function mutate(body: Buffer, random: () => number): Buffer {
  const at = Math.floor(random() * body.length);
  const byte = random() < 0.85 ? (INTERESTING[Math.floor(random() * INTERESTING.length)] as number) : (HIGH[Math.floor(random() * HIGH.length)] as number);
  const len = 1 + Math.floor(random() * 40);
  switch (Math.floor(random() * 7)) {
    case 6:
      return Buffer.concat([body.subarray(0, at), SNIPPETS[Math.floor(random() * SNIPPETS.length)] as Buffer, body.subarray(at)]);
    case 0:
      return Buffer.concat([body.subarray(0, at), Buffer.from([byte]), body.subarray(at + 1)]);
    case 1:
      return Buffer.concat([body.subarray(0, at), body.subarray(at + 1)]);
    case 2:
      return Buffer.concat([body.subarray(0, at), Buffer.from([byte]), body.subarray(at)]);
    case 3:
      return Buffer.concat([body.subarray(0, at), body.subarray(at, at + len), body.subarray(at)]);
    case 4:
      return Buffer.concat([body.subarray(0, at), body.subarray(at + len)]);
    default:
      return body.subarray(0, at);
  }
}

describe('the streaming page reader', () => {
  it('reads real sandbox pages as JSON.parse does, in any chunking', () => {
    const random = mulberry32(1);
    for (const { itemsKey, body } of PAGES) {
      const want = reference(body, itemsKey);
      expect(want.ok).toBe(true);
      expect(want.items.length).toBeGreaterThan(0);
      for (const cuts of [...cuttings(body.length, random), Array.from({ length: body.length - 1 }, (_, i) => i + 1)]) {
        expectSame(body, itemsKey, streamed(body, itemsKey, cuts), want, `${itemsKey} page cut at ${cuts.length} places`);
      }
    }
  });

  it('accepts and refuses exactly what JSON.parse and readPage do on hand-made edge cases', () => {
    const random = mulberry32(2);
    for (const text of EDGE_BODIES) {
      const body = Buffer.from(text, 'utf8');
      const want = reference(body, 'contacts');
      for (const cuts of cuttings(body.length, random)) expectSame(body, 'contacts', streamed(body, 'contacts', cuts), want, JSON.stringify(text));
    }
    for (const body of BAD_UTF8) {
      const got = streamed(body, 'contacts', [body.indexOf('b"') - 1]);
      expect(got.ok, body.toString('hex')).toBe(false);
      expect(reference(body, 'contacts').ok).toBe(false);
    }
  });

  it('agrees with JSON.parse on thousands of seeded mutations of real pages and edge cases', () => {
    const random = mulberry32(3);
    const seeds = [...PAGES, ...EDGE_BODIES.filter((t) => t.startsWith('{"contacts"')).map((t) => ({ itemsKey: 'contacts', body: Buffer.from(t, 'utf8') }))];
    let accepted = 0;
    let cases = 0;
    for (let round = 0; round < 4000; round++) {
      const seed = seeds[round % seeds.length] ?? { itemsKey: 'contacts', body: Buffer.alloc(0) };
      let body = seed.body;
      const changes = 1 + Math.floor(random() * 3);
      for (let c = 0; c < changes && body.length > 0; c++) body = mutate(body, random);
      const want = reference(body, seed.itemsKey);
      const cuts = cuttings(body.length, random)[round % 2 === 0 ? 0 : 1] ?? [];
      expectSame(body, seed.itemsKey, streamed(body, seed.itemsKey, cuts), want, `round ${round}: ${body.toString('utf8').slice(0, 300)}`);
      if (want.ok) accepted++;
      cases++;
    }
    // The mutations reach both sides of the line.
    expect(accepted).toBeGreaterThan(cases / 20);
    expect(accepted).toBeLessThan(cases - cases / 20);
  });

  it('hands on exactly the records that are whole before a cut, then fails the body as truncated', () => {
    for (const { itemsKey, body } of PAGES.slice(0, 3)) {
      const all = reference(body, itemsKey);
      if (!all.ok) throw new Error('a sandbox page did not parse');
      // Where each record ends (the sandbox writes JSON.stringify's text, so each record's is its own).
      const first = body.indexOf(`"${itemsKey}":[`) + itemsKey.length + 4;
      const ends: number[] = [];
      for (const item of all.items) ends.push((ends.length ? (ends[ends.length - 1] as number) + 1 : first) + Buffer.byteLength(JSON.stringify(item)));
      for (let cut = 0; cut < body.length; cut += 1 + (cut % 13)) {
        const got = streamed(body.subarray(0, cut), itemsKey, cut > 10 ? [cut - 10] : []);
        expect(got.ok).toBe(false);
        if (got.ok) continue;
        const whole = ends.filter((e) => e <= cut).length;
        expect(got.items, `cut at ${cut}`).toEqual(all.items.slice(0, whole));
        if (cut > 0) expect(got.error.reason, `cut at ${cut}: ${got.error.message}`).toBe('truncated');
      }
    }
  });

  it('refuses nesting past its limit, a body past its size, and says where a body stops being JSON', () => {
    const deep = (n: number): string => `{"contacts":[{"a":${'['.repeat(n)}${']'.repeat(n)}}]}`;
    // The page is level 1, the list 2, a record 3: 61 more levels make 64.
    expect(streamed(Buffer.from(deep(61)), 'contacts').ok).toBe(true);
    const tooDeep = streamed(Buffer.from(deep(62)), 'contacts');
    expect(tooDeep.ok ? 'accepted' : tooDeep.error.reason).toBe('refused');
    const big = new JsonPageReader({ itemsKey: 'contacts', onItem: () => undefined, maxBytes: 100 });
    big.write(Buffer.from(`{"contacts":["${'x'.repeat(80)}",`));
    expect(() => big.write(Buffer.from('"x"]}'.repeat(10)))).toThrow(/larger than 100 bytes/);
    const html = new JsonPageReader({ itemsKey: 'contacts', onItem: () => undefined, contentType: 'text/html; charset=utf-8' });
    expect(() => html.write(Buffer.from('<html>'))).toThrow(/not JSON \(text\/html, not JSON\): unexpected '<' at byte 0/);
    const bad = streamed(Buffer.from('{"contacts":[{"a":1},{"b":tru}]}'), 'contacts');
    expect(bad.ok ? 'accepted' : bad.error.message).toMatch(/unexpected '}' at byte 29, expected true, false or null/);
    expect(bad.items).toEqual([{ a: 1 }]);
  });

  it('reads a record far longer than the chunks it comes in, and the records around it', () => {
    const long = 'é'.repeat(300_000);
    const body = Buffer.from(JSON.stringify({ contacts: [{ id: '1' }, { id: '2', notes: long, tags: Array.from({ length: 5000 }, (_, i) => i) }, { id: '3' }], next_page_token: 'n' }), 'utf8');
    const cuts = Array.from({ length: Math.floor(body.length / 4093) }, (_, i) => (i + 1) * 4093);
    expectSame(body, 'contacts', streamed(body, 'contacts', cuts), reference(body, 'contacts'), 'a 600 KB record in 4 KB chunks');
  });

  it('gives each member as the text it came in, with its type and what the text holds', () => {
    const texts: string[] = [];
    const reader = new JsonPageReader({
      itemsKey: 'contacts',
      onItem: (item) => {
        for (let i = 0; i < item.size; i++) texts.push(`${item.key(i)}=${item.text(i)}`);
      },
    });
    reader.write(Buffer.from('{"contacts":[{"id":"1","n":1.50,"o":{ "a" : [1, 2] },"s":"caf\\u00e9 é"}],"next_page_token":"t"}'));
    expect(reader.end()).toEqual({ nextPageToken: 't', items: 1 });
    expect(texts).toEqual(['id="1"', 'n=1.50', 'o={ "a" : [1, 2] }', 's="caf\\u00e9 é"']);
  });
});
