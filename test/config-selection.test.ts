import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { withSandbox, type SandboxFixture } from './helpers/sandbox.js';

/**
 * The config's `tables` limits `read` as it limits `discover`: a catalog that lists every table
 * (the shipped ones do) reads only the configured ones, and says once which it leaves out, in both
 * dialects.
 */
let fx: SandboxFixture;
beforeAll(async () => {
  fx = await withSandbox({ seed: 49, contacts: 20 });
});
afterAll(async () => {
  await fx?.close();
});

type Msg = Record<string, unknown>;
const streamOf = (m: Msg): string | undefined =>
  m['type'] === 'RECORD' ? (((m['record'] as Msg | undefined)?.['stream'] as string | undefined) ?? (m['stream'] as string)) : undefined;

describe("the config's tables", () => {
  it.each([
    ['airbyte', ['read', '--catalog', 'catalogs/airbyte-full-refresh.json']],
    ['singer', ['--catalog', 'catalogs/singer-full-refresh.json']],
  ])('limit a %s read of a catalog naming all 60 tables to the configured ones, said in one line', async (dialect, args) => {
    const config = fx.config({ tables: ['Stage', 'ContactGroup'] });
    const r = await runCli([...args.slice(0, -2), '--config', config, ...args.slice(-2)]);
    expect(r.code, r.stderr).toBe(0);
    expect(new Set(r.messages.map(streamOf).filter((s) => s !== undefined))).toEqual(new Set(['stage', 'contact_group']));
    const said =
      dialect === 'airbyte'
        ? r.messages.filter((m) => m['type'] === 'LOG').map((m) => (m['log'] as { message: string }).message)
        : r.stderr.split('\n');
    const lines = said.filter((l) => l.includes('left out'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/not reading 58 catalog streams left out by the config's 'tables': action_sequence, .*contact, /);
    expect(lines[0]).not.toMatch(/\bstage\b/);
  });
});
