import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeapTimeZone } from '../src/keap/dates.js';
import { runRead } from '../src/protocol/commands.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import type { Sink } from '../src/streams/sink.js';
import { readTable } from '../src/streams/table-reader.js';
import { tableStreams, type TableEntry } from '../src/streams/table-registry.js';
import { fakeClient, type Answer } from './helpers/fake-transport.js';
import { scratch } from './helpers/cli.js';
import { capture, errors, harness, logs, records, sandboxConfig, states, streamState, type Harness, type Message } from './helpers/report-harness.js';
import { TEST_QUOTAS } from './helpers/sandbox.js';

/**
 * No public schema shows InvoicePayment.LastUpdated (keap-evidence.md §2.3), and the sandbox's
 * InvoicePayment has none: a query naming it gets fault 10, NoFieldFound. The stream then reads the
 * whole table, says so once, and remembers it, so later runs go straight to a full read.
 */
let sb: Sandbox;
let h: Harness;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: 8, contacts: 120, quotas: { apiKey: TEST_QUOTAS, oauth: TEST_QUOTAS } });
  h = harness(sandboxConfig(sb, [], { tables: ['InvoicePayment', 'InvoiceItem'], page_size: 7 }));
});
afterAll(() => sb.close());

const queries = (): number => sb.stats.byMethod['DataService.query'] ?? 0;

function finalState(messages: Message[], stream: string): Record<string, unknown> {
  const all = states(messages, stream);
  return streamState(all[all.length - 1] as Message);
}

describe('a cursor Keap does not have', () => {
  it('turns an incremental sync into a full read with one log line, and remembers it for the next run, which goes straight to it', async () => {
    const rows = sb.data.table('InvoicePayment').count();
    const before = queries();
    const first = await h.read(['invoice_payment'], { mode: 'incremental' });
    const firstQueries = queries() - before;
    expect(errors(first.messages)).toEqual([]);
    const got = records(first.messages, 'invoice_payment');
    expect(got).toHaveLength(rows);
    expect(got.every((r) => r['LastUpdated'] === null && typeof r['Id'] === 'number')).toBe(true);
    const said = logs(first.messages).filter((l) => l.includes('has no field LastUpdated'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^invoice_payment: Keap says InvoicePayment has no field LastUpdated; reading the whole table/);
    const state = finalState(first.messages, 'invoice_payment');
    expect(state['cursor_missing']).toBe('LastUpdated');
    expect(typeof state['LastSuccessfulRun']).toBe('string');
    // Every checkpoint already carries it: a run killed mid-way resumes as a full read.
    for (const s of states(first.messages, 'invoice_payment')) expect(streamState(s)['cursor_missing']).toBe('LastUpdated');

    const mid = queries();
    const second = await h.read(['invoice_payment'], { mode: 'incremental', state: { invoice_payment: state } });
    const secondQueries = queries() - mid;
    expect(errors(second.messages)).toEqual([]);
    expect(records(second.messages, 'invoice_payment')).toHaveLength(rows);
    expect(logs(second.messages).filter((l) => l.includes('has no field LastUpdated'))).toEqual([
      "invoice_payment: reading the whole table: an earlier sync found that InvoicePayment has no field LastUpdated (reset the stream's state to try it again)",
    ]);
    expect(finalState(second.messages, 'invoice_payment')['cursor_missing']).toBe('LastUpdated');
    // The first run spent one query finding out (the refused page: Keap's message names the field); the second none.
    expect(firstQueries - secondQueries).toBe(1);
  });

  it('reads such a table in full refresh too, without asking for the field', async () => {
    const r = await h.read(['invoice_payment'], { mode: 'full_refresh' });
    expect(errors(r.messages)).toEqual([]);
    expect(records(r.messages, 'invoice_payment')).toHaveLength(sb.data.table('InvoicePayment').count());
    expect(finalState(r.messages, 'invoice_payment')['cursor_missing']).toBe('LastUpdated');
  });

  it('still fails a stream when the missing field is another one, with Keap\'s message', async () => {
    const catalog = await h.discover();
    const stream = structuredClone(catalog.find((s) => s['name'] === 'invoice_item')) as Message & { json_schema: { properties: Record<string, unknown> } };
    stream.json_schema.properties['_NoSuchField'] = { type: ['null', 'string'] };
    const dir = scratch({ 'catalog.json': { streams: [{ stream, sync_mode: 'incremental', destination_sync_mode: 'append_dedup', cursor_field: ['LastUpdated'] }] } });
    const r = await capture('read invoice_item with a field Keap lacks', (s) => runRead(s, 'airbyte', [h.configPath], dir.path('catalog.json'), undefined));
    expect(errors(r.messages).join('\n')).toMatch(/invoice_item: .*NoFieldFound.*_NoSuchField/);
    expect(records(r.messages, 'invoice_item')).toEqual([]);
    expect(logs(r.messages).some((l) => l.includes('has no field LastUpdated'))).toBe(false);
  });
});

describe('telling a missing cursor from another missing field', () => {
  const entry = tableStreams().find((t) => t.table === 'InvoicePayment') as TableEntry;
  const plan = { entry, stream: entry.stream, fields: [{ name: 'Id', kind: 'integer' as const }, { name: 'LastUpdated', kind: 'date-time' as const }], incremental: true, state: {} };
  const unnamed = { fault: 10, text: '[NoFieldFound]No such field' };

  /** Reads InvoicePayment incrementally from scripted answers (the fake transport streams no rows). */
  function run(script: Answer[]): { done: Promise<void>; said: string[]; calls: () => string[] } {
    const { client, transport, clock } = fakeClient(script);
    const said: string[] = [];
    const sink = {
      record: () => {},
      log: (_l: string, m: string) => said.push(m),
      state: () => {},
      estimate: () => {},
      ready: () => undefined,
    } as unknown as Sink;
    const ctx = { client, sink, tz: new KeapTimeZone('America/New_York'), clock, pageSize: 10, startDate: undefined, lookbackMs: 0 };
    const calls = (): string[] => transport.calls.map((c) => `${c.method} ${JSON.stringify(c.params.slice(1, 6))}`);
    return { done: readTable(plan, ctx), said, calls };
  }

  it("asks once more, for the cursor alone, when Keap's message does not name the field, and then reads in full", async () => {
    const r = run([{ ok: 1 }, unnamed, unnamed, { ok: [] }]);
    await r.done;
    expect(r.calls()).toEqual([
      'DataService.count ["InvoicePayment",{"Id":"%"}]',
      'DataService.query ["InvoicePayment",10,0,{"Id":"~>~ 0"},["Id","LastUpdated"]]',
      // The check: only the cursor is named, so a NoFieldFound can only be about it.
      'DataService.query ["InvoicePayment",1,0,{"LastUpdated":"~null~"},["LastUpdated"]]',
      // Every row, without the cursor (the row count is in already).
      'DataService.query ["InvoicePayment",10,0,{"Id":"~>~ 0"},["Id"]]',
    ]);
    expect(r.said.filter((m) => m.includes('has no field LastUpdated'))).toHaveLength(1);
  });

  it('fails with the first answer when the cursor turns out to be there', async () => {
    const r = run([{ ok: 1 }, unnamed, { ok: [] }]);
    await expect(r.done).rejects.toThrow(/NoFieldFound\]No such field/);
    expect(r.calls()).toHaveLength(3);
  });
});
