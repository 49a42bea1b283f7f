import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, scratch } from './helpers/cli.js';

/**
 * When Keap has switched XML-RPC off (2026-12-31, and during its brownouts), the endpoint answers
 * something that is not XML-RPC. A config that still says `api: xmlrpc` gets one line saying so and
 * what to do, at once, instead of minutes of retries.
 */
let server: http.Server;
let url: string;
let requests = 0;
const ANSWERS: Record<string, { status: number; type: string; body: string }> = {
  '/gone-404': { status: 404, type: 'text/html', body: '<html><body>Not Found</body></html>' },
  '/gone-410': { status: 410, type: 'application/json', body: '{"message":"XML-RPC has been retired"}' },
  '/gone-html': { status: 200, type: 'text/html; charset=utf-8', body: '<!doctype html><html><body>This API is no longer available</body></html>' },
  '/gone-json': { status: 200, type: 'application/json', body: '{"code":410,"message":"Gone"}' },
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    const a = ANSWERS[req.url ?? ''] ?? { status: 500, type: 'text/plain', body: 'unexpected' };
    req.resume();
    req.on('end', () => {
      res.writeHead(a.status, { 'Content-Type': a.type });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('an XML-RPC endpoint Keap has switched off', () => {
  it.each(Object.keys(ANSWERS))('%s: check says in one line that XML-RPC is off and to set api: rest, after one request', async (path) => {
    const s = scratch();
    const config = s.write('config.json', { credentials: { auth_type: 'api_key', api_key: 'KeapAK-sunset-0000' }, api: 'xmlrpc', api_url: url + path });
    const before = requests;
    const r = await runCli(['check', '--config', config]);
    const status = r.messages.find((m) => m['type'] === 'CONNECTION_STATUS') as { connectionStatus: { status: string; message: string } };
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(status.connectionStatus.message).toMatch(/switched XML-RPC off on 2026-12-31; set "api": "rest"/);
    expect(status.connectionStatus.message).not.toContain('\n');
    expect(requests - before).toBe(1);
    // check with api: xmlrpc also says when XML-RPC ends.
    expect(r.messages.some((m) => m['type'] === 'LOG' && JSON.stringify(m).includes('2026-12-31'))).toBe(true);
  });
});
