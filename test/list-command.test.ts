import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, type Command } from '../src/protocol/args.js';
import { runList } from '../src/protocol/list-command.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { recordSecrets } from './helpers/audit.js';
import { scratch } from './helpers/cli.js';
import { capture, sandboxConfig } from './helpers/report-harness.js';

let sb: Sandbox;
let configPath: string;

beforeAll(async () => {
  sb = await startSandbox({ seed: 3, contacts: 50, quotas: { perSecond: 100_000, perMinute: 1_000_000, perDay: 10_000_000 } });
  recordSecrets(sb.credentials.api_key);
  configPath = scratch({ 'config.json': sandboxConfig(sb, []) }).path('config.json');
});

afterAll(async () => {
  await sb?.close();
});

/** Runs `tap-infusionsoft list ...` in this process; stdout as text. */
async function list(...args: string[]): Promise<string> {
  const command = parseArgs(['list', ...args, '--config', configPath]) as Extract<Command, { kind: 'list' }>;
  const r = await capture(`list ${args.join(' ')}`, (s) => runList(s, command));
  expect(r.code).toBe(0);
  return r.text;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('tap-infusionsoft list', () => {
  it('lists affiliates with what a report entry needs, as an aligned table', async () => {
    const text = await list('affiliates');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Id\s+AffCode\s+AffName\s+ContactId\s+Status$/);
    expect(lines).toHaveLength(1 + 20);
    // Aligned: every column starts at the same offset on every line.
    const at = (line: string): number => line.indexOf(String(sb.data.table('Affiliate').value(1, 'AffCode')));
    expect(at(lines[1] as string)).toBe((lines[0] as string).indexOf('AffCode'));
  });

  it('lists affiliates as JSON lines with --json', async () => {
    const rows = jsonLines(await list('affiliates', '--json'));
    expect(rows[0]).toEqual({
      Id: 1,
      AffCode: sb.data.table('Affiliate').value(1, 'AffCode'),
      AffName: sb.data.table('Affiliate').value(1, 'AffName'),
      ContactId: sb.data.table('Affiliate').value(1, 'ContactId'),
      Status: sb.data.table('Affiliate').value(1, 'Status'),
    });
  });

  it('lists programs, tags and web forms', async () => {
    expect(jsonLines(await list('programs', '--json')).map((r) => Object.keys(r))).toContainEqual(['Id', 'Name', 'Priority']);
    const tags = jsonLines(await list('tags', '--json'));
    expect(tags[1]).toEqual({ Id: 2, GroupName: sb.data.table('ContactGroup').value(2, 'GroupName'), GroupCategoryId: sb.data.table('ContactGroup').value(2, 'GroupCategoryId') });
    expect(jsonLines(await list('webforms', '--json'))).toContainEqual({ id: '12', name: 'Affiliate Application' });
  });

  it('lists saved searches with the owner to run each as', async () => {
    const rows = jsonLines(await list('saved-searches', '--json'));
    const two = rows.find((r) => r['Id'] === 2);
    expect(two).toEqual({ Id: 2, FilterName: 'Hot Leads', Owner: 1, UserId: '1,3', ReportStoredName: 'ContactReport' });
  });

  it('lists shipping options with id, name and type', async () => {
    expect(jsonLines(await list('shipping-options', '--json'))[0]).toEqual({ id: 1, name: 'Standard flat rate', type: 'Flat' });
  });

  it('lists the 60 tables with their stream names and cursors without calling Keap', async () => {
    const rows = jsonLines(await list('tables', '--json'));
    expect(rows).toHaveLength(60);
    expect(rows).toContainEqual({ table: 'ContactGroupAssign', stream: 'contact_group_assign', cursor: 'DateCreated' });
  });

  it("lists a table's fields with their types, custom fields included", async () => {
    const rows = jsonLines(await list('fields', 'Contact', '--json'));
    expect(rows).toContainEqual({ field: 'LastUpdated', type: 'DateTime', custom: false, label: null });
    expect(rows.filter((r) => r['custom'] === true).length).toBeGreaterThan(0);
    for (const r of rows.filter((x) => x['custom'] === true)) expect(String(r['field']).startsWith('_')).toBe(true);
    const text = await list('fields', 'contact');
    expect(text.split('\n')[0]).toMatch(/^field\s+type\s+custom\s+label$/);
  });

  it('says what went wrong for an unknown listing or table', async () => {
    const bad = (args: string[]) => async () => {
      const command = parseArgs(['list', ...args, '--config', configPath]) as Extract<Command, { kind: 'list' }>;
      await capture('list (bad)', (s) => runList(s, command));
    };
    await expect(bad(['affilates'])()).rejects.toThrow("arguments error: cannot list 'affilates'; did you mean 'affiliates'?");
    await expect(bad(['fields', 'Contacts'])()).rejects.toThrow("arguments error: unknown table 'Contacts'; did you mean 'Contact'?");
    await expect(bad(['fields'])()).rejects.toThrow('list fields needs a table name');
  });
});
