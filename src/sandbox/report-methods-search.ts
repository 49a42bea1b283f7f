import type { XmlRpcStruct, XmlRpcValue } from '../xmlrpc/types.js';
import type { SandboxData } from './data.js';
import { invalidParameter, recordNotFound } from './keap-fault.js';
import { registerMethods, type MethodContext } from './methods.js';
import { structOf } from './report-data.js';

/**
 * SearchService: saved searches are the SavedFilter rows; each one's results are Contact rows
 * (a fixed selection per search) with the search's columns, in pages of SAVED_SEARCH_PAGE rows.
 * A search is run as one of the users in its SavedFilter.UserId list; any other user, or an
 * unknown search, gets RecordNotFound, so a connector that runs a search as the wrong user sees it.
 */

/** Keap fixes the page size of saved-search results; it does not document it. */
export const SAVED_SEARCH_PAGE = 100;

/**
 * Column -> label, per kind of report (SavedFilter.ReportStoredName). Columns are the report's,
 * not table fields: some have names no table has, such as `Follow-UpSequence` (NOVAK's
 * SavedSearchDataService.php meets it in real results).
 */
const COLUMNS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  ContactReport: { Id: 'Id', FirstName: 'First Name', LastName: 'Last Name', Email: 'Email', City: 'City', State: 'State', DateCreated: 'Date Created', 'Follow-UpSequence': 'Follow-Up Sequence' },
  InvoiceReport: { Id: 'Id', FirstName: 'First Name', LastName: 'Last Name', Email: 'Email', Company: 'Company', Phone1: 'Phone 1' },
  SubscriptionReport: { Id: 'Id', FirstName: 'First Name', LastName: 'Last Name', Email: 'Email', LastUpdated: 'Last Updated' },
  OrderReport: { Id: 'Id', FirstName: 'First Name', LastName: 'Last Name', PostalCode: 'Zip Code', Country: 'Country' },
  AffiliateReport: { Id: 'Id', FirstName: 'First Name', LastName: 'Last Name', Email: 'Email', ReferralCode: 'Referral Code' },
};

export function columnsOf(data: SandboxData, searchId: number): Readonly<Record<string, string>> {
  const stored = data.table('SavedFilter').value(searchId, 'ReportStoredName');
  return COLUMNS[typeof stored === 'string' ? stored : ''] ?? (COLUMNS['ContactReport'] as Record<string, string>);
}

/** The search, run as `userId`: it must exist and list the user as an owner. */
function search(ctx: MethodContext, searchId: number, userId: number): number {
  const filters = ctx.table('SavedFilter');
  if (!filters.exists(searchId)) throw recordNotFound();
  const owners = String(filters.value(searchId, 'UserId') ?? '')
    .split(',')
    .map((s) => Number(s.trim()));
  if (!owners.includes(userId)) throw recordNotFound();
  return searchId;
}

const matchCache = new WeakMap<SandboxData, { version: number; bySearch: Map<number, number[]> }>();

/** The contacts a saved search finds: all of them for search 1, every (id+1)-th for the others. */
export function matches(data: SandboxData, searchId: number): number[] {
  let cached = matchCache.get(data);
  if (!cached || cached.version !== data.version) {
    cached = { version: data.version, bySearch: new Map() };
    matchCache.set(data, cached);
  }
  let ids = cached.bySearch.get(searchId);
  if (!ids) {
    ids = [];
    for (const id of data.table('Contact').ids()) if (searchId === 1 || id % (searchId + 1) === 0) ids.push(id);
    cached.bySearch.set(searchId, ids);
  }
  return ids;
}

function page(ctx: MethodContext, searchId: number, pageNumber: number, fields: readonly string[]): XmlRpcStruct[] {
  if (pageNumber < 0) throw invalidParameter(`${ctx.method}: pageNumber must be 0 or more`);
  const contacts = ctx.table('Contact');
  const ids = matches(ctx.data, searchId).slice(pageNumber * SAVED_SEARCH_PAGE, (pageNumber + 1) * SAVED_SEARCH_PAGE);
  const campaigns = ctx.table('Campaign');
  return ids.map((id) => {
    const row = structOf(ctx, contacts, id);
    // The follow-up sequence a third of the contacts are in (a report column, not a Contact field).
    if (id % 3 === 0) row['Follow-UpSequence'] = campaigns.value(1 + (id % Math.max(1, campaigns.count())), 'Name');
    const out: XmlRpcStruct = {};
    // Keap leaves out the columns a row has no value for.
    for (const f of fields) if (row[f] !== undefined && row[f] !== null) out[f] = row[f] as XmlRpcValue;
    return out;
  });
}

registerMethods({
  'SearchService.getAllReportColumns': (ctx, values) => {
    const p = ctx.params(values, '(String key, int savedSearchId, int userId)').count(2);
    return { ...columnsOf(ctx.data, search(ctx, p.int(0), p.int(1))) };
  },
  'SearchService.getSavedSearchResultsAllFields': (ctx, values) => {
    const p = ctx.params(values, '(String key, int savedSearchId, int userId, int pageNumber)').count(3);
    const id = search(ctx, p.int(0), p.int(1));
    return page(ctx, id, p.int(2), Object.keys(columnsOf(ctx.data, id)));
  },
  'SearchService.getSavedSearchResults': (ctx, values) => {
    const p = ctx.params(values, '(String key, int savedSearchId, int userId, int pageNumber, String[] returnFields)').count(4);
    const id = search(ctx, p.int(0), p.int(1));
    const columns = columnsOf(ctx.data, id);
    const fields = p.strings(3);
    for (const f of fields) if (!(f in columns)) throw invalidParameter(`${ctx.method}: saved search ${id} has no column ${f}`);
    return page(ctx, id, p.int(2), fields);
  },
});
