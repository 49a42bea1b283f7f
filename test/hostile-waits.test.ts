import { afterEach, describe, expect, it } from 'vitest';
import { startCli, runCli } from './helpers/cli.js';
import { type FakeKeap, fakeKeap, type Handler, isType, messagesOf, send, statuses, traceErrors, within, xmlrpcAnswer } from './helpers/fake-keap.js';

/**
 * Issue 12, defects 1, 5 and 9: what the connector does while it waits. Against the built CLI and
 * a fake Keap on loopback that makes it wait: a 429 with a long Retry-After, a body that drips.
 */

let fake: FakeKeap | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const STAGE_ROW = '<value><struct><member><name>Id</name><value><i4>1</i4></value></member><member><name>StageName</name><value>New</value></member></struct></value>';

/** Stage: a count of 2, a first page of one row (page_size 1), then a 429 asking for `retryAfter`. */
function firstPageThen429(retryAfter: string): Handler {
  let queries = 0;
  return (req, res) => {
    if (req.method === 'DataService.count') return xmlrpcAnswer(res, 2);
    queries++;
    if (queries === 1) {
      send(res, 200, { 'Content-Type': 'text/xml' }, `<?xml version="1.0"?><methodResponse><params><param><value><array><data>${STAGE_ROW}</data></array></value></param></params></methodResponse>`);
      return;
    }
    send(res, 429, { 'Content-Type': 'application/json', 'Retry-After': retryAfter }, '{"message":"Too many requests"}');
  };
}



describe('while the connector waits (defect 1)', () => {
  it('has already printed the rotated token, the state and a log line about the wait', async () => {
    fake = await fakeKeap({ xmlrpc: firstPageThen429('50') });
    const run = startCli(['read', '--config', fake.config({ page_size: 1, concurrency: 1 }, 'oauth2'), '--catalog', fake.catalog(['Stage'])]);
    try {
      // The second page drew the 429: from here the connector sleeps 50 s.
      await within(fake.waitFor((r) => r.method === 'DataService.query' && r.n > 3), 'the second page request');
      const control = await within(run.waitForLine(isType('CONTROL')), 'a CONTROL line while the connector waits');
      expect(control).toContain('rotated-refresh-token-1-0123456789');
      await within(run.waitForLine(isType('STATE')), 'a STATE line while the connector waits');
      const log = await within(run.waitForLine((l) => isType('LOG')(l) && /retry 1 in 50 s/.test(l)), 'a LOG line about the wait');
      expect(log).toContain('HTTP 429');
    } finally {
      run.signal('SIGKILL');
      await run.result.catch(() => undefined);
    }
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('on %s flushes what is pending, marks the stream INCOMPLETE and exits non-zero', async (signal, code) => {
    fake = await fakeKeap({ xmlrpc: firstPageThen429('50') });
    const run = startCli(['read', '--config', fake.config({ page_size: 1, concurrency: 1 }, 'oauth2'), '--catalog', fake.catalog(['Stage'])]);
    await within(fake.waitFor((r) => r.method === 'DataService.query' && r.n > 3), 'the second page request');
    run.signal(signal);
    const r = await within(run.result, 'the end of the run');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(code);
    expect(messagesOf(r.messages, 'CONTROL')).toHaveLength(1);
    expect(messagesOf(r.messages, 'RECORD')).toHaveLength(1);
    expect(messagesOf(r.messages, 'STATE')).toHaveLength(1);
    expect(statuses(r.messages)).toEqual(['stage:STARTED', 'stage:RUNNING', 'stage:INCOMPLETE']);
    expect(traceErrors(r.messages).map((e) => e.message)).toEqual([expect.stringMatching(new RegExp(`stopped by ${signal}`))]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('Retry-After (defect 5)', () => {
  it.each(['86400', '99999999'])(
    'a Retry-After of %s beyond max_delay_ms fails the stream at once, saying how long Keap asked for',
    async (retryAfter) => {
      fake = await fakeKeap({ xmlrpc: firstPageThen429(retryAfter) });
      const r = await runCli(['read', '--config', fake.config({ page_size: 1, concurrency: 1 }), '--catalog', fake.catalog(['Stage'])], { timeoutMs: 30_000 });
      expect(r.code).toBe(1);
      const [e] = traceErrors(r.messages);
      expect(e?.failure_type).toBe('transient_error');
      expect(e?.message).toMatch(/Keap asked to wait [\d.]+ (s|min|h|days) before retrying .*more than retry\.max_delay_ms \(2\.0 min\)/);
      // Asked once, refused: no retry every millisecond (a timer overflow), no sleeping for a day.
      expect(fake.calls('DataService.query')).toHaveLength(2);
      // The row read before is covered by the state printed before the failure.
      expect(messagesOf(r.messages, 'STATE')).toHaveLength(1);
    },
  );

  it('a Retry-After within max_delay_ms is honoured', async () => {
    fake = await fakeKeap({ xmlrpc: firstPageThen429('1') });
    const run = startCli(['read', '--config', fake.config({ page_size: 1, concurrency: 1 }), '--catalog', fake.catalog(['Stage'])]);
    const log = await within(run.waitForLine((l) => isType('LOG')(l) && l.includes('retry 1 in')), 'the retry log');
    expect(log).toContain('retry 1 in 1 s');
    run.signal('SIGKILL');
    await run.result.catch(() => undefined);
  });
});

describe('a body that drips (defect 9)', () => {
  it('is abandoned at request_deadline_seconds and retried, then the stream fails, however steadily it trickles', async () => {
    const timers = new Set<NodeJS.Timeout>();
    fake = await fakeKeap({
      xmlrpc: (req, res) => {
        if (req.method === 'DataService.count') return xmlrpcAnswer(res, 1);
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        res.write('<?xml version="1.0"?><methodResponse><params><param><value><array><data>');
        // One byte every 100 ms: never silent for request_timeout_seconds, never done.
        const t = setInterval(() => res.write(' '), 100);
        timers.add(t);
        res.on('close', () => clearInterval(t));
      },
    });
    try {
      const config = fake.config({ request_timeout_seconds: 5, request_deadline_seconds: 1, retry: { max_retries: 1, base_delay_ms: 1 } });
      const r = await runCli(['read', '--config', config, '--catalog', fake.catalog(['Stage'])], { timeoutMs: 30_000 });
      expect(r.code).toBe(1);
      const [e] = traceErrors(r.messages);
      expect(e?.message).toMatch(/no complete answer within 1 s \(request deadline\); gave up after 1 retry\b/);
      expect(fake.calls('DataService.query')).toHaveLength(2);
    } finally {
      for (const t of timers) clearInterval(t);
    }
  });
});
