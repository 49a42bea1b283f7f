import { InputError } from '../input-error.js';
import type { KeapCaller } from '../keap/client.js';
import { KeapError } from '../keap/errors.js';
import { isStruct, type XmlRpcStruct, type XmlRpcValue } from '../xmlrpc/types.js';
import type { Item } from './report-entry.js';
import { intOf } from './report-rows.js';
import type { ResolvedReport } from './report-resolve.js';
import type { ReadContext } from './table-reader.js';

/**
 * What a report run loops over (report-entry.ts ItemKind): the affiliates, tags or saved searches
 * of the entry, looked up in Keap when the config names them by name or not at all.
 */

/** Keap documents IN lists and most array parameters as limited to 1000 ids. */
const BATCH = 1000;

export async function listItems(r: ResolvedReport, ctx: ReadContext): Promise<Item[]> {
  const { entry, params } = r;
  switch (entry.items) {
    case 'single': {
      const name = entry.idParam;
      if (!name) return [item('all', r.entry.title, 0, {})];
      const id = params[name] ?? 0;
      return [item(String(id), `${name.replace(/_/g, ' ')} ${id}`, id, { [name]: id })];
    }
    case 'affiliates': {
      const ids = params.affiliate_ids ?? (await allIds(ctx, 'Affiliate'));
      return ids.map((id) => item(String(id), `affiliate ${id}`, id, { affiliate_id: id }));
    }
    case 'affiliate_batches': {
      const ids = params.affiliate_ids ?? (await allIds(ctx, 'Affiliate'));
      const out: Item[] = [];
      for (let i = 0; i < ids.length; i += BATCH) {
        const chunk = ids.slice(i, i + BATCH);
        const first = chunk[0] as number;
        const last = chunk[chunk.length - 1] as number;
        const label = chunk.length === 1 ? `affiliate ${first}` : `affiliates ${first}..${last}`;
        out.push({ ...item(chunk.length === 1 ? String(first) : `${first}..${last}`, label, first, {}), ids: chunk });
      }
      return out;
    }
    case 'tags':
      return (await resolveTags(r, ctx)).map((id) => item(String(id), `tag ${id}`, id, { tag_id: id }));
    case 'saved_searches':
      return savedSearches(r, ctx);
  }
}

function item(key: string, label: string, id: number, members: Record<string, XmlRpcValue>): Item {
  return { key, label, id, ids: [id], userId: 0, members };
}

/** Every Id of a table, in Id order (DataService pages until a short one). */
export async function allIds(ctx: ReadContext, table: string): Promise<number[]> {
  const ids: number[] = [];
  for (const row of await queryAll(ctx.client, table, { Id: '%' }, ['Id'], ctx.pageSize)) {
    const id = intOf(row['Id']);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/** Every row of a small lookup query, ordered by Id. */
export async function queryAll(client: KeapCaller, table: string, query: XmlRpcStruct, fields: string[], pageSize = 1000): Promise<XmlRpcStruct[]> {
  const rows: XmlRpcStruct[] = [];
  for (let page = 0; ; page++) {
    const got = await client.call('DataService.query', [table, pageSize, page, query, fields, 'Id', true], { what: `DataService.query on ${table}` });
    const list = Array.isArray(got) ? got : isStruct(got) && Object.keys(got).length ? [got] : [];
    for (const row of list) if (isStruct(row)) rows.push(row);
    if (list.length < pageSize) return rows;
  }
}

/** Tag ids as given, names looked up in ContactGroup.GroupName (case-insensitive, like Keap). */
async function resolveTags(r: ResolvedReport, ctx: ReadContext): Promise<number[]> {
  const out: number[] = [];
  const add = (id: number): void => {
    if (!out.includes(id)) out.push(id);
  };
  for (const tag of r.params.tags ?? []) {
    const t = tag.trim();
    if (/^\d+$/.test(t)) {
      add(Number(t));
      continue;
    }
    const rows = await queryAll(ctx.client, 'ContactGroup', { GroupName: t }, ['Id', 'GroupName'], ctx.pageSize);
    const matches = rows.filter((row) => typeof row['GroupName'] === 'string' && row['GroupName'].toLowerCase() === t.toLowerCase());
    if (matches.length === 0) throw new InputError('config', `${r.where}: tags: no tag is named '${t}' ('tap-infusionsoft list tags' shows them)`);
    if (matches.length > 1) ctx.sink.log('INFO', `${r.stream}: ${matches.length} tags are named '${t}'; reading all of them`);
    for (const m of matches) {
      const id = intOf(m['Id']);
      if (id !== undefined) add(id);
    }
  }
  return out;
}

/** SavedFilter.UserId may be a comma list of users; the first is the owner. */
export function ownerOf(v: XmlRpcValue | undefined): number | undefined {
  const direct = intOf(v);
  if (direct !== undefined) return direct;
  if (typeof v !== 'string') return undefined;
  const first = v.split(',').map((s) => s.trim()).find((s) => /^\d+$/.test(s));
  return first === undefined ? undefined : Number(first);
}

/** `Hot leads*` -> `Hot leads%`: the config's wildcard is *, Keap's is %. */
function namePattern(filter: string): string {
  return filter.trim() === '*' ? '%' : filter.replace(/\*/g, '%');
}

async function savedSearches(r: ResolvedReport, ctx: ReadContext): Promise<Item[]> {
  const { params } = r;
  const fields = ['Id', 'FilterName', 'UserId', 'ReportStoredName'];
  let rows: XmlRpcStruct[];
  if (params.saved_search_id !== undefined) {
    const id = params.saved_search_id;
    if (params.user_id !== undefined) return [searchItem(id, params.user_id, undefined)];
    try {
      const row = await ctx.client.call('DataService.load', ['SavedFilter', id, fields], { what: `DataService.load on SavedFilter ${id}` });
      rows = isStruct(row) && Object.keys(row).length ? [{ Id: id, ...row }] : [];
    } catch (err) {
      if (err instanceof KeapError && err.skippable) rows = [];
      else throw err;
    }
    if (rows.length === 0) {
      ctx.sink.log('WARN', `${r.stream}: saved search ${id} was not found; skipped`);
      return [];
    }
  } else {
    rows = await queryAll(ctx.client, 'SavedFilter', { FilterName: namePattern(params.saved_search_filter ?? '*') }, fields, ctx.pageSize);
    if (rows.length === 0) ctx.sink.log('WARN', `${r.stream}: no saved search matches '${params.saved_search_filter ?? '*'}'`);
  }
  const items: Item[] = [];
  for (const row of rows) {
    const id = intOf(row['Id']);
    if (id === undefined) continue;
    const name = typeof row['FilterName'] === 'string' ? row['FilterName'] : undefined;
    const user = params.user_id ?? ownerOf(row['UserId']);
    if (user === undefined) {
      ctx.sink.log('WARN', `${r.stream}: saved search ${id}${name ? ` ('${name}')` : ''} has no owner in SavedFilter.UserId; set user_id to read it`);
      continue;
    }
    items.push(searchItem(id, user, name));
  }
  return items;
}

function searchItem(id: number, userId: number, name: string | undefined): Item {
  return {
    key: String(id),
    label: `saved search ${id}${name ? ` ('${name}')` : ''} as user ${userId}`,
    id,
    ids: [id],
    userId,
    members: { saved_search_id: id, user_id: userId },
  };
}
