import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/protocol/config.js';
import { reportStreamDefs } from '../src/streams/report-streams.js';
import { tableStream } from '../src/streams/report-schemas.js';
import type { ReportConfig } from '../src/streams/report-types.js';

const base = { credentials: { auth_type: 'api_key', api_key: 'KeapAK-test-key-123456' } };
const window = { duration: 'days_back', days_back: 7 };

function problem(reports: unknown[]): string {
  try {
    validateConfig({ ...base, reports });
  } catch (err) {
    return (err as Error).message;
  }
  return 'valid';
}

describe('report entries in the config', () => {
  it('accepts one entry of every report with its required parameters', () => {
    const settings = validateConfig({
      ...base,
      reports: [
        { report: 'affiliate_commissions', dates: window },
        { report: 'data_query', table: 'Contact', query: "'LastUpdated':'~>=~LastSuccessfulRun'", fields: ['Id', 'Email', 'LastUpdated'] },
        { report: 'saved_search', saved_search_filter: '*' },
        { report: 'contacts_by_tags', tags: ['12', 'VIP customers'] },
      ],
    });
    expect(settings.reports).toHaveLength(4);
  });

  it("accepts for `fields` every name the list it points to shows: 'list fields ContactGroupAssign' for contacts_by_tags, custom fields where a table has them", () => {
    const shown = Object.keys(tableStream('ContactGroupAssign')?.schema.properties ?? {});
    expect(shown).toContain('Contact.FirstName');
    expect(problem([{ report: 'contacts_by_tags', tags: ['12'], fields: shown }])).toBe('valid');
    // ...and the same Contact fields without their prefix, as the description says.
    expect(problem([{ report: 'contacts_by_tags', tags: ['12'], fields: ['FirstName', 'Email'] }])).toBe('valid');
    expect(problem([{ report: 'contacts_by_email', email: 'ann@example.com', fields: ['Email', '_Score'] }])).toBe('valid');
    expect(problem([{ report: 'data_query', table: 'Company', fields: ['Id', '_Industry'] }])).toBe('valid');
  });

  const cases: [string, unknown[], string][] = [
    ['a missing required parameter', [{ report: 'affiliate_commissions' }], 'config error: reports[0] (affiliate_commissions): dates: is required but missing'],
    [
      'a parameter of the wrong type',
      [{ report: 'webforms' }, { report: 'webforms', stream: 'forms' }, { report: 'affiliate_commissions', affiliate_ids: 12, dates: window }],
      'config error: reports[2] (affiliate_commissions): affiliate_ids: must be array',
    ],
    ['an id given as text', [{ report: 'invoice_amount_due', invoice_id: '12' }], 'config error: reports[0] (invoice_amount_due): invoice_id: must be integer'],
    ['an item of the wrong type', [{ report: 'affiliate_summary', affiliate_ids: [1, 'two'], dates: window }], 'config error: reports[0] (affiliate_summary): affiliate_ids[1]: must be integer'],
    [
      'an unknown report id, with the nearest one',
      [{ report: 'affiliate_comissions', dates: window }],
      "config error: reports[0] (affiliate_comissions): report: unknown report 'affiliate_comissions'; did you mean 'affiliate_commissions'? (spec.json lists the 39 report ids)",
    ],
    ['an entry without a report', [{ stream: 'x' }], 'config error: reports[0].report: is required but missing'],
    ['an entry that is not an object', ['webforms'], 'config error: reports[0]: must be an object with a "report" key'],
    [
      'a parameter the report does not take',
      [{ report: 'affiliate_commissions', affiliate_id: 3, dates: window }],
      "config error: reports[0] (affiliate_commissions): affiliate_id: is not a parameter of this report; did you mean 'affiliate_ids'? (it takes affiliate_ids, dates)",
    ],
    [
      'a query with a syntax error, pointing at the character',
      [{ report: 'data_query', table: 'Contact', query: "'City':'Ogden','State'" }],
      "config error: reports[0] (data_query): query: query syntax error at character 23: expected ':' after field name 'State', found the end of the query",
    ],
    [
      'a query on a field the table does not have',
      [{ report: 'data_query', table: 'Contact', query: "'Cty':'Ogden'" }],
      "config error: reports[0] (data_query): query: 'Cty' is not a field of Contact; did you mean 'City'?",
    ],
    [
      'an unknown table',
      [{ report: 'data_query', table: 'Contacts' }],
      "config error: reports[0] (data_query): table: unknown table 'Contacts'; did you mean 'Contact'? ('tap-infusionsoft list tables' shows them)",
    ],
    [
      'an unknown field',
      [{ report: 'contacts_by_email', email: 'ann@example.com', fields: ['Email', 'Emial'] }],
      "config error: reports[0] (contacts_by_email): fields: 'Emial' is not a field of Contact; did you mean 'Email'? ('tap-infusionsoft list fields Contact' shows them)",
    ],
    [
      "a custom field for contacts_by_tags, whose ContactGroupAssign has none",
      [{ report: 'contacts_by_tags', tags: ['12'], fields: ['FirstName', '_Score'] }],
      "config error: reports[0] (contacts_by_tags): fields: '_Score' is a custom field, and Keap's ContactGroupAssign joins the standard Contact fields only; read custom fields with contacts_by_id or the contact stream ('tap-infusionsoft list fields ContactGroupAssign' shows them)",
    ],
    [
      'a custom field of a table without custom fields',
      [{ report: 'data_query', table: 'Stage', fields: ['Id', '_Color'] }],
      "config error: reports[0] (data_query): fields: '_Color' is a custom field, and Stage has no custom fields ('tap-infusionsoft list fields Stage' shows them)",
    ],
    [
      'two entries with the same stream name',
      [{ report: 'webforms' }, { report: 'webforms' }],
      "config error: reports[1] (webforms): stream: the stream name 'webforms' is already used by reports[0]; give each entry that uses the same report a distinct 'stream'",
    ],
    [
      'a stream name that is a table stream',
      [{ report: 'webforms', stream: 'contact' }],
      "config error: reports[0] (webforms): stream: 'contact' is the name of a table stream; give this entry another 'stream'",
    ],
    [
      'an unknown date window kind',
      [{ report: 'affiliate_payments', dates: { duration: 'weekly' } }],
      'config error: reports[0] (affiliate_payments): dates.duration: must be one of "report_date", "days_back", "date_range"',
    ],
    [
      'a date range end without its value',
      [{ report: 'affiliate_payments', dates: { duration: 'date_range', start: { bound: 'days_back' } } }],
      'config error: reports[0] (affiliate_payments): dates.start.days_back: is required but missing',
    ],
    [
      'a date that is not a calendar date',
      [{ report: 'affiliate_payments', dates: { duration: 'report_date', report_date: '2024-02-30' } }],
      'config error: reports[0] (affiliate_payments): dates.report_date: must be a valid date',
    ],
    [
      'a date range that ends before it starts',
      [{ report: 'affiliate_payments', dates: { duration: 'date_range', start: { bound: 'date', date: '2024-03-01' }, end: { bound: 'date', date: '2024-02-01' } } }],
      'config error: reports[0] (affiliate_payments): dates: the range ends (2024-02-01) before it starts (2024-03-01)',
    ],
    [
      'tag ids written as numbers',
      [{ report: 'contacts_by_tags', tags: [12] }],
      'config error: reports[0] (contacts_by_tags): tags[0]: must be string (write tag ids in quotes, e.g. "12")',
    ],
    [
      'a saved search report without a saved search',
      [{ report: 'saved_search' }],
      "config error: reports[0] (saved_search): saved_search_id: is required but missing (or give saved_search_filter, e.g. '*' for every saved search)",
    ],
  ];

  for (const [what, reports, message] of cases) {
    it(`names the entry and the key for ${what}`, () => {
      expect(problem(reports)).toBe(message);
    });
  }

  it('gives the same error when streams are built from the entries directly', () => {
    expect(() => reportStreamDefs([{ report: 'webforms' }, { report: 'webforms' }] as ReportConfig[])).toThrow(
      "config error: reports[1] (webforms): stream: the stream name 'webforms' is already used by reports[0]",
    );
  });

  it('names the stream after the stream key, else the report id', () => {
    const defs = reportStreamDefs([{ report: 'webforms' }, { report: 'webforms', stream: 'forms_again' }]);
    expect(defs.map((d) => d.name)).toEqual(['webforms', 'forms_again']);
  });
});
