import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { errors, harness, records, sandboxConfig, type Harness, type Message } from './helpers/report-harness.js';
import { TEST_QUOTAS } from './helpers/sandbox.js';

/**
 * Keys as the public evidence has them (keap-evidence.md §2): RecurringOrderWithContact.Id is the
 * contact's id, so rows are keyed and paged on RecurringOrderId; Campaignee has no Id, so rows are
 * keyed on (CampaignId, ContactId) and paged on ContactId, which repeats. Small pages put key
 * boundaries inside runs of a repeated value.
 */
let sb: Sandbox;
let h: Harness;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: 5, contacts: 300, quotas: { apiKey: TEST_QUOTAS, oauth: TEST_QUOTAS } });
  h = harness(sandboxConfig(sb, [], { tables: ['RecurringOrderWithContact', 'Campaignee'], page_size: 7 }));
});
afterAll(() => sb.close());

function primaryKey(catalog: Message[], stream: string): string[] {
  const s = catalog.find((x) => x['name'] === stream);
  return ((s?.['source_defined_primary_key'] as string[][] | undefined) ?? []).map((path) => path.join('.'));
}

/** What a destination's append_dedup keeps: the last record per primary key. */
function deduped(rows: Record<string, unknown>[], key: string[]): Map<string, Record<string, unknown>> {
  return new Map(rows.map((r) => [key.map((k) => JSON.stringify(r[k])).join('|'), r]));
}

describe('table keys the evidence gives', () => {
  it('keeps both subscriptions of a contact with two, read and deduplicated on RecurringOrderId', async () => {
    const key = primaryKey(await h.discover(), 'recurring_order_with_contact');
    expect(key).toEqual(['RecurringOrderId']);
    const r = await h.read(['recurring_order_with_contact']);
    expect(errors(r.messages)).toEqual([]);
    const rows = records(r.messages, 'recurring_order_with_contact');
    const view = sb.data.table('RecurringOrderWithContact');
    expect(rows).toHaveLength(view.count());
    expect(deduped(rows, key).size).toBe(view.count());
    // Subscriptions 6 and 7 belong to one contact: two rows with the same Id, both kept.
    const contact = view.value(7, 'Id');
    const his = rows.filter((row) => row['Id'] === contact);
    expect(his.length).toBeGreaterThanOrEqual(2);
    expect(new Set(his.map((row) => row['RecurringOrderId'])).size).toBe(his.length);
    expect(his.map((row) => row['ContactId'])).toEqual(his.map(() => contact));
  });

  it('reads Campaignee, which has no Id, keyed on CampaignId and ContactId: every row once', async () => {
    const catalog = await h.discover();
    const stream = catalog.find((x) => x['name'] === 'campaignee');
    expect(Object.keys((stream?.['json_schema'] as { properties: object }).properties)).not.toContain('Id');
    const key = primaryKey(catalog, 'campaignee');
    expect(key).toEqual(['CampaignId', 'ContactId']);
    const r = await h.read(['campaignee']);
    expect(errors(r.messages)).toEqual([]);
    const rows = records(r.messages, 'campaignee');
    const want = sb.data.table('Campaignee').all().map((row) => `${String(row['CampaignId'])}:${String(row['ContactId'])}`);
    expect(rows.map((row) => `${String(row['CampaignId'])}:${String(row['ContactId'])}`).sort()).toEqual(want.sort());
    expect(deduped(rows, key).size).toBe(rows.length);
  });
});
