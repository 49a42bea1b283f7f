import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/keap/clock.js';
import { runSandboxCommand } from '../src/sandbox/cli.js';
import { FAULT_KINDS, type FaultKind } from '../src/sandbox/faults.js';
import { registerMethods } from '../src/sandbox/methods.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/server.js';
import { TransportError, XmlRpcTransport, type CallResult } from '../src/xmlrpc/transport.js';
import { XmlRpcParseError, type XmlRpcValue } from '../src/xmlrpc/types.js';
import { encodeCall } from '../src/xmlrpc/encode.js';

const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const s = await startSandbox({ contacts: 300, quotas: { perSecond: 1000, perMinute: 100_000, perDay: 1_000_000 }, ...options });
  open.push(s);
  return s;
}

const transport = (options: Partial<ConstructorParameters<typeof XmlRpcTransport>[0]> = {}): XmlRpcTransport =>
  new XmlRpcTransport({ timeoutMs: 5000, maxSockets: 2, userAgent: 'sandbox-test', maxBodyBytes: 64 * 1024 * 1024, ...options });

const keyHeaders = (s: Sandbox): Record<string, string> => ({ 'X-Keap-API-Key': s.credentials.api_key });

async function rpc(s: Sandbox, method: string, params: XmlRpcValue[], headers = keyHeaders(s), t = transport()): Promise<CallResult> {
  return t.call(s.apiUrl, method, params, { headers });
}

function value(r: CallResult): XmlRpcValue {
  if (!r.ok) throw new Error(`HTTP ${r.status}: ${r.body}`);
  if (r.message.kind !== 'response') throw new Error(JSON.stringify(r.message));
  return r.message.params[0] ?? null;
}

async function refresh(s: Sandbox, refreshToken: string, basic = `${s.credentials.client_id}:${s.credentials.client_secret}`): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(s.tokenUrl, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(basic).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A raw POST, to see the bytes and headers exactly as sent. */
function rawPost(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'text/xml', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One raw request line sent as is (no client library would send a bad target); the status line back. */
function rawRequestLine(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (got += d));
    socket.on('end', () => resolve(got.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

describe('sandbox server', () => {
  it('answers a request target that is not a URL with 400, printing no stack trace (issue 12)', async () => {
    const s = await sandbox();
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await rawRequestLine(s.port, 'GET http://[ HTTP/1.1')).toBe('HTTP/1.1 400 Bad Request');
      expect(await rawRequestLine(s.port, 'POST http://[/crm/xmlrpc/v1 HTTP/1.1')).toBe('HTTP/1.1 400 Bad Request');
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).not.toMatch(/\n\s+at |TypeError|Invalid URL/);
  });

  it('accepts the API key header and answers 401 with the gateway JSON otherwise', async () => {
    const s = await sandbox();
    expect(value(await rpc(s, 'DataService.getAppSetting', ['k', 'Application', 'enabled']))).toBe('yes');
    const attempts: Record<string, string>[] = [{}, { 'X-Keap-API-Key': 'KeapAK-wrong' }, { Authorization: 'Bearer not-a-token' }];
    for (const headers of attempts) {
      const r = await rpc(s, 'DataService.getAppSetting', ['k', 'Application', 'enabled'], headers);
      expect(r.ok).toBe(false);
      expect(r.status).toBe(401);
      expect(!r.ok && JSON.parse(r.body)).toEqual({ fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } } });
    }
    expect(s.stats.unauthorized).toBe(3);
  });

  it('rotates the refresh token on every refresh and accepts the access token as a Bearer', async () => {
    const s = await sandbox();
    const first = await refresh(s, s.credentials.refresh_token);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'bearer', expires_in: 86400, scope: 'full|sandbox.infusionsoft.com' });
    const bearer = { Authorization: `Bearer ${String(first.body['access_token'])}` };
    expect(value(await rpc(s, 'DataService.getUserInfo', [], bearer))).toMatchObject({ localUserId: 1 });

    const reused = await refresh(s, s.credentials.refresh_token);
    expect(reused).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'Invalid Refresh Token' } });
    const second = await refresh(s, String(first.body['refresh_token']));
    expect(second.status).toBe(200);
    expect(s.liveRefreshTokens()).toEqual([second.body['refresh_token']]);

    const badClient = await refresh(s, String(second.body['refresh_token']), `${s.credentials.client_id}:wrong`);
    expect(badClient.status).toBe(401);
    expect(badClient.body['error']).toBe('invalid_client');

    s.revokeAccessTokens();
    expect((await rpc(s, 'DataService.getUserInfo', [], { Authorization: `Bearer ${String(second.body['access_token'])}` })).status).toBe(401);
    const third = await refresh(s, String(second.body['refresh_token']));
    expect(value(await rpc(s, 'DataService.getUserInfo', [], { Authorization: `Bearer ${String(third.body['access_token'])}` }))).toMatchObject({ localUserId: 1 });
  });

  it('expires access tokens on the sandbox clock', async () => {
    const clock = new ManualClock();
    const s = await sandbox({ clock, accessTokenTtlSeconds: 60 });
    const t = await refresh(s, s.credentials.refresh_token);
    const bearer = { Authorization: `Bearer ${String(t.body['access_token'])}` };
    expect((await rpc(s, 'DataService.getUserInfo', [], bearer)).status).toBe(200);
    clock.advance(61_000);
    expect((await rpc(s, 'DataService.getUserInfo', [], bearer)).status).toBe(401);
  });

  it('plays a user clicking Allow on the authorize page and exchanges the code once', async () => {
    const s = await sandbox();
    const url = new URL(s.authorizeUrl);
    const redirect = 'http://127.0.0.1:9/callback';
    url.search = new URLSearchParams({ client_id: s.credentials.client_id, redirect_uri: redirect, response_type: 'code', scope: 'full', state: 'xyz' }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(redirect);
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('scope')).toBe('full|sandbox.infusionsoft.com');
    const code = location.searchParams.get('code') ?? '';
    const exchange = (): Promise<Response> =>
      fetch(s.tokenUrl, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: s.credentials.client_id, client_secret: s.credentials.client_secret, code, redirect_uri: redirect }),
      });
    const ok = await exchange();
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ token_type: 'bearer', access_token: expect.any(String), refresh_token: expect.any(String) });
    expect((await exchange()).status).toBe(400);
    expect((await fetch(`${s.authorizeUrl}?client_id=nope&response_type=code&redirect_uri=${encodeURIComponent(redirect)}`, { redirect: 'manual' })).status).toBe(400);
  });

  it('sends Keap quota headers and enforces per-second, per-minute and per-day windows with 429s', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 12, 0, 0, 100));
    const s = await sandbox({ clock, quotas: { perSecond: 2, perMinute: 3, perDay: 4 } });
    const ping = (): Promise<CallResult> => rpc(s, 'DataService.getAppSetting', ['k', 'Application', 'enabled']);
    const a = await ping();
    expect(a.headers).toMatchObject({
      'x-keap-product-quota-limit': '4',
      'x-keap-product-quota-used': '1',
      'x-keap-product-quota-available': '3',
      'x-keap-product-quota-time-unit': 'day',
      'x-keap-product-quota-interval': '1',
      'x-keap-product-quota-expiry-time': String(Date.UTC(2026, 10, 28)),
      'x-keap-product-throttle-limit': '3',
      'x-keap-product-throttle-used': '1',
      'x-keap-product-throttle-available': '2',
      'x-keap-product-throttle-time-unit': 'minute',
      'x-keap-product-spike-limit': '2ps',
      'x-keap-tenant-id': 'sandbox.infusionsoft.com',
    });
    expect((await ping()).status).toBe(200);
    const spike = await ping();
    expect(spike.status).toBe(429);
    expect(spike.headers['retry-after']).toBe('1');
    expect(!spike.ok && JSON.parse(spike.body)).toEqual({ code: '429', message: 'Quota Exceeded', status: 'Request Throttled', details: null });
    clock.advance(1000);
    expect((await ping()).status).toBe(200);
    const minute = await ping();
    expect(minute.status).toBe(429);
    expect(Number(minute.headers['retry-after'])).toBe(59);
    clock.advance(60_000);
    expect((await ping()).status).toBe(200);
    clock.advance(60_000);
    const day = await ping();
    expect(day.status).toBe(429);
    expect(day.headers['x-keap-product-quota-available']).toBe('0');
    expect(Number(day.headers['retry-after'])).toBeGreaterThan(40_000);
    expect(s.stats.quotaViolations).toBe(3);
    expect(s.stats.throttled).toBe(3);
  });

  it('meters OAuth requests against the OAuth quotas', async () => {
    const s = await startSandbox({ contacts: 10 });
    open.push(s);
    const t = await refresh(s, s.credentials.refresh_token);
    const r = await rpc(s, 'DataService.getUserInfo', [], { Authorization: `Bearer ${String(t.body['access_token'])}` });
    expect(r.headers['x-keap-product-quota-limit']).toBe('150000');
    expect(r.headers['x-keap-product-throttle-limit']).toBe('1500');
    const k = await rpc(s, 'DataService.getAppSetting', ['k', 'Application', 'enabled']);
    expect(k.headers['x-keap-product-quota-limit']).toBe('30000');
    expect(k.headers['x-keap-product-spike-limit']).toBe('10ps');
  });

  it('shapes responses like the captured Keap fixtures: bare strings, i4, compact dates, no nils', async () => {
    const s = await sandbox();
    const headers = { ...keyHeaders(s), 'Accept-Encoding': 'identity' };
    const q = await rawPost(s.apiUrl, encodeCall('DataService.query', ['k', 'Company', 2, 0, {}, ['Id', 'Company', 'DateCreated', 'Fax1']]), headers);
    const text = q.body.toString('utf8');
    expect(q.headers['content-type']).toMatch(/^text\/xml/);
    expect(text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><methodResponse><params><param><value><array><data><value><struct><member><name>Id<\/name><value><i4>1<\/i4><\/value><\/member><member><name>Company<\/name><value>[^<]+<\/value><\/member><member><name>DateCreated<\/name><value><dateTime.iso8601>\d{8}T\d\d:\d\d:\d\d<\/dateTime.iso8601><\/value><\/member><\/struct><\/value><value><struct>/,
    );
    expect(text).not.toMatch(/<string>|<nil\/>|Fax1/);
    const setting = await rawPost(s.apiUrl, encodeCall('DataService.getAppSetting', ['k', 'Contact', 'optiontitles']), headers);
    expect(setting.body.toString()).toBe('<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value>Sir Madam Sith Lord Darth</value></param></params></methodResponse>');
    const fault = await rawPost(s.apiUrl, encodeCall('DataService.query', ['k', 'Contact', 2, 0, {}, ['Foo']]), headers);
    expect(fault.status).toBe(200);
    expect(fault.body.toString()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><i4>10</i4></value></member><member><name>faultString</name><value>[NoFieldFound]No field found: Contact.Foo</value></member></struct></value></fault></methodResponse>',
    );
    const empty = await rawPost(s.apiUrl, '', headers);
    expect(empty.body.toString()).toContain('<value><i4>0</i4></value>');
    expect(empty.body.toString()).toContain('Failed to parse XML-RPC request: Premature end of file.');
  });

  it('gzips the answer when the request accepts gzip', async () => {
    const s = await sandbox();
    const body = encodeCall('DataService.query', ['k', 'Contact', 50, 0, {}, ['Id', 'FirstName', 'Email']]);
    const plain = await rawPost(s.apiUrl, body, { ...keyHeaders(s), 'Accept-Encoding': 'identity' });
    const zipped = await rawPost(s.apiUrl, body, { ...keyHeaders(s), 'Accept-Encoding': 'gzip, deflate' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body.length).toBeLessThan(plain.body.length);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    const off = await sandbox({ gzip: false });
    const unzipped = await rawPost(off.apiUrl, body, { 'X-Keap-API-Key': off.credentials.api_key, 'Accept-Encoding': 'gzip' });
    expect(unzipped.headers['content-encoding']).toBeUndefined();
  });

  it('injects every fault kind at the request number asked for, and counts them', async () => {
    const s = await sandbox({ faults: { hangMs: 300 } });
    const t = transport({ timeoutMs: 1000, maxBodyBytes: 4 * 1024 * 1024 });
    const params: XmlRpcValue[] = ['k', 'Contact', 20, 0, {}, ['Id', 'FirstName']];
    const outcome = async (kind: FaultKind, tt = t): Promise<string> => {
      s.setFaults({ at: { [s.stats.requests + 1]: kind }, hangMs: 300 });
      try {
        const r = await tt.call(s.apiUrl, 'DataService.query', params, { headers: keyHeaders(s) });
        if (!r.ok) return `http ${r.status}${r.headers['retry-after'] ? ` retry-after ${r.headers['retry-after']}` : ''}`;
        return r.message.kind === 'fault' ? `fault ${r.message.code} ${r.message.message}` : `rows ${(r.message.params[0] as unknown[]).length}`;
      } catch (e) {
        if (e instanceof XmlRpcParseError) return `parse ${e.reason}`;
        if (e instanceof TransportError) return `network ${e.code}`;
        throw e;
      }
    };
    expect(await outcome('http429')).toBe('http 429 retry-after 1');
    expect(await outcome('http500')).toBe('http 500');
    expect(await outcome('http502')).toBe('http 502');
    expect(await outcome('http503')).toBe('http 503');
    expect(await outcome('reset')).toMatch(/^network (ECONNRESET|ERR_BAD_RESPONSE|ENETWORK)/);
    expect(await outcome('hang', transport({ timeoutMs: 50 }))).toMatch(/^network (ETIMEDOUT|ECONNABORTED)/);
    expect(await outcome('hang')).toBe('rows 20');
    expect(await outcome('truncated')).toBe('parse truncated');
    expect(await outcome('empty')).toBe('parse truncated');
    expect(await outcome('fault-query-timeout')).toBe('fault 4 [DatabaseError]Query took too long and was cancelled');
    expect(await outcome('fault-saved-search-blocked')).toBe('fault 3 Too many consecutive failures. This saved search is blocked temporarily');
    expect(await outcome('fault-throttled')).toMatch(/^fault 0 .*ThrottlingException: Maximum number of threads throttled$/);
    expect(await outcome('fault-unexpected')).toMatch(/^fault 3 \[Unexpected\]/);
    expect(await outcome('fault-premature-eof')).toBe('fault 0 Failed to parse XML-RPC request: Premature end of file.');
    expect(await outcome('fault-invalid-key')).toBe('fault 2 [InvalidKey]Invalid Key');
    expect(await outcome('doctype')).toBe('parse refused');
    expect(await outcome('deep-nesting')).toBe('parse refused');
    // Refused by the reader or, first, by axios's maxContentLength: either way never held whole.
    expect(await outcome('oversize')).toMatch(/^(parse refused|network ERR_BAD_RESPONSE)$/);
    // The 300 MB body is streamed with backpressure: the server stops soon after the client hangs up.
    await new Promise((r) => setTimeout(r, 20));
    expect(s.stats.bytesSent).toBeLessThan(64 * 1024 * 1024);
    for (const kind of FAULT_KINDS) expect(s.stats.faults[kind], kind).toBe(kind === 'hang' ? 2 : 1);
    s.setFaults({});
    expect((await rpc(s, 'DataService.query', params)).status).toBe(200);
  });

  it('draws faults at a seeded rate, only for the methods named', async () => {
    const s = await sandbox({ faults: { rate: 1, kinds: ['http503'], methods: ['DataService.query'] } });
    expect((await rpc(s, 'DataService.getAppSetting', ['k', 'Application', 'enabled'])).status).toBe(200);
    expect((await rpc(s, 'DataService.query', ['k', 'Contact', 1, 0, {}, ['Id']])).status).toBe(503);
    s.setFaults({ rate: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await rpc(s, 'DataService.getAppSetting', ['k', 'Application', 'enabled'], keyHeaders(s), transport({ timeoutMs: 1000 })).catch(() => ({ status: -1 }))).status);
    expect(statuses.filter((x) => x === 200).length).toBeGreaterThan(5);
    expect(statuses.filter((x) => x !== 200).length).toBeGreaterThan(5);
  });

  it('delays every XML-RPC answer by latencyMs', async () => {
    const s = await sandbox({ latencyMs: 40 });
    const started = performance.now();
    await rpc(s, 'DataService.getAppSetting', ['k', 'Application', 'enabled']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(38);
  });

  it('serves repeated pages from the cache until the data changes', async () => {
    const s = await sandbox({ cachePages: true });
    const params: XmlRpcValue[] = ['k', 'Contact', 100, 0, {}, ['Id', 'FirstName']];
    const a = value(await rpc(s, 'DataService.query', params));
    const b = value(await rpc(s, 'DataService.query', params));
    expect(b).toEqual(a);
    expect(s.stats.cacheHits).toBe(1);
    s.data.table('Contact').update(1, { FirstName: 'Changed' });
    const c = value(await rpc(s, 'DataService.query', params)) as Record<string, XmlRpcValue>[];
    expect(s.stats.cacheHits).toBe(1);
    expect(c[0]?.['FirstName']).toBe('Changed');
  });

  it('changes rows after each query on a planned table and records every touched id', async () => {
    const clock = new ManualClock();
    const s = await sandbox({ clock, mutations: { Contact: { updates: 3, inserts: 1, deletes: 1 } } });
    const seen = new Map<number, number>();
    const names = new Map<number, string>();
    let last = 0;
    let pages = 0;
    for (;;) {
      const rows = value(await rpc(s, 'DataService.query', ['k', 'Contact', 50, 0, { Id: `~>~ ${last}` }, ['Id', 'FirstName'], 'Id', true])) as Record<string, XmlRpcValue>[];
      pages++;
      for (const r of rows) {
        const id = r['Id'] as number;
        seen.set(id, (seen.get(id) ?? 0) + 1);
        names.set(id, String(r['FirstName']));
      }
      if (rows.length < 50) break;
      last = rows.at(-1)?.['Id'] as number;
    }
    const touched = s.mutated('Contact');
    expect(touched.size).toBeGreaterThan(0);
    expect(touched.size).toBeLessThanOrEqual(pages * 5);
    const contacts = s.data.table('Contact');
    for (let id = 1; id <= 300; id++) {
      if (touched.has(id)) continue;
      expect(seen.get(id), `untouched contact ${id}`).toBe(1);
      expect(names.get(id)).toBe(String(contacts.value(id, 'FirstName')));
    }
    expect([...touched].some((id) => contacts.value(id, 'LastUpdated') === Math.floor(clock.now() / 1000) * 1000)).toBe(true);

    s.setMutations({ ContactGroupAssign: { updates: 1, inserts: 1, deletes: 1 } });
    await rpc(s, 'DataService.query', ['k', 'ContactGroupAssign', 10, 0, {}, ['ContactId', 'GroupId']]);
    const keys = [...s.mutated('ContactGroupAssign')];
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const k of keys) expect(k).toMatch(/^\d+:\d+$/);
  });

  it('answers getUserInfo without a key, faults unknown methods, and lets callers add methods', async () => {
    registerMethods({ 'ProductService.getInventory': (ctx, params) => ctx.params(params, '(String key, int productId)').count(1).int(0) * 2 });
    const s = await sandbox({ methods: { 'WebFormService.getMap': () => ({ 12: 'Signup & Win' }) } });
    expect(value(await rpc(s, 'DataService.getUserInfo', []))).toMatchObject({ appAlias: 'sandbox', localUserId: 1 });
    const nope = await rpc(s, 'APIEmailService.sendTemplate', ['k']);
    expect(nope.ok && nope.message).toEqual({ kind: 'fault', code: 0, message: 'No such handler: APIEmailService.sendTemplate' });
    expect(value(await rpc(s, 'ProductService.getInventory', ['k', 21]))).toBe(42);
    expect(value(await rpc(s, 'WebFormService.getMap', ['k']))).toEqual({ 12: 'Signup & Win' });
    expect(s.stats.byMethod['DataService.getUserInfo']).toBe(1);
    expect(s.stats.requests).toBe(4);
  });

  it('announces its URLs and credentials as one JSON line', async () => {
    const s = await sandbox({ seed: 7 });
    const line = s.announce();
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      rest_url: s.restUrl,
      api_url: s.apiUrl,
      token_url: s.tokenUrl,
      authorize_url: s.authorizeUrl,
      api_key: s.credentials.api_key,
      client_id: s.credentials.client_id,
      client_secret: s.credentials.client_secret,
      refresh_token: s.credentials.refresh_token,
    });
    expect(s.credentials.api_key).toMatch(/^KeapAK-/);
    expect(s.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/crm\/xmlrpc\/v1$/);
    expect(s.restUrl).toBe(s.apiUrl.replace('/crm/xmlrpc/v1', '/crm/rest/v2'));
    const again = await sandbox({ seed: 7 });
    expect(again.credentials).toEqual(s.credentials);
  });
});

describe('sandbox command', () => {
  it('prints the announce line once listening and exits 0 when stopped', async () => {
    const out: string[] = [];
    const stop = new AbortController();
    const done = runSandboxCommand(['--port', '0', '--seed', '3', '--contacts=20', '--per-minute', '600', '--cache-pages'], {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: () => undefined },
      signal: stop.signal,
    });
    for (let i = 0; i < 200 && out.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const announced = JSON.parse(out[0] ?? '{}') as Record<string, string>;
    const r = await transport().call(announced['api_url'] ?? '', 'DataService.count', ['k', 'Contact', {}], { headers: { 'X-Keap-API-Key': announced['api_key'] ?? '' } });
    expect(r.ok && r.message.kind === 'response' && r.message.params[0]).toBe(20);
    expect(r.headers['x-keap-product-throttle-limit']).toBe('600');
    stop.abort();
    expect(await done).toBe(0);
    expect(out).toHaveLength(1);
  });

  it('writes its line to --ready-file once listening, whole, and removes the file when stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-ready-'));
    const ready = join(dir, 'sandbox.json');
    const out: string[] = [];
    const stop = new AbortController();
    const done = runSandboxCommand(['--port', '0', '--seed', '4', '--contacts', '10', '--ready-file', ready], {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: () => undefined },
      signal: stop.signal,
    });
    for (let i = 0; i < 400 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 5));
    // The file appears whole (written aside, then renamed): the line the command printed.
    expect(readFileSync(ready, 'utf8')).toBe(out[0]);
    expect(statSync(ready).mode & 0o777).toBe(0o600);
    const announced = JSON.parse(readFileSync(ready, 'utf8')) as Record<string, string>;
    const r = await transport().call(announced['api_url'] ?? '', 'DataService.count', ['k', 'Contact', {}], { headers: { 'X-Keap-API-Key': announced['api_key'] ?? '' } });
    expect(r.ok && r.message.kind === 'response' && r.message.params[0]).toBe(10);
    stop.abort();
    expect(await done).toBe(0);
    expect(existsSync(ready)).toBe(false);
  });

  it('--help lists every flag with its default and what it does', async () => {
    const out: string[] = [];
    expect(await runSandboxCommand(['--help'], { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => undefined } })).toBe(0);
    const help = out.join('');
    for (const flag of ['--port', '--seed', '--contacts', '--ready-file', '--latency-ms', '--cache-pages', '--no-gzip', '--timezone', '--fault-rate', '--fault-kinds', '--per-second', '--per-minute', '--per-day', '--access-token-ttl', '--app']) {
      const line = help.split('\n').find((l) => l.startsWith(`  ${flag} `) || l === `  ${flag}`);
      expect(line, flag).toMatch(/\S+.*\. Default: .+\.$/);
    }
    expect(help).toMatch(/--contacts N +Contacts in the account.*Default: 1,000\./);
    expect(help).toMatch(/--per-minute N .*Default: 240 \(API key\), 1,500 \(OAuth\)\./);
  });

  it('rejects bad flags with one line on stderr and exit code 2', async () => {
    for (const args of [['--bogus'], ['--port', 'abc'], ['--fault-rate', '2'], ['--timezone', 'Mars/Olympus'], ['--fault-kinds', 'http500,meteor'], ['--contacts']]) {
      const err: string[] = [];
      const code = await runSandboxCommand(args, { stdout: { write: () => undefined }, stderr: { write: (s: string) => err.push(s) } });
      expect(code, args.join(' ')).toBe(2);
      expect(err.join('').trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
