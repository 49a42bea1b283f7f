import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSandboxTables, SANDBOX_TABLES_PATH } from '../scripts/generate-sandbox-tables.js';
import { SandboxData } from '../src/sandbox/data.js';
import { RowRenderer } from '../src/sandbox/render.js';
import { TABLE_DEFS } from '../src/sandbox/table-defs.js';
import { WallClock } from '../src/sandbox/wall-clock.js';
import { kindOf } from '../src/streams/record-shaper.js';
import { tableStreams } from '../src/streams/table-registry.js';
import { parseXmlRpc } from '../src/xmlrpc/parse.js';
import { reference } from './helpers/reference.js';

const data = new SandboxData({ seed: 3, contacts: 400 });
const columns = (table: string): Map<string, string> => new Map(TABLE_DEFS[table]?.columns ?? []);

describe("the sandbox's own table definitions", () => {
  it('are exactly what the generator makes from the table definitions and the evidence (run: node dist/scripts/generate-sandbox-tables.js)', () => {
    expect(readFileSync(SANDBOX_TABLES_PATH, 'utf8')).toBe(generateSandboxTables(reference('keap-tables-detailed.json')));
  });

  it("never come from the connector's registry: nothing in src/sandbox imports src/streams", () => {
    for (const file of readdirSync('src/sandbox', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
      expect(readFileSync(`src/sandbox/${file}`, 'utf8'), file).not.toMatch(/from '(\.\.\/)+streams\//);
    }
  });

  it('follow the evidence on keys: Campaignee has no Id, RecurringOrderWithContact.Id is the contact and RecurringOrderId the row', () => {
    expect(columns('Campaignee').has('Id')).toBe(false);
    expect(TABLE_DEFS['Campaignee']?.key).toEqual(['CampaignId', 'ContactId']);
    expect(TABLE_DEFS['RecurringOrderWithContact']?.rowKey).toBe('RecurringOrderId');
    const view = data.table('RecurringOrderWithContact');
    const orders = data.table('RecurringOrder');
    for (const r of [1, 2, 7, 14]) {
      expect(view.value(r, 'RecurringOrderId')).toBe(r);
      expect(view.value(r, 'Id')).toBe(orders.value(r, 'ContactId'));
    }
    // Subscription 7 belongs to the contact of subscription 6: two rows share an Id.
    expect(view.value(7, 'Id')).toBe(view.value(6, 'Id'));
  });

  it('give each contact in Campaignee distinct campaigns, so no two rows share CampaignId and ContactId', () => {
    const pairs = data.table('Campaignee').all().map((r) => `${String(r['CampaignId'])}:${String(r['ContactId'])}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs.length).toBeGreaterThan(new Set(data.table('Campaignee').all().map((r) => r['ContactId'])).size);
  });

  it("follow the evidence on types, fields and InvoicePayment's missing LastUpdated", () => {
    expect(columns('LeadSourceExpense').get('Amount')).toBe('double');
    expect(columns('LeadSourceRecurringExpense').get('Amount')).toBe('double');
    expect(columns('ProductOptValue').get('PriceAdjustment')).toBe('double');
    expect(columns('Ticket').get('Ordering')).toBe('double');
    expect(columns('CCharge').get('PaymentId')).toBe('int');
    expect(columns('CCharge').get('MerchantId')).toBe('int');
    expect(columns('Product').get('LargeImage')).toBe('blob');
    expect(columns('ProductCategory').get('CategoryImage')).toBe('blob');
    expect(columns('CProgram').get('LargeImage')).toBe('blob');
    expect(columns('InvoicePayment').has('LastUpdated')).toBe(false);
    const legacy = [...columns('ContactGroupAssign').keys()].filter((c) => /^Contact\.(Custom(Date|Dbl|Field)\d+|HTMLSignature|Signature)$/.test(c));
    expect(legacy).toHaveLength(22);
    expect(columns('ContactGroupAssign').get('Contact.CustomDate1')).toBe('date');
    expect(columns('ContactGroupAssign').get('Contact.CustomDbl5')).toBe('double');
  });

  it('send a Long past 32 bits (a file over 2 GB) as <i8>, which reads back exact', () => {
    const own = new SandboxData({ seed: 3, contacts: 10 });
    const files = own.table('FileBox');
    files.update(1, { FileSize: 3_000_000_000 });
    const body = new RowRenderer(files, ['Id', 'FileSize'], own.wall).rows([1]).xml;
    expect(body.toString()).toContain('<i8>3000000000</i8>');
    const parsed = parseXmlRpc(body);
    const rows = parsed.kind === 'response' ? (parsed.params[0] as Record<string, unknown>[]) : [];
    expect(Number(rows[0]?.['FileSize'])).toBe(3_000_000_000);
  });

  it('keep date-only columns at midnight on the app clock', () => {
    const wall = new WallClock('America/New_York');
    let checked = 0;
    for (const [table, field] of [['Job', 'DueDate'], ['Payment', 'PayDate'], ['RecurringOrder', 'NextBillDate'], ['Ticket', 'CloseDate']] as const) {
      for (let id = 1; id <= 20; id++) {
        const v = data.table(table).value(id, field);
        if (typeof v !== 'number') continue;
        expect(wall.formatCompact(v), `${table}.${field} ${id}`).toMatch(/T00:00:00$/);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("agree with the connector's table schemas field for field and kind for kind, except where the sandbox models missing evidence", () => {
    const kinds: Record<string, string> = { int: 'integer', double: 'number', bool: 'boolean', date: 'date-time', blob: 'base64', string: 'string' };
    const known = new Set(['InvoicePayment.LastUpdated']);
    const differences: string[] = [];
    for (const stream of tableStreams()) {
      const sandbox = columns(stream.table);
      const props = stream.schema.properties ?? {};
      for (const [field, schema] of Object.entries(props)) {
        const kind = sandbox.get(field);
        if (kind === undefined || kinds[kind] !== kindOf(schema)) differences.push(`${stream.table}.${field}`);
      }
      for (const field of sandbox.keys()) if (!(field in props)) differences.push(`${stream.table}.${field}`);
    }
    expect(differences.filter((d) => !known.has(d))).toEqual([]);
    expect(differences).toContain('InvoicePayment.LastUpdated');
  });
});
