import { LookbackMargin } from '../src/streams/table-reader.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { configuredCatalog, withSandbox, type SandboxFixture } from './helpers/sandbox.js';

/**
 * lookback_seconds re-reads a margin before the last sync's start; rows re-read there unchanged
 * (same key, same cursor) are not emitted again, rows changed since are.
 */
let fx: SandboxFixture;
let catalog: string;
beforeAll(async () => {
  fx = await withSandbox({ seed: 51, contacts: 800 });
  const d = await runCli(['discover', '--config', fx.config()]);
  catalog = fx.write('catalog.json', configuredCatalog(d.messages.find((m) => m['type'] === 'CATALOG'), ['contact', 'contact_group_assign']));
});
afterAll(() => fx.close());

type Msg = Record<string, unknown>;
const ids = (ms: Msg[], stream: string): string[] =>
  ms
    .filter((m) => m['type'] === 'RECORD' && (m['record'] as { stream: string }).stream === stream)
    .map((m) => {
      const d = (m['record'] as { data: Record<string, unknown> }).data;
      return stream === 'contact' ? String(d['Id']) : `${String(d['ContactId'])}:${String(d['GroupId'])}`;
    })
    .sort();
const finalStates = (ms: Msg[]): unknown[] => {
  const by = new Map<string, unknown>();
  for (const m of ms) if (m['type'] === 'STATE') by.set((m['state'] as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name, { type: 'STREAM', stream: (m['state'] as { stream: unknown }).stream });
  return [...by.values()];
};

describe('lookback_seconds', () => {
  it('re-reads the margin but emits only rows that changed, by key and cursor', async () => {
    const config = fx.config({ lookback_seconds: 3600 });
    const contacts = fx.sandbox.data.table('Contact');
    const tags = fx.sandbox.data.table('ContactGroupAssign');
    contacts.update(10, { FirstName: 'Before first sync' });
    tags.insert({ ContactId: 10, GroupId: 7 });

    const first = await runCli(['read', '--config', config, '--catalog', catalog]);
    expect(first.code).toBe(0);
    expect(ids(first.messages, 'contact')).toContain('10');
    const state1 = finalStates(first.messages);
    expect(JSON.stringify(state1)).toContain('"recent"');

    contacts.update(20, { FirstName: 'After first sync' });
    const second = await runCli(['read', '--config', config, '--catalog', catalog, '--state', fx.write('s1.json', state1)]);
    expect(second.code).toBe(0);
    // Contact 10 and the tag are inside the hour re-read, unchanged: not emitted again.
    expect(ids(second.messages, 'contact')).toEqual(['20']);
    expect(ids(second.messages, 'contact_group_assign')).toEqual([]);

    contacts.update(10, { FirstName: 'Changed again' });
    const third = await runCli(['read', '--config', config, '--catalog', catalog, '--state', fx.write('s2.json', finalStates(second.messages))]);
    expect(ids(third.messages, 'contact')).toEqual(['10']);
  });

  it('without lookback keeps no margin in the state', async () => {
    const r = await runCli(['read', '--config', fx.config(), '--catalog', catalog]);
    expect(JSON.stringify(finalStates(r.messages))).not.toContain('"recent"');
  });
});

describe('the lookback margin', () => {
  it('keeps a row whose cursor falls in the very second the margin begins, whether written with milliseconds or not', () => {
    // REST cursors carry milliseconds (…:09.000Z), bookmarks do not (…:10Z): compared as text, the
    // row stamped in the margin's first second fell out of it and was emitted again next time.
    const margin = new LookbackMargin(1000, '2026-01-01T00:00:10Z', undefined, undefined);
    expect(margin.admit('1', '2026-01-01T00:00:09.000Z')).toBe(true);
    expect(margin.admit('2', '2026-01-01T00:00:09Z')).toBe(true);
    expect(margin.admit('3', '2026-01-01T00:00:08.999Z')).toBe(true);
    expect(margin.current()).toEqual(['1@2026-01-01T00:00:09.000Z', '2@2026-01-01T00:00:09Z']);
    const next = new LookbackMargin(1000, '2026-01-01T00:01:00Z', margin.current(), undefined);
    expect(next.admit('1', '2026-01-01T00:00:09.000Z')).toBe(false);
    expect(next.admit('1', '2026-01-01T00:00:30.000Z')).toBe(true);
  });
});
