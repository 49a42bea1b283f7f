import { counted } from '../counted.js';
import { InputError } from '../input-error.js';
import { KeapError } from '../keap/errors.js';
import { readPage } from '../rest/page.js';
import { RestParseError } from '../rest/transport.js';
import { configSelection, discoverStreams, leftOutByConfig, readableStreams } from '../streams/catalog.js';
import { refuseRestReports } from '../streams/report-streams.js';
import { runStreams, type StreamJob } from '../streams/engine.js';
import type { Sink } from '../streams/sink.js';
import type { StreamState } from '../streams/state.js';
import { restStreams } from '../streams/rest-registry.js';
import { sensitiveFields, withoutFields } from '../streams/sensitive-fields.js';
import type { StreamDef } from '../streams/stream-def.js';
import { tableEntries } from '../streams/table-registry.js';
import type { ReadContext } from '../streams/table-reader.js';
import type { Dialect } from './args.js';
import { readCatalog, type SelectedStream } from './catalog-input.js';
import { airbyteStreams, singerCatalog } from './catalog-output.js';
import type { Session } from './session.js';
import { SingerOutput, type SingerStreamInfo } from './singer-output.js';
import { readStateFile } from './state-input.js';
import { TrackedSink } from './interrupt.js';

/**
 * `check`: exactly one CONNECTION_STATUS. A config Keap rejects is FAILED with the reason (exit 0:
 * the check itself worked); a config that is not valid input is FAILED too, and exits non-zero.
 */
export async function runCheck(session: Session, config: string[]): Promise<number> {
  let loaded;
  try {
    loaded = await session.loadConfig(config);
    // A report REST v2 cannot serve fails the check in one line, naming the REST stream closest to it.
    if (loaded.settings.api === 'rest') refuseRestReports(loaded.settings.reports, loaded.settings.timezone);
  } catch (err) {
    if (err instanceof InputError) {
      session.airbyte.connectionStatus('FAILED', err.message);
      session.stderr.line(`tap-infusionsoft: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const { client } = await session.runtime(loaded, true);
  try {
    if (loaded.settings.api === 'rest') {
      // One contact: proves the endpoint, the credentials, and read permission.
      await client.rest({ path: '/contacts', query: { page_size: '1' }, what: 'GET /contacts', read: (json) => readPage(json, 'contacts') });
    } else {
      session.log('WARN', XMLRPC_SUNSET);
      // One row of Contact: proves the endpoint, the credentials, and read permission.
      await client.call('DataService.query', ['Contact', 1, 0, { Id: '%' }, ['Id']], { what: 'DataService.query on Contact' });
    }
    session.airbyte.connectionStatus('SUCCEEDED');
    return 0;
  } catch (err) {
    if (err instanceof KeapError) {
      session.airbyte.connectionStatus('FAILED', err.message);
      return 0;
    }
    if (err instanceof RestParseError) {
      session.airbyte.connectionStatus('FAILED', `GET /contacts: ${err.message}`);
      return 0;
    }
    throw err;
  }
}

/** Said by check and discover whenever the config still reads XML-RPC. */
export const XMLRPC_SUNSET =
  'api is "xmlrpc": Keap switches its XML-RPC API off on 2026-12-31, and from then every sync through it fails. Set "api": "rest" (the default) to read through REST v2; the README\'s migration guide maps each table to its REST stream';

export async function runDiscover(session: Session, dialect: Dialect, config: string[]): Promise<number> {
  const loaded = await session.loadConfig(config);
  const { client } = await session.runtime(loaded);
  if (loaded.settings.api === 'xmlrpc') session.log('WARN', XMLRPC_SUNSET);
  const defs = await discoverStreams(loaded.settings, client, (l, m) => session.log(l, m));
  if (dialect === 'airbyte') session.airbyte.message({ type: 'CATALOG', catalog: { streams: airbyteStreams(defs) } });
  else session.writer.line(JSON.stringify(singerCatalog(defs), null, 2));
  return 0;
}

export async function runRead(
  session: Session,
  dialect: Dialect,
  config: string[],
  catalogPath: string | undefined,
  statePath: string | undefined,
): Promise<number> {
  const loaded = await session.loadConfig(config);
  const settings = loaded.settings;
  // Only a read prints METRIC lines, and only when the config asks (Meltano's plugin does).
  session.stderr.metrics = settings.metrics;
  const rawState = statePath ? readStateFile(statePath) : new Map<string, unknown>();
  const runtime = await session.runtime(loaded);
  let selected: SelectedStream[];
  let defs: StreamDef[];
  if (catalogPath) {
    selected = readCatalog(catalogPath);
    defs = readableStreams(settings, selected.map((s) => s.name));
  } else {
    // Singer without a catalog: discover and read everything.
    defs = await discoverStreams(settings, runtime.client, (l, m) => session.log(l, m));
    selected = defs.map((d) => ({ name: d.name, syncMode: d.cursorField ? 'incremental' : 'full_refresh', schema: d.schema }));
  }
  const byName = new Map(defs.map((d) => [d.name, d]));
  const leftOut = leftOutByConfig(
    selected.map((s) => s.name),
    byName,
    configSelection(settings),
  );
  if (leftOut.size) {
    const by = [...new Set(leftOut.values())].map((k) => `'${k}'`).join(' and ');
    session.log('WARN', `not reading ${counted(leftOut.size, 'catalog stream')} left out by the config's ${by}: ${[...leftOut.keys()].join(', ')}`);
    selected = selected.filter((s) => !leftOut.has(s.name));
  }

  // States first: a corrupt state stops the run before anything is read.
  const states = new Map<string, StreamState>();
  for (const [name, raw] of rawState) {
    // Named once above; their states stay as they are for a run that reads them.
    if (leftOut.has(name)) continue;
    const def = byName.get(name);
    if (!def || !selected.some((s) => s.name === name)) {
      session.log('INFO', `ignoring the state of stream '${name}': it is not in the catalog`);
      continue;
    }
    states.set(name, def.parseState(raw));
  }

  const jobs: StreamJob[] = [];
  const problems: { stream: string; message: string }[] = [];
  for (const s of selected) {
    const def = byName.get(s.name);
    if (!def) {
      problems.push({ stream: s.name, message: unknownStream(s.name, settings.api) });
      continue;
    }
    let mode = s.syncMode;
    if (mode === 'incremental' && !def.supportedSyncModes.includes('incremental')) {
      if (dialect === 'airbyte') {
        problems.push({ stream: s.name, message: `stream '${s.name}' supports only full_refresh, not incremental` });
        continue;
      }
      mode = 'full_refresh';
    }
    // Password fields go out only when the config opts in, whatever an older catalog lists.
    const hidden = settings.includePasswordFields ? [] : sensitiveFields(def.name, def.kind);
    const asked = s.schema ?? def.schema;
    const schema = withoutFields(asked, hidden);
    if (schema !== asked) session.log('INFO', `${def.name}: ${hidden.filter((f) => f in (asked.properties ?? {})).join(', ')} left out (include_password_fields is off)`);
    jobs.push({ def, run: { syncMode: mode, schema, state: states.get(s.name) ?? {}, omit: hidden } });
  }

  const sink = new TrackedSink(
    dialect === 'airbyte'
      ? session.airbyte
      : new SingerOutput(session.writer, session.stderr, singerInfo(jobs), Object.fromEntries(states), () => session.clock.now()),
  );
  const forget = session.onStop((signal) => sink.stopped(signal));
  for (const p of problems) {
    sink.streamIncomplete(p.stream);
    sink.error(p.message, 'config_error', p.stream);
  }
  const ctx: ReadContext = {
    client: runtime.client,
    sink,
    tz: settings.timezone,
    clock: session.clock,
    pageSize: settings.pageSize,
    startDate: settings.startDate,
    lookbackMs: settings.lookbackSeconds * 1000,
  };
  let result;
  try {
    result = await runStreams(jobs, ctx, settings.concurrency);
  } finally {
    forget();
  }
  if (runtime.client.requests) session.stderr.metric('counter', 'http_request_count', runtime.client.requests, { retries: runtime.client.retries });
  // Credentials refused, a host not found: one line for the whole sync (main.ts reports it).
  if (result.stoppedBy) throw result.stoppedBy;
  const failed = [...problems.map((p) => p.stream), ...result.failed];
  if (failed.length) {
    session.stderr.line(`tap-infusionsoft: ${failed.length} of ${selected.length} streams did not complete: ${failed.join(', ')} (see the error traces above)`);
    return 1;
  }
  return 0;
}

function singerInfo(jobs: readonly StreamJob[]): Map<string, SingerStreamInfo> {
  const m = new Map<string, SingerStreamInfo>();
  for (const j of jobs) {
    m.set(j.def.name, {
      schema: j.run.schema,
      keyProperties: j.def.primaryKey,
      bookmarkProperties: j.run.syncMode === 'incremental' && j.def.cursorField ? [j.def.cursorField] : [],
    });
  }
  return m;
}

/** Why a catalog's stream is not offered, with the way out when it belongs to the other API. */
function unknownStream(name: string, api: 'rest' | 'xmlrpc'): string {
  if (api === 'rest' && tableEntries().some((t) => t.stream === name)) {
    return `stream '${name}' is an XML-RPC table stream, and the config reads REST v2 ("api": "rest", the default): run discover and choose its REST stream (the README's migration guide maps each table), or set "api": "xmlrpc" until Keap switches XML-RPC off on 2026-12-31`;
  }
  if (api === 'xmlrpc' && restStreams().some((r) => r.stream === name)) {
    return `stream '${name}' is a REST v2 resource stream, but the config says "api": "xmlrpc": remove that setting to read REST v2`;
  }
  return `stream '${name}' is not offered by this source (run discover; reports need an entry in config.reports)`;
}
