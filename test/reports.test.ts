import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/keap/clock.js';
import { compile } from '../src/protocol/schema-compiler.js';
import type { MethodMap } from '../src/sandbox/methods.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { REPORT_IDS } from '../src/streams/report-registry.js';
import { XmlRpcDateTime, type XmlRpcValue } from '../src/xmlrpc/types.js';
import { recordSecrets } from './helpers/audit.js';
import { errors, harness, logs, records, sandboxConfig, states, streamState, type Harness, type Message } from './helpers/report-harness.js';

const SEED = 7;
let sb: Sandbox;
let h: Harness;
const schemas = new Map<string, ValidateFunction>();
const catalog = new Map<string, Message>();

/** What each report is read with, and what the sandbox must give back for it. */
interface Case {
  report: string;
  params: () => Record<string, unknown>;
  /** Records expected: an exact count, or at least this many. */
  exactly?: number;
  atLeast?: number;
  check?: (rows: Record<string, unknown>[]) => void;
}

const everything = { duration: 'days_back', days_back: 5000 };

/** Sandbox facts the cases need (computed from its tables, so they follow the seed). */
const facts = { email: '', tagName: '', paidInvoice: 0 };

const CASES: Case[] = [
  { report: 'affiliate_clawbacks', params: () => ({ dates: everything }), atLeast: 1, check: (rows) => rows.forEach((r) => expect(r['Amount']).toBeGreaterThan(0)) },
  {
    report: 'affiliate_commissions',
    params: () => ({ dates: everything }),
    atLeast: 5,
    check: (rows) => {
      for (const r of rows) {
        expect(r['SaleAffId']).toBe(r['affiliate_id']);
        expect(typeof r['DateEarned']).toBe('string');
      }
    },
  },
  { report: 'affiliate_payments', params: () => ({ dates: everything }), atLeast: 1 },
  { report: 'affiliate_redirect_links', params: () => ({}), atLeast: 1 },
  { report: 'affiliate_summary', params: () => ({ dates: everything }), exactly: 20, check: (rows) => expect(new Set(rows.map((r) => r['affiliate_id'])).size).toBe(20) },
  { report: 'affiliate_running_totals', params: () => ({ affiliate_ids: [1, 2, 3] }), exactly: 3, check: (rows) => expect(rows.map((r) => r['affiliate_id'])).toEqual([1, 2, 3]) },
  { report: 'affiliate_programs', params: () => ({}), exactly: 3 },
  { report: 'affiliate_programs_for_affiliate', params: () => ({ affiliate_ids: [1, 3] }), exactly: 4 },
  { report: 'affiliates_by_program', params: () => ({ program_id: 2 }), exactly: 6, check: (rows) => rows.forEach((r) => expect(Number(r['Id']) % 3).toBe(0)) },
  { report: 'affiliate_program_resources', params: () => ({ program_id: 2 }), exactly: 3 },
  { report: 'contacts_by_email', params: () => ({ email: facts.email }), atLeast: 1, check: (rows) => expect(rows[0]?.['Email']).toBe(facts.email) },
  { report: 'contacts_by_id', params: () => ({ contact_id: 5, fields: ['FirstName', 'Email', 'DateCreated'] }), exactly: 1, check: (rows) => expect(Object.keys(rows[0] ?? {})).toEqual(['contact_id', 'Id', 'FirstName', 'Email', 'DateCreated']) },
  { report: 'contacts_by_tags', params: () => ({ tags: ['1', facts.tagName] }), atLeast: 2 },
  { report: 'data_record_by_id', params: () => ({ table: 'Invoice', record_id: 3 }), exactly: 1, check: (rows) => expect(rows[0]?.['Id']).toBe(3) },
  { report: 'data_query', params: () => ({ table: 'Invoice', query: "'PayStatus':'1'", fields: ['Id', 'PayStatus', 'InvoiceTotal'] }), atLeast: 60, check: (rows) => rows.forEach((r) => expect(r['PayStatus']).toBe(1)) },
  { report: 'discount_category', params: () => ({ category_discount_id: 2 }), exactly: 1 },
  { report: 'discount_category_assignments', params: () => ({ category_discount_id: 2 }), exactly: 2 },
  { report: 'discount_order_total', params: () => ({ discount_id: 1 }), exactly: 1 },
  { report: 'discount_product_total', params: () => ({ product_discount_id: 3 }), exactly: 1 },
  { report: 'discount_shipping', params: () => ({ shipping_discount_id: 4 }), exactly: 1 },
  { report: 'discount_free_trial', params: () => ({ trial_id: 5 }), exactly: 1, check: (rows) => expect(rows[0]?.['FreeTrialDays']).toBe(60) },
  {
    report: 'file',
    params: () => ({ file_id: 2 }),
    exactly: 1,
    check: (rows) => {
      const r = rows[0] as Record<string, unknown>;
      const bytes = Buffer.from(String(r['data']), 'base64');
      expect(bytes.equals(sb.data.fileContent(2) as Buffer)).toBe(true);
      expect(r['file_size']).toBe(bytes.length);
      expect(r['file_name']).toBe(sb.data.table('FileBox').value(2, 'FileName'));
    },
  },
  { report: 'invoice_amount_due', params: () => ({ invoice_id: 4 }), exactly: 1, check: (rows) => expect(rows[0]?.['amount_due']).toBe(sb.data.table('Invoice').value(4, 'TotalDue')) },
  { report: 'invoice_payment_options', params: () => ({}), exactly: 4 },
  { report: 'invoice_payments', params: () => ({ invoice_id: facts.paidInvoice }), exactly: 1, check: (rows) => expect(rows[0]?.['invoice_id']).toBe(facts.paidInvoice) },
  { report: 'invoice_shipping_options', params: () => ({}), exactly: 6 },
  { report: 'product_inventory', params: () => ({ product_id: 2 }), exactly: 1, check: (rows) => expect(typeof rows[0]?.['inventory']).toBe('number') },
  { report: 'search_available_fields', params: () => ({ saved_search_id: 2 }), atLeast: 4, check: (rows) => rows.forEach((r) => expect(r['user_id']).toBe(1)) },
  { report: 'saved_search', params: () => ({ saved_search_filter: '*' }), atLeast: 300 },
  { report: 'saved_search_fields', params: () => ({ saved_search_id: 1, fields: ['Id', 'Email'] }), exactly: 300 },
  { report: 'shipping_options', params: () => ({}), exactly: 6 },
  { report: 'shipping_flat_rate', params: () => ({ option_id: 1 }), exactly: 1 },
  { report: 'shipping_order_quantity', params: () => ({ option_id: 2 }), exactly: 1 },
  { report: 'shipping_order_total', params: () => ({ option_id: 3 }), exactly: 1 },
  { report: 'shipping_order_total_ranges', params: () => ({ option_id: 3 }), exactly: 3 },
  { report: 'shipping_product_based', params: () => ({ option_id: 4 }), atLeast: 1 },
  { report: 'shipping_ups', params: () => ({ option_id: 5 }), exactly: 1 },
  { report: 'shipping_weight_based', params: () => ({ option_id: 6 }), exactly: 1 },
  { report: 'webforms', params: () => ({}), exactly: 5, check: (rows) => expect(rows.map((r) => r['id'])).toEqual([1, 3, 4, 7, 12]) },
];

beforeAll(async () => {
  sb = await startSandbox({ seed: SEED, contacts: 300, quotas: { perSecond: 100_000, perMinute: 1_000_000, perDay: 10_000_000 } });
  recordSecrets(sb.credentials.api_key);
  const contacts = sb.data.table('Contact');
  facts.email = String(contacts.value(5, 'Email'));
  facts.tagName = String(sb.data.table('ContactGroup').value(2, 'GroupName'));
  const invoices = sb.data.table('Invoice');
  for (const id of invoices.ids()) {
    if (Number(invoices.value(id, 'TotalPaid')) > 0) {
      facts.paidInvoice = id;
      break;
    }
  }
  h = harness(sandboxConfig(sb, CASES.map((c) => ({ report: c.report, ...c.params() }))));
  for (const s of await h.discover()) {
    catalog.set(String(s['name']), s);
    schemas.set(String(s['name']), compile(s['json_schema'] as object));
  }
});

afterAll(async () => {
  await sb?.close();
});

/** The record checks every report passes: schema, unique keys, states after the records they cover. */
function checkStream(name: string, messages: Message[]): Record<string, unknown>[] {
  expect(errors(messages)).toEqual([]);
  const rows = records(messages, name);
  const validate = schemas.get(name) as ValidateFunction;
  for (const r of rows) {
    if (!validate(r)) throw new Error(`${name}: record ${JSON.stringify(r).slice(0, 300)} fails its schema: ${JSON.stringify(validate.errors)}`);
  }
  const pk = ((catalog.get(name)?.['source_defined_primary_key'] as string[][] | undefined) ?? []).map((p) => p[0] as string);
  expect(pk.length, `${name} has a primary key`).toBeGreaterThan(0);
  const keys = rows.map((r) => JSON.stringify(pk.map((k) => r[k])));
  for (const r of rows) for (const k of pk) expect(r[k], `${name}.${k}`).not.toBeNull();
  expect(new Set(keys).size, `${name}: primary keys are unique`).toBe(keys.length);
  // Every record is followed by a state that covers it; the counts add up; the last is final.
  const own = messages.filter((m) => (m['type'] === 'RECORD' && (m['record'] as Message)['stream'] === name) || (m['type'] === 'STATE' && states([m], name).length));
  expect(own[own.length - 1]?.['type']).toBe('STATE');
  const counted = states(messages, name).reduce((n, s) => n + Number((s['sourceStats'] as { recordCount: number }).recordCount), 0);
  expect(counted).toBe(rows.length);
  const last = streamState(states(messages, name).at(-1) as Message);
  expect(Object.keys(last)).toEqual(['LastSuccessfulRun']);
  return rows;
}

describe('every report of the menu, read end to end from the sandbox', () => {
  it('covers the 39 reports', () => {
    expect(CASES.map((c) => c.report).sort()).toEqual([...REPORT_IDS].sort());
  });

  for (const c of CASES) {
    it(`reads ${c.report}: records match the discovered schema, keys are unique, states follow records`, async () => {
      const r = await h.read([c.report]);
      expect(r.code).toBe(0);
      const rows = checkStream(c.report, r.messages);
      if (c.exactly !== undefined) expect(rows).toHaveLength(c.exactly);
      if (c.atLeast !== undefined) expect(rows.length).toBeGreaterThanOrEqual(c.atLeast);
      c.check?.(rows);
    });
  }

  it('gives the same synthetic keys when the same data is read again', async () => {
    const first = records((await h.read(['affiliate_commissions'])).messages).map((r) => r['_key']);
    const second = records((await h.read(['affiliate_commissions'])).messages).map((r) => r['_key']);
    expect(second).toEqual(first);
  });
});

describe('ids Keap does not know', () => {
  it('skips an unknown id with a warning and finishes the stream', async () => {
    const t = harness(sandboxConfig(sb, [{ report: 'invoice_amount_due', invoice_id: 999_999 }, { report: 'affiliate_redirect_links', affiliate_ids: [1, 9999, 2] }]));
    const r = await t.read(['invoice_amount_due', 'affiliate_redirect_links']);
    expect(r.code).toBe(0);
    expect(records(r.messages, 'invoice_amount_due')).toEqual([]);
    expect(logs(r.messages, 'WARN').some((l) => l.includes('invoice_amount_due') && l.includes('invoice id 999999') && l.includes('record not found'))).toBe(true);
    expect(logs(r.messages, 'WARN').some((l) => l.includes('affiliate 9999 skipped'))).toBe(true);
    const linked = new Set(records(r.messages, 'affiliate_redirect_links').map((x) => x['affiliate_id']));
    expect(linked.has(9999)).toBe(false);
    expect(streamState(states(r.messages, 'invoice_amount_due').at(-1) as Message)).toHaveProperty('LastSuccessfulRun');
  });
});

describe('date windows', () => {
  /** A sandbox whose affCommissions records the window it is asked for. */
  async function windowed(dates: unknown, o: { mode?: 'full_refresh' | 'incremental'; state?: Record<string, unknown> } = {}): Promise<{ calls: string[][]; messages: Message[] }> {
    const calls: string[][] = [];
    const s = await startSandbox({
      seed: SEED,
      contacts: 30,
      quotas: { perSecond: 100_000, perMinute: 1_000_000, perDay: 10_000_000 },
      methods: {
        'APIAffiliateService.affCommissions': (_ctx, params: XmlRpcValue[]) => {
          calls.push(params.map((p) => (p instanceof XmlRpcDateTime ? p.text : String(p))));
          return [];
        },
      },
    });
    try {
      const clock = new ManualClock(Date.UTC(2025, 5, 15, 16, 0, 0)); // 12:00 in New York (EDT)
      const t = harness(sandboxConfig(s, [{ report: 'affiliate_commissions', affiliate_ids: [1], dates }]));
      const r = await t.read(['affiliate_commissions'], { ...o, clock });
      expect(r.code).toBe(0);
      return { calls, messages: r.messages };
    } finally {
      await s.close();
    }
  }

  it('sends a specific date as that whole day on the app wall clock, across a DST change', async () => {
    const { calls } = await windowed({ duration: 'report_date', report_date: '2024-03-10' });
    expect(calls).toEqual([['1', '20240310T00:00:00', '20240310T23:59:59']]);
  });

  it('sends N days back as from midnight N days ago until now', async () => {
    const { calls } = await windowed({ duration: 'days_back', days_back: 10 });
    expect(calls).toEqual([['1', '20250605T00:00:00', '20250615T12:00:00']]);
  });

  it('sends a range whose ends are a date and a number of days back', async () => {
    const { calls } = await windowed({ duration: 'date_range', start: { bound: 'date', date: '2025-01-01' }, end: { bound: 'days_back', days_back: 1 } });
    expect(calls).toEqual([['1', '20250101T00:00:00', '20250614T23:59:59']]);
  });

  it('sends an open range until now', async () => {
    const { calls } = await windowed({ duration: 'date_range', start: { bound: 'days_back', days_back: 30 } });
    expect(calls).toEqual([['1', '20250516T00:00:00', '20250615T12:00:00']]);
  });

  it('starts an incremental sync at LastSuccessfulRun and ends it now, and bookmarks the start of the run', async () => {
    const { calls, messages } = await windowed(
      { duration: 'days_back', days_back: 10 },
      { mode: 'incremental', state: { affiliate_commissions: { LastSuccessfulRun: '2025-06-01T12:00:00Z' } } },
    );
    expect(calls).toEqual([['1', '20250601T08:00:00', '20250615T12:00:00']]);
    expect(streamState(states(messages, 'affiliate_commissions').at(-1) as Message)).toEqual({ LastSuccessfulRun: '2025-06-15T16:00:00Z', window_end: '2025-06-15T16:00:00Z' });
  });

  const fixed = { duration: 'date_range', start: { bound: 'date', date: '2025-01-01' }, end: { bound: 'date', date: '2025-03-31' } };

  it('ends an incremental sync at a fixed end date, the first one included, and bookmarks that end', async () => {
    const { calls, messages } = await windowed(fixed, { mode: 'incremental' });
    expect(calls).toEqual([['1', '20250101T00:00:00', '20250331T23:59:59']]);
    expect(streamState(states(messages, 'affiliate_commissions').at(-1) as Message)).toEqual({ LastSuccessfulRun: '2025-06-15T16:00:00Z', window_end: '2025-04-01T03:59:59Z' });
  });

  it('reads nothing more of a fixed window once an incremental sync has read it to its end', async () => {
    const { calls, messages } = await windowed(fixed, { mode: 'incremental', state: { affiliate_commissions: { LastSuccessfulRun: '2025-06-01T12:00:00Z', window_end: '2025-04-01T03:59:59Z' } } });
    expect(calls).toEqual([]);
    expect(streamState(states(messages, 'affiliate_commissions').at(-1) as Message)).toEqual({ LastSuccessfulRun: '2025-06-15T16:00:00Z', window_end: '2025-04-01T03:59:59Z' });
  });

  it('moves an end given in days back with the day, continuing where the last window ended', async () => {
    const dates = { duration: 'date_range', start: { bound: 'days_back', days_back: 30 }, end: { bound: 'days_back', days_back: 1 } };
    const { calls, messages } = await windowed(dates, { mode: 'incremental', state: { affiliate_commissions: { LastSuccessfulRun: '2025-06-10T16:00:00Z', window_end: '2025-06-10T03:59:59Z' } } });
    expect(calls).toEqual([['1', '20250609T23:59:59', '20250614T23:59:59']]);
    expect(streamState(states(messages, 'affiliate_commissions').at(-1) as Message)).toEqual({ LastSuccessfulRun: '2025-06-15T16:00:00Z', window_end: '2025-06-15T03:59:59Z' });
  });

  it('starts the first incremental sync at the configured window start', async () => {
    const { calls } = await windowed({ duration: 'days_back', days_back: 3 }, { mode: 'incremental' });
    expect(calls).toEqual([['1', '20250612T00:00:00', '20250615T12:00:00']]);
  });

  it('returns only rows inside the window, each carrying it', async () => {
    const t = harness(sandboxConfig(sb, [{ report: 'affiliate_commissions', dates: { duration: 'date_range', start: { bound: 'date', date: '2022-01-01' }, end: { bound: 'date', date: '2022-12-31' } } }]));
    const rows = records((await t.read(['affiliate_commissions'])).messages);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r['window_start']).toBe('2022-01-01T05:00:00Z');
      expect(r['window_end']).toBe('2023-01-01T04:59:59Z');
      expect(String(r['DateEarned']) >= '2022-01-01T05:00:00Z' && String(r['DateEarned']) <= '2023-01-01T04:59:59Z').toBe(true);
    }
  });
});

describe('saved searches', () => {
  it("reads every saved search matching '*' as its owner (the first of SavedFilter.UserId)", async () => {
    const t = harness(sandboxConfig(sb, [{ report: 'search_available_fields', saved_search_filter: '*' }]));
    const rows = records((await t.read(['search_available_fields'])).messages);
    const filters = sb.data.table('SavedFilter');
    const seen = new Map(rows.map((r) => [r['saved_search_id'], r['user_id']]));
    expect(seen.size).toBe(filters.count());
    for (const [id, user] of seen) expect(user).toBe(Number(String(filters.value(Number(id), 'UserId')).split(',')[0]));
  });

  it('matches saved search names with * as a wildcard', async () => {
    const t = harness(sandboxConfig(sb, [{ report: 'saved_search', saved_search_filter: 'Hot*' }]));
    const rows = records((await t.read(['saved_search'])).messages);
    expect(new Set(rows.map((r) => r['saved_search_id']))).toEqual(new Set([2]));
  });

  it('resumes a saved search at the page in_progress names', async () => {
    const t = harness(sandboxConfig(sb, [{ report: 'saved_search_fields', saved_search_id: 1, fields: ['Id', 'Email'] }]));
    const r = await t.read(['saved_search_fields'], {
      state: { saved_search_fields: { LastSuccessfulRun: '2025-01-01T00:00:00Z', in_progress: { started_at: '2025-06-01T00:00:00Z', item: '1', page: 2 } } },
    });
    const rows = records(r.messages);
    expect(rows).toHaveLength(100);
    // Saved-search columns of a chosen set are typed as text (their types are the search's).
    expect(rows[0]?.['Id']).toBe('201');
    expect(streamState(states(r.messages, 'saved_search_fields').at(-1) as Message)).toEqual({ LastSuccessfulRun: '2025-06-01T00:00:00Z' });
  });

  it('checkpoints each page of a saved search before the next', async () => {
    const t = harness(sandboxConfig(sb, [{ report: 'saved_search_fields', saved_search_id: 1, fields: ['Id'] }]));
    const r = await t.read(['saved_search_fields']);
    const progress = states(r.messages, 'saved_search_fields').map((s) => streamState(s)['in_progress'] as Record<string, unknown> | undefined);
    expect(progress.map((p) => p?.['page'])).toEqual([1, 2, 3, undefined]);
  });
});

describe('tags', () => {
  it('resolves tag names through ContactGroup and reads their contacts', async () => {
    const t = harness(sandboxConfig(sb, [{ report: 'contacts_by_tags', tags: [facts.tagName.toUpperCase()] }]));
    const rows = records((await t.read(['contacts_by_tags'])).messages);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r['tag_id']).toBe(2);
      expect(r['GroupId']).toBe(2);
    }
  });

  it('fails the stream with a config error naming an unknown tag', async () => {
    const t = harness(sandboxConfig(sb, [{ report: 'contacts_by_tags', tags: ['No Such Tag'] }]));
    const r = await t.read(['contacts_by_tags']);
    expect(r.code).toBe(1);
    expect(errors(r.messages)).toEqual(["contacts_by_tags: config error: reports[0] (contacts_by_tags): tags: no tag is named 'No Such Tag' ('tap-infusionsoft list tags' shows them)"]);
  });
});

describe('data_query with LastSuccessfulRun', () => {
  const query = "'LastUpdated':'~>=~LastSuccessfulRun'";

  function expected(sinceMs: number): number {
    const t = sb.data.table('Contact');
    let n = 0;
    for (const id of t.ids()) if (Number(t.value(id, 'LastUpdated')) >= sinceMs) n++;
    return n;
  }

  it('is incremental on the field the query compares, reading rows changed since the bookmark', async () => {
    const t = harness(sandboxConfig(sb, [{ report: 'data_query', table: 'Contact', query, fields: ['Id', 'Email'] }]));
    const stream = (await t.discover()).find((s) => s['name'] === 'data_query') as Message;
    expect(stream['supported_sync_modes']).toEqual(['full_refresh', 'incremental']);
    expect(stream['default_cursor_field']).toEqual(['LastUpdated']);
    const since = '2025-06-01T00:00:00Z';
    const r = await t.read(['data_query'], { mode: 'incremental', state: { data_query: { LastSuccessfulRun: since } } });
    const rows = records(r.messages);
    expect(rows.length).toBe(expected(Date.parse(since)));
    for (const row of rows) expect(String(row['LastUpdated']) >= since).toBe(true);
  });

  it('starts the first sync at start_date', async () => {
    const t = harness(sandboxConfig(sb, [{ report: 'data_query', table: 'Contact', query, fields: ['Id'] }], { start_date: '2024-01-01T00:00:00Z' }));
    const rows = records((await t.read(['data_query'], { mode: 'incremental' })).messages);
    expect(rows.length).toBe(expected(Date.parse('2024-01-01T00:00:00Z')));
  });
});

describe('resuming a fan-out report', () => {
  it('skips the items in_progress.done lists', async () => {
    const t = harness(sandboxConfig(sb, [{ report: 'affiliate_programs_for_affiliate', affiliate_ids: [1, 2, 3] }]));
    const r = await t.read(['affiliate_programs_for_affiliate'], {
      state: { affiliate_programs_for_affiliate: { in_progress: { started_at: '2025-06-01T00:00:00Z', done: ['1', '2'] } } },
    });
    const rows = records(r.messages);
    expect(new Set(rows.map((x) => x['affiliate_id']))).toEqual(new Set([3]));
  });

  it('checkpoints done items between affiliates', async () => {
    const t = harness(sandboxConfig(sb, [{ report: 'affiliate_programs_for_affiliate', affiliate_ids: [1, 2, 3] }]));
    const r = await t.read(['affiliate_programs_for_affiliate']);
    const done = states(r.messages, 'affiliate_programs_for_affiliate').map((s) => (streamState(s)['in_progress'] as { done?: string[] } | undefined)?.done);
    expect(done).toEqual([['1'], ['1', '2'], undefined]);
  });
});

describe('answers shaped differently from the sandbox', () => {
  /** A sandbox whose report methods answer as another Keap implementation might. */
  async function odd(methods: MethodMap, reports: unknown[], streams: string[]): Promise<Message[]> {
    const s = await startSandbox({ seed: SEED, contacts: 30, quotas: { perSecond: 100_000, perMinute: 1_000_000, perDay: 10_000_000 }, methods });
    try {
      const t = harness(sandboxConfig(s, reports));
      const catalogStreams = await t.discover();
      const r = await t.read(streams);
      expect(errors(r.messages)).toEqual([]);
      for (const name of streams) {
        const validate = compile((catalogStreams.find((x) => x['name'] === name) as Message)['json_schema'] as object);
        for (const row of records(r.messages, name)) expect(validate(row), JSON.stringify(row)).toBe(true);
      }
      return r.messages;
    } finally {
      await s.close();
    }
  }

  it('takes scalars as text, maps as arrays of structs, and empty answers as nothing', async () => {
    const messages = await odd(
      {
        'InvoiceService.calculateAmountOwed': () => '12.50',
        'ProductService.getInventory': () => '7',
        'WebFormService.getMap': (): XmlRpcValue => [{ Id: 3, Name: 'Signup' }, { '9': 'Survey' }],
        'InvoiceService.getAllPaymentOptions': () => ['Credit Card', 'Cash'],
        'ShippingService.getAllShippingOptions': () => '',
        'DiscountService.getFreeTrial': () => ({}),
        'AffiliateService.getRedirectLinksForAffiliate': () => ({ Id: 4, Name: 'only link', Extra: 'kept' }),
      },
      [
        { report: 'invoice_amount_due', invoice_id: 1 },
        { report: 'product_inventory', product_id: 1 },
        { report: 'webforms' },
        { report: 'invoice_payment_options' },
        { report: 'shipping_options' },
        { report: 'discount_free_trial', trial_id: 1 },
        { report: 'affiliate_redirect_links', affiliate_ids: [1] },
      ],
      ['invoice_amount_due', 'product_inventory', 'webforms', 'invoice_payment_options', 'shipping_options', 'discount_free_trial', 'affiliate_redirect_links'],
    );
    expect(records(messages, 'invoice_amount_due')).toEqual([{ invoice_id: 1, amount_due: 12.5 }]);
    expect(records(messages, 'product_inventory')).toEqual([{ product_id: 1, inventory: 7 }]);
    expect(records(messages, 'webforms')).toEqual([
      { id: 3, name: 'Signup' },
      { id: 9, name: 'Survey' },
    ]);
    expect(records(messages, 'invoice_payment_options')).toEqual([
      { id: 'Credit Card', name: 'Credit Card' },
      { id: 'Cash', name: 'Cash' },
    ]);
    expect(records(messages, 'shipping_options')).toEqual([]);
    expect(records(messages, 'discount_free_trial')).toEqual([]);
    const link = records(messages, 'affiliate_redirect_links')[0] as Record<string, unknown>;
    expect(link['Name']).toBe('only link');
    // A key the schema does not know passes through.
    expect(link['Extra']).toBe('kept');
  });

  it('tells affiliates apart in a summary keyed by affiliate id', async () => {
    const messages = await odd(
      { 'APIAffiliateService.affSummary': () => ({ '2': { AmountEarned: 10 }, '5': { AmountEarned: 20 } }) },
      [{ report: 'affiliate_summary', affiliate_ids: [2, 5], dates: everything }],
      ['affiliate_summary'],
    );
    expect(records(messages).map((r) => [r['affiliate_id'], r['AmountEarned']])).toEqual([
      [2, 10],
      [5, 20],
    ]);
  });

  it('stops a saved search whose server ignores the page number', async () => {
    const messages = await odd(
      { 'SearchService.getSavedSearchResultsAllFields': () => [{ Id: 1, Email: 'a@example.com' }] },
      [{ report: 'saved_search', saved_search_id: 2, user_id: 1 }],
      ['saved_search'],
    );
    expect(records(messages)).toHaveLength(1);
    expect(logs(messages, 'WARN').some((l) => l.includes('same rows as page 0'))).toBe(true);
  });
});

describe('answers cut short', () => {
  it('retries a cut page without repeating or losing the rows it had already streamed', async () => {
    const s = await startSandbox({
      seed: SEED,
      contacts: 300,
      quotas: { perSecond: 100_000, perMinute: 1_000_000, perDay: 10_000_000 },
      faults: { rate: 0.5, methods: ['DataService.query'], kinds: ['truncated', 'reset', 'http500'] },
    });
    try {
      const entry = { report: 'data_query', table: 'Invoice', fields: ['Id', 'InvoiceTotal'] };
      const t = harness(sandboxConfig(s, [entry], { retry: { base_delay_ms: 1, max_delay_ms: 2, max_retries: 20 } }));
      const r = await t.read(['data_query']);
      expect(r.code).toBe(0);
      expect(s.stats.faults['truncated'] ?? 0).toBeGreaterThan(0);
      const ids = records(r.messages).map((x) => x['Id']);
      expect(ids).toEqual([...s.data.table('Invoice').ids()]);
    } finally {
      await s.close();
    }
  });
});
