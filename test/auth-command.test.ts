import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordOutput, recordSecrets } from './helpers/audit.js';
import { CLI, runCli } from './helpers/cli.js';
import { endless, fakeKeap, send, tokenOk } from './helpers/fake-keap.js';
import { withSandbox, type SandboxFixture } from './helpers/sandbox.js';

/**
 * `tap-infusionsoft auth` end to end against the sandbox's authorize page and token endpoint: the
 * built CLI is spawned, the authorize URL is read from its stderr, and the test plays the browser.
 */

let sb: SandboxFixture;

beforeAll(async () => {
  sb = await withSandbox({ contacts: 20 });
});

afterAll(async () => {
  await sb?.close();
});

interface AuthRun {
  child: ChildProcessWithoutNullStreams;
  /** The authorize URL the command printed. */
  url: URL;
  /** Resolves when the command exits. */
  done: Promise<{ code: number | null; stderr: string }>;
}

function startAuth(out: string, o: { clientSecret?: string; tokenUrl?: string; extra?: string[] } = {}): Promise<AuthRun> {
  const c = sb.sandbox.credentials;
  const args = [
    'auth',
    '--client-id',
    c.client_id,
    '--client-secret',
    o.clientSecret ?? c.client_secret,
    '--out',
    out,
    '--port',
    '0',
    '--authorize-url',
    sb.sandbox.authorizeUrl,
    '--token-url',
    o.tokenUrl ?? sb.sandbox.tokenUrl,
    '--rest-url',
    sb.sandbox.restUrl,
    '--api-url',
    sb.sandbox.apiUrl,
    ...(o.extra ?? []),
  ];
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      recordOutput(`tap-infusionsoft auth (${out})`, stderr);
      resolve({ code, stderr });
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`auth printed no authorize URL:\n${stderr}`)), 20_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
      const m = /^(http\S+\/app\/oauth\/authorize\?\S+)$/m.exec(stderr);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: new URL(m[1]), done });
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`auth exited before printing a URL:\n${stderr}`));
    });
  });
}

/** The browser: open the authorize URL, follow Keap's 302 to the callback, return the callback's answer. */
async function browse(url: URL): Promise<{ status: number; body: string; callback: URL }> {
  const consent = await fetch(url, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const callback = new URL(consent.headers.get('location') ?? '');
  const res = await fetch(callback);
  return { status: res.status, body: await res.text(), callback };
}

/** One line, the command's name first, no stack trace. */
function expectOneLineError(stderr: string, text: RegExp): void {
  const last = stderr.trimEnd().split('\n').pop() ?? '';
  expect(last).toMatch(/^tap-infusionsoft: auth failed: /);
  expect(last).toMatch(text);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('tap-infusionsoft auth', () => {
  it('prints the authorize URL, takes the code on its loopback callback, and writes a 0600 config that check accepts', async () => {
    const out = sb.dir + '/oauth-config.json';
    const run = await startAuth(out);
    const c = sb.sandbox.credentials;
    expect(run.url.origin + run.url.pathname).toBe(sb.sandbox.authorizeUrl);
    expect(run.url.searchParams.get('client_id')).toBe(c.client_id);
    expect(run.url.searchParams.get('response_type')).toBe('code');
    expect(run.url.searchParams.get('scope')).toBe('full');
    expect(run.url.searchParams.get('state')).toMatch(/^[0-9a-f]{32}$/);
    const redirect = new URL(run.url.searchParams.get('redirect_uri') ?? '');
    expect(redirect.hostname).toBe('127.0.0.1');
    expect(redirect.pathname).toBe('/callback');
    // The client secret never goes to the browser.
    expect(run.url.toString()).not.toContain(c.client_secret);

    const page = await browse(run.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('is authorized');
    // The page says so only once the config is written.
    expect(existsSync(out)).toBe(true);
    const exit = await run.done;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toContain(`Wrote ${out}`);
    expect(exit.stderr).not.toContain(c.client_secret);

    expect(statSync(out).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(out, 'utf8')) as { credentials: Record<string, string>; token_url: string; api_url: string; rest_url: string };
    recordSecrets(config.credentials['refresh_token'] ?? '', config.credentials['access_token'] ?? '');
    expect(config.credentials['auth_type']).toBe('oauth2');
    expect(config.credentials['client_id']).toBe(c.client_id);
    expect(config.credentials['client_secret']).toBe(c.client_secret);
    expect(sb.sandbox.liveRefreshTokens()).toContain(config.credentials['refresh_token']);
    expect(Date.parse(config.credentials['token_expiry'] ?? '')).toBeGreaterThan(Date.now());
    expect(config.token_url).toBe(sb.sandbox.tokenUrl);
    expect(config.api_url).toBe(sb.sandbox.apiUrl);
    expect(config.rest_url).toBe(sb.sandbox.restUrl);

    const check = await runCli(['check', '--config', out]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.messages).toEqual([{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } }]);
  });

  it('keeps the other keys of an existing config file', async () => {
    const out = sb.write('existing.json', { start_date: '2024-01-01T00:00:00Z', tables: ['Contact'] });
    const run = await startAuth(out);
    await browse(run.url);
    expect((await run.done).code).toBe(0);
    const config = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(config['start_date']).toBe('2024-01-01T00:00:00Z');
    expect(config['tables']).toEqual(['Contact']);
    expect((config['credentials'] as Record<string, string>)['auth_type']).toBe('oauth2');
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('refuses a callback with the wrong state in one line, and writes nothing', async () => {
    const out = sb.dir + '/bad-state.json';
    const run = await startAuth(out);
    const consent = await fetch(run.url, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location') ?? '');
    callback.searchParams.set('state', 'f'.repeat(32));
    const res = await fetch(callback);
    expect(res.status).toBe(400);
    const exit = await run.done;
    expect(exit.code).toBe(1);
    expectOneLineError(exit.stderr, /wrong state/);
    expect(existsSync(out)).toBe(false);
  });

  it('reports denied consent in one line', async () => {
    const out = sb.dir + '/denied.json';
    const run = await startAuth(out);
    // The user clicked Deny: Keap redirects back with an error instead of a code.
    const callback = new URL(run.url.searchParams.get('redirect_uri') ?? '');
    callback.searchParams.set('error', 'access_denied');
    callback.searchParams.set('state', run.url.searchParams.get('state') ?? '');
    const res = await fetch(callback);
    expect(res.status).toBe(400);
    const exit = await run.done;
    expect(exit.code).toBe(1);
    expectOneLineError(exit.stderr, /did not grant access \(access_denied\)/);
    expect(existsSync(out)).toBe(false);
  });

  it('reports a token endpoint that refuses the code in one line, without the secret', async () => {
    const out = sb.dir + '/refused.json';
    const wrong = 'not-the-client-secret';
    const run = await startAuth(out, { clientSecret: wrong });
    // The browser is told the truth, not "authorized".
    const page = await browse(run.url);
    expect(page.status).toBe(502);
    expect(page.body).toContain('Authorization failed');
    expect(page.body).toContain('the token URL refused the code (HTTP 401');
    expect(page.body).not.toContain('is authorized');
    expect(page.body).not.toContain(wrong);
    const exit = await run.done;
    expect(exit.code).toBe(1);
    expectOneLineError(exit.stderr, /the token URL refused the code \(HTTP 401, invalid_client/);
    expect(exit.stderr).not.toContain(wrong);
    expect(existsSync(out)).toBe(false);
  });

  it('keeps the new credentials of a token answer with an absurd expiry, the expiry clamped to a day', async () => {
    const fake = await fakeKeap({ token: tokenOk({ expires_in: 1e300 }) });
    try {
      const out = `${sb.dir}/absurd.json`;
      const run = await startAuth(out, { tokenUrl: fake.tokenUrl });
      await browse(run.url);
      const exit = await run.done;
      expect(exit.stderr).not.toMatch(/Invalid time value/);
      expect(exit.code).toBe(0);
      const saved = JSON.parse(readFileSync(out, 'utf8')) as { credentials: Record<string, string> };
      expect(saved.credentials['refresh_token']).toBe('rotated-refresh-token-1-0123456789');
      expect(Date.parse(saved.credentials['token_expiry'] ?? '') - Date.now()).toBeLessThanOrEqual(86_400_000);
    } finally {
      await fake.close();
    }
  });

  it('refuses a token answer past 1 MiB in one line, echoing no secret', async () => {
    const fake = await fakeKeap({ token: (req, res) => endless(res, { 'Content-Type': 'application/json' }, Buffer.from(req.body.toString('utf8').repeat(100)), { bytes: 0 }) });
    try {
      const out = `${sb.dir}/endless.json`;
      const run = await startAuth(out, { tokenUrl: fake.tokenUrl });
      await browse(run.url);
      const exit = await run.done;
      expect(exit.code).toBe(1);
      expectOneLineError(exit.stderr, /the Keap token URL answered with more than 1048576 bytes; refused/);
      expect(existsSync(out)).toBe(false);
    } finally {
      await fake.close();
    }
  });

  it('masks the client secret that a refusing token URL echoes', async () => {
    const fake = await fakeKeap({ token: (req, res) => send(res, 400, { 'Content-Type': 'application/json' }, JSON.stringify({ error: 'invalid_client', error_description: `you sent ${req.body.toString('utf8')}` })) });
    try {
      const run = await startAuth(`${sb.dir}/echo.json`, { tokenUrl: fake.tokenUrl });
      await browse(run.url);
      const exit = await run.done;
      expectOneLineError(exit.stderr, /the token URL refused the code \(HTTP 400, invalid_client: you sent .*client_secret=\*{10}/);
      expect(exit.stderr).not.toContain(sb.sandbox.credentials.client_secret);
    } finally {
      await fake.close();
    }
  });

  it('asks for the client id and secret before doing anything', async () => {
    const r = await runCli(['auth', '--client-secret', 'x'], { env: { TAP_INFUSIONSOFT_CLIENT_ID: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('tap-infusionsoft: arguments error: auth needs --client-id (your Keap app key)');
  });
});
