import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './helpers/cli.js';
import { configuredCatalog, withSandbox, type SandboxFixture } from './helpers/sandbox.js';

/**
 * REST v2 incremental syncs: the second sync, from the first one's state, reads only what changed,
 * through the server's time filter; a row changed in the same second the last pass started is read
 * again (the overlap), a row re-read unchanged in the overlap is not emitted twice, and a saved page
 * token Keap no longer accepts restarts the pass from its bookmark instead of failing or skipping.
 */
let fx: SandboxFixture;
let catalogMsg: Record<string, unknown> | undefined;

beforeAll(async () => {
  fx = await withSandbox({ seed: 5, contacts: 800 });
  const d = await runCli(['discover', '--config', fx.config({ api: 'rest' })]);
  catalogMsg = d.messages.find((m) => m['type'] === 'CATALOG');
});
afterAll(() => fx.close());

type Msg = Record<string, unknown>;
const records = (r: CliResult, stream: string): Record<string, unknown>[] =>
  r.messages.filter((m) => m['type'] === 'RECORD' && (m['record'] as { stream: string }).stream === stream).map((m) => (m['record'] as { data: Record<string, unknown> }).data);
const lastState = (r: CliResult): Msg[] => {
  const by = new Map<string, Msg>();
  for (const m of r.messages) {
    if (m['type'] !== 'STATE') continue;
    const s = m['state'] as { stream: { stream_descriptor: { name: string } } };
    by.set(s.stream.stream_descriptor.name, { type: 'STREAM', stream: s.stream });
  }
  return [...by.values()];
};

describe('REST v2 incremental syncs', () => {
  it('read only the rows changed since the last sync, through the server-side time filter', async () => {
    const streams = ['contacts', 'companies', 'orders', 'tags', 'opportunities'];
    const catalog = fx.write('inc.json', configuredCatalog(catalogMsg, streams, 'incremental'));
    const config = fx.config({ api: 'rest', page_size: 200 });
    const contactPages = (): number => fx.sandbox.stats.byPath['GET /contacts'] ?? 0;
    const atStart = contactPages();
    const first = await runCli(['read', '--config', config, '--catalog', catalog]);
    const firstPages = contactPages() - atStart;
    expect(first.code, first.stderr).toBe(0);
    expect(records(first, 'contacts')).toHaveLength(fx.sandbox.data.table('Contact').count());
    const data = fx.sandbox.data;
    // After the first sync: five contacts, two companies, an order, a tag and an opportunity change.
    for (const id of [3, 17, 250, 400, 799]) data.table('Contact').update(id, { FirstName: `Changed${id}` });
    for (const id of [1, 2]) data.table('Company').update(id, { Company: `Renamed ${id}` });
    data.table('Job').update(5, { JobTitle: 'Changed order' });
    data.table('ContactGroup').update(2, { GroupName: 'Renamed tag' });
    data.table('Lead').update(7, { OpportunityTitle: 'Changed opportunity' });
    const second = await runCli(['read', '--config', config, '--catalog', catalog, '--state', fx.write('s1.json', lastState(first))]);
    expect(second.code, second.stderr).toBe(0);
    expect(records(second, 'contacts').map((c) => c['id']).sort()).toEqual(['17', '250', '3', '400', '799']);
    expect(records(second, 'contacts').every((c) => String(c['given_name']).startsWith('Changed'))).toBe(true);
    expect(records(second, 'companies').map((c) => c['id']).sort()).toEqual(['1', '2']);
    expect(records(second, 'orders').map((c) => c['id'])).toEqual(['5']);
    expect(records(second, 'tags').map((c) => c['id'])).toEqual(['2']);
    expect(records(second, 'opportunities').map((c) => c['id'])).toEqual(['7']);
    // The filter went to Keap: the first sync paged through 800 contacts, the second got its five in one page.
    expect(firstPages).toBeGreaterThanOrEqual(4);
    expect(contactPages() - atStart - firstPages).toBe(1);
    // A third sync with nothing changed reads nothing.
    const third = await runCli(['read', '--config', config, '--catalog', catalog, '--state', fx.write('s2.json', lastState(second))]);
    expect(third.messages.filter((m) => m['type'] === 'RECORD')).toEqual([]);
  });

  it('reads again a row stamped in the same second the last pass started, and drops rows it re-reads unchanged', async () => {
    const catalog = fx.write('same-second.json', configuredCatalog(catalogMsg, ['contacts'], 'incremental'));
    const config = fx.config({ api: 'rest' });
    const data = fx.sandbox.data;
    // A row stamped a little ahead of the first pass (Keap's clock ahead of ours): read by it, and
    // inside every later pass's overlap, so the next pass reads it again and must drop it.
    data.table('Contact').update(11, { FirstName: 'Ahead', LastUpdated: Math.floor(Date.now() / 1000) * 1000 + 5000 });
    const first = await runCli(['read', '--config', config, '--catalog', catalog]);
    const state = lastState(first);
    expect(JSON.stringify(state)).toMatch(/"recent":\["11@/);
    const started = Date.parse((state[0] as { stream: { stream_state: { LastSuccessfulRun: string } } }).stream.stream_state.LastSuccessfulRun);
    // A row changed in the very second the pass started, after the pass had read it.
    data.table('Contact').update(12, { FirstName: 'SameSecond', LastUpdated: started + 400 });
    const second = await runCli(['read', '--config', config, '--catalog', catalog, '--state', fx.write('s-same.json', state)]);
    expect(second.code, second.stderr).toBe(0);
    const ids = records(second, 'contacts').map((c) => c['id']);
    expect(ids).toContain('12');
    // Contact 11 was re-read in the overlap with the same update_time: not emitted again.
    expect(ids).not.toContain('11');
  });

  it('restarts a pass from its bookmark when Keap no longer accepts the saved page token', async () => {
    const catalog = fx.write('tags.json', configuredCatalog(catalogMsg, ['tags', 'tag_contacts'], 'incremental'));
    const config = fx.config({ api: 'rest', page_size: 5 });
    const saved = [
      {
        type: 'STREAM',
        stream: {
          stream_descriptor: { name: 'tags' },
          stream_state: { in_progress: { started_at: '2026-12-01T00:00:00Z', since: '2000-01-01T00:00:00Z', page_token: 'djEuNS5leHBpcmVkLjE' } },
        },
      },
    ];
    const r = await runCli(['read', '--config', config, '--catalog', catalog, '--state', fx.write('stale.json', saved)]);
    expect(r.code, r.stderr).toBe(0);
    const warn = r.messages.find((m) => m['type'] === 'LOG' && JSON.stringify(m).includes('no longer accepts the saved page token'));
    expect(warn).toBeDefined();
    // Every tag arrives (changed since 2000), none skipped.
    expect(records(r, 'tags')).toHaveLength(fx.sandbox.data.table('ContactGroup').count());
    const final = lastState(r).find((s) => JSON.stringify(s).includes('"tags"')) as { stream: { stream_state: Record<string, unknown> } };
    expect(final.stream.stream_state['LastSuccessfulRun']).toBe('2026-12-01T00:00:00Z');
    expect(final.stream.stream_state['in_progress']).toBeUndefined();
  });
});
