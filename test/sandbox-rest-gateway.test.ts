import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/keap/clock.js';
import type { FaultKind } from '../src/sandbox/faults.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/server.js';
import { XmlRpcTransport } from '../src/xmlrpc/transport.js';
import type { XmlRpcStruct, XmlRpcValue } from '../src/xmlrpc/types.js';
import { RestClient, type Json } from './helpers/rest-client.js';
import { RestSpec } from './helpers/rest-spec.js';

/**
 * The REST side behind the same gateway as XML-RPC: credentials, one quota for both APIs, faults,
 * gzip, the page cache, rows changing between pages, and one world of data seen through both.
 */

const spec = new RestSpec();
const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const HIGH = { perSecond: 100_000, perMinute: 1_000_000, perDay: 10_000_000 };

async function sandbox(options: SandboxOptions = {}): Promise<{ s: Sandbox; api: RestClient }> {
  const s = await startSandbox({ contacts: 120, seed: 3, quotas: HIGH, ...options });
  open.push(s);
  return { s, api: new RestClient(s, spec) };
}

async function rpc(s: Sandbox, method: string, params: XmlRpcValue[]): Promise<XmlRpcValue> {
  const t = new XmlRpcTransport({ timeoutMs: 5000, maxSockets: 1, userAgent: 'rest-gateway-test', maxBodyBytes: 16 * 1024 * 1024 });
  const r = await t.call(s.apiUrl, method, params, { headers: { 'X-Keap-API-Key': s.credentials.api_key } });
  if (!r.ok || r.message.kind !== 'response') throw new Error(`XML-RPC ${method} failed`);
  return r.message.params[0] ?? null;
}

function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('the REST gateway', () => {
  it('takes the API key as X-Keap-API-Key or Bearer and an OAuth access token, and answers 401 with an Error body', async () => {
    const { s, api } = await sandbox();
    expect((await api.call('/tags', { headers: { 'X-Keap-API-Key': 'KeapAK-wrong' } })).status).toBe(401);
    const denied = await api.call('/tags/1', { headers: { 'X-Keap-API-Key': '' } });
    expect(denied.body).toEqual({ code: 401, message: 'Invalid access token', status: 'Unauthorized' });
    expect((await api.call('/tags/1', { headers: { 'X-Keap-API-Key': '', Authorization: `Bearer ${s.credentials.api_key}` } })).status).toBe(200);
    const token = (await (
      await fetch(s.tokenUrl, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from(`${s.credentials.client_id}:${s.credentials.client_secret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: s.credentials.refresh_token }),
      })
    ).json()) as { access_token: string };
    expect((await api.call('/tags/1', { headers: { 'X-Keap-API-Key': '', Authorization: `Bearer ${token.access_token}` } })).status).toBe(200);
    expect(s.stats.unauthorized).toBe(2);
    expect(s.stats.byPath['GET /tags/{tag_id}']).toBe(3);
  });

  it('spends one quota for both APIs, with the same headers and a 429 with Retry-After', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0, 0, 100));
    const { s, api } = await sandbox({ clock, quotas: { perSecond: 100, perMinute: 4, perDay: 1000 } });
    await rpc(s, 'DataService.getAppSetting', ['k', 'Application', 'enabled']);
    const first = await api.call('/tags/1');
    expect(first.headers.get('x-keap-product-throttle-used')).toBe('2');
    expect(first.headers.get('x-keap-product-quota-used')).toBe('2');
    await rpc(s, 'DataService.getAppSetting', ['k', 'Application', 'enabled']);
    expect((await api.call('/tags/2')).headers.get('x-keap-product-throttle-available')).toBe('0');
    const refused = await api.call('/tags/3');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.body).toMatchObject({ message: 'Quota Exceeded' });
    expect(s.stats.quotaViolations).toBe(1);
  });

  it('shows one world: a row changed in the data is changed on REST and on XML-RPC alike', async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 9, 30, 0));
    const { s, api } = await sandbox({ clock });
    s.data.table('Contact').update(7, { FirstName: 'Zed', Phone3: '555-0100', Phone3Type: 'Mobile' });
    const rest = await api.ok('/contacts/7?fields=given_name,family_name,email_addresses,phone_numbers,update_time,create_time,company');
    expect(rest['given_name']).toBe('Zed');
    expect(rest['update_time']).toBe('2026-03-01T09:30:00.000Z');
    expect(rest['phone_numbers']).toContainEqual({ number: '555-0100', type: 'Mobile', field: 'PHONE3' });
    const xml = (await rpc(s, 'ContactService.load', ['k', 7, ['FirstName', 'LastName', 'Email', 'CompanyID', 'Company']])) as XmlRpcStruct;
    expect(xml['FirstName']).toBe('Zed');
    expect(rest['family_name']).toBe(xml['LastName']);
    expect((rest['email_addresses'] as Json[])[0]?.['email']).toBe(xml['Email']);
    expect((rest['company'] as Json | undefined)?.['company_name']).toBe(xml['Company']);
    // An order's modification_time moves with its invoice, and a new tag shows on the tag's contacts.
    s.data.table('Invoice').update(4, { TotalPaid: 1 });
    expect((await api.ok('/orders/4'))['modification_time']).toBe('2026-03-01T09:30:00.000Z');
    const tagged = await api.all('/tags/2/contacts', 'contacts');
    s.data.table('ContactGroupAssign').insert({ ContactId: 120, GroupId: 2 });
    const after = await api.all('/tags/2/contacts', 'contacts');
    expect(after.length).toBe(tagged.length + (tagged.some((c) => c['id'] === '120') ? 0 : 1));
    expect(after.find((c) => c['id'] === '120')?.['applied_time']).toBe('2026-03-01T09:30:00.000Z');
  });

  it('injects the fault kinds in REST form at the request number asked for', async () => {
    const { s, api } = await sandbox({ faults: { hangMs: 50 } });
    const at = async (kind: FaultKind, path = '/contacts?page_size=5'): Promise<Response> => {
      s.setFaults({ at: { [s.stats.requests + 1]: kind }, hangMs: 50 });
      return fetch(s.restUrl + path, { headers: { 'X-Keap-API-Key': s.credentials.api_key } });
    };
    expect((await at('http503')).status).toBe(503);
    const throttled = await at('http429');
    expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '1']);
    const html = await at('html');
    expect([html.status, html.headers.get('content-type'), (await html.text()).startsWith('<!DOCTYPE html>')]).toEqual([200, 'text/html;charset=UTF-8', true]);
    const timeout = await at('fault-query-timeout');
    expect([timeout.status, await timeout.json()]).toEqual([500, { code: 500, message: 'Query took too long and was cancelled', status: 'Internal Server Error' }]);
    await expect((await at('truncated')).json()).rejects.toThrow();
    expect((await at('empty')).headers.get('content-length')).toBe('0');
    await expect(at('reset')).rejects.toThrow();
    expect((await at('hang')).status).toBe(200);
    const first = await api.ok('/contacts?page_size=5');
    const token = encodeURIComponent(String(first['next_page_token']));
    // Refused once, then the same token works: the token was valid all along.
    const refused = await at('bad-page-token', `/contacts?page_size=5&page_token=${token}`);
    expect([refused.status, ((await refused.json()) as Json)['message']]).toEqual([400, 'Invalid page_token']);
    expect(await api.ok(`/contacts?page_size=5&page_token=${token}`)).toHaveProperty('contacts');
    // Without a token to refuse, the page-token fault does not apply.
    expect((await at('bad-page-token')).status).toBe(200);
    const nested = await (await at('deep-nesting')).text();
    expect(nested.length).toBe(20_000);
    expect((await at('doctype')).headers.get('content-type')).toBe('text/html;charset=UTF-8');
    expect(((await (await at('fault-invalid-key')).json()) as Json)['code']).toBe(401);
    // 300 MB of JSON, streamed: the client hangs up after the first chunk and the server stops.
    s.setFaults({ at: { [s.stats.requests + 1]: 'oversize' } });
    const head = await new Promise<string>((resolve, reject) => {
      http
        .get(`${s.restUrl}/contacts`, { headers: { 'X-Keap-API-Key': s.credentials.api_key } }, (res) => {
          res.once('data', (c: Buffer) => {
            resolve(c.subarray(0, 13).toString('utf8'));
            res.destroy();
          });
        })
        .on('error', reject);
    });
    expect(head).toBe('{"contacts":[');
    expect(s.stats.faults).toEqual({
      http503: 1, http429: 1, html: 1, 'fault-query-timeout': 1, truncated: 1, empty: 1, reset: 1, hang: 1, 'bad-page-token': 1, 'deep-nesting': 1, doctype: 1, 'fault-invalid-key': 1, oversize: 1,
    });
  });

  it('changes rows after every list page, so paging by offset tokens can miss rows that never changed', async () => {
    const { s, api } = await sandbox({ mutations: { Contact: { deletes: 2, updates: 1 } } });
    const seen = new Set((await api.all('/contacts?fields=id', 'contacts', 20)).map((c) => Number(c['id'])));
    const touched = s.mutated('Contact');
    expect(touched.size).toBeGreaterThan(0);
    const untouchedMissed = Array.from({ length: 120 }, (_, i) => i + 1).filter((id) => !touched.has(id) && !seen.has(id));
    expect(untouchedMissed.length).toBeGreaterThan(0);
    // Reading one contact is not a list page: nothing changes.
    const before = s.data.version;
    await api.ok('/contacts/1');
    expect(s.data.version).toBe(before);
  });

  it('expires page tokens after the configured lifetime on the sandbox clock', async () => {
    const clock = new ManualClock();
    const { api } = await sandbox({ clock, pageTokenTtlSeconds: 60 });
    const token = encodeURIComponent(String((await api.ok('/tags?page_size=2'))['next_page_token']));
    clock.advance(59_000);
    await api.ok(`/tags?page_size=2&page_token=${token}`);
    clock.advance(2_000);
    expect(await api.error(`/tags?page_size=2&page_token=${token}`, 400)).toMatch(/expired/);
  });

  it('gzips REST answers for clients that accept it and serves repeated pages from the cache', async () => {
    const { s } = await sandbox({ cachePages: true });
    const headers = { 'X-Keap-API-Key': s.credentials.api_key, 'Accept-Encoding': 'gzip' };
    const zipped = await rawGet(`${s.restUrl}/contacts?page_size=50`, headers);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const body = JSON.parse(gunzipSync(zipped.body).toString('utf8')) as Json;
    expect((body['contacts'] as Json[]).length).toBe(50);
    const again = await rawGet(`${s.restUrl}/contacts?page_size=50`, headers);
    expect(gunzipSync(again.body).equals(gunzipSync(zipped.body))).toBe(true);
    expect(s.stats.cacheHits).toBe(1);
    s.data.table('Contact').update(1, { FirstName: 'Changed' });
    await rawGet(`${s.restUrl}/contacts?page_size=50`, headers);
    expect(s.stats.cacheHits).toBe(1);
    // Tokens that do not expire are the same on every walk: a second walk is served from the cache.
    const api = new RestClient(s, spec);
    const first = await api.all('/contacts', 'contacts', 25);
    const hits = s.stats.cacheHits;
    expect(await api.all('/contacts', 'contacts', 25)).toEqual(first);
    expect(s.stats.cacheHits - hits).toBe(Math.ceil(120 / 25));
  });
});
