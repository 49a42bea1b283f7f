import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { withSandbox, type SandboxFixture } from './helpers/sandbox.js';

/** The Singer dialect, through a strict target (test/helpers/singer_target.py). */
let fx: SandboxFixture;
let catalog: { streams: Record<string, unknown>[] };

beforeAll(async () => {
  fx = await withSandbox({ seed: 5, contacts: 1500 });
  const r = await runCli(['--config', fx.config(), '--discover']);
  expect(r.code).toBe(0);
  catalog = JSON.parse(r.stdout) as typeof catalog;
});
afterAll(() => fx.close());

function target(stdout: string): { counts: Record<string, number>; state: { bookmarks: Record<string, Record<string, unknown>> } } {
  const out = mkdtempSync(join(tmpdir(), 'singer-target-'));
  const r = spawnSync('python3', ['test/helpers/singer_target.py', out], { input: stdout, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as ReturnType<typeof target>;
}

function select(names: string[], fieldsOff: Record<string, string[]> = {}): string {
  const streams = catalog.streams
    .filter((s) => names.includes(s['tap_stream_id'] as string))
    .map((s) => {
      const meta = (s['metadata'] as { breadcrumb: string[]; metadata: Record<string, unknown> }[]).map((m) => {
        if (m.breadcrumb.length === 0) return { ...m, metadata: { ...m.metadata, selected: true } };
        const off = fieldsOff[s['tap_stream_id'] as string] ?? [];
        return off.includes(m.breadcrumb[1] as string) ? { ...m, metadata: { ...m.metadata, selected: false } } : m;
      });
      return { ...s, metadata: meta };
    });
  return fx.write('singer-catalog.json', { streams });
}

describe('the Singer dialect', () => {
  it('discovers a catalog with Singer metadata for every table', () => {
    expect(catalog.streams).toHaveLength(60);
    const contact = catalog.streams.find((s) => s['tap_stream_id'] === 'contact') as Record<string, unknown>;
    expect(contact['key_properties']).toEqual(['Id']);
    const top = (contact['metadata'] as { breadcrumb: string[]; metadata: Record<string, unknown> }[]).find((m) => m.breadcrumb.length === 0)?.metadata;
    // contact does INCREMENTAL and FULL_TABLE: a default method the user may change, never "forced".
    expect(top).toMatchObject({ 'valid-replication-keys': ['LastUpdated'], 'replication-method': 'INCREMENTAL', 'replication-key': 'LastUpdated', inclusion: 'available' });
    expect(top).not.toHaveProperty('forced-replication-method');
    const stage = catalog.streams.find((s) => s['tap_stream_id'] === 'stage') as Record<string, unknown>;
    const stageTop = (stage['metadata'] as { breadcrumb: string[]; metadata: Record<string, unknown> }[]).find((m) => m.breadcrumb.length === 0)?.metadata;
    expect(stageTop?.['forced-replication-method']).toBe('FULL_TABLE');
    expect(stageTop).not.toHaveProperty('valid-replication-keys');
  });

  it('syncs selected streams into a strict target, field selection applied, and resumes from its state', async () => {
    const cat = select(['contact', 'stage', 'contact_group_assign'], { contact: ['Phone1', 'Email'] });
    const first = await runCli(['--config', fx.config(), '--catalog', cat]);
    expect(first.code).toBe(0);
    const t1 = target(first.stdout);
    expect(t1.counts['contact']).toBe(fx.sandbox.data.table('Contact').count());
    expect(t1.counts['stage']).toBe(fx.sandbox.data.table('Stage').count());
    expect(t1.counts['contact_group_assign']).toBe(fx.sandbox.data.table('ContactGroupAssign').count());
    const rec = JSON.parse(first.stdout.split('\n').find((l) => l.includes('"type":"RECORD","stream":"contact"')) as string) as { record: Record<string, unknown> };
    expect(rec.record).not.toHaveProperty('Email');
    expect(rec.record).toHaveProperty('Id');
    expect(Object.keys(t1.state.bookmarks).sort()).toEqual(['contact', 'contact_group_assign', 'stage']);

    fx.sandbox.data.table('Contact').update(3, { LastName: 'Singer' });
    const state = fx.write('singer-state.json', t1.state);
    const second = await runCli(['--config', fx.config(), '--properties', cat, '--state', state]);
    expect(second.code).toBe(0);
    const t2 = target(second.stdout);
    expect(t2.counts['contact']).toBe(1);
    // Full-table streams are read whole every time.
    expect(t2.counts['stage']).toBe(fx.sandbox.data.table('Stage').count());
  });

  it('rewrites the config file with the rotated refresh token, mode 0600', async () => {
    const cfg = fx.config({}, 'oauth2');
    const before = JSON.parse(readFileSync(cfg, 'utf8')) as { credentials: { refresh_token: string } };
    const r = await runCli(['--config', cfg, '--catalog', select(['stage'])]);
    expect(r.code).toBe(0);
    const after = JSON.parse(readFileSync(cfg, 'utf8')) as { credentials: { refresh_token: string; access_token: string } };
    expect(after.credentials.refresh_token).not.toBe(before.credentials.refresh_token);
    expect(fx.sandbox.liveRefreshTokens()).toContain(after.credentials.refresh_token);
    const { statSync } = await import('node:fs');
    expect(statSync(cfg).mode & 0o777).toBe(0o600);
    expect(r.stdout).not.toContain(after.credentials.refresh_token);
    expect(r.stderr).not.toContain(after.credentials.access_token);
  });

  it('takes the last STATE line of a run, as it is, as the next --state', async () => {
    const cat = select(['contact']);
    const first = await runCli(['--config', fx.config(), '--catalog', cat]);
    const lastLine = first.stdout.trim().split('\n').filter((l) => l.startsWith('{"type":"STATE"')).pop() as string;
    const second = await runCli(['--config', fx.config(), '--catalog', cat, '--state', fx.write('last-line.json', lastLine)]);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('"type":"RECORD"');
  });

  it('rewrites only the credentials file, with only its own keys, when several --config files are merged', async () => {
    const creds = fx.config({}, 'oauth2');
    const extra = fx.write('extra.json', { page_size: 123, lookback_seconds: 5 });
    const r = await runCli(['--config', creds, '--config', extra, '--catalog', select(['stage'])]);
    expect(r.code).toBe(0);
    const rewritten = JSON.parse(readFileSync(creds, 'utf8')) as Record<string, unknown>;
    expect(rewritten).not.toHaveProperty('page_size');
    expect(rewritten).not.toHaveProperty('lookback_seconds');
    expect(JSON.parse(readFileSync(extra, 'utf8'))).toEqual({ page_size: 123, lookback_seconds: 5 });
  });
});

describe('the Singer dialect, through REST v2', () => {
  let restCatalog: { streams: Record<string, unknown>[] };
  beforeAll(async () => {
    const r = await runCli(['--config', fx.config({ api: 'rest' }), '--discover']);
    expect(r.code, r.stderr).toBe(0);
    restCatalog = JSON.parse(r.stdout) as typeof restCatalog;
  });

  it('syncs resource streams into a strict target, field selection applied, and resumes from its state', async () => {
    const streams = restCatalog.streams
      .filter((s) => ['contacts', 'tag_contacts', 'opportunity_stages'].includes(s['tap_stream_id'] as string))
      .map((s) => ({
        ...s,
        metadata: (s['metadata'] as { breadcrumb: string[]; metadata: Record<string, unknown> }[]).map((m) =>
          m.breadcrumb.length === 0
            ? { ...m, metadata: { ...m.metadata, selected: true } }
            : s['tap_stream_id'] === 'contacts' && m.breadcrumb[1] === 'phone_numbers'
              ? { ...m, metadata: { ...m.metadata, selected: false } }
              : m,
        ),
      }));
    const cat = fx.write('singer-rest-catalog.json', { streams });
    const config = fx.config({ api: 'rest' });
    const first = await runCli(['--config', config, '--catalog', cat]);
    expect(first.code, first.stderr).toBe(0);
    const t1 = target(first.stdout);
    expect(t1.counts['contacts']).toBe(fx.sandbox.data.table('Contact').count());
    expect(t1.counts['tag_contacts']).toBe(fx.sandbox.data.table('ContactGroupAssign').count());
    expect(t1.counts['opportunity_stages']).toBe(fx.sandbox.data.table('Stage').count());
    const rec = JSON.parse(first.stdout.split('\n').find((l) => l.includes('"type":"RECORD","stream":"contacts"')) as string) as { record: Record<string, unknown> };
    expect(rec.record).not.toHaveProperty('phone_numbers');
    expect(rec.record).toHaveProperty('id');
    fx.sandbox.data.table('Contact').update(4, { LastName: 'Singer' });
    const second = await runCli(['--config', config, '--catalog', cat, '--state', fx.write('singer-rest-state.json', t1.state)]);
    expect(second.code, second.stderr).toBe(0);
    const t2 = target(second.stdout);
    expect(t2.counts['contacts']).toBe(1);
    expect(t2.counts['opportunity_stages']).toBe(fx.sandbox.data.table('Stage').count());
  });
});
