import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XmlRpcTransport } from '../src/xmlrpc/transport.js';
import { XmlRpcBase64, XmlRpcDateTime, XmlRpcDouble, type XmlRpcValue } from '../src/xmlrpc/types.js';

/**
 * Python's standard xmlrpc.server as the peer: what we encode, Python decodes and sends back, and
 * what Python encodes by itself, we decode. Python is on every machine this runs on.
 */
const SERVER = String.raw`
import sys, datetime
from xmlrpc.server import SimpleXMLRPCServer
class Quiet(SimpleXMLRPCServer):
    pass
server = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True, use_builtin_types=True)
def echo(*args):
    return list(args)
def python_values():
    return {
        "int": 2147483647, "neg": -42, "float": 3.141592653589793, "tiny": 1e-7, "bool": True, "none": None,
        "text": "Zoë 😀 <&> \"q\" 'a'\n\tend", "empty": "", "bytes": b"\x00\x01binary\xff",
        "when": datetime.datetime(2025, 11, 2, 1, 30, 0), "list": [1, [2, [3, "deep"]], {}], "struct": {"a": {"b": []}},
    }
def fail():
    raise ValueError("boom")
server.register_function(echo)
server.register_function(python_values)
server.register_function(fail)
print(server.server_address[1], flush=True)
server.serve_forever()
`;

let py: ChildProcess;
let url: string;
const transport = new XmlRpcTransport({ timeoutMs: 10_000, maxSockets: 2, userAgent: 'test', maxBodyBytes: 1 << 24 });

beforeAll(async () => {
  py = spawn('python3', ['-c', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    py.once('error', reject);
    createInterface({ input: py.stdout! }).once('line', resolve);
  });
  url = `http://127.0.0.1:${port.trim()}/RPC2`;
});

afterAll(() => {
  py.kill();
});

async function call(method: string, params: XmlRpcValue[]): Promise<unknown> {
  const r = await transport.call(url, method, params, { headers: {} });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return r.message.kind === 'response' ? r.message.params[0] : r.message;
}

describe('interop with Python xmlrpc.server', () => {
  it('round-trips every XML-RPC type through Python unchanged', async () => {
    const sent: XmlRpcValue[] = [
      42,
      -2147483648,
      2.5,
      new XmlRpcDouble(1e-7),
      true,
      false,
      null,
      'Zoë 😀 <&> "quoted"\nnext line',
      '',
      new XmlRpcDateTime('20251102T01:30:00'),
      XmlRpcBase64.fromBytes(Buffer.from([0, 1, 2, 250, 255])),
      [1, ['nested', [true]], []],
      { Id: 7, Name: 'x', Inner: { Deep: [1.25] }, Empty: {} },
    ];
    const back = (await call('echo', sent)) as XmlRpcValue[];
    expect(back.length).toBe(sent.length);
    expect(back[3]).toBe(1e-7);
    expect((back[10] as XmlRpcBase64).bytes()).toEqual(Buffer.from([0, 1, 2, 250, 255]));
    const comparable = (v: XmlRpcValue): unknown => (v instanceof XmlRpcDouble ? v.value : v instanceof XmlRpcBase64 ? v.bytes().toString('hex') : v);
    expect(back.map(comparable)).toEqual(sent.map(comparable));
  });

  it('reads the values Python encodes by itself', async () => {
    const v = (await call('python_values', [])) as Record<string, XmlRpcValue>;
    expect(v['int']).toBe(2147483647);
    expect(v['neg']).toBe(-42);
    expect(v['float']).toBe(3.141592653589793);
    expect(v['tiny']).toBe(1e-7);
    expect(v['bool']).toBe(true);
    expect(v['none']).toBe(null);
    expect(v['text']).toBe('Zoë 😀 <&> "q" \'a\'\n\tend');
    expect(v['empty']).toBe('');
    expect((v['bytes'] as XmlRpcBase64).bytes()).toEqual(Buffer.from([0, 1, ...Buffer.from('binary'), 255]));
    expect((v['when'] as XmlRpcDateTime).text).toBe('20251102T01:30:00');
    expect(v['list']).toEqual([1, [2, [3, 'deep']], {}]);
    expect(v['struct']).toEqual({ a: { b: [] } });
  });

  it('reads a Python fault as a fault', async () => {
    const f = (await call('fail', [])) as { kind: string; code: number; message: string };
    expect(f.kind).toBe('fault');
    expect(f.code).toBe(1);
    expect(f.message).toContain('boom');
  });
});
