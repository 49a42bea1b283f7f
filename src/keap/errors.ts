import { MAX_BODY_BYTES } from '../http/limits.js';

/**
 * Every way a Keap call can go wrong, classified once, by one table: what came back (a fault with
 * its code and text, an HTTP status, a network error, a body we could not read) decides the action
 * (retry on a named schedule, refresh the token, skip the record, or fail) and the Airbyte
 * failure_type. Faults arrive with HTTP 200, so the body is always read before anything is decided.
 */

import { counted } from '../counted.js';

export type FailureType = 'config_error' | 'transient_error' | 'system_error';

/** Named retry schedules; their timings are data in keap/retry.ts. */
export type ScheduleName = 'transient' | 'rate_limited' | 'query_timeout' | 'saved_search_blocked';

/** Which of Keap's two APIs answered: some answers mean different things on each. */
export type Api = 'xmlrpc' | 'rest';

export type Signal =
  | { kind: 'fault'; code: number; text: string }
  | { kind: 'http'; status: number; body: string; contentType?: string }
  | { kind: 'network'; code: string; message: string }
  | { kind: 'parse'; reason: 'malformed' | 'truncated' | 'refused'; message: string };

/**
 * How far a failure reaches. Most failures belong to the call's stream, and the other streams go
 * on. An `account` failure (credentials Keap refuses, a host or certificate that cannot be reached
 * or trusted) would fail every other stream the same way: the sync stops at once instead.
 */
export type Scope = 'stream' | 'account';

export type Action =
  | { do: 'retry'; schedule: ScheduleName }
  /** OAuth: refresh the access token once and send the same call again. */
  | { do: 'refresh' }
  /** The record asked for does not exist: by-id reports skip it and say so. */
  | { do: 'skip' }
  | { do: 'fail'; failureType: FailureType };

interface Rule {
  name: string;
  /** Only answers of this API match (both when absent). */
  api?: Api;
  when: (s: Signal) => boolean;
  action: Action;
  /** `account` when the failure, once the action cannot cure it, stops the whole sync. */
  scope?: Scope;
  /** A one-line explanation for the user; `what` names the call (e.g. "DataService.query on Contact"). */
  explain: (s: Signal, what: string) => string;
  /** For the README's error reference: what it means and what to do. */
  doc: { cause: string; fix: string };
  /**
   * A signal this rule (and no rule before it) matches, as Keap sends it where known: the README
   * quotes the message the rule makes of it, and a test feeds it back to check both.
   */
  example: Signal;
}

/** Node's codes for a TLS handshake that failed (certificate checks, protocol mismatch). */
const TLS_FAILURE = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(GET|VERIFY)_|EPROTO$)/;

const fault = (s: Signal, codes: number[]): boolean => s.kind === 'fault' && codes.includes(s.code);
const faultText = (s: Signal, re: RegExp): boolean => s.kind === 'fault' && re.test(s.text);
const status = (s: Signal, test: (n: number) => boolean): boolean => s.kind === 'http' && test(s.status);
const detail = (s: Signal): string => {
  switch (s.kind) {
    case 'fault':
      return `fault ${s.code}: ${oneLine(s.text)}`;
    case 'http': {
      const text = restMessage(s.body) ?? oneLine(s.body);
      return `HTTP ${s.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    }
    case 'network':
      return s.message;
    case 'parse':
      return s.message;
  }
};

const retry = (schedule: ScheduleName): Action => ({ do: 'retry', schedule });
const fail = (failureType: FailureType): Action => ({ do: 'fail', failureType });

/** First match wins: specific texts before codes, codes before the catch-alls. */
export const ERROR_TABLE: readonly Rule[] = [
  {
    name: 'query-timeout',
    when: (s) => faultText(s, /query took too long|was cancelled|DatabaseError/i),
    action: retry('query_timeout'),
    explain: (s, what) => `Keap cancelled a slow query (${what}; ${detail(s)})`,
    doc: {
      cause: 'Keap cancelled a query that ran too long (`[DatabaseError]`, \'Query took too long and was cancelled\').',
      fix: 'Nothing: retried after 5 s, 10 s, 30 s, 1 min and 5 min. If it persists, narrow the query (a report\'s query, or `tables`) or lower `page_size`.',
    },
    example: { kind: 'fault', code: 4, text: '[DatabaseError]Query took too long and was cancelled' },
  },
  {
    name: 'saved-search-blocked',
    when: (s) => faultText(s, /too many consecutive failures|saved search is blocked/i),
    action: retry('saved_search_blocked'),
    explain: (s, what) => `Keap has blocked this saved search for a while (${what}; ${detail(s)})`,
    doc: {
      cause: 'Keap blocked a saved search after repeated failures (\'Too many consecutive failures. This saved search is blocked temporarily\').',
      fix: 'Nothing: retried every 20 minutes, up to 10 times. Simplify the saved search in Keap if it keeps failing.',
    },
    example: { kind: 'fault', code: 3, text: 'Too many consecutive failures. This saved search is blocked temporarily' },
  },
  {
    name: 'throttled',
    when: (s) => faultText(s, /ThrottlingException|threads throttled/i),
    action: retry('rate_limited'),
    explain: (s, what) => `Keap is throttling requests (${what}; ${detail(s)})`,
    doc: {
      cause: 'Keap\'s legacy thread throttle (`ThrottlingException`).',
      fix: 'Nothing: retried with backoff. Lower `concurrency` if it is frequent.',
    },
    example: { kind: 'fault', code: 0, text: 'com.infusionsoft.throttle.ThrottlingException: Maximum number of threads throttled' },
  },
  {
    name: 'bad-credentials',
    when: (s) => fault(s, [2, 13, 15]) || faultText(s, /^\s*\[(InvalidKey|FailedLoginAttempt)/),
    action: fail('config_error'),
    scope: 'account',
    explain: (s) => `Keap rejected the credentials (${detail(s)}); check credentials.api_key, or run 'tap-infusionsoft auth' again (OAuth)`,
    doc: {
      cause: 'Keap rejected the key or token (fault 2 InvalidKey, 13/15 FailedLoginAttempt).',
      fix: 'Check `credentials.api_key`, or run `tap-infusionsoft auth` again for a new refresh token.',
    },
    example: { kind: 'fault', code: 2, text: '[InvalidKey]Invalid Key' },
  },
  {
    name: 'no-access',
    when: (s) => fault(s, [14]) || faultText(s, /^\s*\[NoAccess\]/),
    action: fail('config_error'),
    explain: (s, what) => `the Keap user behind these credentials may not read this (${what}; ${detail(s)})`,
    doc: {
      cause: 'The Keap user behind the credentials may not read this (fault 14 NoAccess).',
      fix: 'Use a Service Account Key, or give the user that permission in Keap.',
    },
    example: { kind: 'fault', code: 14, text: '[NoAccess]Access denied' },
  },
  {
    name: 'bad-table-or-field',
    when: (s) => fault(s, [7, 8, 9, 10, 11, 12]) || faultText(s, /^\s*\[(NoTableAccess|NoFieldAccess|NoTableFound|NoFieldFound|NoFields|InvalidParameter)\]/),
    action: fail('config_error'),
    explain: (s, what) => `Keap refused ${what}: ${detail(s)}`,
    doc: {
      cause: 'Keap refused a table or field (faults 7-12: no table/field access, not found, no fields, invalid parameter); the message names it.',
      fix: 'Run `discover` again (custom fields change), remove the field from the catalog, or fix the report entry.',
    },
    example: { kind: 'fault', code: 10, text: '[NoFieldFound]No field found: Contact.Citty' },
  },
  {
    name: 'record-not-found',
    when: (s) => fault(s, [5]) || faultText(s, /^\s*\[RecordNotFound\]/),
    action: { do: 'skip' },
    explain: (s, what) => `record not found (${what}; ${detail(s)})`,
    doc: {
      cause: 'An id given to a by-id report does not exist (fault 5 RecordNotFound).',
      fix: 'The record is skipped with a log line; remove the id from the report entry if it is gone for good.',
    },
    example: { kind: 'fault', code: 5, text: '[RecordNotFound]Record not found for Id:48872' },
  },
  {
    name: 'invalid-config',
    when: (s) => fault(s, [1]),
    action: fail('config_error'),
    explain: (s, what) => `Keap reports a configuration problem with this app (${what}; ${detail(s)})`,
    doc: {
      cause: 'Keap reports a configuration problem of the app (fault 1 InvalidConfig).',
      fix: 'Check the Keap app\'s settings; contact Keap support if it persists.',
    },
    example: { kind: 'fault', code: 1, text: '[InvalidConfig]Invalid configuration' },
  },
  {
    name: 'request-cut-short',
    // Keap could not read our request: the body was cut on the way. Sending it again is safe.
    when: (s) => fault(s, [0]) && /premature end of file|failed to parse/i.test(s.kind === 'fault' ? s.text : ''),
    action: retry('transient'),
    explain: (s, what) => `Keap received an incomplete request (${what}; ${detail(s)})`,
    doc: {
      cause: 'Keap received an incomplete request (\'Failed to parse XML-RPC request: Premature end of file\').',
      fix: 'Nothing: the request is sent again.',
    },
    example: { kind: 'fault', code: 0, text: 'Failed to parse XML-RPC request: Premature end of file.' },
  },
  {
    name: 'no-such-method',
    when: (s) => faultText(s, /no such handler/i),
    action: fail('system_error'),
    explain: (s, what) => `Keap does not offer ${what} (${detail(s)})`,
    doc: {
      cause: 'Keap does not offer the method on this account (\'No such handler\').',
      fix: 'Remove the report entry; Keap may have retired that XML-RPC method.',
    },
    example: { kind: 'fault', code: 0, text: 'No such handler: SearchService.getAllReportColumns' },
  },
  {
    name: 'server-fault',
    when: (s) => fault(s, [3, 4, 6]) || faultText(s, /^\s*\[(Unexpected|Database|Loading)\]/),
    action: retry('transient'),
    explain: (s, what) => `Keap failed to answer ${what} (${detail(s)})`,
    doc: {
      cause: 'Keap failed internally (faults 3 Unexpected, 4 Database, 6 Loading).',
      fix: 'Nothing: retried with backoff.',
    },
    example: { kind: 'fault', code: 6, text: '[Loading]Error loading follow-up sequence' },
  },
  {
    name: 'other-fault',
    when: (s) => s.kind === 'fault',
    action: fail('system_error'),
    explain: (s, what) => `Keap answered ${what} with ${detail(s)}`,
    doc: {
      cause: 'A fault code this connector does not know.',
      fix: 'Report it with the message; the stream fails, others go on.',
    },
    example: { kind: 'fault', code: 42, text: '[Unheard]Something new' },
  },
  {
    name: 'xmlrpc-gone',
    api: 'xmlrpc',
    // Keap has not said what a switched-off XML-RPC endpoint answers (keap-xmlrpc-sunset.md): a
    // 404/410, or a 200 that is an HTML or JSON page instead of XML-RPC, is taken as that.
    when: (s) => status(s, (n) => n === 404 || n === 410) || (s.kind === 'http' && s.status === 200),
    action: fail('config_error'),
    explain: (s) =>
      `Keap's XML-RPC API did not answer as XML-RPC (${detail(s)}): Keap switched XML-RPC off on 2026-12-31; set "api": "rest" in the config to read through REST v2`,
    doc: {
      cause: 'The XML-RPC endpoint answers HTTP 404/410, or an HTML/JSON page instead of XML-RPC: Keap has switched XML-RPC off (final date 2026-12-31; brownouts before it).',
      fix: 'Set `"api": "rest"` (the default) and read through REST v2; see the migration guide. If `api_url` points elsewhere, fix it.',
    },
    example: { kind: 'http', status: 404, body: '<html><body><h1>404 Not Found</h1></body></html>', contentType: 'text/html' },
  },
  {
    name: 'rest-bad-page-token',
    api: 'rest',
    when: (s) => s.kind === 'http' && s.status === 400 && /page[ _-]?token/i.test(s.body),
    action: fail('transient_error'),
    explain: (s, what) => `Keap no longer accepts the saved page token (${what}; ${detail(s)})`,
    doc: {
      cause: 'HTTP 400 naming the page token: Keap no longer accepts a page token saved in the state (expired, or the query changed).',
      fix: 'Nothing: the stream restarts its pass from the bookmark it started from (rows may repeat, none are skipped).',
    },
    example: { kind: 'http', status: 400, body: '{"code":400,"message":"Invalid page_token: it has expired; start again from the first page","status":"Bad Request"}' },
  },
  {
    name: 'rest-bad-request',
    api: 'rest',
    when: (s) => status(s, (n) => n === 400 || n === 422),
    action: fail('config_error'),
    explain: (s, what) => `Keap refused ${what} (${detail(s)})`,
    doc: {
      cause: 'HTTP 400: Keap refused a parameter (a filter field or operator it does not take, a report entry\'s value, a page size over its limit).',
      fix: 'The message names the parameter; fix the report entry or `page_size`. If it names a field the connector chose, report it.',
    },
    example: { kind: 'http', status: 400, body: '{"code":400,"message":"Invalid filter field: City","status":"Bad Request"}' },
  },
  {
    name: 'rest-not-found',
    api: 'rest',
    when: (s) => status(s, (n) => n === 404),
    action: { do: 'skip' },
    explain: (s, what) => `Keap has no such record or endpoint (${what}; ${detail(s)})`,
    doc: {
      cause: 'HTTP 404 from REST v2: an id given to a report does not exist, or the account\'s edition lacks the endpoint.',
      fix: 'By-id reports skip the record with a log line; a resource stream fails (the others go on): remove it from `resources` if the account lacks it.',
    },
    example: { kind: 'http', status: 404, body: '{"code":404,"message":"Contact 99 not found","status":"Not Found"}' },
  },
  {
    name: 'unauthorized',
    when: (s) => status(s, (n) => n === 401),
    action: { do: 'refresh' },
    scope: 'account',
    explain: (s) => `Keap rejected the credentials (${detail(s)}); check credentials.api_key, or run 'tap-infusionsoft auth' again (OAuth)`,
    doc: {
      cause: 'HTTP 401: the access token expired or was revoked, or the API key is wrong.',
      fix: 'OAuth: refreshed once automatically. If it still fails, or for API keys, check the credentials.',
    },
    example: { kind: 'http', status: 401, body: '{"fault":{"faultstring":"Invalid access token","detail":{"errorcode":"oauth.v2.InvalidAccessToken"}}}' },
  },
  {
    name: 'rate-limited',
    when: (s) => status(s, (n) => n === 429) || (s.kind === 'http' && s.status === 403 && /qps|rate limit|throttl|quota/i.test(s.body)),
    action: retry('rate_limited'),
    explain: (s) => `Keap is rate limiting requests (${detail(s)})`,
    doc: {
      cause: 'HTTP 429 (or 403 with a QPS message): over Keap\'s per-second or per-minute quota.',
      fix: 'Nothing: the connector waits (Retry-After when given) and goes on. Lower `requests_per_second`/`requests_per_minute` if it is frequent.',
    },
    example: { kind: 'http', status: 429, body: '{"code":"429","message":"Quota Exceeded","status":"Request Throttled","details":null}' },
  },
  {
    name: 'developer-inactive',
    when: (s) => s.kind === 'http' && /developer inactive/i.test(s.body),
    action: fail('config_error'),
    scope: 'account',
    explain: () => 'Keap says the OAuth client app is inactive (Developer Inactive); re-enable it in the Keap developer portal',
    doc: {
      cause: 'Keap\'s gateway says the OAuth client app is inactive (\'Developer Inactive\').',
      fix: 'Re-enable the app in the Keap Developer Portal.',
    },
    example: { kind: 'http', status: 403, body: '<h1>Developer Inactive</h1>' },
  },
  {
    name: 'forbidden',
    when: (s) => status(s, (n) => n === 403),
    action: fail('config_error'),
    explain: (s, what) => `the credentials lack permission for ${what} (${detail(s)})`,
    doc: {
      cause: 'HTTP 403: the credentials lack permission.',
      fix: 'Use credentials with the needed permissions (a Service Account Key has all).',
    },
    example: { kind: 'http', status: 403, body: 'Forbidden' },
  },
  {
    name: 'not-found',
    when: (s) => status(s, (n) => n === 404 || n === 405),
    action: fail('config_error'),
    explain: (s, what) => `no Keap endpoint answers ${what} (${detail(s)}); check api_url / rest_url`,
    doc: {
      cause: 'HTTP 405 (or 404 outside the cases above): no Keap endpoint at the URL.',
      fix: 'Fix `api_url` (default https://api.infusionsoft.com/crm/xmlrpc/v1) or `rest_url` (default https://api.infusionsoft.com/crm/rest/v2).',
    },
    example: { kind: 'http', status: 405, body: 'Method Not Allowed' },
  },
  {
    name: 'server-error',
    when: (s) => status(s, (n) => n === 408 || n >= 500),
    action: retry('transient'),
    explain: (s, what) => `Keap failed to answer ${what} (${detail(s)})`,
    doc: {
      cause: 'HTTP 408 or 5xx from Keap or its gateway.',
      fix: 'Nothing: retried with backoff.',
    },
    example: { kind: 'http', status: 503, body: 'Service Unavailable' },
  },
  {
    name: 'other-http',
    when: (s) => s.kind === 'http',
    action: fail('system_error'),
    explain: (s, what) => `unexpected answer to ${what} (${detail(s)})`,
    doc: {
      cause: 'An HTTP status this connector does not expect.',
      fix: 'Report it with the message.',
    },
    example: { kind: 'http', status: 418, body: "I'm a teapot" },
  },
  {
    name: 'tls',
    when: (s) => s.kind === 'network' && TLS_FAILURE.test(s.code),
    action: fail('config_error'),
    scope: 'account',
    explain: (s) => `cannot open a trusted TLS connection to Keap: ${detail(s)} (check api_url / rest_url, and any proxy in between)`,
    doc: {
      cause: 'The TLS handshake failed: a certificate that is expired, self-signed, for another host or from an unknown authority (often a proxy that intercepts HTTPS).',
      fix: 'Check `api_url`. Behind an intercepting proxy, give Node its CA certificate with `NODE_EXTRA_CA_CERTS`.',
    },
    example: { kind: 'network', code: 'CERT_HAS_EXPIRED', message: 'TLS certificate expired' },
  },
  {
    name: 'unknown-host',
    when: (s) => s.kind === 'network' && s.code === 'ENOTFOUND',
    action: fail('config_error'),
    scope: 'account',
    explain: (s) => `cannot reach Keap: ${detail(s)} (check api_url, rest_url and token_url)`,
    doc: {
      cause: 'The host in `api_url` or `rest_url` does not resolve.',
      fix: 'Fix the URL.',
    },
    example: { kind: 'network', code: 'ENOTFOUND', message: 'host not found' },
  },
  {
    name: 'network',
    when: (s) => s.kind === 'network',
    action: retry('transient'),
    explain: (s, what) => `network error calling ${what}: ${detail(s)}`,
    doc: {
      cause: 'Connection refused or reset, a timeout, or a body cut short.',
      fix: 'Nothing: retried with backoff; check connectivity if every retry fails.',
    },
    example: { kind: 'network', code: 'ECONNRESET', message: 'connection reset by the server' },
  },
  {
    name: 'refused-body',
    when: (s) => s.kind === 'parse' && s.reason === 'refused',
    action: fail('system_error'),
    explain: (s, what) => `refused the answer to ${what}: ${detail(s)}`,
    doc: {
      cause: `The answer had a DOCTYPE or entity declaration, nesting over 64 levels, or was larger than ${MAX_BODY_BYTES / 1024 / 1024} MB.`,
      fix: 'Nothing to fix locally; the answer is refused to protect the connector (XXE, entity expansion, memory).',
    },
    example: { kind: 'parse', reason: 'refused', message: 'response refused: it contains a DOCTYPE or entity declaration, which XML-RPC never needs (XXE guard)' },
  },
  {
    name: 'unreadable-body',
    when: (s) => s.kind === 'parse',
    action: retry('transient'),
    explain: (s, what) => `unreadable answer to ${what}: ${detail(s)}`,
    doc: {
      cause: 'The answer was empty, truncated or not well-formed XML-RPC.',
      fix: 'Nothing: retried with backoff.',
    },
    example: { kind: 'parse', reason: 'truncated', message: 'truncated XML-RPC document: it ends before its closing tag' },
  },
];

export interface Classified {
  rule: string;
  action: Action;
  scope: Scope;
  message: string;
}

/** What a stream's error says once a retried failure has used up its schedule. */
export function gaveUp(message: string, retries: number): string {
  return `${message}; gave up after ${counted(retries, 'retry', 'retries')}`;
}

export function classify(signal: Signal, what: string, api: Api = 'xmlrpc'): Classified {
  for (const rule of ERROR_TABLE) {
    if (rule.api !== undefined && rule.api !== api) continue;
    if (rule.when(signal)) return { rule: rule.name, action: rule.action, scope: rule.scope ?? 'stream', message: rule.explain(signal, what) };
  }
  // Unreachable: the table ends with catch-alls for every kind.
  return { rule: 'unclassified', action: fail('system_error'), scope: 'stream', message: `${what}: ${detail(signal)}` };
}

/** An error a user can act on: one line, a failure type, never a secret or a stack trace. */
export class KeapError extends Error {
  override name = 'KeapError';
  constructor(
    message: string,
    readonly failureType: FailureType,
    readonly rule: string,
    readonly signal?: Signal,
    readonly scope: Scope = 'stream',
  ) {
    super(message);
  }
  get skippable(): boolean {
    return this.rule === 'record-not-found';
  }
  /** It would fail every stream alike: the sync stops (streams/engine.ts). */
  get accountWide(): boolean {
    return this.scope === 'account';
  }
}

/** The daily quota is spent: stop cleanly, checkpoint, and say when it resets. */
export class QuotaExhaustedError extends KeapError {
  constructor(readonly resetAt: number) {
    super(
      `Keap's daily API quota is used up; it resets at ${new Date(resetAt).toISOString()}. Everything read so far is covered by the last state; run again after the reset`,
      'transient_error',
      'daily-quota',
    );
  }
}

/** The `message` of a REST v2 error body ({code, message, status, details}), if it is one. */
function restMessage(body: string): string | undefined {
  if (!body.startsWith('{')) return undefined;
  try {
    const o = JSON.parse(body) as { message?: unknown; status?: unknown };
    if (typeof o.message === 'string' && o.message.trim() !== '') return oneLine(o.message);
  } catch {
    // Not JSON after all: the raw text says it.
  }
  return undefined;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
