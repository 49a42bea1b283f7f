import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseXmlRpc, type ParsedMessage } from '../src/xmlrpc/parse.js';
import { XmlRpcBase64, XmlRpcDateTime, isStruct, type XmlRpcValue } from '../src/xmlrpc/types.js';
import { reference } from './helpers/reference.js';

/**
 * Every conformance document decodes to what CPython's xmlrpc.client read from it
 * (python-view.jsonl), except where we differ on purpose; each such case says why.
 */
interface PyValue {
  type: string;
  value: unknown;
}
interface PyLine {
  file: string;
  ok: boolean;
  kind?: 'call' | 'response' | 'fault';
  method?: string | null;
  params?: PyValue[];
  faultCode?: number;
  faultString?: string;
  error?: string;
}

const DELIBERATE: Record<string, { ok: boolean; why: string }> = {
  // A dateTime with an explicit Z is unambiguous UTC; Python's strptime format has no zone, so it
  // fails. Accepting it loses nothing and node-xmlrpc agrees.
  'good_food/very_large_response.xml': { ok: true, why: 'dateTime ending in Z is accepted as UTC' },
  // A body that is not a methodResponse/methodCall is not an answer we can trust; Python is lenient.
  'bad_food/just_params.xml': { ok: false, why: 'a document without methodResponse is refused' },
  // Unknown elements mean we do not understand the answer; Python silently ignores them.
  'bad_food/unknown_tags.xml': { ok: false, why: 'unknown elements are refused, not ignored' },
};

function toPy(v: XmlRpcValue): PyValue {
  if (v === null) return { type: 'nil', value: null };
  if (typeof v === 'boolean') return { type: 'boolean', value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'int', value: v } : { type: 'double', value: v };
  if (typeof v === 'bigint') return { type: 'int', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (v instanceof XmlRpcDateTime) return { type: 'dateTime.iso8601', value: v.text };
  if (v instanceof XmlRpcBase64) return { type: 'base64', value: v.base64 };
  if (Array.isArray(v)) return { type: 'array', value: v.map(toPy) };
  if (isStruct(v)) return { type: 'struct', value: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPy(x)])) };
  throw new Error('unexpected value');
}

/** Python writes doubles as text and big ints as JSON numbers it cannot hold exactly; compare by meaning. */
function normalise(p: PyValue): unknown {
  switch (p.type) {
    case 'double':
      return { type: 'double', value: Number(p.value) };
    case 'int':
      return { type: 'int', value: BigInt(String(p.value)).toString() };
    case 'array':
      return { type: 'array', value: (p.value as PyValue[]).map(normalise) };
    case 'struct':
      return { type: 'struct', value: Object.fromEntries(Object.entries(p.value as Record<string, PyValue>).map(([k, x]) => [k, normalise(x)])) };
    default:
      return p;
  }
}

function pyInt(raw: string): string {
  // JSON.parse loses digits of 2^62; read the literal from the text instead.
  return raw;
}

const lines = readFileSync(reference('xmlrpc-conformance', 'python-view.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => {
    const parsed = JSON.parse(l) as PyLine;
    // Keep exact big integers: re-read "value": <digits> for int params.
    const exact = [...l.matchAll(/"type": "int", "value": (-?\d+)/g)].map((m) => pyInt(m[1] as string));
    let i = 0;
    const fix = (p: PyValue): void => {
      if (p.type === 'int') p.value = exact[i++];
      else if (p.type === 'array') (p.value as PyValue[]).forEach(fix);
      else if (p.type === 'struct') Object.values(p.value as Record<string, PyValue>).forEach(fix);
    };
    parsed.params?.forEach(fix);
    return parsed;
  });

describe('the XML-RPC reader against CPython on the conformance corpus', () => {
  it('covers every file of the corpus', () => {
    const files = ['good_food', 'bad_food'].flatMap((d) =>
      readdirSync(reference('xmlrpc-conformance', d))
        .filter((f) => f.endsWith('.xml'))
        .map((f) => `${d}/${f}`),
    );
    expect(lines.map((l) => l.file).sort()).toEqual(files.sort());
  });

  for (const line of lines) {
    const deliberate = DELIBERATE[line.file];
    it(`reads ${line.file} as Python does${deliberate ? ` (deliberately not: ${deliberate.why})` : ''}`, () => {
      const body = readFileSync(reference('xmlrpc-conformance', line.file));
      let result: ParsedMessage | Error;
      try {
        result = parseXmlRpc(body);
      } catch (err) {
        result = err as Error;
      }
      const expectOk = deliberate ? deliberate.ok : line.ok;
      if (!expectOk) {
        expect(result).toBeInstanceOf(Error);
        return;
      }
      expect(result).not.toBeInstanceOf(Error);
      const msg = result as ParsedMessage;
      if (deliberate) return;
      if (line.kind === 'fault') {
        expect(msg).toEqual({ kind: 'fault', code: line.faultCode, message: line.faultString });
        return;
      }
      expect(msg.kind).toBe(line.kind);
      if (msg.kind === 'call') expect(msg.method).toBe(line.method);
      if (msg.kind === 'fault') throw new Error('unexpected fault');
      expect(msg.params.map(toPy).map(normalise)).toEqual((line.params ?? []).map(normalise));
    });
  }

  it('reads the Z-suffixed dates of very_large_response.xml and matches node-xmlrpc on its size', () => {
    const body = readFileSync(reference('xmlrpc-conformance', 'good_food', 'very_large_response.xml'));
    const msg = parseXmlRpc(body);
    const expected = JSON.parse(readFileSync(reference('xmlrpc-conformance', 'good_food', 'very_large_response_results.json'), 'utf8')) as unknown[];
    expect(msg.kind).toBe('response');
    if (msg.kind !== 'response') return;
    const arr = msg.params[0] as XmlRpcValue[];
    expect(arr.length).toBe(expected.length);
  });
});

describe('real Keap responses captured by the Ruby gem', () => {
  const dir = reference('keap-fixtures', 'ruby-vcr');
  const files = readdirSync(dir).filter((f) => f.endsWith('.xml'));
  it('has fixtures to read', () => expect(files.length).toBeGreaterThan(40));
  for (const f of files) {
    it(`parses ${f}`, () => {
      const msg = parseXmlRpc(readFileSync(`${dir}/${f}`));
      expect(['call', 'response', 'fault']).toContain(msg.kind);
    });
  }
  it('reads the real FailedLoginAttempt fault with its code and text', () => {
    const msg = parseXmlRpc(readFileSync(`${dir}/data_auth_user_failure__0__DataService.authenticateUser.response.xml`));
    expect(msg.kind).toBe('fault');
    if (msg.kind === 'fault') {
      expect(msg.code).toBe(13);
      expect(msg.message).toMatch(/^\[FailedLoginAttempt\]/);
    }
  });
  it('reads bare <value> strings and <i4> of a real DataService.query answer', () => {
    const msg = parseXmlRpc(readFileSync(`${dir}/data_query__0__DataService.query.response.xml`));
    expect(msg).toEqual({ kind: 'response', items: 0, params: [[{ Id: 3618, Company: 'Hogwarts of America' }, { Id: 3620, Company: 'Hogwarts of America' }]] });
  });
  it('reads the premature-end-of-file fault quoted in a Ruby gem issue', () => {
    const msg = parseXmlRpc(readFileSync(reference('keap-fixtures', 'issues', 'premature_end_of_file.fault.xml')));
    expect(msg.kind).toBe('fault');
    if (msg.kind === 'fault') expect(msg.message.trim()).toBe('Failed to parse XML-RPC request: Premature end of file.');
  });
});
