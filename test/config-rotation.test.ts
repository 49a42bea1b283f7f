import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { CLIENT, fakeKeap, type FakeKeap } from './helpers/fake-keap.js';

/**
 * Issue 12, defect 4: Keap rotates the refresh token on every refresh, and a Singer run hands the
 * new one back only by rewriting its config file. When that cannot be done the usual way (write
 * beside it, rename over it), the token must still not be lost silently.
 */

let fake: FakeKeap | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Root writes anywhere: these runs go as `nobody` then, so a read-only directory means what it says. */
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

function owned(path: string, mode: number): void {
  if (asUser) chownSync(path, asUser.uid, asUser.gid);
  chmodSync(path, mode);
}

const NEW_TOKEN = 'rotated-refresh-token-1-0123456789';

async function setup(): Promise<{ fake: FakeKeap; dir: string; config: string; catalog: string }> {
  fake = await fakeKeap({});
  // The catalog must be readable by the user the CLI runs as.
  const catalog = fake.catalog(['Stage']);
  chmodSync(fake.dir, 0o755);
  chmodSync(catalog, 0o644);
  const dir = mkdtempSync(join(tmpdir(), 'tap-infusionsoft-rotation-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ credentials: { auth_type: 'oauth2', ...CLIENT }, api: 'xmlrpc', api_url: fake.apiUrl, token_url: fake.tokenUrl }));
  return { fake, dir, config, catalog };
}

const singerRead = (config: string, catalog: string): ReturnType<typeof runCli> => runCli(['--config', config, '--catalog', catalog], { ...asUser });

describe('a Singer run whose config directory is not writable (defect 4)', () => {
  it('rewrites the config file in place when the file itself is writable', async () => {
    const { dir, config, catalog } = await setup();
    owned(config, 0o600);
    owned(dir, 0o555);
    const r = await singerRead(config, catalog);
    expect(r.stderr).not.toMatch(/could not rewrite/);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toMatchObject({ credentials: { refresh_token: NEW_TOKEN }, api_url: fake?.apiUrl });
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('exits non-zero when the file is read-only too, saying where the new token is and never printing it', async () => {
    const { dir, config, catalog } = await setup();
    owned(config, 0o400);
    owned(dir, 0o555);
    const r = await singerRead(config, catalog);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain(NEW_TOKEN);
    const where = /could not rewrite \S+config\.json with the rotated refresh token \(EACCES\); the new credentials are in (\S+) \(readable only by you\)/.exec(r.stderr)?.[1];
    expect(where).toBeDefined();
    expect(JSON.parse(readFileSync(where as string, 'utf8'))).toMatchObject({ credentials: { refresh_token: NEW_TOKEN } });
    expect(statSync(where as string).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(where as string)).mode & 0o777).toBe(0o700);
    rmSync(dirname(where as string), { recursive: true });
    // The records were read all the same; only the exit code says the next run would fail.
    expect(r.messages.some((m) => m['type'] === 'STATE')).toBe(true);
    expect(r.stderr.trimEnd().split('\n').pop()).toMatch(/^tap-infusionsoft: the rotated refresh token is not in .*config\.json: copy it from \S+ before the next run/);
  });
});

describe('a symlinked config', () => {
  it('is written through to its target, the link left as it was', async () => {
    const { dir, config, catalog } = await setup();
    const links = join(dir, 'links');
    mkdirSync(links);
    const link = join(links, 'tap.json');
    symlinkSync(config, link);
    for (const p of [dir, links, config]) owned(p, p === config ? 0o600 : 0o755);
    const r = await singerRead(link, catalog);
    expect(r.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toMatchObject({ credentials: { refresh_token: NEW_TOKEN } });
  });
});
