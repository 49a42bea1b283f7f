/**
 * Writes the generated sections of README.md, each between its markers
 *
 *   <!-- BEGIN name -->
 *   ...
 *   <!-- END name -->
 *
 * from the sources of truth: spec.json (config reference, the Meltano plugin definition), the table
 * registry (streams), the report registries (reports reference), the migration map (migration
 * guide), the error table, the retry schedules
 * and quotas, and the errors the input checks raise (produced here by feeding them bad input, so
 * the quoted messages are the real ones). Everything outside the markers is written by hand.
 * test/docs.test.ts fails when README.md differs from what this writes.
 *
 * Run: npm run build && node dist/scripts/generate-docs.js
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../src/input-error.js';
import { tokenRefused, tokenUnreachable } from '../src/keap/token-endpoint.js';
import { classify, ERROR_TABLE, gaveUp, QuotaExhaustedError, type Action, type FailureType, type ScheduleName, type Scope } from '../src/keap/errors.js';
import { DEFAULT_QUOTAS } from '../src/keap/limiter.js';
import { DEFAULT_SCHEDULES, type Schedule } from '../src/keap/retry.js';
import { packageRoot } from '../src/package-root.js';
import { parseArgs, USAGE } from '../src/protocol/args.js';
import { parseCatalog } from '../src/protocol/catalog-input.js';
import { validateConfig } from '../src/protocol/config.js';
import { loadSpec } from '../src/protocol/spec-command.js';
import { parseStateInput } from '../src/protocol/state-input.js';
import { sandboxHelp } from '../src/sandbox/cli.js';
import type { JsonSchema } from '../src/streams/json-schema.js';
import type { ReportEntry } from '../src/streams/report-entry.js';
import type { ParamName, ParamUse } from '../src/streams/report-params.js';
import { REPORTS } from '../src/streams/report-registry.js';
import { resolveReports } from '../src/streams/report-resolve.js';
import { reportVariant } from '../src/streams/report-spec.js';
import type { ReportConfig } from '../src/streams/report-types.js';
import { parseStreamState } from '../src/streams/state.js';
import { restStreams, type RestStream } from '../src/streams/rest-registry.js';
import { tableStreams } from '../src/streams/table-registry.js';
import { LEFT_OUT, REST_RESOURCES } from './rest-resources.js';
import { UNCONFIRMED_CURSORS } from './evidence-corrections.js';
import { KeapTimeZone } from '../src/keap/dates.js';
import { planRestReport } from '../src/streams/rest-report-plan.js';
import { restEndpointText, restReport } from '../src/streams/rest-report-registry.js';
import { migrationGuide } from './migration-guide.js';

type Json = Record<string, unknown>;

// ---------------------------------------------------------------- helpers

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${text}\``;
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function seconds(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

const SANE_CREDENTIALS = { auth_type: 'api_key', api_key: 'KeapAK-example' };

// ---------------------------------------------------------------- config reference

interface Row {
  key: string;
  schema: JsonSchema;
  required: boolean;
}

function typeOf(s: JsonSchema): string {
  const t = Array.isArray(s.type) ? s.type.filter((x) => x !== 'null').join(' or ') : (s.type ?? 'any');
  if (t === 'array') {
    const items = s.items ?? {};
    if (Array.isArray(items['enum'])) return 'list of names';
    if (items.type === 'object') return 'list of objects';
    return `list of ${typeOf(items)}s`;
  }
  if (t === 'object' && Array.isArray(s['oneOf'])) return 'object (one of the forms below)';
  if (s.format === 'date-time') return 'string (date-time)';
  if (s.format === 'date') return 'string (YYYY-MM-DD)';
  return t;
}

function rangeOf(s: JsonSchema): string {
  const min = s['minimum'];
  const max = s['maximum'];
  if (typeof min === 'number' && typeof max === 'number') return ` ${min}–${max}`;
  if (typeof min === 'number') return ` ≥ ${min}`;
  return '';
}

function defaultOf(s: JsonSchema): string {
  if (s.default === undefined) return '';
  return code(JSON.stringify(s.default));
}

function configRows(): Row[] {
  const spec = loadSpec().connectionSpecification as JsonSchema;
  const required = new Set(spec.required ?? []);
  const props = Object.entries(spec.properties ?? {}).sort(([, a], [, b]) => Number(a['order'] ?? 99) - Number(b['order'] ?? 99));
  const rows: Row[] = [];
  for (const [key, s] of props) {
    if (key === 'credentials') continue;
    rows.push({ key, schema: s, required: required.has(key) });
    if (key === 'retry') {
      for (const [k, v] of Object.entries(s.properties ?? {})) rows.push({ key: `retry.${k}`, schema: v, required: false });
    }
  }
  return rows;
}

function describe(key: string, s: JsonSchema): string {
  let d = s.description ?? s.title ?? '';
  if (!s.description && s.title) d = `${s.title}.`;
  if (key === 'tables') d += ' Names: see [Table streams](#table-streams-xml-rpc-until-2026-12-31).';
  if (key === 'resources') d += ' Names: see [Resource streams](#resource-streams-rest-v2-the-default).';
  if (key === 'reports') d += ' Entries: see [Reports reference](#reports-reference).';
  if (Array.isArray(s['examples'])) d += ` Example: ${(s['examples'] as unknown[]).map((e) => code(JSON.stringify(e))).join(', ')}.`;
  return cell(d);
}

export function configReference(): string {
  const spec = loadSpec().connectionSpecification as JsonSchema;
  const creds = spec.properties?.['credentials'] as JsonSchema;
  const out: string[] = [];
  out.push(`### \`credentials\` (required)`, '', cell(creds.description ?? ''), '');
  for (const branch of creds['oneOf'] as JsonSchema[]) {
    const auth = (branch.properties?.['auth_type'] as JsonSchema)['const'] as string;
    const req = new Set(branch.required ?? []);
    out.push(`**${branch.title}** — \`"auth_type": "${auth}"\``, '');
    const rows = Object.entries(branch.properties ?? {}).map(([k, v]) => [
      code(`credentials.${k}`),
      `${typeOf(v)}${v['airbyte_secret'] === true ? ', secret' : ''}`,
      req.has(k) ? 'yes' : '',
      k === 'auth_type' ? cell(`Always ${code(JSON.stringify(auth))}.`) : describe(k, v),
    ]);
    out.push(table(['Setting', 'Type', 'Required', 'Description'], rows), '');
  }
  out.push('### Other settings', '');
  out.push(
    table(
      ['Setting', 'Type', 'Default', 'Description'],
      configRows().map((r) => [code(r.key) + (r.required ? ' (required)' : ''), `${typeOf(r.schema)}${rangeOf(r.schema)}`, defaultOf(r.schema), describe(r.key, r.schema)]),
    ),
  );
  return out.join('\n');
}

// ---------------------------------------------------------------- tables

export function tablesReference(): string {
  const rows = tableStreams().map((t) => [
    code(t.stream),
    t.table,
    t.primary_key.map(code).join(', '),
    t.cursor
      ? `${code(t.cursor)} (${t.cursor_kind === 'updated' ? 'changed rows' : 'new rows only'}${UNCONFIRMED_CURSORS[t.table] === t.cursor ? '; unconfirmed: a full read if Keap lacks it' : ''})`
      : 'full refresh only',
    t.custom_field_form_id !== null ? 'yes' : '',
    String(Object.keys(t.schema.properties ?? {}).length),
  ]);
  return table(['Stream', 'Keap table', 'Primary key', 'Incremental cursor', 'Custom fields', 'Fields'], rows);
}

/** How a resource stream is paged and kept incremental, in a few words (scripts/rest-resources.ts). */
function restSyncText(s: RestStream): string {
  const sync = s.sync;
  const parent = s.parent ? `; per ${s.parent.stream.replace(/s$/, '')}${s.parent.incremental ? ' (incremental: those changed since the bookmark)' : ''}` : '';
  switch (sync.kind) {
    case 'keyset':
      return `keyset on \`${sync.id_filter}\`${sync.since ? `, server filter \`${sync.since}\`` : ''}${parent}`;
    case 'filter':
      return `server filter \`${sync.since}\`, page tokens${parent}`;
    case 'order':
      return `newest first by \`${sync.order_by}\`, stop at the bookmark${parent}`;
    case 'full':
      return `${s.paged ? 'page tokens' : 'one answer (the endpoint does not page)'}${parent}`;
  }
}

export function resourcesReference(): string {
  const rows = restStreams().map((s) => [
    code(s.stream),
    code(`GET ${s.flatten ? `${s.path} (${s.flatten.field})` : s.path}`),
    s.primary_key.length ? s.primary_key.map(code).join(', ') : 'none',
    s.cursor ? code(s.cursor) : 'full refresh only',
    cell(restSyncText(s)),
    s.model ? 'yes' : '',
    cell(REST_RESOURCES.find((r) => r.stream === s.stream)?.note ?? ''),
  ]);
  const left = LEFT_OUT.map((l) => [code(`GET ${l.path}`), cell(l.why)]);
  return [
    table(['Stream', 'Endpoint', 'Primary key', 'Incremental cursor', 'Paged by', 'Custom fields', 'Notes'], rows),
    '',
    'GET list endpoints of the spec that are not streams, and why:',
    '',
    table(['Endpoint', 'Why not a stream'], left),
  ].join('\n');
}

// ---------------------------------------------------------------- reports

/** A value for each parameter, for the example entries. Ids are placeholders: use your account's. */
const EXAMPLE_VALUES: Record<ParamName, unknown> = {
  affiliate_ids: [12, 14],
  program_id: 3,
  email: 'jane@example.com',
  fields: ['Id', 'FirstName', 'LastName', 'Email'],
  contact_id: 1234,
  tags: ['VIP customers', '112'],
  table: 'Contact',
  record_id: 1234,
  query: "'City':'Ogden','LastUpdated':'~>=~LastSuccessfulRun'",
  category_discount_id: 5,
  discount_id: 7,
  product_discount_id: 9,
  shipping_discount_id: 11,
  trial_id: 13,
  saved_search_filter: 'Hot leads*',
  saved_search_id: 42,
  user_id: 1,
  option_id: 2,
  file_id: 321,
  invoice_id: 5678,
  product_id: 34,
  dates: { duration: 'days_back', days_back: 30 },
};

/** Which optional parameters each example shows, beyond the required ones. */
const EXAMPLE_EXTRAS: Partial<Record<string, ParamName[]>> = {
  data_query: ['query', 'fields'],
  contacts_by_email: ['fields'],
  search_available_fields: ['saved_search_id'],
  saved_search: ['saved_search_filter'],
  saved_search_fields: ['saved_search_id'],
  affiliate_running_totals: ['affiliate_ids'],
};

export function exampleEntry(entry: ReportEntry): ReportConfig {
  const ex: ReportConfig = { report: entry.id };
  const extras = EXAMPLE_EXTRAS[entry.id] ?? [];
  for (const [name, use] of Object.entries(entry.params) as [ParamName, ParamUse][]) {
    if (use.required || extras.includes(name)) ex[name] = EXAMPLE_VALUES[name];
  }
  if (entry.id === 'data_query') ex.stream = 'ogden_contacts';
  if (entry.id === 'saved_search_fields') ex['fields'] = ['ContactId', 'FirstName', 'Email'];
  return ex;
}

function paramType(s: JsonSchema, name: string): string {
  if (name === 'dates') return 'date window';
  if (name === 'table') return 'table name';
  if (s.type === 'integer') return 'integer (id)';
  if (s.type === 'array') return `list of ${s.items?.type === 'integer' ? 'integer ids' : 'strings'}`;
  return String(s.type ?? '');
}

function shortType(s: JsonSchema): string {
  const t = Array.isArray(s.type) ? s.type.filter((x) => x !== 'null')[0] : s.type;
  if (s.format === 'date-time') return 'date-time';
  if (s['contentEncoding'] === 'base64') return 'base64';
  return String(t ?? 'any');
}

function reportSection(entry: ReportEntry): string {
  const variant = reportVariant(entry);
  const props = variant.properties ?? {};
  const required = new Set(variant.required ?? []);
  const example = exampleEntry(entry);
  // The example must be a valid config entry; resolving it also gives the record schema.
  validateConfig({ credentials: SANE_CREDENTIALS, reports: [example] });
  const resolved = resolveReports([example])[0];
  if (!resolved) throw new Error(`${entry.id}: the example did not resolve`);
  const fields = Object.entries(resolved.schema.properties ?? {});
  const shown = fields.slice(0, 14).map(([k, v]) => `${code(k)} ${shortType(v)}`);
  const more = fields.length > shown.length ? `, … ${fields.length - shown.length} more` : '';
  const incremental =
    entry.incremental === 'window'
      ? `incremental over the date window (cursor ${code('window_end')})`
      : entry.incremental === 'query'
        ? 'incremental when the query uses LastSuccessfulRun'
        : 'full refresh only';
  const unverified = resolved.record.open;
  const lines = [
    `#### ${code(entry.id)} — ${entry.title}`,
    '',
    `${code(entry.method)} · ${incremental} · primary key ${resolved.record.primaryKey.map(code).join(' + ')}`,
    '',
    cell(entry.about),
    '',
  ];
  const paramRows = Object.entries(props)
    .filter(([k]) => k !== 'report' && k !== 'stream')
    .map(([k, s]) => [code(k), paramType(s, k), required.has(k) ? 'yes' : '', cell(s.description ?? s.title ?? '')]);
  if (paramRows.length) lines.push(table(['Parameter', 'Type', 'Required', 'Description'], paramRows), '');
  else lines.push('No parameters.', '');
  lines.push('```json', JSON.stringify(example), '```', '');
  lines.push(`Record: ${shown.join(', ')}${more}.${unverified ? ' Keys Keap adds beyond these pass through unchanged (the shape is not verified against a live account).' : ''}`, '');
  lines.push(restSection(entry, resolved));
  return lines.join('\n');
}

/** The same entry on REST v2: the endpoint, key and record, or why REST v2 lacks the report. */
function restSection(entry: ReportEntry, resolved: NonNullable<ReturnType<typeof resolveReports>[number]>): string {
  const refused = restReport(entry.id)?.refused;
  if (refused) return `On REST v2 (\`api: rest\`): not served. ${cell(refused.why.charAt(0).toUpperCase() + refused.why.slice(1))}; the closest REST stream is ${code(refused.closest)}. \`check\` and \`discover\` refuse the entry in one line.`;
  const plan = planRestReport(resolved, new KeapTimeZone('America/New_York'));
  const fields = Object.entries(plan.schema.properties ?? {});
  const shown = fields.slice(0, 12).map(([k, v]) => `${code(k)} ${shortType(v)}`);
  const more = fields.length > shown.length ? `, … ${fields.length - shown.length} more` : '';
  const incremental = plan.cursor ? ` · incremental (cursor ${code(plan.cursor)})` : '';
  const endpoint = restEndpointText(entry.id);
  return `On REST v2 (\`api: rest\`): ${/^(GET|POST) /.test(endpoint) ? code(endpoint) : endpoint}${incremental} · primary key ${plan.primaryKey.length ? plan.primaryKey.map(code).join(' + ') : 'none'}. Record: ${shown.join(', ')}${more}.`;
}

export function reportsReference(): string {
  const index = table(
    ['Report id', 'Menu title', 'XML-RPC method', 'REST v2 endpoint'],
    REPORTS.map((r) => [`[${code(r.id)}](#${anchor(`${r.id} — ${r.title}`)})`, cell(r.title), code(r.method), cell(restEndpointText(r.id))]),
  );
  return [index, '', ...REPORTS.map(reportSection).flatMap((s) => [s, ''])].join('\n').trimEnd();
}

/** GitHub's heading anchor for a heading text. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

// ---------------------------------------------------------------- errors

function scheduleText(s: Schedule): string {
  if (s.kind === 'fixed') {
    const d = s.delaysMs;
    if (d.length > 2 && d.every((x) => x === d[0])) return `every ${seconds(d[0] as number)}, ${d.length} times`;
    return `after ${d.map(seconds).join(', ')}`;
  }
  return `up to ${s.retries} times, ${seconds(s.baseMs)} doubling to at most ${seconds(s.maxMs)}, with jitter (a Retry-After up to ${seconds(s.maxMs)} wins; a longer one fails the stream)`;
}

/** What failing means for a rule's scope. */
function failText(scope: Scope, failureType: FailureType): string {
  return scope === 'account'
    ? `the sync stops at once: one error for the run, every unfinished stream INCOMPLETE, exit 1 (${code(failureType)})`
    : `the stream fails (${code(failureType)}); the others go on`;
}

function actionText(a: Action, scope: Scope): string {
  switch (a.do) {
    case 'retry':
      return `retried ${scheduleText(DEFAULT_SCHEDULES[a.schedule])}; then the stream fails (${code('transient_error')})`;
    case 'refresh':
      return `OAuth: the access token is refreshed once and the call sent again. An API key, or a new token refused too: ${failText(scope, 'config_error')}`;
    case 'skip':
      return 'the record is skipped with a warning; the stream goes on';
    case 'fail':
      return failText(scope, a.failureType);
  }
}

/** The call the README's example messages name. */
export const EXAMPLE_CALL = 'DataService.query on Contact';
/** The same for the rules of REST v2 answers. */
export const EXAMPLE_REST_CALL = 'GET /contacts';

/** The call a rule's example message names, by the API the rule judges. */
export function exampleCall(rule: (typeof ERROR_TABLE)[number]): string {
  return rule.api === 'rest' ? EXAMPLE_REST_CALL : EXAMPLE_CALL;
}

function retriesOf(s: Schedule): number {
  return s.kind === 'fixed' ? s.delaysMs.length : s.retries;
}

/**
 * The message a rule prints for its example signal, as the client words it: classified by the
 * error table itself (and by this rule, or the example is wrong), after the default retries when
 * the rule retries.
 */
export function ruleMessage(rule: (typeof ERROR_TABLE)[number]): string {
  const c = classify(rule.example, exampleCall(rule), rule.api ?? 'xmlrpc');
  if (c.rule !== rule.name) throw new Error(`the example of rule ${rule.name} is classified as ${c.rule}`);
  return rule.action.do === 'retry' ? gaveUp(c.message, retriesOf(DEFAULT_SCHEDULES[rule.action.schedule])) : c.message;
}

interface Example {
  error: string;
  cause: string;
  fix: string;
}

/** Runs `f`, which must throw an InputError, and returns its message. */
function inputError(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
  throw new Error('expected an InputError');
}

const config = (extra: Json): unknown => validateConfig({ credentials: SANE_CREDENTIALS, ...extra });

function inputErrors(): Example[] {
  return [
    {
      error: inputError(() => config({ credentials: { auth_type: 'api_key' } })),
      cause: 'A required setting is missing (here the API key).',
      fix: 'Add it; the name is the path in the config file.',
    },
    {
      error: inputError(() => config({ page_size: 5000 })),
      cause: 'A setting is out of range or of the wrong type.',
      fix: 'See [Configuration reference](#configuration-reference).',
    },
    {
      error: inputError(() => config({ api_url: 'http://keap.example.com/crm/xmlrpc/v1' })),
      cause: 'Credentials would cross the network in clear text.',
      fix: 'Use https://; plain http:// is only for the sandbox on 127.0.0.1 / localhost.',
    },
    {
      error: inputError(() => config({ app_timezone: 'Eastern' })),
      cause: 'Not an IANA time zone name.',
      fix: 'Use a name such as America/New_York.',
    },
    {
      error: inputError(() => config({ reports: [{ report: 'affiliate_comissions' }] })),
      cause: 'A report id that does not exist.',
      fix: 'Use one of the ids in [Reports reference](#reports-reference).',
    },
    {
      error: inputError(() => config({ reports: [{ report: 'affiliate_commissions', affiliate_id: 3, dates: { duration: 'days_back', days_back: 7 } }] })),
      cause: 'A parameter the report does not take (usually a typo).',
      fix: 'Use the suggested name; the message lists the report\'s parameters.',
    },
    {
      error: inputError(() => config({ reports: [{ report: 'data_query', table: 'Contacts' }] })),
      cause: 'A DataService table name that does not exist.',
      fix: "Keap's table names are singular and case-sensitive; `tap-infusionsoft list tables` shows them.",
    },
    {
      error: inputError(() => config({ reports: [{ report: 'data_query', table: 'Contact', query: "'Citty':'Ogden'" }] })),
      cause: 'The query names a field the table does not have.',
      fix: '`tap-infusionsoft list fields Contact` shows the fields.',
    },
    {
      error: inputError(() => config({ reports: [{ report: 'webforms' }, { report: 'webforms' }] })),
      cause: 'Two entries would produce the same stream.',
      fix: 'Give each entry of the same report its own `stream` name.',
    },
    {
      error: inputError(() => config({ reports: [{ report: 'affiliate_commissions', dates: { duration: 'date_range', start: { bound: 'date', date: '2024-03-01' }, end: { bound: 'date', date: '2024-02-01' } } }] })),
      cause: 'A date window that ends before it starts.',
      fix: 'Swap the ends, or use `days_back`.',
    },
    {
      error: inputError(() => parseCatalog({ streams: [{ stream: { name: 'contact' }, sync_mode: 'incrementl' }] }, 'catalog.json')),
      cause: 'A configured catalog entry is malformed.',
      fix: 'Start from a file in `catalogs/` or from `discover` output.',
    },
    {
      error: inputError(() => parseStateInput([{ type: 'STREAM', stream: { stream_state: {} } }], 'state.json')),
      cause: 'A state message without a stream name.',
      fix: 'Pass the STATE messages the connector printed (or what Airbyte/Meltano stored), unchanged.',
    },
    {
      error: inputError(() => parseStreamState('contact', { LastSuccessfulRun: 'yesterday' }, 'LastUpdated')),
      cause: "A stream's bookmark is not an ISO 8601 instant.",
      fix: 'Fix or delete that stream\'s entry; without one the stream starts from `start_date`.',
    },
    {
      error: inputError(() => parseArgs(['read', '--config', 'config.json'])),
      cause: '`read` needs a catalog.',
      fix: 'Add `--catalog catalogs/airbyte-incremental.json` (or your own).',
    },
    {
      error: inputError(() => parseArgs(['--config', 'config.json', '--catalogue', 'catalog.json'])),
      cause: 'An option the command does not have.',
      fix: '`tap-infusionsoft --help` lists them.',
    },
  ];
}

/** Errors raised outside the error table, quoted from the code. */
function otherErrors(): Example[] {
  const quota = new QuotaExhaustedError(Date.UTC(2024, 4, 2, 0, 0, 0)).message;
  return [
    {
      error: quota,
      cause: "The day's request quota of this Keap app (or of the `requests_per_day` you set) is spent.",
      fix: 'Nothing is lost: the streams stop at their last checkpoint, are marked INCOMPLETE (Airbyte: with a RATE_LIMITED reason carrying the reset time), and the run exits 1. Run again after the reset; it resumes from the state.',
    },
    {
      error: tokenRefused(400, 'invalid_request: Invalid Refresh Token').message,
      cause: 'The refresh token was already used (Keap rotates it on every refresh, and the new one was not stored), or the app was de-authorized. `config_error`, and the sync stops at once; HTTP 429/5xx are `transient_error` for the stream.',
      fix: 'Run `tap-infusionsoft auth` again. In Meltano, or with `--config ENV`, prefer an API key (see [Token rotation](#token-rotation)).',
    },
    {
      error: tokenUnreachable('ECONNREFUSED').message,
      cause: 'The token URL did not answer. When its host does not resolve: `config_error`, and the sync stops at once; else `transient_error` for the stream.',
      fix: 'Check `token_url` and the network.',
    },
    {
      error: "stream 'foo' is not offered by this source (run discover; reports need an entry in config.reports)",
      cause: 'The catalog lists a stream this config does not produce (a report stream without its `reports` entry, or a typo).',
      fix: 'Run `discover` with the same config, or add the report entry. The other streams still run; exit 1.',
    },
    {
      error: "stream 'contact_group' supports only full_refresh, not incremental",
      cause: 'An Airbyte catalog asks for incremental on a table without a cursor. (Singer catalogs fall back to full refresh.)',
      fix: 'Use `full_refresh` for it; `catalogs/airbyte-incremental.json` already does.',
    },
    {
      error: 'DataService.query on Contact: rows did not arrive in Id order; refusing to page on them',
      cause: 'The server ignored the sort order, so keyset paging could skip rows. `system_error`.',
      fix: 'Report it; nothing a config can change. (`expected a struct per row` and `a row without a numeric Id` are the same kind of problem.)',
    },
    {
      error: 'Keap rotated the refresh token, but the config came from the environment; store the new one or the next run will fail (prefer an API key with --config ENV)',
      cause: 'A warning: OAuth credentials given through `TAP_INFUSIONSOFT_*` variables cannot be rewritten.',
      fix: 'Use an API key with `--config ENV`, or a config file.',
    },
    {
      error: 'could not rewrite config.json with the rotated refresh token: EACCES',
      cause: 'The config file (or its directory) is not writable, e.g. a read-only Docker mount.',
      fix: 'Make the file and its directory writable by the user the connector runs as (uid 1000 in the image), or the next run fails with an invalid refresh token.',
    },
    {
      error: 'internal error: <message>',
      cause: 'A bug in the connector (`system_error`).',
      fix: 'Run again with `TAP_INFUSIONSOFT_DEBUG=1` for the stack trace on stderr, and report it.',
    },
  ];
}

function authErrors(): Example[] {
  return [
    { error: 'auth needs --client-id (your Keap app key)', cause: 'No client id (flag or `TAP_INFUSIONSOFT_CLIENT_ID`). Exit 2.', fix: 'Pass your app\'s key from the Keap Developer Portal.' },
    { error: 'auth failed: cannot listen on 127.0.0.1:8976 (EADDRINUSE)', cause: 'The callback port is taken.', fix: 'Free the port or use `--port` (and register that redirect URI).' },
    { error: 'auth failed: the callback carried the wrong state (a stale or forged redirect)', cause: 'The browser came back from an older authorize URL (or not from Keap).', fix: 'Open the newest URL the command printed.' },
    { error: 'auth failed: Keap did not grant access (access_denied)', cause: 'Consent was refused in the browser.', fix: 'Run again and click Allow, as a Keap user who may grant API access.' },
    {
      error: 'auth failed: the token URL refused the code (HTTP 401, invalid_client: Invalid client credentials)',
      cause: 'Wrong client secret, or (HTTP 400) a code that was already used, expired, or issued for another redirect URI.',
      fix: 'Check `--client-secret` and that the app\'s redirect URI is exactly the one printed.',
    },
    { error: 'auth failed: no answer within 600 s', cause: 'Nobody completed the consent page.', fix: 'Run again; `--timeout-seconds` gives more time.' },
  ];
}

function exampleTable(rows: Example[]): string {
  return table(
    ['Message', 'Cause', 'Fix'],
    rows.map((r) => [code(r.error.replace(/`/g, "'")), cell(r.cause), cell(r.fix)]),
  );
}

export function errorsReference(): string {
  const rules = table(
    ['Rule', 'Cause', 'Message (for an example of what Keap sends)', 'What the connector does', 'Fix'],
    ERROR_TABLE.map((r) => [code(r.name), cell(`${r.api ? `*${r.api === 'rest' ? 'REST' : 'XML-RPC'}* ` : ''}${r.doc.cause}`), code(cell(ruleMessage(r)).replace(/`/g, "'")), cell(actionText(r.action, r.scope ?? 'stream')), cell(r.doc.fix)]),
  );
  return [
    '#### Keap errors (the error table)',
    '',
    `Every failed call is classified by the first rule that matches, in this order. The message names the call (${code(EXAMPLE_CALL)}, or ${code(EXAMPLE_REST_CALL)} on REST v2) and quotes what Keap sent; rules marked *REST* or *XML-RPC* judge only that API's answers; a stream's error starts with the stream's name, an error that stops the sync with \`tap-infusionsoft:\`.`,
    '',
    rules,
    '',
    '#### Other errors during a run',
    '',
    exampleTable(otherErrors()),
    '',
    '#### Config, catalog, state and argument errors',
    '',
    'Bad input stops the run before anything is read, with one line naming the file, the key and the problem, prefixed by its kind (`config error:`, `catalog error:`, `state error:`, `arguments error:`), and exit code 2. In Airbyte mode it is also an ERROR trace with `failure_type` `config_error`; `check` answers `FAILED` with the same message. Typical messages, exactly as printed:',
    '',
    exampleTable(inputErrors()),
    '',
    '#### `tap-infusionsoft auth` errors',
    '',
    exampleTable(authErrors()),
  ].join('\n');
}

// ---------------------------------------------------------------- rate limits

export function rateLimitsReference(): string {
  const q = DEFAULT_QUOTAS;
  const quotas = table(
    ['Credential', 'Per second', 'Per minute', 'Per day'],
    [
      ['OAuth2 (`oauth2`)', String(q.oauth2.perSecond), q.oauth2.perMinute.toLocaleString('en-US'), q.oauth2.perDay.toLocaleString('en-US')],
      ['API key (`api_key`)', String(q.api_key.perSecond), q.api_key.perMinute.toLocaleString('en-US'), q.api_key.perDay.toLocaleString('en-US')],
    ],
  );
  const names: Record<ScheduleName, string> = {
    query_timeout: 'Keap cancelled a slow query',
    saved_search_blocked: 'Keap blocked a saved search',
    transient: 'network errors, HTTP 408/5xx, server faults, unreadable answers',
    rate_limited: 'HTTP 429, throttling faults',
  };
  const schedules = table(
    ['Schedule', 'Used for', 'Retries'],
    (Object.keys(names) as ScheduleName[]).map((n) => [code(n), names[n], scheduleText(DEFAULT_SCHEDULES[n])]),
  );
  return [quotas, '', schedules].join('\n');
}

// ---------------------------------------------------------------- Meltano

function meltanoKind(key: string, s: JsonSchema): string | undefined {
  if (key === 'credentials.auth_type') return 'options';
  if (key === 'start_date') return 'date_iso8601';
  const t = Array.isArray(s.type) ? s.type[0] : s.type;
  if (t === 'integer') return 'integer';
  if (t === 'array') return 'array';
  if (t === 'object') return 'object';
  if (t === 'boolean') return 'boolean';
  return undefined;
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}

interface MeltanoSetting {
  name: string;
  label: string;
  description: string;
  kind: string | undefined;
  sensitive: boolean;
  value?: unknown;
}

export function meltanoSettings(): MeltanoSetting[] {
  const spec = loadSpec().connectionSpecification as JsonSchema;
  const out: MeltanoSetting[] = [];
  const creds = spec.properties?.['credentials'] as JsonSchema;
  out.push({
    name: 'credentials.auth_type',
    label: 'Authentication',
    description: "api_key (a Personal Access Token or Service Account Key) or oauth2 (your own Keap app).",
    kind: 'options',
    sensitive: false,
    value: 'api_key',
  });
  const seen = new Set(['auth_type']);
  // API key first: it is what Meltano users should use (no token rotation to persist).
  const branches = [...(creds['oneOf'] as JsonSchema[])].reverse();
  for (const branch of branches) {
    for (const [k, v] of Object.entries(branch.properties ?? {})) {
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ name: `credentials.${k}`, label: v.title ?? k, description: v.description ?? '', kind: meltanoKind(k, v), sensitive: v['airbyte_secret'] === true });
    }
  }
  for (const r of configRows()) {
    if (r.key.startsWith('retry.')) continue;
    const setting: MeltanoSetting = { name: r.key, label: r.schema.title ?? r.key, description: r.schema.description ?? '', kind: meltanoKind(r.key, r.schema), sensitive: r.schema['airbyte_secret'] === true };
    // Meltano reads METRIC lines (off for everyone else): its plugin turns them on.
    if (r.key === 'metrics') setting.value = true;
    out.push(setting);
  }
  return out;
}

export function meltanoPlugin(): string {
  const lines = [
    'plugins:',
    '  extractors:',
    '    - name: tap-infusionsoft',
    '      namespace: tap_infusionsoft',
    '      label: Infusionsoft (Keap)',
    '      description: Every REST v2 resource and the 39 reports of the Infusionsoft report menu (XML-RPC tables until 2026-12-31)',
    '      docs: https://github.com/tap-infusionsoft/tap-infusionsoft#readme',
    '      repo: https://github.com/tap-infusionsoft/tap-infusionsoft',
    '      executable: tap-infusionsoft',
    '      capabilities:',
    '        - about',
    '        - catalog',
    '        - discover',
    '        - state',
    '      settings_group_validation:',
    '        - [credentials.auth_type, credentials.api_key]',
    '        - [credentials.auth_type, credentials.client_id, credentials.client_secret, credentials.refresh_token]',
    '      settings:',
  ];
  for (const s of meltanoSettings()) {
    lines.push(`        - name: ${s.name}`);
    lines.push(`          label: ${yamlString(s.label)}`);
    if (s.kind) lines.push(`          kind: ${s.kind}`);
    if (s.kind === 'options') {
      lines.push('          options:');
      lines.push('            - { label: "API key (PAT or SAK)", value: api_key }');
      lines.push('            - { label: "OAuth2 (Keap developer app)", value: oauth2 }');
    }
    if (s.value !== undefined) lines.push(`          value: ${String(s.value)}`);
    if (s.sensitive) lines.push('          sensitive: true');
    if (s.description) lines.push(`          description: ${yamlString(s.description)}`);
  }
  lines.push('      select:', "        - '*.*'");
  return ['```yaml', ...lines, '```'].join('\n');
}

// ---------------------------------------------------------------- CLI and sandbox

export function cliUsage(): string {
  return ['```text', USAGE, '```'].join('\n');
}

/** `tap-infusionsoft sandbox --help`, as it prints. */
export function sandboxFlags(): string {
  return ['```text', sandboxHelp(), '```'].join('\n');
}

// ---------------------------------------------------------------- README assembly

export function renderSections(): Map<string, string> {
  return new Map([
    ['cli-usage', cliUsage()],
    ['config-reference', configReference()],
    ['resources', resourcesReference()],
    ['tables', tablesReference()],
    ['reports-reference', reportsReference()],
    ['migration-guide', migrationGuide()],
    ['rate-limits', rateLimitsReference()],
    ['errors-reference', errorsReference()],
    ['meltano-plugin', meltanoPlugin()],
    ['sandbox-flags', sandboxFlags()],
  ]);
}

/** README text with every generated section replaced; throws when a marker pair is missing. */
export function applySections(readme: string, sections: Map<string, string> = renderSections()): string {
  let text = readme;
  for (const [name, body] of sections) {
    const begin = `<!-- BEGIN ${name} -->`;
    const end = `<!-- END ${name} -->`;
    const i = text.indexOf(begin);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error(`README.md has no ${begin} ... ${end} markers`);
    text = `${text.slice(0, i + begin.length)}\n<!-- generated by scripts/generate-docs.ts; edit the sources, not this section -->\n${body}\n${text.slice(j)}`;
  }
  return text;
}

export function readmePath(): string {
  return join(packageRoot(), 'README.md');
}

function main(): void {
  const path = readmePath();
  const before = readFileSync(path, 'utf8');
  const after = applySections(before);
  writeFileSync(path, after);
  process.stdout.write(`${before === after ? 'unchanged' : 'updated'} ${path}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`generate-docs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
