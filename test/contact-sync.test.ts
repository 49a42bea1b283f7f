import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeapTimeZone, formatIsoUtc } from '../src/keap/dates.js';
import type { Row } from '../src/sandbox/data.js';
import { runCli } from './helpers/cli.js';
import { configuredCatalog, withSandbox, type SandboxFixture } from './helpers/sandbox.js';

/**
 * The contact stream against 10,000 sandbox contacts: a full read yields exactly the sandbox's
 * rows, typed as the schema says, dates in UTC; a second read from the first's final state yields
 * exactly the rows changed since.
 */
let fx: SandboxFixture;
let catalogPath: string;
let columns: Map<string, string>;

beforeAll(async () => {
  fx = await withSandbox({ seed: 11, contacts: 10_000 });
  const d = await runCli(['discover', '--config', fx.config()]);
  const catalog = configuredCatalog(d.messages.find((m) => m['type'] === 'CATALOG'), ['contact']);
  catalogPath = fx.write('catalog.json', catalog);
  const schema = (catalog.streams[0] as { stream: { json_schema: { properties: Record<string, { type: string[]; format?: string }> } } }).stream.json_schema;
  columns = new Map(Object.entries(schema.properties).map(([k, v]) => [k, v.format === 'date-time' ? 'date' : (v.type.find((t) => t !== 'null') as string)]));
});
afterAll(() => fx.close());

type Data = Record<string, unknown>;

function records(messages: Record<string, unknown>[]): Data[] {
  return messages.filter((m) => m['type'] === 'RECORD').map((m) => (m['record'] as { data: Data }).data);
}

function lastState(messages: Record<string, unknown>[]): unknown[] {
  const latest = new Map<string, unknown>();
  for (const m of messages) if (m['type'] === 'STATE') latest.set('contact', { type: 'STREAM', stream: (m['state'] as { stream: unknown }).stream });
  return [...latest.values()];
}

const eastern = new KeapTimeZone('America/New_York');

/**
 * Keap's text names a wall-clock time only: in the repeated November hour both instants read the
 * same, and the connector takes the first (as java.time and Python's fold=0 do). Any other instant
 * comes back exactly.
 */
function asKeapSeesIt(ms: number): string {
  return formatIsoUtc(eastern.wallToUtc(eastern.utcToWall(ms)));
}

/** What the connector must emit for a sandbox row: every column, null when absent, dates as UTC ISO. */
function expected(row: Row): Data {
  const out: Data = {};
  for (const [name, kind] of columns) {
    const v = row[name];
    if (v === undefined || v === null) out[name] = null;
    else if (kind === 'date') out[name] = asKeapSeesIt(v as number);
    else if (kind === 'boolean') out[name] = v === true || v === 1 || v === '1';
    else out[name] = v;
  }
  return out;
}

describe('the contact stream end to end', () => {
  let firstState: unknown[] = [];

  it('reads exactly the sandbox rows, typed, with UTC timestamps, in full refresh and first incremental', async () => {
    const config = fx.config();
    const r = await runCli(['read', '--config', config, '--catalog', catalogPath]);
    expect(r.code).toBe(0);
    const got = records(r.messages);
    const rows = fx.sandbox.data.table('Contact').all();
    expect(rows).toHaveLength(10_000);
    expect(got).toHaveLength(10_000);
    const byId = new Map(got.map((d) => [d['Id'] as number, d]));
    expect(byId.size).toBe(10_000);
    for (const row of rows) expect(byId.get(row['Id'] as number)).toEqual(expected(row));
    // Every timestamp is UTC ISO 8601, and the repeated November hour is among them.
    const dates = got.flatMap((d) => [d['DateCreated'], d['LastUpdated']]).filter((x): x is string => typeof x === 'string');
    expect(dates.every((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(s))).toBe(true);
    const repeated = rows.filter((r) => typeof r['LastUpdated'] === 'number' && asKeapSeesIt(r['LastUpdated']) !== formatIsoUtc(r['LastUpdated']));
    expect(repeated.length).toBeGreaterThan(0);
    for (const row of repeated) {
      // The wall-clock reading survives the round trip even where the instant cannot.
      const iso = byId.get(row['Id'] as number)?.['LastUpdated'] as string;
      expect(eastern.formatCompact(Date.parse(iso))).toBe(eastern.formatCompact(row['LastUpdated'] as number));
    }
    firstState = lastState(r.messages);
    const final = (firstState[0] as { stream: { stream_state: Record<string, unknown> } }).stream.stream_state;
    expect(final['LastSuccessfulRun']).toMatch(/Z$/);
    expect(final['in_progress']).toBeUndefined();
  });

  it('reads only the rows changed since, from the first read\'s final state', async () => {
    const contacts = fx.sandbox.data.table('Contact');
    const changed = [17, 4242, 9999];
    for (const id of changed) contacts.update(id, { FirstName: `Changed ${id}` });
    const inserted = contacts.insert({ FirstName: 'New', LastName: 'Person', Email: 'new.person@example.com' });
    contacts.delete(5000);
    const state = fx.write('state.json', firstState);
    const r = await runCli(['read', '--config', fx.config(), '--catalog', catalogPath, '--state', state]);
    expect(r.code).toBe(0);
    const got = records(r.messages);
    expect(got.map((d) => d['Id']).sort((a, b) => (a as number) - (b as number))).toEqual([...changed, inserted]);
    for (const d of got) expect(d).toEqual(expected(contacts.get(d['Id'] as number) as Row));
  });
});
