import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { recordSecrets } from './audit.js';
import { scratch } from './cli.js';

export interface SandboxFixture {
  sandbox: Sandbox;
  /** Writes a config for this sandbox (API key unless oauth) and returns its path. */
  config(extra?: Record<string, unknown>, auth?: 'api_key' | 'oauth2'): string;
  write(name: string, value: unknown): string;
  dir: string;
  close(): Promise<void>;
}

/**
 * Quotas high enough that tests measure behaviour, not Keap's 10 requests a second; tests of the
 * limiter set their own.
 */
export const TEST_QUOTAS = { perSecond: 100_000, perMinute: 1_000_000, perDay: 10_000_000 };

/** The sandbox's REST v2 base URL (beside its XML-RPC endpoint on the same port). */
export function restUrlOf(sandbox: Sandbox): string {
  return (sandbox as { restUrl?: string }).restUrl ?? sandbox.apiUrl.replace('/crm/xmlrpc/v1', '/crm/rest/v2');
}

/** A sandbox on an ephemeral loopback port plus a scratch directory for configs, catalogs and states. */
export async function withSandbox(options: SandboxOptions = {}): Promise<SandboxFixture> {
  const sandbox = await startSandbox({ port: 0, quotas: { apiKey: TEST_QUOTAS, oauth: TEST_QUOTAS }, ...options });
  const c = sandbox.credentials;
  recordSecrets(c.api_key, c.client_secret, c.refresh_token);
  const s = scratch();
  return {
    sandbox,
    dir: s.dir,
    write: s.write,
    config(extra = {}, auth = 'api_key') {
      const credentials =
        auth === 'api_key'
          ? { auth_type: 'api_key', api_key: c.api_key }
          : { auth_type: 'oauth2', client_id: c.client_id, client_secret: c.client_secret, refresh_token: sandbox.liveRefreshTokens()[0] ?? c.refresh_token };
      // Keap's API-key default is 10 requests a second; tests of behaviour should not wait on it.
      const rates = { requests_per_second: 5_000, requests_per_minute: 1_000_000 };
      // XML-RPC unless the test asks for REST (`{ api: 'rest' }`): the sandbox serves both over one world of data.
      return s.write(`config-${auth}.json`, { credentials, api: 'xmlrpc', api_url: sandbox.apiUrl, rest_url: restUrlOf(sandbox), token_url: sandbox.tokenUrl, ...rates, ...extra });
    },
    async close() {
      // Tokens the sandbox issued during the test are secrets too: the audit looks for them.
      recordSecrets(...sandbox.liveRefreshTokens());
      await sandbox.close();
    },
  };
}

/** An Airbyte configured catalog from a CATALOG message, selecting `names` (all when omitted). */
export function configuredCatalog(
  catalogMessage: Record<string, unknown> | undefined,
  names?: string[],
  mode: 'incremental' | 'full_refresh' | 'best' = 'best',
): { streams: unknown[] } {
  const streams = ((catalogMessage?.['catalog'] as { streams: Record<string, unknown>[] } | undefined)?.streams ?? []).filter(
    (s) => !names || names.includes(s['name'] as string),
  );
  return {
    streams: streams.map((s) => {
      const modes = s['supported_sync_modes'] as string[];
      const sync = mode === 'best' ? (modes.includes('incremental') ? 'incremental' : 'full_refresh') : mode;
      return { stream: s, sync_mode: sync, destination_sync_mode: sync === 'incremental' ? 'append_dedup' : 'overwrite', ...(s['default_cursor_field'] ? { cursor_field: s['default_cursor_field'] } : {}) };
    }),
  };
}
