import { afterEach, describe, expect, it } from 'vitest';
import { airbyteStreams } from '../src/protocol/catalog-output.js';
import { restStreamDefs } from '../src/streams/rest-streams.js';
import { runCli, startCli } from './helpers/cli.js';
import { type FakeKeap, fakeKeap, type Handler, isType, jsonAnswer, messagesOf, send, traceErrors, within } from './helpers/fake-keap.js';
import { configuredCatalog } from './helpers/sandbox.js';

/**
 * Issue 12's hostile and broken answers, on the REST v2 path: against the built CLI and a fake
 * Keap on loopback. The waits print what they owe first, a Retry-After past the cap fails at once,
 * a dripping body meets its deadline, an answer without its list is never an empty page, and no
 * value Keap sends can forge a record or an invalid line.
 */
let fake: FakeKeap | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const TAG = (id: number, name = `Tag ${id}`): Record<string, unknown> => ({ id: String(id), name, update_time: '2026-11-01T10:00:00Z', create_time: '2026-01-01T10:00:00Z' });

function catalog(f: FakeKeap, streams: string[]): string {
  return f.write('rest-catalog.json', configuredCatalog({ catalog: { streams: airbyteStreams(restStreamDefs(streams)) } }, undefined, 'full_refresh'));
}

/** /tags: a first page of one tag with a next page token, then `then` for the second page. */
function tagsThen(then: Handler): Handler {
  return (req, res) => {
    if (!req.path.includes('page_token=')) return jsonAnswer(res, { tags: [TAG(1)], next_page_token: 'p2' });
    return then(req, res);
  };
}



describe('REST v2: while the connector waits', () => {
  it('has already printed the rotated token, the state and a log line about the wait', async () => {
    fake = await fakeKeap({ rest: tagsThen((_req, res) => jsonAnswer(res, { code: '429', message: 'Quota Exceeded', details: null }, 429, { 'Retry-After': '50' })) });
    const run = startCli(['read', '--config', fake.config({ api: 'rest', page_size: 1, concurrency: 1 }, 'oauth2'), '--catalog', catalog(fake, ['tags'])]);
    try {
      await within(fake.waitFor((r) => r.path.includes('page_token=p2')), 'the second page request');
      expect(await within(run.waitForLine(isType('CONTROL')), 'a CONTROL line while the connector waits')).toContain('rotated-refresh-token-1-0123456789');
      await within(run.waitForLine(isType('STATE')), 'a STATE line while the connector waits');
      const log = await within(run.waitForLine((l) => isType('LOG')(l) && /retry 1 in 50 s/.test(l)), 'a LOG line about the wait');
      expect(log).toContain('HTTP 429');
    } finally {
      run.signal('SIGKILL');
      await run.result.catch(() => undefined);
    }
  });

  it('fails the stream at once when Keap asks for a wait past max_delay_ms, naming it', async () => {
    fake = await fakeKeap({ rest: tagsThen((_req, res) => jsonAnswer(res, { message: 'slow down' }, 429, { 'Retry-After': '86400' })) });
    const r = await runCli(['read', '--config', fake.config({ api: 'rest', page_size: 1 }), '--catalog', catalog(fake, ['tags'])], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(traceErrors(r.messages)[0]?.message).toMatch(/Keap asked to wait 24\.0 h/);
    expect(fake.restCalls('/tags')).toHaveLength(2);
  });

  it('abandons a dripping body at request_deadline_seconds and retries, then the stream fails', async () => {
    const timers = new Set<NodeJS.Timeout>();
    fake = await fakeKeap({
      rest: (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"tags": [');
        const t = setInterval(() => res.write(' '), 100);
        timers.add(t);
        res.on('close', () => clearInterval(t));
      },
    });
    try {
      const config = fake.config({ api: 'rest', request_timeout_seconds: 5, request_deadline_seconds: 1, retry: { max_retries: 1, base_delay_ms: 1 } });
      const r = await runCli(['read', '--config', config, '--catalog', catalog(fake, ['tags'])], { timeoutMs: 30_000 });
      expect(r.code).toBe(1);
      expect(traceErrors(r.messages)[0]?.message).toMatch(/no complete answer within 1 s \(request deadline\); gave up after 1 retr/);
      expect(fake.restCalls('/tags')).toHaveLength(2);
    } finally {
      for (const t of timers) clearInterval(t);
    }
  });
});

describe('REST v2: answers of the wrong shape', () => {
  it.each([['{}'], ['{"next_page_token":""}'], ['{"tags":"oops"}'], ['{"tags":{}}'], ['[]'], ['{"tags":[1,2]}'], ['<html>maintenance</html>']])(
    'a list answer %s is malformed: retried, then the stream fails and no bookmark moves',
    async (body) => {
      fake = await fakeKeap({ rest: (_req, res) => send(res, 200, { 'Content-Type': body.startsWith('<') ? 'text/html' : 'application/json' }, body) });
      const r = await runCli(['read', '--config', fake.config({ api: 'rest' }), '--catalog', catalog(fake, ['tags'])]);
      expect(r.code).toBe(1);
      expect(messagesOf(r.messages, 'RECORD')).toEqual([]);
      // No STATE claims the stream read: nothing was.
      expect(messagesOf(r.messages, 'STATE')).toEqual([]);
      expect(traceErrors(r.messages)[0]?.message).toMatch(/GET \/tags/);
      // A page of the wrong shape is asked again (max_retries 2 in the fake's config); a list whose
      // records are not objects is refused at once.
      expect(fake.restCalls('/tags')).toHaveLength(body === '{"tags":[1,2]}' ? 1 : 3);
    },
  );

  it('writes 1e999 as null with a meta.changes entry, never Infinity', async () => {
    fake = await fakeKeap({ rest: (_req, res) => send(res, 200, { 'Content-Type': 'application/json' }, '{"discounts":[{"id":"1","name":"Big","discount_value":1e999,"discount_type":"AMOUNT"}],"next_page_token":""}') });
    const r = await runCli(['read', '--config', fake.config({ api: 'rest' }), '--catalog', catalog(fake, ['discount_shipping'])]);
    expect(r.code, r.stderr).toBe(0);
    const rec = messagesOf(r.messages, 'RECORD')[0]?.['record'] as { data: Record<string, unknown>; meta?: { changes: { field: string; change: string }[] } };
    expect(rec.data['discount_value']).toBeNull();
    expect(rec.meta?.changes).toEqual([{ field: 'discount_value', change: 'NULLED', reason: 'SOURCE_SERIALIZATION_ERROR' }]);
    expect(r.stdout).not.toContain('Infinity');
  });

  it('escapes whatever a string holds: quotes, a forged record, line separators', async () => {
    const forged = 'x"},"stream":"contacts","data":{"id":"999","y":"\u2028\u2029';
    fake = await fakeKeap({ rest: (_req, res) => jsonAnswer(res, { tags: [TAG(1, forged)], next_page_token: '' }) });
    const r = await runCli(['read', '--config', fake.config({ api: 'rest' }), '--catalog', catalog(fake, ['tags'])]);
    expect(r.code, r.stderr).toBe(0);
    const records = messagesOf(r.messages, 'RECORD').map((m) => m['record'] as { stream: string; data: Record<string, unknown> });
    expect(records.map((x) => x.stream)).toEqual(['tags']);
    expect(records[0]?.data['name']).toBe(forged);
    expect(r.stdout).not.toMatch(/[\u2028\u2029]/);
  });

  it('fails a keyset stream on an id that is not a whole number, instead of emitting a null key or paging wrong', async () => {
    fake = await fakeKeap({ rest: (_req, res) => jsonAnswer(res, { contacts: [{ id: '1.5', given_name: 'Half' }], next_page_token: '' }) });
    const r = await runCli(['read', '--config', fake.config({ api: 'rest' }), '--catalog', catalog(fake, ['contacts'])]);
    expect(r.code).toBe(1);
    expect(messagesOf(r.messages, 'RECORD')).toEqual([]);
    expect(traceErrors(r.messages)[0]?.message).toMatch(/id is not a whole number/);
  });
});
