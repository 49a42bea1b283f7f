import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restStreams } from '../src/streams/rest-registry.js';
import { runCli } from './helpers/cli.js';
import { withSandbox, type SandboxFixture } from './helpers/sandbox.js';

/**
 * The config's `tables` (XML-RPC) and `resources` (REST v2) limit `read` as they limit `discover`:
 * a catalog that lists every stream (the shipped ones do) reads only the configured ones, and says
 * once which it leaves out, in both dialects.
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

describe("the config's tables and resources", () => {
  it.each([
    ['airbyte', 'xmlrpc', ['read', '--catalog', 'catalogs/airbyte-xmlrpc-full-refresh.json']],
    ['singer', 'xmlrpc', ['--catalog', 'catalogs/singer-xmlrpc-full-refresh.json']],
    ['airbyte', 'rest', ['read', '--catalog', 'catalogs/airbyte-full-refresh.json']],
    ['singer', 'rest', ['--catalog', 'catalogs/singer-full-refresh.json']],
  ] as const)('limit a %s read (%s) of a catalog naming every stream to the configured ones, said in one line', async (dialect, api, args) => {
    const config = api === 'xmlrpc' ? fx.config({ tables: ['Stage', 'ContactGroup'] }) : fx.config({ api: 'rest', resources: ['opportunity_stages', 'tags'] });
    const r = await runCli([...args.slice(0, -2), '--config', config, ...args.slice(-2)]);
    expect(r.code, r.stderr).toBe(0);
    const kept = api === 'xmlrpc' ? ['stage', 'contact_group'] : ['opportunity_stages', 'tags'];
    expect(new Set(r.messages.map(streamOf).filter((s) => s !== undefined))).toEqual(new Set(kept));
    const said =
      dialect === 'airbyte'
        ? r.messages.filter((m) => m['type'] === 'LOG').map((m) => (m['log'] as { message: string }).message)
        : r.stderr.split('\n');
    const lines = said.filter((l) => l.includes('left out'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      api === 'xmlrpc'
        ? /not reading 58 catalog streams left out by the config's 'tables': action_sequence, .*contact, /
        : new RegExp(`not reading ${restStreams().length - 2} catalog streams left out by the config's 'resources': contacts, companies, `),
    );
    expect(lines[0]).not.toMatch(api === 'xmlrpc' ? /\bstage\b/ : /\btags\b/);
  });
});
