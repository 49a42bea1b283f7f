import { afterEach, describe, expect, it } from 'vitest';
import { airbyteStreams } from '../src/protocol/catalog-output.js';
import { tableStreamDefs } from '../src/streams/table-streams.js';
import { runCli } from './helpers/cli.js';
import { fakeKeap, firstPage, member, messagesOf, rowsXml, send, xmlrpcAnswer, type FakeKeap } from './helpers/fake-keap.js';
import { configuredCatalog } from './helpers/sandbox.js';

/**
 * Issue 12, defect 13: the portal passwords Keap lets the API read stay out of schemas and records
 * unless the config opts in, and Singer metadata never selects them by default.
 */

let fake: FakeKeap | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

type Msg = Record<string, unknown>;
type Stream = { name?: string; tap_stream_id?: string; json_schema?: { properties: Record<string, unknown> }; schema?: { properties: Record<string, unknown> }; metadata?: { breadcrumb: string[]; metadata: Record<string, unknown> }[] };

const CONTACT_ROW = rowsXml(member('Id', '<i4>3</i4>') + member('FirstName', 'Ada') + member('Password', 'hunter2-portal'));
const TABLES = ['Contact', 'Company', 'Affiliate'];

function airbyteCatalog(ms: Msg[]): Stream[] {
  return ((messagesOf(ms, 'CATALOG')[0]?.['catalog'] as { streams: Stream[] } | undefined)?.streams ?? []);
}

describe('password fields (defect 13)', () => {
  it('are not in discovered schemas unless include_password_fields is set, and then Singer does not select them by default', async () => {
    fake = await fakeKeap({});
    const plain = airbyteCatalog((await runCli(['discover', '--config', fake.config({ tables: TABLES })])).messages);
    expect(plain.map((s) => s.name)).toEqual(['affiliate', 'company', 'contact']);
    for (const s of plain) {
      expect(Object.keys(s.json_schema?.properties ?? {})).not.toContain('Password');
      expect(Object.keys(s.json_schema?.properties ?? {})).toContain('Id');
    }
    const opted = airbyteCatalog((await runCli(['discover', '--config', fake.config({ tables: TABLES, include_password_fields: true })])).messages);
    for (const s of opted) expect(Object.keys(s.json_schema?.properties ?? {})).toContain('Password');

    const singer = JSON.parse((await runCli(['--config', fake.config({ tables: TABLES, include_password_fields: true }), '--discover'])).stdout) as { streams: Stream[] };
    for (const s of singer.streams) {
      const meta = (field: string): Record<string, unknown> | undefined => s.metadata?.find((m) => m.breadcrumb[1] === field)?.metadata;
      expect(meta('Password')).toEqual({ inclusion: 'available', 'selected-by-default': false });
      expect(meta('Id')?.['selected-by-default']).toBe(true);
    }
  });

  it('are never emitted, or even asked for, when an older catalog lists them, unless the config opts in', async () => {
    fake = await fakeKeap({ xmlrpc: firstPage(CONTACT_ROW) });
    // A catalog with every Contact column, Password included, as discover wrote it before.
    const streams = airbyteStreams(tableStreamDefs(['Contact']));
    const catalog = fake.write('old-catalog.json', configuredCatalog({ catalog: { streams } }, undefined, 'full_refresh'));
    const r = await runCli(['read', '--config', fake.config(), '--catalog', catalog]);
    expect(r.code).toBe(0);
    const [rec] = messagesOf(r.messages, 'RECORD').map((m) => (m['record'] as { data: Record<string, unknown> }).data);
    expect(rec).toMatchObject({ Id: 3, FirstName: 'Ada' });
    expect(rec).not.toHaveProperty('Password');
    expect(r.stdout).not.toContain('hunter2');
    const asked = fake.calls('DataService.query').map((q) => q.params?.[5] as string[]);
    expect(asked.flat()).not.toContain('Password');

    const opted = await runCli(['read', '--config', fake.config({ include_password_fields: true }), '--catalog', catalog]);
    expect(messagesOf(opted.messages, 'RECORD').map((m) => (m['record'] as { data: Record<string, unknown> }).data['Password'])).toEqual(['hunter2-portal']);
  });

  it('are left out of report streams too, even when the report asks for them by name', async () => {
    // data_query pages by offset: every page of Contact is the one row (a short page ends it).
    fake = await fakeKeap({
      xmlrpc: (req, res) => {
        if (req.method === 'DataService.count' || req.params?.[1] !== 'Contact') return xmlrpcAnswer(res, req.method === 'DataService.count' ? 1 : []);
        send(res, 200, { 'Content-Type': 'text/xml' }, `<?xml version="1.0"?><methodResponse><params><param>${CONTACT_ROW}</param></params></methodResponse>`);
      },
    });
    const config = fake.config({ tables: ['Stage'], reports: [{ report: 'data_query', stream: 'people', table: 'Contact', fields: ['Id', 'FirstName', 'Password'] }] });
    const d = await runCli(['discover', '--config', config]);
    const people = airbyteCatalog(d.messages).find((s) => s.name === 'people');
    expect(Object.keys(people?.json_schema?.properties ?? {})).not.toContain('Password');
    const catalog = fake.write('people.json', configuredCatalog(messagesOf(d.messages, 'CATALOG')[0], ['people'], 'full_refresh'));
    const r = await runCli(['read', '--config', config, '--catalog', catalog]);
    expect(r.code).toBe(0);
    expect(messagesOf(r.messages, 'RECORD').length).toBeGreaterThan(0);
    expect(r.stdout).not.toContain('hunter2');
  });
});
