import { InputError } from '../input-error.js';
import type { Credentials } from '../keap/auth.js';
import { KeapTimeZone } from '../keap/dates.js';
import type { RetryConfig } from '../keap/retry.js';
import type { ReportConfig } from '../streams/report-types.js';
import { configSchema } from './input-schemas.js';
import { validators } from './input-validators.js';
import { readJsonObject } from './json-file.js';
import { validateReports } from './report-config.js';
import { loadSpec } from './spec-command.js';
import { validateWith } from './validate.js';

/** The connector's configuration after validation: typed, defaults applied. */
export type ApiKind = 'rest' | 'xmlrpc';

export interface Settings {
  credentials: Credentials;
  startDate: string | undefined;
  /** Which API to read: REST v2 (the default) or the legacy XML-RPC. */
  api: ApiKind;
  apiUrl: string;
  restUrl: string;
  tokenUrl: string;
  tables: string[] | undefined;
  /** REST resource streams to offer and read; undefined: all. */
  resources: string[] | undefined;
  reports: ReportConfig[];
  pageSize: number;
  concurrency: number;
  requestsPerSecond: number | undefined;
  requestsPerMinute: number | undefined;
  requestsPerDay: number | undefined;
  timezone: KeapTimeZone;
  lookbackSeconds: number;
  requestTimeoutSeconds: number;
  requestDeadlineSeconds: number;
  retry: RetryConfig | undefined;
  /** Singer METRIC log lines on stderr during `read`. */
  metrics: boolean;
  /** Portal passwords (streams/sensitive-fields.ts) are listed and read only when this is set. */
  includePasswordFields: boolean;
}

export interface LoadedConfig {
  settings: Settings;
  /** The config as given (merged), for CONTROL messages and rewriting the file. */
  raw: Record<string, unknown>;
  /** The file holding `credentials`, which a token rotation rewrites; undefined for ENV. */
  credentialsFile: string | undefined;
}

export const ENV_PREFIX = 'TAP_INFUSIONSOFT_';

/** Reads one or more --config sources (files, or ENV), merges them (later wins), validates. */
export function loadConfig(sources: string[], env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  if (sources.length === 0) throw new InputError('arguments', '--config is required');
  let raw: Record<string, unknown> = {};
  let credentialsFile: string | undefined;
  for (const src of sources) {
    const part = src === 'ENV' ? configFromEnv(env) : readJsonObject(src);
    if ('credentials' in part) credentialsFile = src === 'ENV' ? undefined : src;
    raw = { ...raw, ...part };
  }
  return { settings: validateConfig(raw), raw, credentialsFile };
}

/**
 * `--config ENV` (Meltano SDK convention): TAP_INFUSIONSOFT_<SETTING>, JSON-decoded when it looks
 * like JSON. Credentials may also come flat: TAP_INFUSIONSOFT_API_KEY, or _CLIENT_ID,
 * _CLIENT_SECRET and _REFRESH_TOKEN, or TAP_INFUSIONSOFT_CREDENTIALS_<FIELD>.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const creds: Record<string, unknown> = {};
  const credFields = ['auth_type', 'api_key', 'client_id', 'client_secret', 'refresh_token', 'access_token', 'token_expiry'];
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith(ENV_PREFIX) || v === undefined) continue;
    const key = k.slice(ENV_PREFIX.length).toLowerCase();
    if (key === 'loglevel') continue;
    if (key.startsWith('credentials_') && credFields.includes(key.slice(12))) creds[key.slice(12)] = v;
    else if (credFields.includes(key)) creds[key] = v;
    else out[key] = decodeEnv(v);
  }
  if (Object.keys(creds).length) {
    const given = typeof out['credentials'] === 'object' && out['credentials'] !== null ? (out['credentials'] as object) : {};
    creds['auth_type'] ??= 'api_key' in creds ? 'api_key' : 'oauth2';
    out['credentials'] = { ...given, ...creds };
  }
  return out;
}

function decodeEnv(v: string): unknown {
  const t = v.trim();
  if (/^[[{]/.test(t) || /^-?\d+(\.\d+)?$/.test(t) || t === 'true' || t === 'false' || t === 'null') {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return v;
    }
  }
  return v;
}

export function validateConfig(raw: Record<string, unknown>): Settings {
  // Report entries first: their errors name the entry and its report (report-config.ts).
  validateReports(raw['reports']);
  // Compiled ahead of time (input-validators.ts); spec.json is read only to describe a failure.
  const problem = validateWith(() => configSchema(loadSpec().connectionSpecification), validators.config, raw);
  if (problem) throw new InputError('config', problem);
  const c = raw;
  const apiUrl = checkUrl('api_url', (c['api_url'] as string | undefined) ?? 'https://api.infusionsoft.com/crm/xmlrpc/v1');
  const restUrl = checkUrl('rest_url', (c['rest_url'] as string | undefined) ?? 'https://api.infusionsoft.com/crm/rest/v2').replace(/\/+$/, '');
  const tokenUrl = checkUrl('token_url', (c['token_url'] as string | undefined) ?? 'https://api.infusionsoft.com/token');
  let timezone: KeapTimeZone;
  try {
    timezone = new KeapTimeZone((c['app_timezone'] as string | undefined) ?? 'America/New_York');
  } catch (err) {
    throw new InputError('config', `app_timezone: ${(err as Error).message}`);
  }
  const startDate = c['start_date'] as string | undefined;
  const tables = c['tables'] as string[] | undefined;
  const resources = c['resources'] as string[] | undefined;
  return {
    credentials: c['credentials'] as unknown as Credentials,
    startDate: startDate ? new Date(Date.parse(startDate.length === 10 ? `${startDate}T00:00:00Z` : startDate)).toISOString() : undefined,
    api: (c['api'] as ApiKind | undefined) ?? 'rest',
    apiUrl,
    restUrl,
    tokenUrl,
    tables: tables && tables.length ? tables : undefined,
    resources: resources && resources.length ? resources : undefined,
    reports: (c['reports'] as ReportConfig[] | undefined) ?? [],
    pageSize: (c['page_size'] as number | undefined) ?? 1000,
    concurrency: (c['concurrency'] as number | undefined) ?? 2,
    requestsPerSecond: c['requests_per_second'] as number | undefined,
    requestsPerMinute: c['requests_per_minute'] as number | undefined,
    requestsPerDay: c['requests_per_day'] as number | undefined,
    timezone,
    lookbackSeconds: (c['lookback_seconds'] as number | undefined) ?? 0,
    requestTimeoutSeconds: (c['request_timeout_seconds'] as number | undefined) ?? 300,
    requestDeadlineSeconds: (c['request_deadline_seconds'] as number | undefined) ?? 900,
    retry: c['retry'] as RetryConfig | undefined,
    metrics: c['metrics'] === true,
    includePasswordFields: c['include_password_fields'] === true,
  };
}

/** Credentials must not cross the network in clear text; loopback (the sandbox) is the exception. */
function checkUrl(key: string, value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InputError('config', `${key}: '${value}' is not a URL`);
  }
  if (u.protocol === 'https:') return value;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (u.protocol === 'http:' && (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) return value;
  throw new InputError('config', `${key}: plain ${u.protocol}// is refused except on loopback; use https://`);
}
