import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeResponse } from '../../src/xmlrpc/encode.js';
import { parseXmlRpc } from '../../src/xmlrpc/parse.js';
import type { XmlRpcValue } from '../../src/xmlrpc/types.js';
import { airbyteStreams } from '../../src/protocol/catalog-output.js';
import { tableStreamDefs } from '../../src/streams/table-streams.js';
import { recordSecrets } from './audit.js';
import { scratch } from './cli.js';
import { configuredCatalog } from './sandbox.js';

/** One request the fake Keap received. */
export interface FakeRequest {
  /** 1-based, over every request to the server. */
  n: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The XML-RPC method called, for requests to the XML-RPC path. */
  method?: string;
  params?: XmlRpcValue[];
}

/** Answers one request; `res` is the raw response, so a handler can drip, stall, cut or lie. */
export type Handler = (req: FakeRequest, res: http.ServerResponse) => void | Promise<void>;

export const CLIENT = { client_id: 'fake-client-id', client_secret: 'fake-client-secret-0123456789', refresh_token: 'fake-refresh-token-abcdef' };

export interface FakeKeap {
  apiUrl: string;
  /** The REST v2 base URL: requests under it go to the `rest` handler. */
  restUrl: string;
  tokenUrl: string;
  requests: FakeRequest[];
  /** Requests to the XML-RPC path, in order. */
  calls(method?: string): FakeRequest[];
  dir: string;
  write(name: string, value: unknown): string;
  /** A config for this server: XML-RPC unless `extra` says `api: 'rest'`, an API key unless `oauth`, fast retries. */
  config(extra?: Record<string, unknown>, auth?: 'api_key' | 'oauth2'): string;
  /** Requests to the REST v2 paths, in order (path without the base, query included). */
  restCalls(prefix?: string): FakeRequest[];
  /** An Airbyte configured catalog of table streams (Keap table names). */
  catalog(tables: string[], mode?: 'full_refresh' | 'incremental'): string;
  /** Resolves once a request matching `test` has arrived. */
  waitFor(test: (r: FakeRequest) => boolean): Promise<FakeRequest>;
  close(): Promise<void>;
}

/**
 * A Keap that misbehaves on purpose, on an ephemeral loopback port: each test gives the handlers
 * for the XML-RPC endpoint and the token endpoint. The sandbox plays an honest Keap; this plays
 * an attacker or a broken network (issue 12).
 */
export async function fakeKeap(handlers: { xmlrpc?: Handler; token?: Handler; rest?: Handler }): Promise<FakeKeap> {
  const requests: FakeRequest[] = [];
  const waiters: { test: (r: FakeRequest) => boolean; resolve: (r: FakeRequest) => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: FakeRequest = { n: requests.length + 1, path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      if (r.path === '/xmlrpc') {
        const m = parseXmlRpc(r.body);
        if (m.kind === 'call') {
          r.method = m.method;
          r.params = m.params;
        }
      }
      requests.push(r);
      for (const w of [...waiters]) {
        if (w.test(r)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
      const handler =
        r.path === '/token' ? (handlers.token ?? tokenOk()) : r.path === '/xmlrpc' ? (handlers.xmlrpc ?? emptyTables) : r.path.startsWith(REST) ? (handlers.rest ?? notFound) : notFound;
      Promise.resolve(handler(r, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const s = scratch();
  recordSecrets(CLIENT.client_secret, CLIENT.refresh_token, 'fake-api-key-0123456789');
  return {
    apiUrl: `${base}/xmlrpc`,
    restUrl: `${base}${REST}`,
    tokenUrl: `${base}/token`,
    requests,
    calls: (method) => requests.filter((r) => r.path === '/xmlrpc' && (method === undefined || r.method === method)),
    restCalls: (prefix = '') => requests.filter((r) => r.path.startsWith(REST + prefix)),
    dir: s.dir,
    write: s.write,
    config(extra = {}, auth = 'api_key') {
      const credentials = auth === 'api_key' ? { auth_type: 'api_key', api_key: 'fake-api-key-0123456789' } : { auth_type: 'oauth2', ...CLIENT };
      return s.write(`config-${auth}.json`, {
        credentials,
        api: 'xmlrpc',
        api_url: `${base}/xmlrpc`,
        rest_url: `${base}${REST}`,
        token_url: `${base}/token`,
        requests_per_second: 1000,
        requests_per_minute: 100_000,
        retry: { max_retries: 2, base_delay_ms: 1 },
        ...extra,
      });
    },
    catalog(tables, mode = 'full_refresh') {
      const streams = airbyteStreams(tableStreamDefs(tables));
      return s.write('catalog.json', configuredCatalog({ catalog: { streams } }, undefined, mode));
    },
    waitFor(test) {
      const seen = requests.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Where the fake serves REST v2 (its rest_url). */
const REST = '/rest/v2';

/** A REST v2 JSON answer. */
export function jsonAnswer(res: http.ServerResponse, value: unknown, status = 200, headers: Record<string, string> = {}): void {
  send(res, status, { 'Content-Type': 'application/json', ...headers }, typeof value === 'string' ? value : JSON.stringify(value));
}

export function xmlrpcAnswer(res: http.ServerResponse, value: XmlRpcValue): void {
  send(res, 200, { 'Content-Type': 'text/xml' }, encodeResponse(value));
}

export function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** Every table is empty: counts are 0, queries answer an empty page. */
export const emptyTables: Handler = (req, res) => xmlrpcAnswer(res, req.method === 'DataService.count' ? 0 : []);

/**
 * A table whose first page is `answer` (the XML of the value: an array of rows, or anything a
 * broken server might send instead), every time it is asked for; later pages are empty.
 */
export function firstPage(answer: string, count = 1): Handler {
  return (req, res) => {
    if (req.method === 'DataService.count') return xmlrpcAnswer(res, count);
    // [key, table, limit, page, query, fields, orderBy, ascending]
    const query = req.params?.[4] as Record<string, unknown> | undefined;
    if (query?.['Id'] !== '~>~ 0') return xmlrpcAnswer(res, []);
    send(res, 200, { 'Content-Type': 'text/xml' }, `<?xml version="1.0"?><methodResponse><params><param>${answer}</param></params></methodResponse>`);
  };
}

/** `<value>` of an array of rows, each given as the XML of its members. */
export function rowsXml(...rows: string[]): string {
  return `<value><array><data>${rows.map((r) => `<value><struct>${r}</struct></value>`).join('')}</data></array></value>`;
}

export const member = (name: string, value: string): string => `<member><name>${name}</name><value>${value}</value></member>`;

/** A token endpoint that rotates the refresh token on every call, as Keap does. */
export function tokenOk(extra: Record<string, unknown> = {}): Handler {
  let n = 0;
  return (_req, res) => {
    n++;
    const refresh = `rotated-refresh-token-${n}-0123456789`;
    recordSecrets(refresh, `access-token-${n}-0123456789`);
    send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify({ access_token: `access-token-${n}-0123456789`, refresh_token: refresh, expires_in: 86_400, token_type: 'bearer', ...extra }));
  };
}

/** Writes `piece` again and again, as fast as the client reads, until it hangs up; counts the bytes. */
export function endless(res: http.ServerResponse, headers: Record<string, string>, piece: Buffer, sent: { bytes: number }): void {
  res.writeHead(200, headers);
  let open = true;
  res.on('close', () => (open = false));
  const pump = (): void => {
    while (open) {
      sent.bytes += piece.length;
      if (!res.write(piece)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

const notFound: Handler = (_req, res) => send(res, 404, { 'Content-Type': 'text/plain' }, 'Not Found');

export const messagesOf = (ms: Record<string, unknown>[], type: string): Record<string, unknown>[] => ms.filter((m) => m['type'] === type);

export function traceErrors(ms: Record<string, unknown>[]): { message: string; failure_type: string }[] {
  return ms
    .filter((m) => m['type'] === 'TRACE' && (m['trace'] as { type: string }).type === 'ERROR')
    .map((m) => (m['trace'] as { error: { message: string; failure_type: string } }).error);
}

export function statuses(ms: Record<string, unknown>[]): string[] {
  return ms
    .filter((m) => m['type'] === 'TRACE' && (m['trace'] as { type: string }).type === 'STREAM_STATUS')
    .map((m) => {
      const s = (m['trace'] as { stream_status: { stream_descriptor: { name: string }; status: string } }).stream_status;
      return `${s.stream_descriptor.name}:${s.status}`;
    });
}

/** Fails the test when `p` has not settled once `what` should have happened long since. */
export function within<T>(p: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`never happened: ${what}`)), ms);
  });
  return Promise.race([p, bound]).finally(() => clearTimeout(timer));
}

/** Whether a stdout line is a message of this type. */
export const isType =
  (type: string) =>
  (line: string): boolean =>
    line.includes(`"type":"${type}"`);
