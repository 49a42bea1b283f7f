import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAjv } from '../src/protocol/schema-compiler.js';
import { tableStreams } from '../src/streams/table-registry.js';
import { runCli } from './helpers/cli.js';
import { configuredCatalog, withSandbox, type SandboxFixture } from './helpers/sandbox.js';

/** Every one of the 60 table streams reads end to end, and every record validates against its schema. */
let fx: SandboxFixture;
let catalogMsg: Record<string, unknown> | undefined;
beforeAll(async () => {
  fx = await withSandbox({ seed: 9, contacts: 600 });
  const d = await runCli(['discover', '--config', fx.config()]);
  catalogMsg = d.messages.find((m) => m['type'] === 'CATALOG');
});
afterAll(() => fx.close());

type Msg = Record<string, unknown>;

describe('all 60 table streams', () => {
  it.each([['full_refresh'], ['incremental']] as const)('read completely in %s with every record valid against the discovered schema', async (mode) => {
    const catalog = configuredCatalog(catalogMsg, undefined, mode === 'incremental' ? 'best' : 'full_refresh');
    expect(catalog.streams).toHaveLength(60);
    const r = await runCli(['read', '--config', fx.config({ concurrency: 4 }), '--catalog', fx.write(`all-${mode}.json`, catalog)]);
    expect(r.code).toBe(0);
    const schemas = new Map(
      (catalog.streams as { stream: { name: string; json_schema: object } }[]).map((s) => [s.stream.name, getAjv().compile(s.stream.json_schema)]),
    );
    const counts = new Map<string, number>();
    const invalid: string[] = [];
    for (const m of r.messages as Msg[]) {
      if (m['type'] !== 'RECORD') continue;
      const rec = m['record'] as { stream: string; data: unknown };
      counts.set(rec.stream, (counts.get(rec.stream) ?? 0) + 1);
      const v = schemas.get(rec.stream);
      if (v && !v(rec.data) && invalid.length < 5) invalid.push(`${rec.stream}: ${JSON.stringify(v.errors?.[0])}`);
    }
    expect(invalid).toEqual([]);
    for (const t of tableStreams()) {
      expect(counts.get(t.stream) ?? 0, t.stream).toBe(fx.sandbox.data.table(t.table).count());
    }
    const complete = r.messages.filter((m) => m['type'] === 'TRACE' && JSON.stringify(m).includes('"status":"COMPLETE"'));
    expect(complete).toHaveLength(60);
  });
});
