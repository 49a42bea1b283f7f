import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { configuredCatalog, withSandbox, type SandboxFixture } from './helpers/sandbox.js';

/**
 * Keap compares dates on the app's wall clock. A bookmark inside the first occurrence of the
 * repeated November hour must still catch rows stamped later, in the second occurrence, whose wall
 * reading is EARLIER (01:10 EST comes after 01:30 EDT).
 */
let fx: SandboxFixture;
let catalog: string;
beforeAll(async () => {
  fx = await withSandbox({ seed: 61, contacts: 300 });
  const d = await runCli(['discover', '--config', fx.config()]);
  catalog = fx.write('catalog.json', configuredCatalog(d.messages.find((m) => m['type'] === 'CATALOG'), ['contact']));
});
afterAll(() => fx.close());

describe('incremental reads across the repeated hour', () => {
  it('reads rows stamped in the second 01:xx after a bookmark in the first, and none from before', async () => {
    const contacts = fx.sandbox.data.table('Contact');
    const at = (h: number, m: number): number => Date.UTC(2025, 10, 2, h, m);
    const before = contacts.insert({ FirstName: 'Before', LastUpdated: at(4, 50), DateCreated: at(4, 50) }); // 00:50 EDT
    const secondPass = contacts.insert({ FirstName: 'Second01:10', LastUpdated: at(6, 10), DateCreated: at(6, 10) }); // 01:10 EST
    const later = contacts.insert({ FirstName: 'Later', LastUpdated: at(7, 5), DateCreated: at(7, 5) }); // 02:05 EST
    const state = fx.write('state.json', [
      { type: 'STREAM', stream: { stream_descriptor: { name: 'contact' }, stream_state: { LastSuccessfulRun: '2025-11-02T05:30:00Z' } } },
    ]);
    const r = await runCli(['read', '--config', fx.config(), '--catalog', catalog, '--state', state]);
    expect(r.code).toBe(0);
    const got = new Map(
      r.messages
        .filter((m) => m['type'] === 'RECORD')
        .map((m) => (m['record'] as { data: Record<string, unknown> }).data)
        .map((d) => [d['Id'] as number, d]),
    );
    expect(got.has(secondPass)).toBe(true);
    expect(got.has(later)).toBe(true);
    expect(got.has(before)).toBe(false);
    // Keap's text "01:10" names two instants; the record carries the first (EDT), as documented.
    expect(got.get(secondPass)?.['LastUpdated']).toBe('2025-11-02T05:10:00Z');
    expect(got.get(later)?.['LastUpdated']).toBe('2025-11-02T07:05:00Z');
  });
});
