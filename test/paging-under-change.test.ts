import { afterEach, describe, expect, it } from 'vitest';
import { XmlRpcTransport } from '../src/xmlrpc/transport.js';
import type { XmlRpcStruct } from '../src/xmlrpc/types.js';
import { runCli } from './helpers/cli.js';
import { configuredCatalog, withSandbox, type SandboxFixture } from './helpers/sandbox.js';

/**
 * Rows inserted, updated and deleted by someone else between the connector's page requests must
 * not make it skip a row that stayed unchanged for the whole sync. The sandbox changes rows after
 * every DataService.query answer and records every row it touched.
 */
let fx: SandboxFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const PLAN = { updates: 15, inserts: 10, deletes: 10 };

function keyOf(stream: string, d: Record<string, unknown>): string | number {
  return stream === 'contact_group_assign' ? `${String(d['ContactId'])}:${String(d['GroupId'])}` : (d['Id'] as number);
}

describe('paging while the data changes', () => {
  it('misses no row that stayed unchanged, across thousands of rows and every page (contact, contact_group_assign)', async () => {
    fx = await withSandbox({ seed: 21, contacts: 4000 });
    const d = await runCli(['discover', '--config', fx.config()]);
    const catalog = fx.write('c.json', configuredCatalog(d.messages.find((m) => m['type'] === 'CATALOG'), ['contact', 'contact_group_assign']));
    const before = {
      contact: new Set(fx.sandbox.data.table('Contact').all().map((r) => r['Id'] as number)),
      contact_group_assign: new Set(fx.sandbox.data.table('ContactGroupAssign').all().map((r) => `${String(r['ContactId'])}:${String(r['GroupId'])}`)),
    };
    fx.sandbox.setMutations({ Contact: PLAN, ContactGroupAssign: PLAN });
    const r = await runCli(['read', '--config', fx.config({ page_size: 100 }), '--catalog', catalog]);
    expect(r.code).toBe(0);
    for (const [stream, table] of [['contact', 'Contact'], ['contact_group_assign', 'ContactGroupAssign']] as const) {
      const got = new Set(
        r.messages.filter((m) => m['type'] === 'RECORD' && (m['record'] as { stream: string }).stream === stream).map((m) => keyOf(stream, (m['record'] as { data: Record<string, unknown> }).data)),
      );
      const touched = fx.sandbox.mutated(table) as Set<string | number>;
      const unchanged = [...(before[stream] as Set<string | number>)].filter((k) => !touched.has(k));
      expect(touched.size).toBeGreaterThan(500);
      expect(unchanged.length).toBeGreaterThan(before[stream].size / 2);
      const missed = unchanged.filter((k) => !got.has(k));
      expect(missed).toEqual([]);
    }
  });

  it('is a test that can fail: plain offset paging over the same changes does skip unchanged rows', async () => {
    fx = await withSandbox({ seed: 21, contacts: 4000 });
    const ids = new Set(fx.sandbox.data.table('Contact').all().map((r) => r['Id'] as number));
    fx.sandbox.setMutations({ Contact: PLAN });
    const t = new XmlRpcTransport({ timeoutMs: 10_000, maxSockets: 1, userAgent: 'test', maxBodyBytes: 1 << 26 });
    const got = new Set<number>();
    for (let page = 0; ; page++) {
      const res = await t.call(fx.sandbox.apiUrl, 'DataService.query', ['k', 'Contact', 100, page, { Id: '%' }, ['Id'], 'Id', true], {
        headers: { 'X-Keap-API-Key': fx.sandbox.credentials.api_key },
      });
      if (!res.ok || res.message.kind !== 'response') throw new Error('query failed');
      const rows = res.message.params[0] as XmlRpcStruct[];
      for (const row of rows) got.add(row['Id'] as number);
      if (rows.length < 100) break;
    }
    const touched = fx.sandbox.mutated('Contact');
    const missed = [...ids].filter((id) => !touched.has(id) && !got.has(id));
    expect(missed.length).toBeGreaterThan(0);
  });
});
