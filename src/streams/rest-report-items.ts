import { InputError } from '../input-error.js';
import type { KeapCaller } from '../keap/client.js';
import { KeapError } from '../keap/errors.js';
import { readPage } from '../rest/page.js';
import type { ResolvedReport } from './report-resolve.js';
import type { RestSegment } from './rest-reader.js';
import type { RestReportPlan } from './rest-report-plan.js';
import type { ReadContext } from './table-reader.js';

/**
 * What a REST report run loops over (rest-report-registry.ts RestReportLoop), as the segments of
 * one pass: the affiliates, tags, saved searches or ids the config names, looked up in Keap where
 * it names them by name or not at all. Each segment fills the endpoint's one path parameter and
 * carries the columns that say which call its records came from.
 */

/** Keap's list filters take at most this many ids (as the XML-RPC methods did). */
const BATCH = 1000;

export async function reportSegments(r: ResolvedReport, plan: RestReportPlan, ctx: ReadContext): Promise<RestSegment[] | undefined> {
  const { report } = plan;
  const { params } = r;
  const endpoint = plan.entry.path;
  // A report on a nested collection's own path (a program's resources, an order's payments) fills
  // the parent's column the resource stream carries, as the stream does.
  const parent = plan.stream?.parent && plan.stream.path === endpoint ? plan.stream.parent.column : undefined;
  const segment = (key: string, id: string | undefined, columns: Record<string, unknown>, clause?: string): RestSegment => ({
    key,
    path: id === undefined ? endpoint : fill(endpoint, id),
    clauses: clause !== undefined && id !== undefined ? (report.filter ?? []).map((c) => c.replace('{item}', clause)) : [],
    columns: parent !== undefined && id !== undefined ? { [parent]: id, ...columns } : columns,
  });
  switch (report.loop) {
    case 'none':
      return undefined;
    case 'id': {
      const id = String(r.entry.idParam ? (params[r.entry.idParam] ?? '') : '');
      return [segment(id, id, r.entry.idParam ? { [r.entry.idParam]: id } : {}, id)];
    }
    case 'table': {
      if (r.entry.id === 'data_query') return plan.query?.parents?.map((id) => ({ key: id, path: fill(endpoint, id), clauses: [], columns: { [plan.entry.parent?.column ?? 'id']: id } }));
      const id = String(params.record_id ?? '');
      return [segment(id, id, { record_id: id }, id)];
    }
    case 'affiliates': {
      const ids = params.affiliate_ids?.map(String) ?? (await allIds(ctx, '/affiliates', 'affiliates'));
      return ids.map((id) => segment(id, id, { affiliate_id: id }, id));
    }
    case 'affiliate_filter':
      if (!params.affiliate_ids) return undefined;
      return params.affiliate_ids.map(String).map((id) => segment(id, id, { affiliate_id: id }, id));
    case 'affiliate_batch': {
      if (!params.affiliate_ids) return undefined;
      const out: RestSegment[] = [];
      for (let i = 0; i < params.affiliate_ids.length; i += BATCH) {
        const chunk = params.affiliate_ids.slice(i, i + BATCH).map(String);
        out.push(segment(chunk[0] ?? '', chunk[0], {}, chunk.join(',')));
      }
      return out;
    }
    case 'tags':
      return (await tagIds(r, ctx)).map((id) => segment(id, id, { tag_id: id }, id));
    case 'saved_searches':
      return (await savedSearches(r, ctx)).map((s) => segment(s.id, s.id, { saved_search_id: s.id, user_id: s.user }, s.id));
    case 'program_affiliates': {
      const program = String(params.program_id ?? '');
      const body = await get(ctx.client, `/affiliates/commissionPrograms/${encodeURIComponent(program)}`, r, ctx);
      const members = body && Array.isArray(body['affiliate_ids']) ? body['affiliate_ids'].map(String) : [];
      return members.map((id) => segment(id, id, { program_id: program }, id));
    }
    case 'invoice_order': {
      const invoice = String(params.invoice_id ?? '');
      const found: string[] = [];
      await pages(ctx, '/orders', 'orders', { filter: `invoice_id==${invoice}` }, (o) => {
        if (o['id'] !== undefined && o['id'] !== null) found.push(String(o['id']));
      });
      if (found.length === 0) ctx.sink.log('WARN', `${r.stream}: no order has invoice ${invoice}; skipped`);
      return found.map((order) => segment(order, order, { invoice_id: invoice }, order));
    }
  }
}

/** `/affiliates/{affiliate_id}:commissions` with its one parameter filled. */
function fill(endpoint: string, id: string): string {
  return endpoint.replace(/\{[^}]+\}/, encodeURIComponent(id));
}

/** Every item of a list, page by page (the small lookups a report needs). */
async function pages(ctx: ReadContext, path: string, itemsKey: string, query: Record<string, string>, visit: (item: Record<string, unknown>) => void): Promise<void> {
  let token: string | undefined;
  do {
    const q: Record<string, string> = { page_size: String(Math.min(ctx.pageSize, 1000)), ...query, ...(token === undefined ? {} : { page_token: token }) };
    const page = readPage(await ctx.client.rest({ path, query: q, what: `GET ${path}` }), itemsKey);
    for (const item of page.items) if (typeof item === 'object' && item !== null && !Array.isArray(item)) visit(item as Record<string, unknown>);
    token = page.nextPageToken;
  } while (token !== undefined);
}

/** Every id of a list, in id order. */
async function allIds(ctx: ReadContext, path: string, itemsKey: string): Promise<string[]> {
  const ids: string[] = [];
  await pages(ctx, path, itemsKey, {}, (item) => {
    if (item['id'] !== undefined && item['id'] !== null) ids.push(String(item['id']));
  });
  return ids;
}

/** One object by id; Keap's 404 skips it (as a missing id does on XML-RPC), with a warning. */
async function get(client: KeapCaller, path: string, r: ResolvedReport, ctx: ReadContext): Promise<Record<string, unknown> | undefined> {
  try {
    const body = await client.rest({ path, what: `GET ${path}` });
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch (err) {
    if (!(err instanceof KeapError) || err.rule !== 'rest-not-found') throw err;
    ctx.sink.log('WARN', `${r.stream}: ${err.message}; skipped`);
    return undefined;
  }
}

/** Tag ids as given; names looked up in GET /tags (case-insensitive, like Keap). */
async function tagIds(r: ResolvedReport, ctx: ReadContext): Promise<string[]> {
  const out: string[] = [];
  for (const tag of r.params.tags ?? []) {
    const t = tag.trim();
    if (/^\d+$/.test(t)) {
      if (!out.includes(t)) out.push(t);
      continue;
    }
    const matches: string[] = [];
    await pages(ctx, '/tags', 'tags', { filter: `name==${t}` }, (item) => {
      if (typeof item['name'] === 'string' && item['name'].toLowerCase() === t.toLowerCase()) matches.push(String(item['id']));
    });
    if (matches.length === 0) throw new InputError('config', `${r.where}: tags: no tag is named '${t}' ('tap-infusionsoft list tags' shows them)`);
    if (matches.length > 1) ctx.sink.log('INFO', `${r.stream}: ${matches.length} tags are named '${t}'; reading all of them`);
    for (const id of matches) if (!out.includes(id)) out.push(id);
  }
  return out;
}

/** `Hot leads*` as a test on a name: `*` is any text, case-insensitive. */
function nameMatcher(filter: string): (name: string) => boolean {
  const pattern = new RegExp(`^${filter.trim().split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return (name) => pattern.test(name);
}

/**
 * The saved searches (saved reports) to run: by id, or every report whose name matches. REST runs a
 * report as the credentials' user: `user_id` only labels the rows; without it they carry the
 * report's first user (its owner on XML-RPC).
 */
async function savedSearches(r: ResolvedReport, ctx: ReadContext): Promise<{ id: string; user: string | null }[]> {
  const { params } = r;
  const userOf = (report: Record<string, unknown>): string | null => {
    if (params.user_id !== undefined) return String(params.user_id);
    const users = Array.isArray(report['user_ids']) ? report['user_ids'].map(String) : [];
    return users.find((u) => /^\d+$/.test(u)) ?? null;
  };
  if (params.saved_search_id !== undefined) {
    const report = await get(ctx.client, `/reporting/reports/${params.saved_search_id}`, r, ctx);
    return report ? [{ id: String(params.saved_search_id), user: userOf(report) }] : [];
  }
  const matches = nameMatcher(params.saved_search_filter ?? '*');
  const out: { id: string; user: string | null }[] = [];
  await pages(ctx, '/reporting/reports', 'reports', {}, (report) => {
    if (typeof report['name'] === 'string' && matches(report['name']) && report['id'] !== undefined) out.push({ id: String(report['id']), user: userOf(report) });
  });
  if (out.length === 0) ctx.sink.log('WARN', `${r.stream}: no saved search matches '${params.saved_search_filter ?? '*'}'`);
  return out;
}
