import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterVocabulary } from '../scripts/rest-filter-vocabulary.js';
import { KeapTimeZone } from '../src/keap/dates.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { TABLE_MAP } from '../src/streams/migration-map.js';
import { restStreams, type RestStream } from '../src/streams/rest-registry.js';
import { translateQuery, type RestQuery } from '../src/streams/rest-query.js';
import { recordSecrets } from './helpers/audit.js';
import { errors, harness, records, sandboxConfig, states, streamState } from './helpers/report-harness.js';
import { restUrlOf } from './helpers/sandbox.js';

/**
 * data_query on REST v2: the menu's query text as a REST filter, field names through the migration
 * map, operators and wildcards only where the spec allows them for that field, LastSuccessfulRun as
 * the stream's bookmark; what REST cannot say is one line. Then the menu's examples read on both
 * APIs from the sandbox, giving the same rows.
 */

const tz = new KeapTimeZone('America/New_York');
const streamOf = (table: string): RestStream => restStreams().find((s) => s.stream === TABLE_MAP[table]?.stream) as RestStream;
const q = (table: string, text: string): RestQuery => translateQuery(table, streamOf(table), text, tz);

describe('the filter vocabulary read from the spec', () => {
  it('takes each field\'s operators, wildcard and list form from its line of the filter text', () => {
    const v = filterVocabulary(
      [
        'Filter to apply, allowed fields are:',
        '- (String) `id` - Allowable operators: "==","<=", "<", ">=", ">", "!="',
        '- (String) `name` - Wildcard matching allowed',
        '- (String) `title` — supports `==`. Bare value matches anywhere in the title (contains).',
        '   Wildcard prefix match also supported (e.g. `title==Follow*`)',
        '- (Set[String]) `ids` — accepts a list of contact IDs (e.g. `ids==1,2,3`)',
        '- (String) `tag_ids`',
        '- (String) contact_id',
        'Custom fields can be filtered by their field_name (case-insensitive).',
      ].join('\n'),
    );
    expect(v.fields).toEqual({
      id: { ops: ['==', '!=', '>=', '<=', '>', '<'], wildcard: false, list: false },
      name: { ops: ['=='], wildcard: true, list: false },
      title: { ops: ['=='], wildcard: true, list: false },
      ids: { ops: ['=='], wildcard: false, list: true },
      tag_ids: { ops: ['=='], wildcard: false, list: true },
      contact_id: { ops: ['=='], wildcard: false, list: false },
    });
    expect(v.custom).toBe(true);
    expect(filterVocabulary('- (String) `since_time`').custom).toBe(false);
  });
});

describe('the menu query as a REST filter', () => {
  it('maps fields, wildcards, operators, lists and dates (in the app zone) to the filters the spec lists', () => {
    expect(q('Contact', "'City':'Ogden'")).toEqual({ clauses: ['city==Ogden'] });
    expect(q('Contact', "'City':'Og%','FirstName':'Mar%'")).toEqual({ clauses: ['city==Og*', 'given_name==Mar*'] });
    expect(q('Contact', "'Id':'~>~ 100'")).toEqual({ clauses: ['contact_id>100'] });
    expect(q('Contact', "'Id':'1,2,3'")).toEqual({ clauses: ['ids==1,2,3'] });
    expect(q('Contact', "'Id':'%'")).toEqual({ clauses: [] });
    expect(q('Contact', "'_VIP':'1'")).toEqual({ clauses: ['VIP==1'] });
    expect(q('Contact', "'LastUpdated':'~>=~ 2024-01-01'")).toEqual({ clauses: ['start_update_time==2024-01-01T05:00:00.000Z'] });
    expect(q('Contact', "'LastUpdated':'~<=~ 2024-07-01 12:00:00'")).toEqual({ clauses: ['end_update_time==2024-07-01T16:00:00.000Z'] });
    expect(q('Contact', "'LastUpdated':'2016%'")).toEqual({ clauses: ['start_update_time==2016-01-01T05:00:00.000Z', 'end_update_time==2017-01-01T04:59:59.000Z'] });
    expect(q('Contact', "'LastUpdated':'2016-03%'")).toEqual({ clauses: ['start_update_time==2016-03-01T05:00:00.000Z', 'end_update_time==2016-04-01T03:59:59.000Z'] });
    expect(q('Company', "'Company':'Acme%','LastUpdated':'~>=~ 2025-01-01'")).toEqual({ clauses: ['name==Acme*', 'since_time==2025-01-01T05:00:00.000Z'] });
    expect(q('Job', "'Id':'~<>~ 5','OrderType':'ONLINE'")).toEqual({ clauses: ['id!=5', 'order_type==ONLINE'] });
    expect(q('Invoice', "'DateCreated':'2024-02-29%'")).toEqual({ clauses: ['created_since_time==2024-02-29T05:00:00.000Z', 'created_until_time==2024-03-01T04:59:59.000Z'] });
    expect(q('Payment', "'PayAmt':'~>=~ 100'")).toEqual({ clauses: ['amount>=100'] });
  });

  it('makes LastSuccessfulRun the bookmark on the field it bounds, and a tag list the tags to read', () => {
    expect(q('Contact', "'City':'Ogden','LastUpdated':'~>=~LastSuccessfulRun'")).toEqual({ clauses: ['city==Ogden'], bookmark: { field: 'update_time', since: 'start_update_time' } });
    expect(q('Job', "'DateCreated':'~>~LastSuccessfulRun'")).toEqual({ clauses: [], bookmark: { field: 'creation_time', since: 'created_since_time' } });
    expect(q('ContactGroupAssign', "'GroupId':'12,30','DateCreated':'~>=~LastSuccessfulRun'")).toEqual({ clauses: [], parents: ['12', '30'], bookmark: { field: 'applied_time', since: 'since_applied_time' } });
  });

  it('says in one line what REST cannot filter on, and what it accepts', () => {
    const fails = (table: string, text: string): string => {
      try {
        q(table, text);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error(`${text} translated`);
    };
    expect(fails('Contact', "'ContactType':'Lead'")).toMatch(/^'ContactType' \(REST contacts\.contact_type\): REST cannot filter contacts on it; REST filters contacts on email, given_name, .*contact_id and custom fields \('tap-infusionsoft list fields Contact --api rest' maps them\)$/);
    expect(fails('Contact', "'FirstName':'%son'")).toBe("'FirstName' (REST contacts.given_name): REST matches a prefix only ('Og%' -> given_name==Og*), not '%son'");
    expect(fails('Contact', "'Email':'~>~ a'")).toBe("'Email' (REST contacts.email_addresses[field=EMAIL1].email): REST's email takes ==, not >");
    expect(fails('Contact', "'City':'~null~'")).toMatch(/cannot select empty values/);
    expect(fails('Contact', "'City':'%'")).toMatch(/cannot select non-empty values/);
    expect(fails('Contact', "'City':'a;b'")).toMatch(/cannot contain ';'/);
    expect(fails('Contact', "'Nope':'x'")).toBe("'Nope' is not a field of Contact");
    expect(fails('Contact', "'LastUpdated':'~<=~LastSuccessfulRun'")).toMatch(/LastSuccessfulRun is a lower bound/);
    expect(fails('Contact', "'LastUpdated':'yesterday'")).toMatch(/compares times with ~>=~ and ~<=~/);
    expect(fails('Company', "'Country':'USA'")).toMatch(/^'Country' \(REST companies\.address\.country_code\): REST cannot filter companies on it/);
    expect(fails('Contact', "'City':'Og")).toMatch(/^query syntax error at character 8: unterminated quote/);
  });
});

describe('the menu\'s query examples read on REST v2 and on XML-RPC', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 3, contacts: 300, quotas: { perSecond: 100_000, perMinute: 1_000_000, perDay: 10_000_000 } });
    recordSecrets(sb.credentials.api_key);
  });
  afterAll(async () => {
    await sb?.close();
  });

  /** The README's examples, each on a table REST maps; keys compared as the two APIs spell them. */
  const EXAMPLES: { stream: string; table: string; query: string; fields?: string[]; key: (r: Record<string, unknown>, rest: boolean) => string }[] = [
    { stream: 'ogden_contacts', table: 'Contact', query: "'City':'Ogden','LastUpdated':'~>=~LastSuccessfulRun'", fields: ['Id', 'FirstName'], key: (r, rest) => String(rest ? r['id'] : r['Id']) },
    { stream: 'm_contacts', table: 'Contact', query: "'FirstName':'M%'", key: (r, rest) => String(rest ? r['id'] : r['Id']) },
    { stream: 'contacts_2024', table: 'Contact', query: "'LastUpdated':'2024%'", key: (r, rest) => String(rest ? r['id'] : r['Id']) },
    { stream: 'changed_since', table: 'Contact', query: "'LastUpdated':'~>=~ 2025-01-01'", key: (r, rest) => String(rest ? r['id'] : r['Id']) },
    { stream: 'tagged', table: 'ContactGroupAssign', query: "'GroupId':'1,2'", key: (r, rest) => (rest ? `${String(r['tag_id'])}:${String(r['id'])}` : `${String(r['GroupId'])}:${String(r['ContactId'])}`) },
    { stream: 'some_orders', table: 'Job', query: "'Id':'1,2,3,40'", key: (r, rest) => String(rest ? r['id'] : r['Id']) },
    { stream: 'big_payments', table: 'Payment', query: "'PayAmt':'~>=~ 1000'", key: (r, rest) => String(rest ? r['id'] : r['Id']) },
  ];

  it('give the same rows on both APIs, and a second incremental sync reads only what changed', async () => {
    const reports = EXAMPLES.map((e) => ({ report: 'data_query', stream: e.stream, table: e.table, query: e.query, ...(e.fields ? { fields: e.fields } : {}) }));
    const onRest = harness(sandboxConfig(sb, reports, { api: 'rest', rest_url: restUrlOf(sb), resources: ['tags'] }));
    const onXml = harness(sandboxConfig(sb, reports));
    const names = EXAMPLES.map((e) => e.stream);
    const r = await onRest.read(names);
    const x = await onXml.read(names);
    expect(errors(r.messages)).toEqual([]);
    expect(errors(x.messages)).toEqual([]);
    for (const e of EXAMPLES) {
      const rest = records(r.messages, e.stream).map((row) => e.key(row, true)).sort();
      const xml = records(x.messages, e.stream).map((row) => e.key(row, false)).sort();
      expect(xml.length, e.query).toBeGreaterThan(0);
      expect(rest, e.query).toEqual(xml);
    }
    // `fields` chose the columns; the bookmark's field comes too, since the state is kept on it.
    expect(Object.keys(records(r.messages, 'ogden_contacts')[0] ?? {})).toEqual(['id', 'given_name', 'update_time']);
    // The bookmark: after an incremental sync two Ogden contacts change; the next reads those two only.
    const first = await onRest.read(['ogden_contacts'], { mode: 'incremental' });
    expect(records(first.messages, 'ogden_contacts').length).toBe(records(r.messages, 'ogden_contacts').length);
    const contacts = sb.data.table('Contact');
    const ogden = [...contacts.ids()].filter((id) => contacts.value(id, 'City') === 'Ogden').slice(0, 2);
    for (const id of ogden) contacts.update(id, { FirstName: `Changed${id}` });
    const last = states(first.messages, 'ogden_contacts').at(-1);
    const again = await onRest.read(['ogden_contacts'], { mode: 'incremental', state: { ogden_contacts: last ? streamState(last) : {} } });
    expect(records(again.messages, 'ogden_contacts').map((c) => Number(c['id'])).sort((a, b) => a - b)).toEqual(ogden);
  });
});
