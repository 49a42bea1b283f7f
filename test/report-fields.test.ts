import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { errors, harness, records, sandboxConfig, type Message } from './helpers/report-harness.js';
import { TEST_QUOTAS } from './helpers/sandbox.js';

/**
 * Report fields as the public evidence has them (keap-evidence.md §1): commissions carry
 * AffiliateId, running totals Payments; a file may come as base64 text; reports over a table type
 * its custom fields as the table stream does; saved-search rows carry every column of the search,
 * by the names getAllReportColumns gives, null where Keap left one out.
 */
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: 4, contacts: 150, quotas: { apiKey: TEST_QUOTAS, oauth: TEST_QUOTAS } });
});
afterAll(() => sb.close());

async function read(reports: Record<string, unknown>[], stream: string): Promise<{ rows: Record<string, unknown>[]; schema: Record<string, { type?: unknown; format?: string }> }> {
  const h = harness(sandboxConfig(sb, reports));
  const catalog = await h.discover();
  const r = await h.read([stream]);
  expect(errors(r.messages)).toEqual([]);
  const s = catalog.find((x) => x['name'] === stream) as Message & { json_schema: { properties: Record<string, { type?: unknown; format?: string }> } };
  return { rows: records(r.messages, stream), schema: s.json_schema.properties };
}

describe('report fields', () => {
  it('carry AffiliateId in commission rows and Payments in running totals', async () => {
    const commissions = await read([{ report: 'affiliate_commissions', dates: { duration: 'days_back', days_back: 5000 } }], 'affiliate_commissions');
    expect(commissions.schema['AffiliateId']?.type).toEqual(['null', 'integer']);
    expect(commissions.rows.length).toBeGreaterThan(0);
    for (const r of commissions.rows) expect(r['AffiliateId']).toBe(r['affiliate_id']);
    const totals = await read([{ report: 'affiliate_running_totals', affiliate_ids: [1, 2, 3] }], 'affiliate_running_totals');
    expect(totals.schema['Payments']?.type).toEqual(['null', 'number']);
    for (const r of totals.rows) {
      expect(typeof r['Payments']).toBe('number');
      expect(r['RunningBalance']).toBeCloseTo((r['AmountEarned'] as number) - (r['Clawbacks'] as number) - (r['Payments'] as number), 2);
    }
  });

  it('take a file sent as base64 text (wrapped in lines) as well as <base64>, as the same bytes', async () => {
    for (const id of [1, 2]) {
      const { rows } = await read([{ report: 'file', file_id: id }], 'file');
      const data = rows[0]?.['data'];
      expect(data, `file ${id}`).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(Buffer.from(data as string, 'base64').equals(sb.data.fileContent(id) as Buffer), `file ${id}`).toBe(true);
    }
  });

  it("type a table's custom fields as its table stream does, in data_query, data_record_by_id and contacts_by_id", async () => {
    const fields = ['Id', '_Score', '_VIP', '_Renewal', '_Budget', '_Color'];
    const want = { _Score: 'number', _VIP: 'boolean', _Renewal: 'string', _Budget: 'number', _Color: 'string' };
    for (const [entry, stream] of [
      [{ report: 'data_query', table: 'Contact', query: "'Id':'~<=~40'", fields }, 'data_query'],
      [{ report: 'data_record_by_id', table: 'Contact', record_id: 12, fields }, 'data_record_by_id'],
      [{ report: 'contacts_by_id', contact_id: 12, fields }, 'contacts_by_id'],
    ] as const) {
      const { rows, schema } = await read([entry], stream);
      expect(schema['_Score']?.type, stream).toEqual(['null', 'integer']);
      expect(schema['_VIP']?.type, stream).toEqual(['null', 'boolean']);
      expect(schema['_Renewal']?.format, stream).toBe('date-time');
      expect(schema['_Budget']?.type, stream).toEqual(['null', 'number']);
      expect(rows.length, stream).toBeGreaterThan(0);
      for (const [field, type] of Object.entries(want)) {
        const values = rows.map((r) => r[field]).filter((v) => v !== null);
        for (const v of values) expect(typeof v, `${stream}.${field} = ${JSON.stringify(v)}`).toBe(type);
      }
      for (const v of rows.map((r) => r['_Renewal']).filter((x) => x !== null)) expect(v).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      for (const v of rows.map((r) => r['_Score']).filter((x) => x !== null)) expect(Number.isInteger(v)).toBe(true);
    }
  });

  it('give saved-search rows every column of the search, odd names unchanged, null where Keap left one out', async () => {
    for (const entry of [
      { report: 'saved_search', saved_search_id: 1, user_id: 1 },
      { report: 'saved_search_fields', saved_search_id: 1, user_id: 1 },
    ]) {
      const { rows } = await read([entry], entry.report);
      const columns = ['Id', 'FirstName', 'LastName', 'Email', 'City', 'State', 'DateCreated', 'Follow-UpSequence'];
      expect(rows.length).toBe(150);
      for (const r of rows) for (const c of columns) expect(r, `${entry.report} ${String(r['Id'])}.${c}`).toHaveProperty([c]);
      const sequences = rows.map((r) => r['Follow-UpSequence']);
      expect(sequences.filter((v) => typeof v === 'string').length).toBeGreaterThan(0);
      expect(sequences.filter((v) => v === null).length).toBeGreaterThan(0);
      // Same width for every row: a CSV target takes its header from the first.
      expect(new Set(rows.map((r) => Object.keys(r).join(','))).size).toBe(1);
    }
  });
});

describe('a date-only field as a data_query cursor', () => {
  it('is compared with the whole day of the bookmark, so rows dated that day are not skipped', async () => {
    const payments = sb.data.table('Payment');
    // The latest pay date: a midnight on the app's clock (Keap's Date type).
    let latest = 0;
    for (let id = 1; id <= payments.count(); id++) latest = Math.max(latest, Number(payments.value(id, 'PayDate') ?? 0));
    const sameDay = [...payments.ids()].filter((id) => payments.value(id, 'PayDate') === latest);
    expect(sameDay.length).toBeGreaterThan(0);
    const h = harness(sandboxConfig(sb, [{ report: 'data_query', table: 'Payment', query: "'PayDate':'~>=~LastSuccessfulRun'", fields: ['Id', 'PayDate'] }]));
    // The last sync ran that afternoon: the bookmark is 15 hours after the day began.
    const bookmark = new Date(latest + 15 * 3_600_000).toISOString().replace('.000Z', 'Z');
    const r = await h.read(['data_query'], { mode: 'incremental', state: { data_query: { LastSuccessfulRun: bookmark } } });
    expect(errors(r.messages)).toEqual([]);
    expect(records(r.messages, 'data_query').map((x) => x['Id'])).toEqual(sameDay);
  });
});
