import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../input-error.js';
import { createHttp } from '../http/instance.js';
import { basicCredential, postToken, tokenExpiry, tokenRefusal, tokenText } from '../keap/token-endpoint.js';
import { readJsonObject } from './json-file.js';
import { Redactor } from './redact.js';
import { persistConfig } from './config-file.js';

/**
 * `tap-infusionsoft auth`: the OAuth2 authorization-code flow on the user's machine. A loopback
 * server receives Keap's redirect, the code is exchanged at the token URL, and the credentials land
 * in a config file only the user can read (0600). The client secret never leaves for the browser.
 */

export const KEAP_AUTHORIZE_URL = 'https://accounts.infusionsoft.com/app/oauth/authorize';
export const KEAP_TOKEN_URL = 'https://api.infusionsoft.com/token';

interface AuthArgs {
  clientId: string;
  clientSecret: string;
  out: string;
  port: number;
  authorizeUrl: string;
  tokenUrl: string;
  apiUrl: string | undefined;
  restUrl: string | undefined;
  timeoutSeconds: number;
}

const HELP = `usage: tap-infusionsoft auth --client-id ID --client-secret SECRET [--out config.json] [--port 8976]
         [--authorize-url URL] [--token-url URL] [--rest-url URL] [--api-url URL] [--timeout-seconds 600]
Register http://127.0.0.1:PORT/callback as the redirect URI of your Keap app first.`;

export function parseAuthArgs(argv: readonly string[]): AuthArgs {
  const v: Record<string, string> = {};
  const names = ['--client-id', '--client-secret', '--out', '--port', '--authorize-url', '--token-url', '--rest-url', '--api-url', '--timeout-seconds'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (!names.includes(flag)) throw new InputError('arguments', `auth: unknown option '${flag}'`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new InputError('arguments', `auth: ${flag} needs a value`);
    v[flag] = value;
  }
  const clientId = v['--client-id'] ?? process.env['TAP_INFUSIONSOFT_CLIENT_ID'];
  const clientSecret = v['--client-secret'] ?? process.env['TAP_INFUSIONSOFT_CLIENT_SECRET'];
  if (!clientId) throw new InputError('arguments', 'auth needs --client-id (your Keap app key)');
  if (!clientSecret) throw new InputError('arguments', 'auth needs --client-secret');
  const port = Number(v['--port'] ?? '8976');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError('arguments', 'auth: --port must be 0..65535');
  const timeoutSeconds = Number(v['--timeout-seconds'] ?? '600');
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new InputError('arguments', 'auth: --timeout-seconds must be positive');
  return {
    clientId,
    clientSecret,
    out: v['--out'] ?? 'config.json',
    port,
    authorizeUrl: v['--authorize-url'] ?? KEAP_AUTHORIZE_URL,
    tokenUrl: v['--token-url'] ?? KEAP_TOKEN_URL,
    apiUrl: v['--api-url'],
    restUrl: v['--rest-url'],
    timeoutSeconds,
  };
}

export async function runAuth(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stderr.write(`${HELP}\n`);
    return 0;
  }
  let args: AuthArgs;
  try {
    args = parseAuthArgs(argv);
  } catch (err) {
    process.stderr.write(`tap-infusionsoft: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    await authorize(args);
    return 0;
  } catch (err) {
    // A token URL that echoes the form it was sent would print the client secret.
    const redactor = new Redactor();
    redactor.add(args.clientSecret, basicCredential(args.clientId, args.clientSecret));
    process.stderr.write(`tap-infusionsoft: auth failed: ${redactor.clean((err as Error).message).replace(/\s+/g, ' ')}\n`);
    return 1;
  }
}

async function authorize(a: AuthArgs): Promise<void> {
  const state = randomBytes(16).toString('hex');
  let server: Server | undefined;
  // The browser's page tells the truth: it is answered only once the code has been exchanged and
  // the config written (or that failed), never before.
  await new Promise<void>((resolve, reject) => {
    let redirectUri = '';
    let busy = false;
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback' || busy) {
        res.writeHead(404).end();
        return;
      }
      const error = url.searchParams.get('error');
      const got = url.searchParams.get('code');
      if (url.searchParams.get('state') !== state) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('State mismatch: this answer is not for this request.');
        reject(new Error('the callback carried the wrong state (a stale or forged redirect)'));
        return;
      }
      if (error || !got) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Authorization was not granted.');
        reject(new Error(`Keap did not grant access (${error ?? 'no code'})`));
        return;
      }
      busy = true;
      exchange(a, got, redirectUri).then(
        () => {
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page('tap-infusionsoft is authorized.', `The credentials are in ${a.out}. You can close this window.`));
          resolve();
        },
        (err: unknown) => {
          const reason = err instanceof Error ? err.message : String(err);
          res.writeHead(502, { 'Content-Type': 'text/html; charset=utf-8' }).end(page('Authorization failed.', `${reason}. Nothing was written; see the terminal.`));
          reject(err instanceof Error ? err : new Error(reason));
        },
      );
    });
    server.once('error', (err) => reject(new Error(`cannot listen on 127.0.0.1:${a.port} (${(err as { code?: string }).code ?? 'error'})`)));
    server.listen(a.port, '127.0.0.1', () => {
      const port = (server?.address() as AddressInfo).port;
      redirectUri = `http://127.0.0.1:${port}/callback`;
      const url = new URL(a.authorizeUrl);
      url.searchParams.set('client_id', a.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', 'full');
      url.searchParams.set('state', state);
      process.stderr.write(`Open this address in a browser and allow access to your Keap app:\n${url.toString()}\nWaiting for Keap to redirect to ${redirectUri} ...\n`);
    });
    setTimeout(() => reject(new Error(`no answer within ${a.timeoutSeconds} s`)), a.timeoutSeconds * 1000).unref();
  }).finally(() => server?.close());
  process.stderr.write(`Authorized. Wrote ${a.out} (readable only by you). Next: tap-infusionsoft check --config ${a.out}\n`);
}

/** A small page for the browser; the texts are ours or the token URL's reason, escaped. */
function page(title: string, text: string): string {
  const esc = (t: string): string => t.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><h1>${esc(title)}</h1><p>${esc(text)}</p>`;
}

/** Exchanges the code at the token URL (keap/token-endpoint.ts: bounded, no redirects) and writes the config (0600). */
async function exchange(a: AuthArgs, code: string, redirectUri: string): Promise<void> {
  const { status, body } = await postToken(
    createHttp({ timeoutMs: 60_000, maxSockets: 1 }),
    a.tokenUrl,
    { client_id: a.clientId, client_secret: a.clientSecret, code, grant_type: 'authorization_code', redirect_uri: redirectUri },
    {},
    { idleMs: 60_000, deadlineMs: 120_000 },
  );
  const refresh = tokenText(body, 'refresh_token');
  const access = tokenText(body, 'access_token');
  if (status !== 200 || refresh === undefined || access === undefined) {
    const reason = tokenRefusal(body);
    throw new Error(`the token URL refused the code (HTTP ${status}${reason ? `, ${reason}` : ''})`);
  }
  const existing = existsSync(a.out) ? readJsonObject(a.out) : {};
  const config: Record<string, unknown> = {
    ...existing,
    credentials: {
      auth_type: 'oauth2',
      client_id: a.clientId,
      client_secret: a.clientSecret,
      refresh_token: refresh,
      access_token: access,
      token_expiry: tokenExpiry(Date.now(), body?.['expires_in']),
    },
  };
  if (a.tokenUrl !== KEAP_TOKEN_URL) config['token_url'] = a.tokenUrl;
  if (a.restUrl) config['rest_url'] = a.restUrl;
  if (a.apiUrl) config['api_url'] = a.apiUrl;
  persistConfig(a.out, config);
}
