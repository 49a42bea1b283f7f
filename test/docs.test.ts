import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { MAX_BODY_BYTES } from '../src/http/limits.js';
import { classify, ERROR_TABLE, KeapError } from '../src/keap/errors.js';
import { packageRoot } from '../src/package-root.js';
import { configFromEnv, validateConfig } from '../src/protocol/config.js';
import { loadSpec } from '../src/protocol/spec-command.js';
import { REPORTS } from '../src/streams/report-registry.js';
import { tableStreams } from '../src/streams/table-registry.js';
import { fakeClient, type Answer } from './helpers/fake-transport.js';
import { applySections, exampleCall, exampleEntry, meltanoSettings, renderSections, ruleMessage } from '../scripts/generate-docs.js';

const root = packageRoot();
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

interface MeltanoYaml {
  plugins: {
    extractors: {
      name: string;
      namespace: string;
      executable: string;
      capabilities: string[];
      settings_group_validation: string[][];
      settings: { name: string; kind?: string; sensitive?: boolean; value?: unknown; options?: { value: string }[] }[];
    }[];
  };
}

function meltanoBlock(): MeltanoYaml {
  const m = /<!-- BEGIN meltano-plugin -->[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme);
  if (!m?.[1]) throw new Error('README.md has no meltano.yml block');
  return parseYaml(m[1]) as MeltanoYaml;
}

/** The environment variable Meltano derives from a setting name (and --config ENV reads). */
const envName = (setting: string): string => `TAP_INFUSIONSOFT_${setting.replace(/\./g, '_').toUpperCase()}`;

describe('README.md', () => {
  it('starts with the two commands', () => {
    expect(readme.split('\n').slice(0, 6).join('\n')).toBe(
      [
        '# tap-infusionsoft',
        '',
        '```sh',
        'npm install && npm start   # install, then sync a whole Keap account from the embedded sandbox',
        'npm test                   # the test suite',
        '```',
      ].join('\n'),
    );
  });

  it('has every generated section as scripts/generate-docs.ts writes it (run node dist/scripts/generate-docs.js)', () => {
    const sections = renderSections();
    expect([...sections.keys()]).toEqual(['cli-usage', 'config-reference', 'resources', 'tables', 'reports-reference', 'migration-guide', 'rate-limits', 'errors-reference', 'meltano-plugin', 'sandbox-flags']);
    expect(applySections(readme, sections)).toBe(readme);
  });

  it('documents every setting of spec.json, every table, every report and every error rule', () => {
    const spec = loadSpec().connectionSpecification as { properties: Record<string, { properties?: Record<string, unknown> }> };
    const section = (name: string): string => {
      const m = new RegExp(`<!-- BEGIN ${name} -->([\\s\\S]*?)<!-- END ${name} -->`).exec(readme);
      return m?.[1] ?? '';
    };
    const config = section('config-reference');
    for (const key of Object.keys(spec.properties)) if (key !== 'credentials') expect(config).toContain(`\`${key}\``);
    for (const key of Object.keys(spec.properties['retry']?.properties ?? {})) expect(config).toContain(`\`retry.${key}\``);
    for (const key of ['auth_type', 'api_key', 'client_id', 'client_secret', 'refresh_token', 'access_token', 'token_expiry']) {
      expect(config).toContain(`\`credentials.${key}\``);
    }
    const tables = section('tables');
    for (const t of tableStreams()) expect(tables).toContain(`\`${t.stream}\``);
    const reports = section('reports-reference');
    expect(REPORTS).toHaveLength(39);
    for (const r of REPORTS) {
      expect(reports).toContain(`#### \`${r.id}\``);
      expect(reports).toContain(`\`${r.method}\``);
    }
    const errors = section('errors-reference');
    for (const rule of ERROR_TABLE) expect(errors).toContain(`\`${rule.name}\``);
    for (const kind of ['config error:', 'catalog error:', 'state error:', 'arguments error:']) expect(errors).toContain(kind);
  });

  it('quotes, for each error rule, the very message the client throws when Keap sends its example signal', async () => {
    const errors = /<!-- BEGIN errors-reference -->([\s\S]*?)<!-- END errors-reference -->/.exec(readme)?.[1] ?? '';
    for (const rule of ERROR_TABLE) {
      // The first rule that matches the example is this one: the table's order does not hide it.
      expect(classify(rule.example, exampleCall(rule), rule.api ?? 'xmlrpc').rule, rule.name).toBe(rule.name);
      // Keap sends the example on every try (more often than any schedule retries).
      const s = rule.example;
      const answer: Answer =
        s.kind === 'fault' ? { fault: s.code, text: s.text } : s.kind === 'http' ? { http: s.status, body: s.body } : s.kind === 'network' ? { network: s.code, message: s.message } : { parse: s.reason, message: s.message };
      const { client } = fakeClient(Array.from({ length: 20 }, () => answer));
      const asked = rule.api === 'rest' ? client.rest({ path: '/contacts', what: exampleCall(rule) }) : client.call('DataService.query', [], { what: exampleCall(rule) });
      const thrown = await asked.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(thrown, rule.name).toBeInstanceOf(KeapError);
      const message = (thrown as KeapError).message;
      expect(message, rule.name).toBe(ruleMessage(rule));
      const row = errors.split('\n').find((l) => l.startsWith(`| \`${rule.name}\` |`)) ?? '';
      expect(row, rule.name).toContain(`\`${message.replace(/\|/g, '\\|').replace(/`/g, "'")}\``);
    }
  });

  it('states the body cap the connector enforces, in the error table and the README', () => {
    const cause = ERROR_TABLE.find((r) => r.name === 'refused-body')?.doc.cause ?? '';
    const mb = `${MAX_BODY_BYTES / 1024 / 1024} MB`;
    expect(cause).toContain(`larger than ${mb}`);
    expect(readme).toContain(`| \`refused-body\` | ${cause} |`);
  });

  it('shows an example entry for each report that is a valid config', () => {
    for (const r of REPORTS) {
      const example = exampleEntry(r);
      expect(() => validateConfig({ credentials: { auth_type: 'api_key', api_key: 'KeapAK-x' }, reports: [example] })).not.toThrow();
      expect(readme).toContain(JSON.stringify(example));
    }
  });

  it('links only to headings that exist', () => {
    const anchors = new Set<string>();
    for (const line of readme.split('\n')) {
      const h = /^#{1,6} (.*)$/.exec(line);
      if (!h?.[1]) continue;
      anchors.add(
        h[1]
          .toLowerCase()
          .replace(/[^\p{L}\p{N}\s_-]/gu, '')
          .replace(/\s/g, '-'),
      );
    }
    const links = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1] as string);
    expect(links.length).toBeGreaterThan(50);
    expect(links.filter((l) => !anchors.has(l))).toEqual([]);
  });
});

describe('the Meltano plugin definition in the README', () => {
  const plugin = meltanoBlock().plugins.extractors[0];

  it('names the executable, namespace and the capabilities the tap implements', () => {
    expect(plugin?.name).toBe('tap-infusionsoft');
    expect(plugin?.namespace).toBe('tap_infusionsoft');
    const bin = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;
    expect(Object.keys(bin)).toContain(plugin?.executable);
    expect(plugin?.capabilities).toEqual(['about', 'catalog', 'discover', 'state']);
  });

  it('declares one setting per spec.json setting, with kinds and secrets marked sensitive', () => {
    const settings = plugin?.settings ?? [];
    expect(settings.map((s) => s.name)).toEqual(meltanoSettings().map((s) => s.name));
    const byName = new Map(settings.map((s) => [s.name, s]));
    for (const secret of ['credentials.api_key', 'credentials.client_secret', 'credentials.refresh_token', 'credentials.access_token']) {
      expect(byName.get(secret)?.sensitive).toBe(true);
    }
    expect(byName.get('credentials.client_id')?.sensitive).toBeUndefined();
    expect(byName.get('credentials.auth_type')?.kind).toBe('options');
    expect(byName.get('credentials.auth_type')?.options?.map((o) => o.value).sort()).toEqual(['api_key', 'oauth2']);
    expect(byName.get('start_date')?.kind).toBe('date_iso8601');
    expect(byName.get('tables')?.kind).toBe('array');
    expect(byName.get('reports')?.kind).toBe('array');
    expect(byName.get('page_size')?.kind).toBe('integer');
    expect(byName.get('retry')?.kind).toBe('object');
    // Meltano expects METRIC lines; everyone else gets them only when asked.
    expect(byName.get('metrics')).toMatchObject({ kind: 'boolean', value: true });
  });

  it('validates each auth method by a group of settings that makes a valid config, read the way the CLI reads them', () => {
    const groups = plugin?.settings_group_validation ?? [];
    expect(groups).toHaveLength(2);
    const samples: Record<string, string> = {
      'credentials.api_key': 'KeapAK-example',
      'credentials.client_id': 'client',
      'credentials.client_secret': 'secret',
      'credentials.refresh_token': 'refresh',
    };
    for (const group of groups) {
      const oauth = group.includes('credentials.client_id');
      // As Meltano passes them: nested objects in the config file...
      const nested: Record<string, Record<string, string>> = { credentials: {} };
      // ...and as environment variables, which `--config ENV` reads.
      const env: Record<string, string> = {};
      for (const name of group) {
        const value = name === 'credentials.auth_type' ? (oauth ? 'oauth2' : 'api_key') : (samples[name] ?? 'x');
        (nested['credentials'] as Record<string, string>)[name.split('.')[1] as string] = value;
        env[envName(name)] = value;
      }
      expect(() => validateConfig(nested)).not.toThrow();
      const fromEnv = configFromEnv(env);
      expect(fromEnv).toEqual(nested);
      expect(() => validateConfig(fromEnv)).not.toThrow();
    }
  });

  it('uses environment variable names that --config ENV maps back to the setting', () => {
    const env: Record<string, string> = {
      [envName('start_date')]: '2024-01-01T00:00:00Z',
      [envName('tables')]: '["Contact","Invoice"]',
      [envName('page_size')]: '500',
      [envName('app_timezone')]: 'America/Chicago',
      [envName('reports')]: '[{"report":"webforms"}]',
      [envName('credentials.api_key')]: 'KeapAK-example',
    };
    expect(configFromEnv(env)).toEqual({
      start_date: '2024-01-01T00:00:00Z',
      tables: ['Contact', 'Invoice'],
      page_size: 500,
      app_timezone: 'America/Chicago',
      reports: [{ report: 'webforms' }],
      credentials: { api_key: 'KeapAK-example', auth_type: 'api_key' },
    });
  });
});

describe('CHANGELOG.md', () => {
  it('has an entry for the package version', () => {
    const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toContain(`## ${pkg.version}`);
  });
});
