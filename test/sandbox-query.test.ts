import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/keap/clock.js';
import { KeapTimeZone } from '../src/keap/dates.js';
import { SandboxData } from '../src/sandbox/data.js';
import { localFromParts, WallClock } from '../src/sandbox/wall-clock.js';
import { dispatch, methodContext, withMethod, type MethodContext } from '../src/sandbox/methods.js';
import { parseXmlRpc } from '../src/xmlrpc/parse.js';
import { XmlRpcDateTime, type XmlRpcStruct, type XmlRpcValue } from '../src/xmlrpc/types.js';

type Rec = Record<string, XmlRpcValue>;

function call(ctx: MethodContext, method: string, params: XmlRpcValue[]): XmlRpcValue {
  const { body } = dispatch(withMethod(ctx, method, 'api_key'), params);
  const m = parseXmlRpc(body);
  if (m.kind === 'fault') throw Object.assign(new Error(m.message), { code: m.code });
  if (m.kind !== 'response') throw new Error('not a response');
  return m.params[0] ?? null;
}

function query(ctx: MethodContext, table: string, queryData: XmlRpcStruct, fields: string[] = ['Id'], more: XmlRpcValue[] = [], limit = 1000, page = 0): Rec[] {
  return call(ctx, 'DataService.query', ['key', table, limit, page, queryData, fields, ...more]) as Rec[];
}

const ids = (rows: Rec[]): number[] => rows.map((r) => r['Id'] as number);
const faultOf = (fn: () => unknown): { code: number; message: string } => {
  try {
    fn();
  } catch (e) {
    return { code: (e as { code: number }).code, message: (e as Error).message };
  }
  throw new Error('expected a fault');
};

function fresh(options: { contacts?: number; timezone?: string } = {}): { data: SandboxData; ctx: MethodContext } {
  const data = new SandboxData({ seed: 1, contacts: options.contacts ?? 1000, clock: new ManualClock(Date.UTC(2026, 10, 27, 12)), ...(options.timezone ? { timezone: options.timezone } : {}) });
  return { data, ctx: methodContext(data) };
}

const shared = fresh();
const contacts = shared.data.table('Contact');

describe('sandbox wall clock', () => {
  it('formats and reads wall-clock times exactly as src/keap/dates.ts does, across both 2025 DST changes', () => {
    // Dense around each 2025 transition (New York: Mar 9, Nov 2; Lord Howe's half hour: Apr 6, Oct 5), sparse elsewhere.
    const edges = [Date.UTC(2025, 2, 9), Date.UTC(2025, 3, 6), Date.UTC(2025, 9, 5), Date.UTC(2025, 10, 2)];
    const instants: number[] = [];
    for (const edge of edges) for (let ms = edge - 86_400_000; ms < edge + 86_400_000; ms += 7 * 60_000 + 13_000) instants.push(ms);
    for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2026, 0, 1); ms += 5 * 3_600_000 + 17 * 60_000) instants.push(ms);
    for (const zone of ['America/New_York', 'Australia/Lord_Howe', 'UTC']) {
      const wall = new WallClock(zone);
      const tz = new KeapTimeZone(zone);
      for (const ms of instants) expect(wall.formatCompact(ms), `${zone} ${ms}`).toBe(tz.formatCompact(ms));
      for (const edge of edges) {
        for (let local = edge - 43_200_000; local < edge + 43_200_000; local += 10 * 60_000) {
          const d = new Date(local);
          const w = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: 0 };
          expect(wall.toUtc(local), `${zone} ${JSON.stringify(w)}`).toBe(tz.wallToUtc(w));
        }
      }
    }
    expect(localFromParts(2025, 11, 2, 1, 30)).toBe(Date.UTC(2025, 10, 2, 1, 30));
  });
});

describe('sandbox DataService queries', () => {
  it('matches text exactly but without regard to case', () => {
    const name = String(contacts.value(3, 'LastName'));
    const rows = query(shared.ctx, 'Contact', { LastName: name.toUpperCase() }, ['Id', 'LastName']);
    const expected = [...contacts.ids()].filter((id) => String(contacts.value(id, 'LastName')).toLowerCase() === name.toLowerCase());
    expect(ids(rows)).toEqual(expected);
    expect(rows.length).toBeGreaterThan(1);
  });

  it('treats % as a case-insensitive wildcard anywhere in the pattern', () => {
    const like = (pattern: RegExp, q: string, field = 'Email'): void => {
      const expected = [...contacts.ids()].filter((id) => pattern.test(String(contacts.value(id, field) ?? '\u0000')));
      expect(ids(query(shared.ctx, 'Contact', { [field]: q })), q).toEqual(expected);
      expect(expected.length, q).toBeGreaterThan(0);
    };
    like(/@example\.org$/i, '%@EXAMPLE.org');
    like(/^th/i, 'TH%', 'FirstName');
    like(/^.*o.*a.*$/is, '%o%a%', 'FirstName');
    expect(query(shared.ctx, 'Contact', { Id: '%' }, ['Id'], [], 1000)).toHaveLength(1000);
  });

  it('matches ~null~ on missing values but not on empty strings, and an empty string only on empty strings', () => {
    const { data, ctx } = fresh({ contacts: 50 });
    const t = data.table('Contact');
    t.update(5, { Company: '' });
    t.update(6, { Company: null });
    const nulls = ids(query(ctx, 'Contact', { Company: '~null~' }));
    const empties = ids(query(ctx, 'Contact', { Company: '' }));
    expect(nulls).toContain(6);
    expect(nulls).not.toContain(5);
    expect(empties).toContain(5);
    expect(empties).not.toContain(6);
    for (const id of empties) expect(t.value(id, 'Company')).toBe('');
    for (const id of nulls) expect(t.value(id, 'Company')).toBeNull();
  });

  it('reads every comparison operator, with or without a space after it', () => {
    const q = (op: string): number[] => ids(query(shared.ctx, 'Contact', { Id: op }));
    expect(q('~>~ 995')).toEqual([996, 997, 998, 999, 1000]);
    expect(q('~>~995')).toEqual([996, 997, 998, 999, 1000]);
    expect(q('~>=~ 998')).toEqual([998, 999, 1000]);
    expect(q('~<~ 3')).toEqual([1, 2]);
    expect(q('~<=~3')).toEqual([1, 2, 3]);
    expect(q('~<>~ 2')).toHaveLength(999);
    expect(q('~<>~ 2')).not.toContain(2);
    expect(call(shared.ctx, 'DataService.count', ['key', 'Contact', { Id: '~<>~ 2' }])).toBe(999);
  });

  it('compares numeric columns as numbers, not as text', () => {
    const rows = query(shared.ctx, 'Contact', { _Score: '~>~ 9' }, ['Id', '_Score']);
    const scores = rows.map((r) => r['_Score'] as number);
    expect(scores.every((s) => s > 9)).toBe(true);
    expect(scores.some((s) => s >= 10 && s < 20)).toBe(true);
    const budgets = query(shared.ctx, 'Contact', { _Budget: '~<=~ 1000.5' }, ['_Budget']).map((r) => r['_Budget'] as number);
    expect(budgets.length).toBeGreaterThan(0);
    expect(budgets.every((b) => b <= 1000.5)).toBe(true);
  });

  it('reads an XML-RPC array as IN', () => {
    expect(ids(query(shared.ctx, 'Contact', { Id: [5, 3, 999, 5000] }))).toEqual([3, 5, 999]);
    const tagged = query(shared.ctx, 'ContactGroupAssign', { GroupId: [1, 2] }, ['GroupId']);
    expect(new Set(tagged.map((r) => r['GroupId']))).toEqual(new Set([1, 2]));
  });

  it('compares dates on the app wall clock, so a time in the repeated hour matches both of its instants', () => {
    const { data, ctx } = fresh({ contacts: 20 });
    const t = data.table('Contact');
    const first = t.insert({ FirstName: 'EDT', LastUpdated: Date.parse('2025-11-02T05:30:00Z') });
    const second = t.insert({ FirstName: 'EST', LastUpdated: Date.parse('2025-11-02T06:30:00Z') });
    const mine = (rows: Rec[]): number[] => ids(rows).filter((id) => id === first || id === second);
    expect(mine(query(ctx, 'Contact', { LastUpdated: '2025-11-02 01:30:00' }))).toEqual([first, second]);
    expect(mine(query(ctx, 'Contact', { LastUpdated: '~>=~ 2025-11-02 01:30:00' }))).toEqual([first, second]);
    expect(mine(query(ctx, 'Contact', { LastUpdated: '~<~ 2025-11-02 01:30:00' }))).toEqual([]);
    expect(mine(query(ctx, 'Contact', { LastUpdated: '~<=~ 2025-11-02 01:30:00' }))).toEqual([first, second]);
    expect(mine(query(ctx, 'Contact', { LastUpdated: new XmlRpcDateTime('20251102T01:30:00') }))).toEqual([first, second]);
    const rendered = query(ctx, 'Contact', { Id: [first, second] }, ['LastUpdated']).map((r) => String(r['LastUpdated']));
    expect(rendered).toEqual(['20251102T01:30:00', '20251102T01:30:00']);

    const utc = fresh({ contacts: 20, timezone: 'UTC' });
    const u = utc.data.table('Contact');
    const a = u.insert({ LastUpdated: Date.parse('2025-11-02T05:30:00Z') });
    const hits = (q: string): number[] => ids(query(utc.ctx, 'Contact', { LastUpdated: q })).filter((id) => id === a);
    expect(hits('2025-11-02 01:30:00')).toEqual([]);
    expect(hits('2025-11-02 05:30:00')).toEqual([a]);
  });

  it('compares on either side of the spring gap by wall clock', () => {
    const { data, ctx } = fresh({ contacts: 20 });
    const t = data.table('Contact');
    const before = t.insert({ LastUpdated: Date.parse('2025-03-09T06:59:59Z') });
    const after = t.insert({ LastUpdated: Date.parse('2025-03-09T07:00:00Z') });
    const rows = query(ctx, 'Contact', { Id: [before, after] }, ['Id', 'LastUpdated']);
    expect(rows.map((r) => String(r['LastUpdated']))).toEqual(['20250309T01:59:59', '20250309T03:00:00']);
    const below = ids(query(ctx, 'Contact', { LastUpdated: '~<~ 2025-03-09 02:30:00' }));
    expect(below).toContain(before);
    expect(below).not.toContain(after);
  });

  it('matches date LIKE patterns and date-only operands on the wall clock', () => {
    const { data, ctx } = fresh({ contacts: 20 });
    const t = data.table('Contact');
    const late = t.insert({ LastUpdated: Date.parse('2025-11-03T04:30:00Z') });
    const day = ids(query(ctx, 'Contact', { LastUpdated: '2025-11-02%' }));
    expect(day).toContain(late);
    for (const id of day) expect(data.wall.formatQuery(t.value(id, 'LastUpdated') as number).startsWith('2025-11-02')).toBe(true);
    const year = ids(query(ctx, 'Contact', { DateCreated: '2019%' }));
    expect(year.length).toBeGreaterThan(0);
    for (const id of year) expect(data.wall.formatQuery(t.value(id, 'DateCreated') as number).startsWith('2019')).toBe(true);
    const since = query(ctx, 'Contact', { LastUpdated: '~>=~ 2025-11-02' }, ['LastUpdated']).map((r) => String(r['LastUpdated']));
    expect(since.length).toBeGreaterThan(0);
    for (const d of since) expect(d >= '20251102T00:00:00').toBe(true);
  });

  it('orders by any field, descending unless ascending is given, and by Id ascending without orderBy', () => {
    const values = (rows: Rec[], f: string): string[] => rows.map((r) => String(r[f]));
    const desc = values(query(shared.ctx, 'Contact', {}, ['LastUpdated'], ['LastUpdated'], 200), 'LastUpdated');
    expect(desc).toEqual([...desc].sort().reverse());
    const asc = values(query(shared.ctx, 'Contact', {}, ['LastUpdated'], ['LastUpdated', true], 200), 'LastUpdated');
    expect(asc).toEqual([...asc].sort());
    expect(ids(query(shared.ctx, 'Contact', {}, ['Id'], [], 5))).toEqual([1, 2, 3, 4, 5]);
    expect(ids(query(shared.ctx, 'Contact', {}, ['Id'], ['Id'], 3))).toEqual([1000, 999, 998]);
    const names = query(shared.ctx, 'Contact', {}, ['LastName'], ['LastName', true], 1000).map((r) => String(r['LastName']).toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it('uses a bound on the ordered column and still returns exactly the matching rows', () => {
    const bound = '2025-06-01 00:00:00';
    const rows = query(shared.ctx, 'Contact', { LastUpdated: `~>=~ ${bound}` }, ['Id', 'LastUpdated'], ['LastUpdated', true]);
    const expected = [...contacts.ids()].filter((id) => shared.data.wall.formatQuery(contacts.value(id, 'LastUpdated') as number) >= bound);
    expect(new Set(ids(rows))).toEqual(new Set(expected));
    const stamps = rows.map((r) => String(r['LastUpdated']));
    expect(stamps).toEqual([...stamps].sort());
  });

  it('caps a page at 1000 rows and pages from 0, resuming or jumping alike', () => {
    expect(query(shared.ctx, 'Contact', {}, ['Id'], [], 5000)).toHaveLength(1000);
    const pages = [0, 1, 2].map((p) => ids(query(shared.ctx, 'Contact', {}, ['Id'], [], 100, p)));
    expect(pages.flat()).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(ids(query(shared.ctx, 'Contact', {}, ['Id'], [], 100, 7))).toEqual(Array.from({ length: 100 }, (_, i) => 701 + i));
    expect(query(shared.ctx, 'Contact', {}, ['Id'], [], 100, 10)).toEqual([]);
    const filter = { LastUpdated: '~>=~ 2023-01-01 00:00:00' };
    const all = ids(query(shared.ctx, 'Contact', filter, ['Id'], [], 1000));
    const paged: number[] = [];
    for (let p = 0; ; p++) {
      const page = ids(query(shared.ctx, 'Contact', filter, ['Id'], [], 37, p));
      paged.push(...page);
      if (page.length < 37) break;
    }
    expect(paged).toEqual(all);
  });

  it('jumps straight to Id N+1 for Id ~>~ N in a million contacts', () => {
    const { ctx } = fresh({ contacts: 1_000_000 });
    // Counted, not timed: the Id column is read for each row the query looks at (and once more for
    // each row it returns); a scan from Id 1 would read it a million times.
    const gens = ctx.data.table('Contact').gens as Map<string, (id: number) => unknown>;
    const idOf = gens.get('Id');
    if (idOf === undefined) throw new Error('no Id column function');
    let looked = 0;
    gens.set('Id', (id) => {
      looked++;
      return idOf(id);
    });
    const rows = query(ctx, 'Contact', { Id: '~>~ 998999' }, ['Id', 'Email'], ['Id', true]);
    expect(looked).toBeGreaterThan(0);
    expect(looked).toBeLessThanOrEqual(2 * 1001);
    expect(ids(rows)[0]).toBe(999_000);
    expect(rows).toHaveLength(1000);
  });

  it('sees edits, inserts and deletes in filters and orderings', () => {
    const { data, ctx } = fresh({ contacts: 100 });
    const t = data.table('Contact');
    t.update(10, { City: 'Ogden' });
    const added = t.insert({ FirstName: 'Newbie', City: 'Ogden' });
    t.delete(11);
    const recent = ids(query(ctx, 'Contact', { LastUpdated: '~>=~ 2026-11-27 00:00:00' }, ['Id'], ['LastUpdated', true]));
    expect(recent).toEqual([10, added]);
    expect(ids(query(ctx, 'Contact', {}, ['Id'], ['LastUpdated'], 2))).toEqual([added, 10]);
    expect(ids(query(ctx, 'Contact', { City: 'ogden' }))).toEqual(expect.arrayContaining([10, added]));
    expect(ids(query(ctx, 'Contact', { Id: [10, 11, 12] }))).toEqual([10, 12]);
    expect(ids(query(ctx, 'Contact', {}, ['Id'], [], 1000)).at(-1)).toBe(added);
    expect(call(ctx, 'DataService.count', ['key', 'Contact', {}])).toBe(100);
  });

  it('queries ContactGroupAssign by its cursor with joined contact columns', () => {
    const rows = query(shared.ctx, 'ContactGroupAssign', { DateCreated: '~>=~ 2025-01-01 00:00:00' }, ['ContactId', 'GroupId', 'DateCreated', 'Contact.Email', 'ContactGroup'], ['DateCreated', true], 50);
    expect(rows).toHaveLength(50);
    const stamps = rows.map((r) => String(r['DateCreated']));
    expect(stamps).toEqual([...stamps].sort());
    expect(stamps[0]! >= '20250101T00:00:00').toBe(true);
    for (const r of rows) {
      expect(r['Contact.Email'] ?? null).toBe(contacts.value(r['ContactId'] as number, 'Email'));
      expect(typeof r['ContactGroup']).toBe('string');
    }
  });

  it('finds by field, by id and by email (any of three addresses, any case)', () => {
    const email = String(contacts.value(3, 'Email'));
    expect(ids(call(shared.ctx, 'DataService.findByField', ['key', 'Contact', 10, 0, 'Email', email.toUpperCase(), ['Id']]) as Rec[])).toEqual([3]);
    expect(call(shared.ctx, 'DataService.load', ['key', 'Contact', 3, ['Email', 'Nickname']])).toEqual({ Email: email });
    expect(ids(call(shared.ctx, 'ContactService.findByEmail', ['key', email.toUpperCase(), ['Id']]) as Rec[])).toEqual([3]);
    const second = [...contacts.ids()].find((id) => contacts.value(id, 'EmailAddress2') !== null) ?? 0;
    expect(ids(call(shared.ctx, 'ContactService.findByEmail', ['key', String(contacts.value(second, 'EmailAddress2')), ['Id']]) as Rec[])).toEqual([second]);
    expect(call(shared.ctx, 'ContactService.findByEmail', ['key', 'nobody@example.com', ['Id']])).toEqual([]);
    expect(call(shared.ctx, 'ContactService.load', ['key', 3, ['FirstName']])).toEqual({ FirstName: contacts.value(3, 'FirstName') });
  });

  it('faults like Keap on unknown tables, fields, unreadable fields, missing records and bad parameters', () => {
    expect(faultOf(() => query(shared.ctx, 'Nope', {}))).toEqual({ code: 9, message: '[NoTableFound]No table found: Nope' });
    expect(faultOf(() => query(shared.ctx, 'Contact', {}, ['Id', 'Foo']))).toEqual({ code: 10, message: '[NoFieldFound]No field found: Contact.Foo' });
    expect(faultOf(() => query(shared.ctx, 'Contact', { Foo: 'x' })).code).toBe(10);
    expect(faultOf(() => query(shared.ctx, 'Contact', {}, ['Id'], ['Foo'])).code).toBe(10);
    expect(faultOf(() => query(shared.ctx, 'CreditCard', {}, ['Id', 'CardNumber']))).toEqual({ code: 8, message: '[NoFieldAccess]No field access: CreditCard.CardNumber' });
    expect(faultOf(() => call(shared.ctx, 'DataService.load', ['key', 'Contact', 123456, ['Id']]))).toEqual({ code: 5, message: '[RecordNotFound]Record was not found' });
    expect(faultOf(() => call(shared.ctx, 'DataService.query', ['key', 'Contact', '10', 0, {}, ['Id']])).code).toBe(12);
    expect(faultOf(() => call(shared.ctx, 'DataService.query', ['key', 'Contact', 10, 0, {}])).code).toBe(12);
    expect(faultOf(() => query(shared.ctx, 'Contact', { Id: { nested: 1 } })).code).toBe(12);
    expect(faultOf(() => call(shared.ctx, 'DataService.getUserInfo', ['key']))).toMatchObject({ code: 12 });
    expect(faultOf(() => call(shared.ctx, 'DataService.nope', ['key']))).toEqual({ code: 0, message: 'No such handler: DataService.nope' });
  });

  it('answers settings and user info', () => {
    expect(call(shared.ctx, 'DataService.getAppSetting', ['key', 'Contact', 'optiontitles'])).toBe('Sir Madam Sith Lord Darth');
    expect(call(shared.ctx, 'DataService.getAppSetting', ['key', 'Application', 'enabled'])).toBe('yes');
    expect(call(shared.ctx, 'DataService.getUserInfo', [])).toMatchObject({ appAlias: 'sandbox', localUserId: 1, displayName: 'Ada Admin' });
  });
});
