import { describe, expect, it } from 'vitest';
import { encodeCall, encodeFault, encodeResponse, encodeValue } from '../src/xmlrpc/encode.js';
import { XmlRpcReader, parseXmlRpc } from '../src/xmlrpc/parse.js';
import { XmlRpcBase64, XmlRpcDateTime, XmlRpcDouble, XmlRpcParseError, type XmlRpcValue } from '../src/xmlrpc/types.js';

const sample: XmlRpcValue = [
  { Id: 1, FirstName: 'Zoë 😀 <&> "quoted"', Amount: 12.5, Big: 9007199254740993n, Ok: true, Nil: null },
  { When: new XmlRpcDateTime('20251102T01:30:00'), File: XmlRpcBase64.fromBytes(Buffer.from('hello')), Empty: '', List: [1, 'two', [3]] },
  'line1\nline2\ttab',
  -0.000001,
  new XmlRpcDouble(17),
];
/** A double that is integral reads back as a plain number. */
const decoded = [...(sample as XmlRpcValue[]).slice(0, -1), 17];

function readInChunks(body: string, size: number, onItem?: (v: XmlRpcValue) => void): ReturnType<XmlRpcReader['end']> {
  const buf = Buffer.from(body, 'utf8');
  const r = new XmlRpcReader({ onItem });
  for (let i = 0; i < buf.length; i += size) r.write(buf.subarray(i, i + size));
  return r.end();
}

describe('the streaming XML-RPC reader', () => {
  it('decodes what the encoder wrote, whatever the chunk boundaries (split UTF-8, entities, tags)', () => {
    const body = encodeResponse(sample);
    const whole = parseXmlRpc(body);
    expect(whole).toEqual({ kind: 'response', params: [decoded], items: 0 });
    for (const size of [1, 2, 3, 5, 7, 13, 64, 1000]) {
      expect(readInChunks(body, size)).toEqual(whole);
    }
  });

  it('hands top-level array items to onItem as they complete and keeps none of them', () => {
    const seen: XmlRpcValue[] = [];
    const msg = readInChunks(encodeResponse(sample), 11, (v) => seen.push(v));
    expect(seen).toEqual(decoded);
    expect(msg).toEqual({ kind: 'response', params: [[]], items: 5 });
  });

  it('reads a fault with its code and string', () => {
    expect(parseXmlRpc(encodeFault(5, '[RecordNotFound]Record was not found'))).toEqual({ kind: 'fault', code: 5, message: '[RecordNotFound]Record was not found' });
  });

  it('reads a call with its method name', () => {
    expect(parseXmlRpc(encodeCall('DataService.query', ['k', 'Contact', 1000, 0, { Id: '%' }, ['Id']]))).toEqual({
      kind: 'call',
      method: 'DataService.query',
      params: ['k', 'Contact', 1000, 0, { Id: '%' }, ['Id']],
      items: 0,
    });
  });

  it('reads CDATA literally and numeric character references, split across chunks', () => {
    const body = '<methodResponse><params><param><value><string>a&#x1F600;&#233;<![CDATA[<b>&amp;</b>]]>&lt;z</string></value></param></params></methodResponse>';
    for (const size of [1, 3, 8]) expect(readInChunks(body, size)).toEqual({ kind: 'response', params: ['a😀é<b>&amp;</b><z'], items: 0 });
  });

  it('reads doubles with exponents, i8 beyond 2^53 exactly, and empty <value/> as an empty string', () => {
    const body =
      '<methodResponse><params><param><value><array><data><value><double>1.5E3</double></value><value><double>-2e-2</double></value>' +
      '<value><i8>123456789012345678</i8></value><value/><value><nil/></value></data></array></value></param></params></methodResponse>';
    expect(parseXmlRpc(body)).toEqual({ kind: 'response', params: [[1500, -0.02, 123456789012345678n, '', null]], items: 0 });
  });

  it('normalises line ends as XML does, but keeps a carriage return sent as &#13;', () => {
    const body = '<methodResponse><params><param><value>a\r\nb\rc&#13;d</value></param></params></methodResponse>';
    expect(parseXmlRpc(body)).toEqual({ kind: 'response', params: ['a\nb\nc\rd'], items: 0 });
  });

  it('refuses a DOCTYPE or entity declaration (no XXE, no entity expansion)', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><methodResponse><params><param><value>&x;</value></param></params></methodResponse>';
    expect(() => parseXmlRpc(xxe)).toThrow(/DOCTYPE or entity/);
    const bomb = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><methodResponse/>';
    expect(() => parseXmlRpc(bomb)).toThrow(XmlRpcParseError);
    expect(() => parseXmlRpc('<methodResponse><params><param><value>&foo;</value></param></params></methodResponse>')).toThrow(/undeclared entity/);
  });

  it('refuses gigantic nesting and bodies over the size limit', () => {
    const deep = `<methodResponse><params><param>${'<value><array><data>'.repeat(100)}${'</data></array></value>'.repeat(100)}</param></params></methodResponse>`;
    expect(() => parseXmlRpc(deep)).toThrow(/nested deeper than 64/);
    const r = new XmlRpcReader({ maxBytes: 1000 });
    expect(() => r.write(Buffer.alloc(2000, 32))).toThrow(/larger than 1000 bytes/);
  });

  it('says truncated for a body that stops early and empty for no body', () => {
    const body = encodeResponse(sample);
    for (const cut of [10, body.length / 2, body.length - 3]) {
      const r = new XmlRpcReader();
      r.write(body.slice(0, cut));
      expect(() => r.end()).toThrow(expect.objectContaining({ reason: 'truncated' }));
    }
    expect(() => parseXmlRpc('')).toThrow(/empty response body/);
  });

  it('rejects malformed scalars with the value in the message', () => {
    for (const [tag, text] of [['int', '4x'], ['boolean', '2'], ['double', '1..2'], ['dateTime.iso8601', 'yesterday']]) {
      expect(() => parseXmlRpc(`<methodResponse><params><param><value><${tag}>${text}</${tag}></value></param></params></methodResponse>`)).toThrow(text);
    }
  });
});

describe('the XML-RPC encoder', () => {
  it('escapes markup and refuses characters XML cannot carry', () => {
    expect(encodeValue('a<b&c>')).toBe('<value><string>a&lt;b&amp;c&gt;</string></value>');
    expect(() => encodeValue('bad\u0001char')).toThrow(/control character/);
  });
  it('writes integers as int or i8 by size, and doubles with a decimal point', () => {
    expect(encodeValue(7)).toBe('<value><int>7</int></value>');
    expect(encodeValue(2 ** 40)).toBe(`<value><i8>${2 ** 40}</i8></value>`);
    expect(encodeValue(new XmlRpcDouble(3))).toBe('<value><double>3.0</double></value>');
    expect(() => encodeValue(Number.NaN)).toThrow();
  });
});
