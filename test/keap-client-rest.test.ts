import { describe, expect, it } from 'vitest';
import { Auth } from '../src/keap/auth.js';
import { KeapClient } from '../src/keap/client.js';
import { ManualClock } from '../src/keap/clock.js';
import { KeapError, QuotaExhaustedError } from '../src/keap/errors.js';
import { RateLimiter } from '../src/keap/limiter.js';
import { DEFAULT_SCHEDULES } from '../src/keap/retry.js';
import type { RestRequest, RestResult, RestTransport } from '../src/rest/transport.js';
import type { CallResult, XmlRpcTransport } from '../src/xmlrpc/transport.js';

/**
 * The one client speaks both APIs through one limiter (one account's quota, whichever API spends
 * it), one retry loop and one error table: REST answers are judged by their status and Keap's
 * error body, as XML-RPC's by their faults.
 */
type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

function client(answers: Answer[], perSecond = 1000): { c: KeapClient; clock: ManualClock; sent: { api: string; at: number; req?: RestRequest }[] } {
  const clock = new ManualClock();
  const sent: { api: string; at: number; req?: RestRequest }[] = [];
  const rest = {
    send: async (req: RestRequest): Promise<RestResult> => {
      sent.push({ api: 'rest', at: clock.now(), req });
      const a = answers.shift() ?? { status: 200, body: { contacts: [] } };
      const headers = a.headers ?? {};
      if (a.status >= 200 && a.status < 300) return { ok: true, status: a.status, headers, json: a.body, ms: 1 };
      return { ok: false, status: a.status, headers, body: typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? {}), ms: 1 };
    },
  } as unknown as RestTransport;
  const xmlrpc = {
    call: async (): Promise<CallResult> => {
      sent.push({ api: 'xmlrpc', at: clock.now() });
      return { ok: true, status: 200, headers: {}, message: { kind: 'response', params: [[]] }, requestMs: 1 } as unknown as CallResult;
    },
  } as unknown as XmlRpcTransport;
  const auth = new Auth({ auth_type: 'api_key', api_key: 'KeapAK-unit' }, { tokenUrl: 'http://127.0.0.1:9/token', clock, timeoutMs: 1000, onRotate: () => undefined });
  const c = new KeapClient({
    apiUrl: 'http://127.0.0.1:9/crm/xmlrpc/v1',
    restUrl: 'http://127.0.0.1:9/crm/rest/v2',
    auth,
    limiter: new RateLimiter({ perSecond, perMinute: 100_000, perDay: 1_000_000 }, clock),
    transport: xmlrpc,
    rest,
    clock,
    schedules: DEFAULT_SCHEDULES,
    random: () => 0.5,
  });
  return { c, clock, sent };
}

describe('the Keap client on REST v2', () => {
  it('keeps both APIs together within one per-second quota', async () => {
    const { c, sent } = client([], 4);
    for (let i = 0; i < 20; i++) {
      if (i % 2 === 0) await c.rest({ path: '/contacts' });
      else await c.call('DataService.query', ['Contact', 1, 0, {}, ['Id']]);
    }
    expect(sent.filter((s) => s.api === 'rest')).toHaveLength(10);
    const times = sent.map((s) => s.at);
    for (let i = 4; i < times.length; i++) expect((times[i] as number) - (times[i - 4] as number)).toBeGreaterThanOrEqual(1000);
  });

  it('sends the API key as X-Keap-API-Key and the query as asked, and retries a 503 after the Retry-After Keap gave', async () => {
    const { c, clock, sent } = client([{ status: 503, body: 'busy', headers: { 'retry-after': '7' } }, { status: 200, body: { contacts: [{ id: '1' }] } }]);
    const t0 = clock.now();
    const body = await c.rest({ path: '/contacts', query: { page_size: '10', filter: 'contact_id>5' } });
    expect(body).toEqual({ contacts: [{ id: '1' }] });
    expect(clock.sleeps).toContain(7000);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(7000);
    expect(sent[1]?.req?.headers['X-Keap-API-Key']).toBe('KeapAK-unit');
    expect(sent[1]?.req?.params).toEqual({ page_size: '10', filter: 'contact_id>5' });
    expect(sent[1]?.req?.url).toBe('http://127.0.0.1:9/crm/rest/v2/contacts');
  });

  it("fails a 400 at once as a config error quoting Keap's message, and tells a refused page token apart", async () => {
    const { c } = client([
      { status: 400, body: { code: 400, message: "Invalid filter field 'City'", status: 'Bad Request' } },
      { status: 400, body: { code: 400, message: 'Invalid page_token: it has expired', status: 'Bad Request' } },
    ]);
    const bad = await c.rest({ path: '/contacts' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(KeapError);
    expect((bad as KeapError).failureType).toBe('config_error');
    expect((bad as KeapError).message).toBe("Keap refused GET /contacts (HTTP 400: Invalid filter field 'City')");
    const token = await c.rest({ path: '/contacts' }).catch((e: unknown) => e);
    expect((token as KeapError).rule).toBe('rest-bad-page-token');
  });

  it('says a 404 is a missing record or endpoint, without retrying', async () => {
    const { c, sent } = client([{ status: 404, body: { code: 404, message: 'Contact 99 not found', status: 'Not Found' } }]);
    const e = (await c.rest({ path: '/contacts/99' }).catch((x: unknown) => x)) as KeapError;
    expect(e.rule).toBe('rest-not-found');
    expect(sent).toHaveLength(1);
  });

  it("stops at once, checkpointed, when a 429 says the day's quota is gone", async () => {
    const reset = Date.UTC(2026, 10, 28, 0, 0, 0);
    const { c, sent } = client([{ status: 429, body: { message: 'Quota Exceeded' }, headers: { 'x-keap-product-quota-available': '0', 'x-keap-product-quota-expiry-time': String(reset) } }]);
    const e = await c.rest({ path: '/contacts' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QuotaExhaustedError);
    expect((e as QuotaExhaustedError).resetAt).toBe(reset);
    expect(sent).toHaveLength(1);
  });
});
