import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { restStreams } from '../src/streams/rest-registry.js';
import { runCli } from './helpers/cli.js';
import { protocolProblems } from './helpers/protocol.js';
import { configuredCatalog, withSandbox, type SandboxFixture } from './helpers/sandbox.js';
import type { SandboxOptions } from '../src/sandbox/server.js';

let fx: SandboxFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

type Msg = Record<string, unknown>;

async function setup(options: SandboxOptions, streams: string[]): Promise<{ fx: SandboxFixture; catalog: string }> {
  fx = await withSandbox(options);
  const d = await runCli(['discover', '--config', fx.config()]);
  const catalog = fx.write('catalog.json', configuredCatalog(d.messages.find((m) => m['type'] === 'CATALOG'), streams));
  fx.sandbox.stats.requests = 0;
  return { fx, catalog };
}

const records = (ms: Msg[], stream: string): Msg[] => ms.filter((m) => m['type'] === 'RECORD' && (m['record'] as { stream: string }).stream === stream);
const traces = (ms: Msg[], type: string): Record<string, unknown>[] =>
  ms.filter((m) => m['type'] === 'TRACE' && (m['trace'] as { type: string }).type === type).map((m) => m['trace'] as Record<string, unknown>);

/**
 * A read measured against `quotas` by the sandbox's own count. The sandbox counts a call when its
 * handler runs; while it renders a page (~10-30 ms for 200 contacts, longer on a loaded machine),
 * calls that arrive wait uncounted and are then stamped late, together: a measuring error larger
 * than the limiter's 25 ms jitter guard, which would fail these tests by load, not by the
 * connector. So every answer is rendered once first, under quotas out of the way, and the measured
 * read is served from the page cache, every answer (checked).
 */
async function measuredRead(fx: SandboxFixture, config: string, catalog: string, quotas: SandboxOptions['quotas']): Promise<Awaited<ReturnType<typeof runCli>>> {
  fx.sandbox.setQuotas({ apiKey: { perSecond: 1000, perMinute: 100_000, perDay: 1_000_000 } });
  expect((await runCli(['read', '--config', config, '--catalog', catalog])).code).toBe(0);
  fx.sandbox.setQuotas(quotas ?? {});
  Object.assign(fx.sandbox.stats, { requests: 0, cacheHits: 0, quotaViolations: 0, throttled: 0 });
  const r = await runCli(['read', '--config', config, '--catalog', catalog]);
  expect(fx.sandbox.stats.cacheHits).toBe(fx.sandbox.stats.requests);
  return r;
}

describe("Keap's quotas", () => {
  it("stays within Keap's API-key quota (10/s, 240/min) by default, by the sandbox's own count", async () => {
    const { fx, catalog } = await setup({ seed: 41, contacts: 2000, cachePages: true, gzip: false }, ['contact', 'contact_group_assign', 'invoice', 'stage', 'company']);
    // No rate settings: the connector's defaults for an API key must be enough.
    const config = fx.write('plain.json', { credentials: { auth_type: 'api_key', api_key: fx.sandbox.credentials.api_key }, api: 'xmlrpc', api_url: fx.sandbox.apiUrl, page_size: 200, concurrency: 4 });
    const r = await measuredRead(fx, config, catalog, { apiKey: { perSecond: 10, perMinute: 240, perDay: 30_000 } });
    expect(r.code).toBe(0);
    expect(fx.sandbox.stats.requests).toBeGreaterThan(40);
    expect(fx.sandbox.stats.quotaViolations).toBe(0);
    expect(fx.sandbox.stats.throttled).toBe(0);
  });

  it('adapts to a lower quota announced in x-keap headers and never exceeds it', async () => {
    const { fx, catalog } = await setup({ seed: 42, contacts: 1500, cachePages: true, gzip: false }, ['contact', 'invoice', 'stage']);
    const config = fx.config({ page_size: 200, concurrency: 2, requests_per_second: 50 });
    const r = await measuredRead(fx, config, catalog, { apiKey: { perSecond: 4, perMinute: 200, perDay: 30_000 } });
    expect(r.code).toBe(0);
    expect(fx.sandbox.stats.requests).toBeGreaterThan(15);
    expect(fx.sandbox.stats.quotaViolations).toBe(0);
  });

  it('stops cleanly when the daily quota runs out: state covers what was read, the trace says when it resets', async () => {
    const { fx, catalog } = await setup({ seed: 43, contacts: 3000, quotas: { apiKey: { perSecond: 1000, perMinute: 100_000, perDay: 12 } } }, ['contact', 'contact_group_assign']);
    const r = await runCli(['read', '--config', fx.config({ page_size: 500, concurrency: 1 }), '--catalog', catalog]);
    expect(r.code).toBe(1);
    expect(protocolProblems(r.messages)).toEqual([]);
    expect(fx.sandbox.stats.quotaViolations).toBe(0);
    const errors = traces(r.messages, 'ERROR').map((t) => t['error'] as { message: string; failure_type: string });
    expect(errors.some((e) => e.failure_type === 'transient_error' && /daily API quota is used up; it resets at \d{4}-\d{2}-\d{2}T/.test(e.message))).toBe(true);
    const incomplete = traces(r.messages, 'STREAM_STATUS').filter((t) => (t['stream_status'] as { status: string }).status === 'INCOMPLETE');
    expect(incomplete.length).toBeGreaterThan(0);
    expect(JSON.stringify(incomplete)).toContain('RATE_LIMITED');
    // Every record printed is covered by a later state of its stream.
    const lastRecord = r.messages.map((m) => m['type']).lastIndexOf('RECORD');
    const lastState = r.messages.map((m) => m['type']).lastIndexOf('STATE');
    expect(lastState).toBeGreaterThan(lastRecord);
  });
});

describe('token expiry mid-sync', () => {
  it('refreshes once on a 401, retries the same call, and hands the rotated token back', async () => {
    const { fx, catalog } = await setup({ seed: 44, contacts: 4000 }, ['contact', 'contact_group_assign']);
    const config = fx.config({ page_size: 200, concurrency: 1 }, 'oauth2');
    const run = runCli(['read', '--config', config, '--catalog', catalog]);
    // Revoke every access token once the sync is under way.
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (fx.sandbox.stats.requests >= 6) {
          fx.sandbox.revokeAccessTokens();
          clearInterval(t);
          resolve();
        }
      }, 2);
    });
    const r = await run;
    expect(r.code).toBe(0);
    expect(fx.sandbox.stats.unauthorized).toBeGreaterThanOrEqual(1);
    expect(r.messages.filter((m) => m['type'] === 'CONTROL')).toHaveLength(2);
    expect(records(r.messages, 'contact')).toHaveLength(4000);
    const saved = JSON.parse(readFileSync(config, 'utf8')) as { credentials: { refresh_token: string } };
    expect(fx.sandbox.liveRefreshTokens()).toContain(saved.credentials.refresh_token);
  });

  it('fails as a config error when the refresh token itself is refused', async () => {
    const { fx, catalog } = await setup({ seed: 45, contacts: 100 }, ['stage']);
    const config = fx.write('stale.json', {
      credentials: { auth_type: 'oauth2', client_id: fx.sandbox.credentials.client_id, client_secret: fx.sandbox.credentials.client_secret, refresh_token: 'rotated-away-long-ago' },
      api: 'xmlrpc',
      api_url: fx.sandbox.apiUrl,
      token_url: fx.sandbox.tokenUrl,
    });
    const r = await runCli(['read', '--config', config, '--catalog', catalog]);
    expect(r.code).toBe(1);
    const e = traces(r.messages, 'ERROR')[0]?.['error'] as { message: string; failure_type: string };
    expect(e.failure_type).toBe('config_error');
    expect(e.message).toMatch(/refused to refresh the access token \(HTTP 400, invalid_request: Invalid Refresh Token\); authorize again/);
  });
});

describe('credentials Keap refuses', () => {
  it.each([
    ['airbyte', 'rest', ['read', '--catalog', 'catalogs/airbyte-full-refresh.json']],
    ['singer', 'rest', ['--catalog', 'catalogs/singer-full-refresh.json']],
    ['airbyte', 'xmlrpc', ['read', '--catalog', 'catalogs/airbyte-xmlrpc-full-refresh.json']],
    ['singer', 'xmlrpc', ['--catalog', 'catalogs/singer-xmlrpc-full-refresh.json']],
  ] as const)('stop the whole %s sync (%s) at once: one line, every stream INCOMPLETE, the waiting ones untried', async (dialect, api, args) => {
    fx = await withSandbox({ seed: 48, contacts: 20 });
    const config = fx.write('wrong-key.json', { credentials: { auth_type: 'api_key', api_key: 'KeapAK-not-the-key-0123' }, api, api_url: fx.sandbox.apiUrl, rest_url: fx.sandbox.restUrl });
    const r = await runCli([...args.slice(0, -2), '--config', config, ...args.slice(-2)]);
    expect(r.code).toBe(1);
    // One error line; Singer logs the two streams that had started, and nothing of the others.
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('INFO METRIC'));
    expect(lines.filter((l) => !/^(INFO|WARNING) \w+: (started|incomplete)$/.test(l))).toEqual([expect.stringMatching(/^tap-infusionsoft: Keap rejected the credentials \(HTTP 401/)]);
    expect(lines.length).toBeLessThanOrEqual(5);
    // Two streams run at once (concurrency 2): their count and first page, and nothing after.
    expect(fx.sandbox.stats.requests).toBeLessThanOrEqual(4);
    if (dialect === 'airbyte') {
      expect(traces(r.messages, 'ERROR')).toHaveLength(1);
      const incomplete = traces(r.messages, 'STREAM_STATUS').filter((t) => (t['stream_status'] as { status: string }).status === 'INCOMPLETE');
      expect(incomplete).toHaveLength(api === 'rest' ? restStreams().length : 60);
      expect(protocolProblems(r.messages)).toEqual([]);
    } else {
      expect(r.messages.filter((m) => m['type'] === 'RECORD')).toEqual([]);
    }
  });
});

describe('hostile answers', () => {
  it.each([['doctype'], ['deep-nesting']] as const)('refuses a %s body with a clear error, fails that stream only, and goes on', async (kind) => {
    const { fx, catalog } = await setup({ seed: 46, contacts: 300 }, ['contact', 'stage']);
    // The first XML-RPC request of the read (contact's first page or count) gets the hostile body.
    fx.sandbox.setFaults({ methods: ['DataService.query'], rate: 1, kinds: [kind] });
    const r = await runCli(['read', '--config', fx.config({ concurrency: 1 }), '--catalog', catalog], { timeoutMs: 60_000 });
    fx.sandbox.setFaults({});
    expect(r.code).toBe(1);
    const errors = traces(r.messages, 'ERROR').map((t) => t['error'] as { message: string; failure_type: string });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.failure_type).toBe('system_error');
    expect(errors[0]?.message).toMatch(/refused the answer/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('an oversize answer', () => {
  it('is refused at 64 MB with a clear error, without holding it, and the other streams go on', async () => {
    fx = await withSandbox({ seed: 47, contacts: 100 });
    const config = fx.config({ reports: [{ report: 'file', file_id: 1 }] });
    const d = await runCli(['discover', '--config', config]);
    const catalog = fx.write('catalog.json', configuredCatalog(d.messages.find((m) => m['type'] === 'CATALOG'), ['file', 'stage']));
    fx.sandbox.setFaults({ methods: ['FileService.getFile'], rate: 1, kinds: ['oversize'] });
    const r = await runCli(['read', '--config', config, '--catalog', catalog]);
    expect(r.code).toBe(1);
    const e = traces(r.messages, 'ERROR')[0]?.['error'] as { message: string; failure_type: string };
    expect(e.failure_type).toBe('system_error');
    expect(e.message).toMatch(/refused the answer to FileService\.getFile.*larger than 67108864 bytes/);
    expect(records(r.messages, 'stage').length).toBeGreaterThan(0);
    // Refused once, not retried: one request for the file.
    expect(fx.sandbox.stats.byMethod['FileService.getFile']).toBe(1);
  });
});
