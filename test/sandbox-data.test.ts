import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/keap/clock.js';
import { SandboxData, type ColumnKind, type RowValue } from '../src/sandbox/data.js';
import { RowRenderer } from '../src/sandbox/render.js';
import { TABLE_DEFS } from '../src/sandbox/table-defs.js';
import { parseXmlRpc } from '../src/xmlrpc/parse.js';

const data = new SandboxData({ seed: 1, contacts: 1000 });
const contacts = data.table('Contact');
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function matchesKind(kind: ColumnKind, v: RowValue): boolean {
  switch (kind) {
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2147483647;
    case 'double':
      return typeof v === 'number' && Number.isFinite(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'date':
      return typeof v === 'number' && v % 1000 === 0 && v > Date.UTC(1900, 0, 1) && v < Date.UTC(2100, 0, 1);
    case 'blob':
      return typeof v === 'string' && BASE64.test(v);
    case 'string':
      return typeof v === 'string' && !XML_FORBIDDEN.test(v);
  }
}

describe('sandbox data', () => {
  it('generates the same rows for the same seed and different rows for another seed', () => {
    const again = new SandboxData({ seed: 1, contacts: 1000 });
    const other = new SandboxData({ seed: 2, contacts: 1000 });
    for (const table of ['Contact', 'Company', 'Invoice', 'ContactGroupAssign', 'Lead']) {
      for (const id of [1, 2, 500]) expect(again.table(table).get(id)).toEqual(data.table(table).get(id));
    }
    expect(other.table('Contact').get(2)).not.toEqual(contacts.get(2));
  });

  it('sizes every table from the contact count, with at least three rows each', () => {
    expect(data.tableNames()).toHaveLength(60);
    expect(contacts.count()).toBe(1000);
    expect(data.table('Company').count()).toBe(100);
    expect(data.table('ContactGroup').count()).toBe(25);
    expect(data.table('ContactGroupCategory').count()).toBe(5);
    expect(data.table('ContactGroupAssign').count()).toBe(2000);
    for (const t of ['Invoice', 'Job', 'Payment']) expect(data.table(t).count()).toBe(500);
    expect(data.table('Affiliate').count()).toBe(20);
    const tiny = new SandboxData({ contacts: 1 });
    for (const name of tiny.tableNames()) expect(tiny.table(name).count(), name).toBeGreaterThanOrEqual(3);
  });

  it('fills every column of every table with values of the column type', () => {
    for (const [name, def] of Object.entries(TABLE_DEFS)) {
      const stream = { table: name };
      const table = data.table(stream.table);
      for (const [field] of def.columns) expect(table.columns.has(field), `${stream.table}.${field}`).toBe(true);
      const seen = new Set<string>();
      for (let id = 1; id <= Math.min(table.count(), 60); id++) {
        const row = table.get(id);
        expect(row, `${stream.table} ${id}`).toBeDefined();
        for (const [field, v] of Object.entries(row ?? {})) {
          const kind = table.columns.get(field);
          expect(kind, `${stream.table}.${field}`).toBeDefined();
          expect(matchesKind(kind as ColumnKind, v), `${stream.table}.${field} = ${JSON.stringify(v)}`).toBe(true);
          seen.add(field);
        }
      }
      if (table.rowKey !== null) expect(seen.has(table.rowKey), stream.table).toBe(true);
      expect(seen.size, `${stream.table} has populated columns`).toBeGreaterThan(1);
    }
  });

  it('renders every table as XML-RPC that parses back to the same values', () => {
    for (const name of data.tableNames()) {
      const table = data.table(name);
      const fields = [...table.columns.keys()];
      const ids = [1, 2, 3];
      const body = new RowRenderer(table, fields, data.wall).rows(ids).xml;
      const parsed = parseXmlRpc(body);
      expect(parsed.kind, name).toBe('response');
      const rows = parsed.kind === 'response' ? (parsed.params[0] as Record<string, unknown>[]) : [];
      expect(rows).toHaveLength(3);
      for (const [i, row] of rows.entries()) {
        const expected = table.get(ids[i] as number) ?? {};
        expect(Object.keys(row).sort(), name).toEqual(Object.keys(expected).sort());
      }
    }
  });

  it('populates about two dozen contact fields, as real accounts do', () => {
    let total = 0;
    for (const id of contacts.ids()) total += Object.keys(contacts.get(id) ?? {}).length;
    const mean = total / contacts.count();
    expect(mean).toBeGreaterThanOrEqual(20);
    expect(mean).toBeLessThanOrEqual(26);
  });

  it('sprinkles odd text through contacts: markup, quotes, newlines, emoji, non-BMP, accents, empty and very long values', () => {
    const texts: string[] = [];
    for (const row of contacts.all()) for (const v of Object.values(row)) if (typeof v === 'string') texts.push(v);
    expect(texts.some((t) => t.includes('&'))).toBe(true);
    expect(texts.some((t) => t.includes('<'))).toBe(true);
    expect(texts.some((t) => t.includes('"') && t.includes("'"))).toBe(true);
    expect(texts.some((t) => t.includes('\n'))).toBe(true);
    expect(texts.some((t) => /\p{Extended_Pictographic}/u.test(t))).toBe(true);
    expect(texts.some((t) => /[\u{10000}-\u{10FFFF}]/u.test(t))).toBe(true);
    expect(texts.some((t) => /[éëñøçł]/i.test(t))).toBe(true);
    expect(texts.some((t) => t === '')).toBe(true);
    expect(texts.some((t) => t.length >= 40_000)).toBe(true);
  });

  it('keeps DateCreated at or before LastUpdated, within 2019-2026, with stamps inside both 2025 DST changes', () => {
    const updated: number[] = [];
    for (const id of contacts.ids()) {
      const created = contacts.value(id, 'DateCreated') as number;
      const last = contacts.value(id, 'LastUpdated') as number;
      expect(created).toBeLessThanOrEqual(last);
      expect(created).toBeGreaterThanOrEqual(Date.UTC(2019, 0, 1));
      expect(last).toBeLessThan(Date.UTC(2026, 0, 1));
      updated.push(last);
    }
    const within = (from: string, to: string): number => updated.filter((t) => t >= Date.parse(from) && t < Date.parse(to)).length;
    // 01:00-01:59 EDT, then the same wall hour again in EST.
    expect(within('2025-11-02T05:00:00Z', '2025-11-02T06:00:00Z')).toBeGreaterThan(0);
    expect(within('2025-11-02T06:00:00Z', '2025-11-02T07:00:00Z')).toBeGreaterThan(0);
    // The last minute before the spring gap and the first after it.
    expect(within('2025-03-09T06:59:00Z', '2025-03-09T07:00:00Z')).toBeGreaterThan(0);
    expect(within('2025-03-09T07:00:00Z', '2025-03-09T07:01:00Z')).toBeGreaterThan(0);
  });

  it('points foreign keys at rows that exist', () => {
    const checks: [string, string, string][] = [
      ['Contact', 'CompanyID', 'Company'],
      ['Contact', 'OwnerID', 'User'],
      ['ContactGroupAssign', 'ContactId', 'Contact'],
      ['ContactGroupAssign', 'GroupId', 'ContactGroup'],
      ['Invoice', 'ContactId', 'Contact'],
      ['Invoice', 'JobId', 'Job'],
      ['Invoice', 'AffiliateId', 'Affiliate'],
      ['OrderItem', 'ProductId', 'Product'],
      ['Payment', 'InvoiceId', 'Invoice'],
      ['Lead', 'UserID', 'User'],
      ['Affiliate', 'ContactId', 'Contact'],
    ];
    for (const [table, field, target] of checks) {
      const t = data.table(table);
      for (const id of [...t.ids()].slice(0, 200)) {
        const v = t.value(id, field);
        if (v === null) continue;
        expect(data.table(target).exists(v as number), `${table}.${field} = ${String(v)}`).toBe(true);
      }
    }
  });

  it('keeps Contact.Groups in step with the ContactGroupAssign rows', () => {
    const cga = data.table('ContactGroupAssign');
    for (const id of [1, 7, 500]) {
      const pairs = [2 * id - 1, 2 * id].map((r) => `${String(cga.value(r, 'GroupId'))}`);
      expect(cga.value(2 * id, 'ContactId')).toBe(id);
      expect(contacts.value(id, 'Groups')).toBe(pairs.join(','));
      expect(cga.value(2 * id, 'Contact.Email')).toBe(contacts.value(id, 'Email'));
    }
  });

  it('defines custom fields in DataFormField and fills the matching _Name columns', () => {
    const defs = data.table('DataFormField').all();
    const contactDefs = defs.filter((d) => d['FormId'] === -1).map((d) => [d['Name'], d['DataType']]);
    expect(contactDefs).toEqual(expect.arrayContaining([['Color', 15], ['Score', 12], ['Renewal', 13], ['VIP', 6], ['Budget', 3]]));
    for (const formId of [-1, -3, -4, -6, -9]) expect(defs.some((d) => d['FormId'] === formId), String(formId)).toBe(true);
    expect(contacts.columns.get('_Renewal')).toBe('date');
    expect(contacts.columns.get('_Budget')).toBe('double');
    expect(data.table('Company').columns.has('_Industry')).toBe(true);
    const filled = [...contacts.ids()].filter((id) => contacts.value(id, '_Score') !== null).length;
    expect(filled).toBeGreaterThan(300);
  });

  it('has users, saved filters shared by several users, and files whose size matches their bytes', () => {
    expect(data.table('User').count()).toBeGreaterThanOrEqual(3);
    expect(data.table('SavedFilter').all().some((r) => String(r['UserId']).includes(','))).toBe(true);
    const files = data.table('FileBox');
    for (const id of files.ids()) expect(files.value(id, 'FileSize')).toBe(data.fileContent(id)?.length);
  });

  it('costs almost nothing for a million contacts until rows are read', () => {
    // Measured in memory, not time (tests assert no timings): a million materialised contacts
    // would take gigabytes; generated on demand they take next to nothing.
    const before = process.memoryUsage().heapUsed;
    const big = new SandboxData({ contacts: 1_000_000 });
    const t = big.table('Contact');
    expect(t.count()).toBe(1_000_000);
    expect(t.get(999_999)?.['Id']).toBe(999_999);
    expect(big.table('ContactGroupAssign').count()).toBe(2_000_000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });

  describe('mutations', () => {
    it('inserts with the next id, stamped with the clock', () => {
      const clock = new ManualClock(Date.UTC(2026, 1, 3, 4, 5, 6, 789));
      const d = new SandboxData({ contacts: 10, clock });
      const t = d.table('Contact');
      const id = t.insert({ FirstName: 'Nova', Email: 'nova@example.com' });
      expect(id).toBe(11);
      expect(t.count()).toBe(11);
      expect(t.get(id)).toMatchObject({ Id: 11, FirstName: 'Nova', DateCreated: Date.UTC(2026, 1, 3, 4, 5, 6), LastUpdated: Date.UTC(2026, 1, 3, 4, 5, 6) });
      expect([...t.ids()].at(-1)).toBe(11);
    });

    it('updates a row and moves LastUpdated to now, keeping its other columns', () => {
      const clock = new ManualClock(Date.UTC(2026, 1, 3));
      const d = new SandboxData({ contacts: 10, clock });
      const t = d.table('Contact');
      const before = t.get(4) ?? {};
      t.update(4, { City: 'Ogden', Phone1: null });
      const after = t.get(4) ?? {};
      expect(after['City']).toBe('Ogden');
      expect(after['Phone1']).toBeUndefined();
      expect(after['LastUpdated']).toBe(Date.UTC(2026, 1, 3));
      expect(after['FirstName']).toBe(before['FirstName']);
      expect(d.version).toBe(1);
    });

    it('deletes a row from get, ids, count and all', () => {
      const d = new SandboxData({ contacts: 10 });
      const t = d.table('Contact');
      t.delete(3);
      expect(t.get(3)).toBeUndefined();
      expect(t.exists(3)).toBe(false);
      expect([...t.ids()]).not.toContain(3);
      expect(t.count()).toBe(9);
      expect(t.all()).toHaveLength(9);
      expect(() => t.update(3, { City: 'x' })).toThrow(/no row 3/);
    });

    it('refuses columns the table does not have', () => {
      const t = new SandboxData({ contacts: 10 }).table('Contact');
      expect(() => t.insert({ Nope: 1 })).toThrow(/no column Nope/);
    });

    it('numbers ContactGroupAssign rows, which have no Id, after the generated ones', () => {
      const d = new SandboxData({ contacts: 10 });
      const cga = d.table('ContactGroupAssign');
      const row = cga.insert({ ContactId: 3, GroupId: 9 });
      expect(row).toBe(21);
      expect(cga.get(row)).toMatchObject({ ContactId: 3, GroupId: 9, ContactGroup: 'Referral Partner', 'Contact.Id': 3 });
      expect(cga.get(row)?.['Id']).toBeUndefined();
    });
  });
});
