import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { recordSecrets } from './helpers/audit.js';
import { startCli } from './helpers/cli.js';
import { CLIENT, endless, fakeKeap, messagesOf, send, traceErrors, type FakeKeap } from './helpers/fake-keap.js';

/**
 * Issue 12, defects 7, 10 and 11: a token endpoint that is hostile or broken, against the built CLI
 * and a fake Keap on loopback. The token call is the one that rotates the refresh token, so what
 * it answers must neither sink the connector nor lose the new token nor leak the old secrets.
 */

let fake: FakeKeap | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const MB = 1024 * 1024;

/**
 * The highest resident set size of a process, sampled from /proc while it runs (Linux). Past
 * `killAt` the process is killed: a connector that holds what it is sent must not take the
 * machine down with the test.
 */
function peakRss(pid: number, killAt = 1024 * MB): { stop: () => number } {
  let peak = 0;
  const sample = (): void => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      if (peak > killAt) process.kill(pid, 'SIGKILL');
    } catch {
      // The process has ended.
    }
  };
  const t = setInterval(sample, 5);
  return {
    stop: () => {
      clearInterval(t);
      sample();
      return peak;
    },
  };
}

describe('a token endpoint that answers without end (defect 7)', () => {
  it.each([
    ['a gzip bomb (16 MB of zeros per 16 KB, endlessly)', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, gzipSync(Buffer.alloc(16 * MB))],
    ['a body of gigabytes', { 'Content-Type': 'application/json' }, Buffer.alloc(64 * 1024, 'a')],
  ])('%s is refused at 1 MiB with a clear error, holding no more than that', async (_what, headers, piece) => {
    const sent = { bytes: 0 };
    fake = await fakeKeap({ token: (_req, res) => endless(res, headers, piece, sent) });
    const run = startCli(['check', '--config', fake.config({}, 'oauth2')]);
    const rss = peakRss(run.child.pid as number);
    const r = await run.result;
    const peak = rss.stop();
    expect(r.code).toBe(0);
    const status = messagesOf(r.messages, 'CONNECTION_STATUS')[0]?.['connectionStatus'] as { status: string; message: string };
    expect(status.status).toBe('FAILED');
    expect(status.message).toBe('the Keap token URL answered with more than 1048576 bytes; refused (check token_url)');
    // Bounded by the 1 MiB cap and what the socket buffers held, not by what the server had to send.
    expect(sent.bytes).toBeLessThan(64 * MB);
    expect(peak).toBeLessThan(200 * MB);
  });
});

describe('a token endpoint that echoes what it was sent (defect 10)', () => {
  it('cannot make the connector print the client secret in any encoding it sent it', async () => {
    // A refresh token whose form encoding differs from its text.
    const refresh = 'refresh/token+with=odd chars&0123456789';
    const basic = Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64');
    const formRefresh = new URLSearchParams({ refresh_token: refresh }).toString().slice('refresh_token='.length);
    recordSecrets(refresh, basic, formRefresh, encodeURIComponent(refresh));
    fake = await fakeKeap({
      token: (req, res) => {
        const echo = `Authorization: ${String(req.headers.authorization)}; body: ${req.body.toString('utf8')}; JSON: ${JSON.stringify(String(req.headers.authorization)).replace(/\//g, '\\/')}`;
        send(res, 400, { 'Content-Type': 'application/json', 'X-Echo': String(req.headers.authorization) }, JSON.stringify({ error: 'invalid_grant', error_description: echo }));
      },
    });
    const config = fake.write('echo.json', {
      credentials: { auth_type: 'oauth2', client_id: CLIENT.client_id, client_secret: CLIENT.client_secret, refresh_token: refresh },
      api: 'xmlrpc',
      api_url: fake.apiUrl,
      token_url: fake.tokenUrl,
    });
    // Airbyte (a CONNECTION_STATUS message) and Singer (stderr): every place an error is printed.
    for (const args of [['check', '--config', config], ['--config', config, '--catalog', fake.catalog(['Stage'])]]) {
      const r = await startCli(args).result;
      const out = `${r.stdout}\n${r.stderr}`;
      // The echo itself got through (redacted), so the test shows the redactor at work.
      expect(out).toContain('invalid_grant: Authorization: Basic **********');
      for (const secret of [CLIENT.client_secret, basic, refresh, formRefresh, encodeURIComponent(refresh), basic.replace(/\//g, '\\/')]) {
        expect(out, `${args[0]} printed ${secret}`).not.toContain(secret);
      }
    }
  });
});

describe('a token answer with an absurd expiry (defect 11)', () => {
  it.each([1e300, -5])('expires_in %s is clamped; the rotated refresh token is handed back and the read goes on', async (expiresIn) => {
    fake = await fakeKeap({
      token: (_req, res) => {
        recordSecrets('rotated-refresh-token-absurd-0123', 'access-token-absurd-0123456789');
        send(res, 200, { 'Content-Type': 'application/json' }, `{"access_token":"access-token-absurd-0123456789","refresh_token":"rotated-refresh-token-absurd-0123","expires_in":${JSON.stringify(expiresIn)}}`);
      },
    });
    const config = fake.config({}, 'oauth2');
    const r = await startCli(['read', '--config', config, '--catalog', fake.catalog(['Stage'])]).result;
    expect(traceErrors(r.messages)).toEqual([]);
    expect(r.code).toBe(0);
    const [control] = messagesOf(r.messages, 'CONTROL');
    const creds = (control?.['control'] as { connectorConfig: { config: { credentials: { refresh_token: string; token_expiry: string } } } }).connectorConfig.config.credentials;
    expect(creds.refresh_token).toBe('rotated-refresh-token-absurd-0123');
    const expiresInMs = Date.parse(creds.token_expiry) - Date.now();
    expect(expiresInMs).toBeGreaterThan(0);
    expect(expiresInMs).toBeLessThanOrEqual(86_400_000);
    const saved = JSON.parse(readFileSync(config, 'utf8')) as { credentials: { refresh_token: string } };
    expect(saved.credentials.refresh_token).toBe('rotated-refresh-token-absurd-0123');
    // One refresh for the whole read: a clamped expiry is not one that makes every call refresh.
    expect(fake.requests.filter((q) => q.path === '/token')).toHaveLength(1);
  });

  it('a token answer with a new refresh token but no access token hands the new refresh token back before failing', async () => {
    fake = await fakeKeap({
      token: (_req, res) => {
        recordSecrets('rotated-refresh-token-half-0123');
        send(res, 200, { 'Content-Type': 'application/json' }, '{"refresh_token":"rotated-refresh-token-half-0123","expires_in":3600}');
      },
    });
    const config = fake.config({}, 'oauth2');
    const r = await startCli(['read', '--config', config, '--catalog', fake.catalog(['Stage'])]).result;
    expect(r.code).toBe(1);
    expect(JSON.stringify(messagesOf(r.messages, 'CONTROL'))).toContain('rotated-refresh-token-half-0123');
    expect(readFileSync(config, 'utf8')).toContain('rotated-refresh-token-half-0123');
    expect(traceErrors(r.messages)[0]?.message).toMatch(/refused to refresh the access token \(HTTP 200/);
  });
});
