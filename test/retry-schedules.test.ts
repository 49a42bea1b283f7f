import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/keap/clock.js';
import { KeapError } from '../src/keap/errors.js';
import { retryDelay, schedulesFromConfig, parseRetryAfter } from '../src/keap/retry.js';
import { fakeClient, type Answer } from './helpers/fake-transport.js';

const QUERY_TIMEOUT: Answer = { fault: 4, text: '[DatabaseError]Query took too long and was cancelled' };
const BLOCKED: Answer = { fault: 3, text: 'Too many consecutive failures. This saved search is blocked temporarily' };

describe('the documented retry schedules, on an injected clock', () => {
  it('retries a cancelled slow query after exactly 5 s, 10 s, 30 s, 1 min and 5 min, then succeeds', async () => {
    const { client, clock, transport } = fakeClient([QUERY_TIMEOUT, QUERY_TIMEOUT, QUERY_TIMEOUT, QUERY_TIMEOUT, QUERY_TIMEOUT, { ok: [1] }]);
    await expect(client.call('DataService.query', [])).resolves.toEqual([1]);
    expect(clock.sleeps).toEqual([5_000, 10_000, 30_000, 60_000, 300_000]);
    expect(transport.calls).toHaveLength(6);
  });

  it('gives up on a slow query after the fifth retry as a transient error', async () => {
    const { client, clock } = fakeClient(Array.from({ length: 6 }, () => QUERY_TIMEOUT));
    const err = await client.call('DataService.query', [], { what: 'DataService.query on Contact' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeapError);
    expect((err as KeapError).failureType).toBe('transient_error');
    expect((err as KeapError).message).toMatch(/slow query.*Contact.*gave up after 5 retries/);
    expect(clock.sleeps).toEqual([5_000, 10_000, 30_000, 60_000, 300_000]);
  });

  it('retries a blocked saved search every 20 minutes, up to 10 times', async () => {
    const { client, clock } = fakeClient(Array.from({ length: 11 }, () => BLOCKED));
    await expect(client.call('SearchService.getSavedSearchResultsAllFields', [])).rejects.toThrow(/blocked.*gave up after 10 retries/);
    expect(clock.sleeps).toEqual(Array.from({ length: 10 }, () => 1_200_000));
  });

  it('backs off exponentially with jitter for other transient errors', async () => {
    const script: Answer[] = [{ http: 503 }, { network: 'ECONNRESET' }, { parse: 'truncated' }, { fault: 3, text: '[Unexpected]oops' }, { ok: 'done' }];
    const { client, clock } = fakeClient(script, { random: () => 0.5 });
    await expect(client.call('DataService.count', [])).resolves.toBe('done');
    // base 1 s doubling, each reduced by jitter 0.5 * random 0.5 = 25 %.
    expect(clock.sleeps).toEqual([750, 1500, 3000, 6000]);
  });

  it('honours Retry-After on a 429 instead of its own backoff', async () => {
    const { client, clock } = fakeClient([{ http: 429, headers: { 'retry-after': '7' }, body: '{"code":"429","message":"Quota Exceeded"}' }, { ok: 1 }]);
    await client.call('DataService.count', []);
    expect(clock.sleeps).toEqual([7_000]);
  });

  it.each([
    ['86400', '24.0 h'],
    ['99999999', '1157.4 days'],
  ])('fails at once, without sleeping, when Retry-After (%s) asks for more than max_delay_ms', async (asked, said) => {
    const { client, clock, transport } = fakeClient([{ http: 429, headers: { 'retry-after': asked }, body: '{"message":"Quota Exceeded"}' }, { ok: 1 }]);
    const err = (await client.call('DataService.count', []).catch((e: unknown) => e)) as KeapError;
    expect(err.message).toBe(
      `Keap is rate limiting requests (HTTP 429: Quota Exceeded); Keap asked to wait ${said} before retrying (Retry-After), more than retry.max_delay_ms (2.0 min) allows: stopping here, run again later`,
    );
    expect(err.failureType).toBe('transient_error');
    expect(clock.sleeps).toEqual([]);
    expect(transport.calls).toHaveLength(1);
  });

  it('hands over what was printed before every request and before every backoff, not after', async () => {
    const events: string[] = [];
    const clock = new ManualClock();
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms: number): Promise<void> => {
      events.push(`sleep ${ms}`);
      await sleep(ms);
    };
    const { client, transport } = fakeClient([{ http: 503 }, { ok: 1 }], { clock, random: () => 0, settle: async () => void events.push(`settle after ${transport.calls.length} calls`) });
    await client.call('DataService.count', []);
    expect(events).toEqual(['settle after 0 calls', 'settle after 1 calls', 'sleep 1000', 'settle after 1 calls']);
  });

  it('takes a DataService.query answer that is not an array as malformed: retried, then the call fails', async () => {
    const schedules = schedulesFromConfig({ max_retries: 2, base_delay_ms: 1 });
    const { client, transport } = fakeClient([{ ok: 'oops' }, { ok: { a: 1 } }, { ok: null }], { schedules });
    const err = (await client.call('DataService.query', [], { what: 'DataService.query on Contact' }).catch((e: unknown) => e)) as KeapError;
    expect(err.message).toBe('unreadable answer to DataService.query on Contact: expected an array of rows, got nil; gave up after 2 retries');
    expect(transport.calls).toHaveLength(3);
  });

  it('takes its schedules from the retry config', async () => {
    const schedules = schedulesFromConfig({ query_timeout_delays_seconds: [1, 2], max_retries: 1, base_delay_ms: 100, saved_search_blocked_delay_seconds: 60, saved_search_blocked_retries: 2 });
    const { client, clock } = fakeClient([QUERY_TIMEOUT, QUERY_TIMEOUT, { http: 500 }, BLOCKED, BLOCKED, { ok: 1 }], { schedules, random: () => 0 });
    await client.call('X.y', []);
    expect(clock.sleeps).toEqual([1_000, 2_000, 100, 60_000, 60_000]);
  });

  it('computes delays as data: exact, capped, and spent', () => {
    const exp = { kind: 'exponential' as const, retries: 3, baseMs: 1000, factor: 2, maxMs: 3000, jitter: 0 };
    expect([0, 1, 2, 3].map((n) => retryDelay(exp, n, () => 0.9))).toEqual([1000, 2000, 3000, undefined]);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:30 GMT'))).toBe(30_000);
    expect(parseRetryAfter('2.5', 0)).toBe(2_500);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});

describe('the error table', () => {
  it('fails auth faults as config errors without retrying', async () => {
    for (const code of [2, 13, 15]) {
      const { client, clock } = fakeClient([{ fault: code, text: '[InvalidKey]Invalid Key' }]);
      const err = (await client.call('DataService.query', []).catch((e: unknown) => e)) as KeapError;
      expect(err.failureType).toBe('config_error');
      expect(clock.sleeps).toEqual([]);
    }
  });

  it('fails table and field faults as config errors that name the table or field', async () => {
    for (const code of [7, 8, 9, 10, 11, 12]) {
      const { client } = fakeClient([{ fault: code, text: '[NoFieldFound]No field found: Contact.Colour' }]);
      const err = (await client.call('DataService.query', [], { what: 'DataService.query on Contact' }).catch((e: unknown) => e)) as KeapError;
      expect(err.failureType).toBe('config_error');
      expect(err.message).toContain('Contact.Colour');
    }
  });

  it('marks record-not-found as skippable', async () => {
    const { client } = fakeClient([{ fault: 5, text: '[RecordNotFound]Record was not found' }]);
    const err = (await client.call('ContactService.load', []).catch((e: unknown) => e)) as KeapError;
    expect(err.skippable).toBe(true);
  });

  it('retries ThrottlingException, premature end of file and empty or truncated bodies', async () => {
    const { client, clock } = fakeClient(
      [
        { fault: 0, text: '[500] Server encountered exception: com.infusionsoft.throttle.ThrottlingException: Maximum number of threads throttled' },
        { fault: 0, text: 'Failed to parse XML-RPC request: Premature end of file.' },
        { parse: 'truncated' },
        { ok: 1 },
      ],
      { random: () => 0 },
    );
    await expect(client.call('X.y', [])).resolves.toBe(1);
    expect(clock.sleeps).toEqual([2_000, 1_000, 2_000]);
  });

  it('refuses a DOCTYPE body as a system error without retrying', async () => {
    const { client, clock } = fakeClient([{ parse: 'refused' }]);
    const err = (await client.call('X.y', []).catch((e: unknown) => e)) as KeapError;
    expect(err.failureType).toBe('system_error');
    expect(clock.sleeps).toEqual([]);
  });

  it('fails an API key rejected with HTTP 401 as a config error at once', async () => {
    const { client } = fakeClient([{ http: 401, body: '{"fault":{"faultstring":"Invalid access token"}}' }]);
    const err = (await client.call('X.y', []).catch((e: unknown) => e)) as KeapError;
    expect(err.failureType).toBe('config_error');
  });

  it('stops on a 429 that says the daily quota is gone, with the reset time', async () => {
    const reset = Date.UTC(2026, 10, 28);
    const { client, clock } = fakeClient([
      { http: 429, headers: { 'x-keap-product-quota-available': '0', 'x-keap-product-quota-expiry-time': String(reset) }, body: '{"code":"429"}' },
    ]);
    const err = (await client.call('X.y', []).catch((e: unknown) => e)) as KeapError & { resetAt: number };
    expect(err.failureType).toBe('transient_error');
    expect(err.resetAt).toBe(reset);
    expect(err.message).toContain('2026-11-28T00:00:00.000Z');
    expect(clock.sleeps).toEqual([]);
  });

  it('never puts the API key in the XML-RPC body: parameter 1 is a placeholder', async () => {
    const { client, transport } = fakeClient([{ ok: [1] }]);
    await client.call('DataService.query', ['Contact']);
    const call = transport.calls[0]!;
    expect(call.params[0]).toBe('backwards-compatability');
    expect(JSON.stringify(call.params)).not.toContain('KeapAK-test-key-123456');
    expect(call.headers['X-Keap-API-Key']).toBe('KeapAK-test-key-123456');
  });
});
