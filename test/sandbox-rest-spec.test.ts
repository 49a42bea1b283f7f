import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestRouter } from '../src/sandbox/rest/router.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { XmlRpcTransport } from '../src/xmlrpc/transport.js';
import type { XmlRpcValue } from '../src/xmlrpc/types.js';
import { RestClient, type Json } from './helpers/rest-client.js';
import { RestSpec } from './helpers/rest-spec.js';

/**
 * Every REST path the sandbox serves, asked with realistic variety (pages, filters, fields,
 * order_by, hits and misses, errors), and every body validated against Keap's official OpenAPI
 * file with closed objects: the double can neither drop a required field nor invent one.
 */

const spec = new RestSpec();
let sandbox: Sandbox;
let api: RestClient;

beforeAll(async () => {
  sandbox = await startSandbox({ contacts: 120, seed: 5, quotas: { perSecond: 100_000, perMinute: 1_000_000, perDay: 10_000_000 } });
  api = new RestClient(sandbox, spec);
});
afterAll(async () => {
  await sandbox.close();
});

const ids = (items: Json[]): number[] => items.map((i) => Number(i['id']));

async function rpc(method: string, params: XmlRpcValue[]): Promise<XmlRpcValue> {
  const t = new XmlRpcTransport({ timeoutMs: 5000, maxSockets: 1, userAgent: 'rest-spec-test', maxBodyBytes: 16 * 1024 * 1024 });
  const r = await t.call(sandbox.apiUrl, method, params, { headers: { 'X-Keap-API-Key': sandbox.credentials.api_key } });
  if (!r.ok || r.message.kind !== 'response') throw new Error(`XML-RPC ${method} failed`);
  return r.message.params[0] ?? null;
}

/**
 * The field names a `filter` or `order_by` description lists: `- (Type) \`name\`` items (or
 * `- \`name\` (Type)`), `- \`name\`` items of order_by, or an inline "Supported fields:" list.
 */
function describedFields(text: string, param: string): Set<string> {
  const out = new Set<string>();
  const patterns =
    param === 'filter'
      ? [/^\s*- \((?!Custom\))[^)]*\)\s+`?([A-Za-z_][A-Za-z0-9_]*)`?/gm, /^\s*- `([A-Za-z_][A-Za-z0-9_]*)` \(/gm]
      : [/^\s*- `([A-Za-z_][A-Za-z0-9_]*)`/gm];
  for (const re of patterns) for (const m of text.matchAll(re)) out.add(m[1] ?? '');
  for (const m of /Supported fields: (.*)/.exec(text)?.[1]?.matchAll(/`([A-Za-z_]+)`/g) ?? []) out.add(m[1] ?? '');
  for (const direction of ['asc', 'desc']) out.delete(direction);
  return out;
}

/** Where a description lists no parseable fields, what the sandbox takes instead (its choice). */
const DESCRIPTION_GAPS: string[] = [
  // "Attribute and direction to order items by. E.g. `given_name desc`": no fields listed.
  '/notes/templates order_by: extra [id, title] missing []',
  // The list ends in "- ...": the sandbox adds the other stamp.
  '/files order_by: extra [created_time] missing []',
  // RunReportRequest.order_by is a bare string: any column of the saved searches.
  '/reporting/reports/{report_id}:run order_by: extra [Id, FirstName, LastName, Email, City, State, DateCreated, Company, Phone1, LastUpdated, PostalCode, Country, ReferralCode] missing []',
];

/** Paths asked as they are: each answer is validated by the client. */
const PATHS = [
  '/contacts?page_size=3',
  '/contacts?fields=' +
    'addresses,anniversary_date,birth_date,company,contact_type,create_time,custom_fields,email_addresses,family_name,fax_numbers,given_name,id,job_title,leadsource_id,links,middle_name,notes,origin,owner_id,phone_numbers,preferred_locale,preferred_name,prefix,referral_code,score_value,social_accounts,source_type,spouse_name,suffix,tag_ids,time_zone,update_time,utm_parameters,website,account_id,assistant_name,assistant_phone,billing_information,created_by,groups,last_updated_by',
  '/contacts?filter=given_name%3D%3DA*&order_by=email%20desc',
  '/contacts/10?fields=links,tag_ids,custom_fields,social_accounts',
  '/contacts/11/links',
  '/contacts/10/links',
  '/contacts/12/leadScore',
  '/contacts/links/types?order_by=max_links%20desc',
  '/contacts/model',
  '/contacts/model/customFields/tabs',
  '/contacts/model/customFields/tabs/1',
  '/contacts/model/customFields/groups?tab_id=1',
  '/contacts/model/customFields/groups/1',
  '/companies?fields=notes,fax_number,address,email_address,phone_number,update_time,create_time,custom_fields',
  '/companies/3?fields=custom_fields,address',
  '/companies/model',
  '/companies/model/customFields/tabs',
  '/companies/model/customFields/tabs/2',
  '/companies/model/customFields/groups',
  '/companies/model/customFields/groups/2',
  '/companies/2/tags',
  '/tags?filter=category_id%3D%3DNONE',
  '/tags?order_by=name%20desc&page_size=4',
  '/tags/4',
  '/tags/categories',
  '/tags/categories/2',
  '/tags/3/contacts?order_by=applied_time%20desc',
  '/tags/1/companies',
  '/contacts/5/tags?order_by=applied_time',
  '/orders?page_size=5&order_by=modification_time%20desc',
  '/orders/7',
  '/orders/7/items/7',
  '/orders/7/payments',
  '/orders/model',
  '/orders/model/customFields/tabs',
  '/orders/model/customFields/tabs/3',
  '/orders/model/customFields/groups',
  '/orders/model/customFields/groups/3',
  '/notes?page_size=5&fields=custom_fields',
  '/notes?filter=title%3D%3Dcall%3Bsince_time%3D%3D2020-01-01T00:00:00Z&order_by=update_time%20desc',
  '/notes/model',
  '/notes/model/customFields/tabs',
  '/notes/model/customFields/groups',
  '/notes/templates?filter=call',
  '/tasks?filter=is_completed%3D%3Dtrue%3Bpriority%3D%3DCRITICAL&order_by=due_time%20desc',
  '/tasks?fields=custom_fields&page_size=3',
  '/tasks/model',
  '/tasks/model/customFields/tabs',
  '/tasks/model/customFields/groups',
  '/opportunities?page_size=4&fields=custom_fields,created_by,last_updated_by,status_id,monthly_revenue,order_revenue,objection,status,stage_entrance_time',
  '/opportunities?filter=opportunity_title%3D%3DOpp*%3Bprojected_revenue_high%3E%3D100&order_by=contact_name%20asc',
  '/opportunities/3',
  '/opportunities/model',
  '/opportunities/model/customFields/tabs',
  '/opportunities/model/customFields/tabs/5',
  '/opportunities/model/customFields/groups',
  '/opportunities/model/customFields/groups/5',
  '/opportunities/stages?order_by=stage_order%20desc',
  '/opportunities/stages/2',
  '/opportunities/stageMoves?filter=user_id%3D%3D2&order_by=move_date%20desc',
  '/opportunities/stageMoves/4',
  '/products?page_size=5&order_by=last_updated_time%20desc',
  '/products?filter=name%3D%3Ds*%3Bproduct_id%3E%3D2',
  '/products/3',
  '/products/-/subscriptions?filter=active%3D%3Dtrue&order_by=product_id%20desc',
  '/productCategories?filter=product_category_id%21%3D2&order_by=id%20desc',
  '/productCategories/2',
  '/productCategories/assignedProducts?order_by=product_category_id%20desc',
  '/productInterestBundles?order_by=name%20asc',
  '/productInterestBundles/2',
  '/subscriptions?filter=billing_amount%3E10%3Bstatus%3D%3DActive&order_by=modification_time%20desc',
  '/subscriptions?page_size=3',
  '/subscriptions/4',
  '/subscriptions/model',
  '/subscriptions/model/customFields/tabs',
  '/subscriptions/model/customFields/groups',
  '/sales/payments?filter=amount%3E%3D100%3Bsince_time%3D%3D2020-01-01T00:00:00.000Z&order_by=payment_time%20desc&page_size=5',
  '/sales/payments?filter=merchant_account_type%3D%3DSTRIPE',
  '/sales/transactions?filter=is_successful%3D%3Dtrue&order_by=transaction_time%20asc&page_size=5',
  '/paymentMethods?filter=since_time%3D%3D2021-01-01T00:00:00Z&order_by=created_time%20desc&page_size=5',
  '/merchants?order_by=name%20desc',
  '/discounts/shipping?filter=discount_type%3D%3DAMOUNT&order_by=discount_value%20desc',
  '/discounts/shipping/1',
  '/discounts/products?filter=apply_to_commissions%3D%3Dfalse&order_by=product_id%20asc',
  '/discounts/products/2',
  '/discounts/productCategories?filter=name%3D%3DCategory*%3Bid%21%3D3',
  '/discounts/productCategories/3',
  '/discounts/orderTotals?filter=discount_strategy%3D%3DNET&order_by=discount_strategy%20asc',
  '/discounts/orderTotals/4',
  '/discounts/freeTrials?filter=hide_price%3D%3DTrue&order_by=free_trial_days%20desc',
  '/discounts/freeTrials/5',
  '/shipping',
  '/webforms?filter=webform_type%3D%3Dlegacy%3Bsince_create_time%3D%3D2019-01-01T00:00:00Z&order_by=name%20asc',
  '/webforms/7:data',
  '/affiliates?filter=status%3D%3DACTIVE%3Bid%3C%3D15&order_by=name%20desc&page_size=5',
  '/affiliates?filter=Tier%3E%3D2',
  '/affiliates/3',
  '/affiliates/model',
  '/affiliates/model/customFields/tabs',
  '/affiliates/model/customFields/tabs/4',
  '/affiliates/model/customFields/groups',
  '/affiliates/model/customFields/groups/4',
  '/affiliates/summaries?filter=affiliate_ids%3D%3D1,2,3%3Bsince_time%3D%3D2020-01-01T00:00:00Z&order_by=balance%20desc',
  '/affiliates/summaries?page_size=4',
  '/affiliates/redirects?order_by=name%20asc',
  '/affiliates/commissionPrograms?filter=affiliate_id%3D%3D3',
  '/affiliates/commissionPrograms/2',
  '/affiliates/commissionPrograms/1/resources',
  '/affiliates/5/commissionTotal',
  '/referrals?filter=contact_id%3E10&order_by=referral_time%20desc',
  '/campaigns?filter=name%3D%3Dwin&order_by=activeContacts%20desc',
  '/campaigns?order_by=publisheddate%20desc',
  '/campaigns/2',
  '/campaigns/2/sequences',
  '/campaigns/3/goals',
  '/automations?filter=status%3D%3Dpublished%3Bid%3E2&order_by=activeContacts%20desc&page_size=4',
  '/automations/5',
  '/automations/ids?filter=categories%3D%3D1,2&order_by=name%20asc',
  '/automationCategory',
  '/emails?filter=start_created_time%3D%3D2020-01-01T00:00:00Z&order_by=created_time%20desc&page_size=5',
  '/emails/9',
  '/emails/templates?filter=Welcome&order_by=id%20desc',
  '/emails/templates/2',
  '/emailAddresses?filter=opted_in%3D%3Dtrue%3Bstatuses%3D%3DSINGLE_OPT_IN,DOUBLE_OPT_IN&order_by=last_open_time%20desc&page_size=5',
  '/leadSources?filter=id%3E%3D2%3Bname%3D%3Dg*&order_by=update_time%20desc',
  '/leadSources/3',
  '/leadSourceCategories?filter=name%3D%3Dp*&order_by=name%20desc',
  '/leadSourceCategories/2',
  '/users?filter=include_partners%3D%3Dtrue&order_by=name%20asc',
  '/users?page_size=2',
  '/users/2',
  '/users/2/signature',
  '/userGroups',
  '/userGroups/2',
  '/files?filter=is_public%3D%3Dfalse&order_by=file_name%20asc',
  '/files/4',
  '/files/4:data',
  '/reporting/reports?filter=since_created_time%3D%3D2019-01-01&order_by=name%20asc',
  '/reporting/reports/3',
  '/reporting/reports/3/model',
  '/settings/applications:getConfiguration',
  '/settings/applications:getConfiguration?fields=ECOMMERCE,INVOICE',
];

/** Paths that name rows found by listing first: `{note}` is a note's id, `{note_contact}` its contact. */
async function nestedPaths(): Promise<string[]> {
  const note = ((await api.ok('/notes?page_size=1'))['notes'] as Json[])[0] ?? {};
  const task = ((await api.ok('/tasks?page_size=1'))['tasks'] as Json[])[0] ?? {};
  const products = sandbox.data.table('Product');
  const withImage = [...products.ids()].find((id) => products.value(id, 'LargeImage') !== null);
  const plan = sandbox.data.table('SubscriptionPlan');
  const option = sandbox.data.table('ProductOption');
  const card = sandbox.data.table('CreditCard');
  const invoices = sandbox.data.table('Invoice');
  const seller = Number([...invoices.ids()].map((id) => invoices.value(id, 'AffiliateId')).find((a) => typeof a === 'number' && a > 0));
  const link = ((await api.ok('/affiliates/redirects?page_size=1'))['affiliate_links'] as Json[])[0] ?? {};
  const referral = sandbox.data.table('Referral');
  const expense = sandbox.data.table('LeadSourceExpense');
  const recurring = sandbox.data.table('LeadSourceRecurringExpense');
  const source = String(recurring.value(1, 'LeadSourceId'));
  const email = String(sandbox.data.table('EmailAddStatus').value(2, 'Email'));
  return [
    `/emailAddresses/${encodeURIComponent(email)}/status`,
    `/leadSources/${String(expense.value(1, 'LeadSourceId'))}/expenses?order_by=amount%20desc`,
    `/leadSources/${String(expense.value(1, 'LeadSourceId'))}/expenses/1`,
    `/leadSources/${source}/recurringExpenses?order_by=next_expense_time%20asc`,
    `/leadSources/${source}/recurringExpenses/1`,
    `/leadSources/${source}/recurringExpenses/1/expenses`,
    `/affiliates/${seller}:commissions?filter=since_time%3D%3D2019-06-01T00:00:00Z&order_by=time_earned%20desc`,
    `/affiliates/${seller}/payments?order_by=pay_amount%20desc`,
    `/affiliates/${String(referral.value(1, 'AffiliateId'))}/referrals`,
    `/affiliates/redirects/${String(link['id'])}`,
    `/contacts/${String(card.value(1, 'ContactId'))}/paymentMethods?order_by=created_time%20desc`,
    `/products/${String(withImage)}/images/legacyImageData`,
    `/products/${String(plan.value(1, 'ProductId'))}/subscriptions`,
    `/products/${String(plan.value(1, 'ProductId'))}/subscriptions/1`,
    `/products/${String(option.value(1, 'ProductId'))}/options`,
    `/products/${String(option.value(1, 'ProductId'))}/options/1`,
    `/products/${String(option.value(2, 'ProductId'))}/options/2`,
    `/contacts/${String(note['contact_id'])}/notes?fields=custom_fields`,
    `/contacts/${String(note['contact_id'])}/notes/${String(note['id'])}`,
    `/tasks/${String(task['id'])}?fields=custom_fields`,
  ];
}

describe('the sandbox REST v2 API against the official spec', () => {
  it('validates strictly: an invented property, a wrong type or a null fails', () => {
    expect(spec.check('GET', '/contacts', 200, { contacts: [{ id: '1', given_name: 'Ada' }], next_page_token: '' })).toEqual([]);
    expect(spec.check('GET', '/contacts', 200, { contacts: [{ id: '1', shoe_size: 9 }] }).join()).toMatch(/additional properties/);
    expect(spec.check('GET', '/contacts', 200, { contacts: [{ id: 1 }] }).join()).toMatch(/must be string/);
    expect(spec.check('GET', '/contacts', 200, { contacts: [{ id: '1', company: { id: '2', company_name: null } }] }).join()).toMatch(/must be string/);
    expect(spec.check('GET', '/tags', 200, { tags: [{ id: '1', create_time: 'yesterday' }] }).join()).toMatch(/date-time/);
    expect(spec.check('GET', '/contacts/{contact_id}', 404, { code: 404, message: 'x', status: 'Not Found', details: [{ domain: 'Contact', resource: '1' }] })).toEqual([]);
  });

  it('answers every path with a body the spec allows', async () => {
    for (const path of PATHS) await api.ok(path);
    for (const path of await nestedPaths()) await api.ok(path);
  });

  it('answers misses with a 404 Error body and bad ids with a 400', async () => {
    expect(await api.error('/contacts/99999', 404)).toBe('Contact not found: 99999');
    await api.error('/contacts/abc', 400);
    await api.error('/orders/99999/payments', 404);
    await api.error('/tags/999', 404);
    await api.error('/orders/7/items/8', 404);
    await api.error('/contacts/model/customFields/tabs/4', 404);
    await api.error('/no/such/path', 404);
  });

  it('pages by opaque tokens to the last page, whose token is empty', async () => {
    const contacts = await api.all('/contacts', 'contacts', 7);
    expect(ids(contacts)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    const last = await api.ok(`/contacts?page_size=120`);
    expect(last['next_page_token']).toBe('');
  });

  it('filters by the fields each description allows, with its operators and wildcards', async () => {
    const contacts = sandbox.data.table('Contact');
    const all = await api.all('/contacts?fields=id,update_time,email_addresses,given_name', 'contacts');
    const cut = String(all[60]?.['update_time']);
    const since = await api.all(`/contacts?filter=start_update_time%3D%3D${cut}`, 'contacts');
    expect(since.length).toBe(all.filter((c) => String(c['update_time']) >= cut).length);
    const window = await api.all(`/contacts?filter=start_update_time%3D%3D${cut}%3Bend_update_time%3D%3D${cut}`, 'contacts');
    expect(window.map((c) => c['update_time'])).toEqual(window.map(() => cut));
    const first = String(contacts.value(3, 'FirstName'));
    const prefix = await api.all(`/contacts?filter=given_name%3D%3D${encodeURIComponent(first.slice(0, 2).toLowerCase())}*`, 'contacts');
    expect(prefix.length).toBeGreaterThan(0);
    for (const c of prefix) expect(String(contacts.value(Number(c['id']), 'FirstName')).toLowerCase().startsWith(first.slice(0, 2).toLowerCase())).toBe(true);
    expect(ids(await api.all('/contacts?filter=contact_id%3E115', 'contacts'))).toEqual([116, 117, 118, 119, 120]);
    expect(ids(await api.all('/contacts?filter=ids%3D%3D3,1,2', 'contacts'))).toEqual([1, 2, 3]);
    const vip = await api.all('/contacts?filter=VIP%3D%3D1&fields=custom_fields', 'contacts');
    for (const c of vip) expect(contacts.value(Number(c['id']), '_VIP')).toBe(1);
    const phone = String(contacts.value(5, 'Phone1'));
    const byPhone = ids(await api.all(`/contacts?filter=phone_number%3D%3D${encodeURIComponent(phone)}%3Bphone_fields%3D%3DPHONE1,PHONE2`, 'contacts'));
    expect(byPhone).toContain(5);
    const orders = await api.all('/orders?filter=order_type%3D%3Donline', 'orders');
    expect(orders.every((o) => o['order_type'] === 'ONLINE')).toBe(true);
  });

  it('refuses filters it does not allow, naming the field, operator or value', async () => {
    expect(await api.error('/contacts?filter=nickname%3D%3DBo', 400)).toMatch(/Invalid filter field 'nickname': allowed fields: email, given_name/);
    expect(await api.error('/contacts?filter=email%3Ex', 400)).toBe("Operator '>' is not allowed for filter field 'email': allowed ==");
    expect(await api.error('/contacts?filter=company_id%3D%3D1*', 400)).toMatch(/company_id/);
    expect(await api.error('/companies?filter=company_name%3D%3DAcme*', 400)).toBe("Filter field 'company_name' does not support the '*' wildcard");
    expect(await api.error('/contacts?filter=start_update_time%3D%3D2025-01-01', 400)).toMatch(/full ISO 8601/);
    expect(await api.error('/contacts?filter=given_name%3DBo', 400)).toMatch(/equality operator is ==/);
    expect(await api.error('/contacts?filter=phone_number%3D%3D555', 400)).toMatch(/requires phone_fields/);
    expect(await api.error('/contacts?filter=Score%3D%3Dx', 400)).toMatch(/Score/);
  });

  it('orders by the listed fields, ties by ascending id, and refuses others', async () => {
    const byUpdate = await api.all('/contacts?order_by=update_time%20desc&fields=id,update_time', 'contacts', 50);
    const times = byUpdate.map((c) => String(c['update_time']));
    expect([...times].sort().reverse()).toEqual(times);
    expect(await api.error('/contacts?order_by=family_name%20asc', 400)).toMatch(/allowed fields id, create_time, email, update_time/);
    for (const direction of ['asc', 'desc']) {
      const byStatus = (await api.ok(`/affiliates?order_by=status%20${direction}`))['affiliates'] as Json[];
      const statuses = byStatus.map((a) => String(a['status']));
      expect(statuses).toEqual([...statuses].sort((a, b) => (direction === 'asc' ? a.localeCompare(b) : b.localeCompare(a))));
      for (const status of ['ACTIVE', 'INACTIVE']) {
        const same = ids(byStatus.filter((a) => a['status'] === status));
        expect(same).toEqual([...same].sort((a, b) => a - b));
      }
    }
    expect(await api.error('/contacts?order_by=email%20up', 400)).toMatch(/asc or desc/);
  });

  it('leaves out what Keap leaves out by default, and the model names exactly that', async () => {
    const companies = (await api.ok('/companies?page_size=5'))['companies'] as Json[];
    const model = await api.ok('/companies/model');
    for (const c of companies) for (const f of model['optional_properties'] as string[]) expect(c).not.toHaveProperty(f);
    const full = (await api.ok('/companies?page_size=5&fields=notes,create_time'))['companies'] as Json[];
    expect(full.every((c) => typeof c['create_time'] === 'string' && 'company_name' in c)).toBe(true);
    const contactModel = await api.ok('/contacts/model');
    const selected = (await api.ok('/contacts/1?fields=job_title'));
    expect(Object.keys(selected).filter((k) => k !== 'id' && k !== 'job_title')).toEqual([]);
    const plain = await api.ok('/contacts/1');
    for (const f of contactModel['optional_properties'] as string[]) expect(plain).not.toHaveProperty(f);
    expect(await api.error('/contacts?fields=shoe_size', 400)).toMatch(/Invalid fields value 'shoe_size'/);
  });

  it('refuses page sizes above the maximum and tokens of another query', async () => {
    await api.error('/contacts?page_size=1001', 400);
    await api.error('/contacts?page_size=-1', 400);
    const first = await api.ok('/contacts?page_size=5&order_by=email%20asc');
    const token = encodeURIComponent(String(first['next_page_token']));
    await api.ok(`/contacts?page_size=5&order_by=email%20asc&page_token=${token}`);
    expect(await api.error(`/contacts?page_size=5&page_token=${token}`, 400)).toMatch(/different filter or order_by/);
    expect(await api.error('/contacts?page_token=not-a-token', 400)).toMatch(/Invalid page_token/);
  });

  it('runs a saved report page by page over the rows the XML-RPC saved search returns', async () => {
    const rows: Json[] = [];
    let token = '';
    do {
      const body = await api.ok(`/reporting/reports/1:run?page_size=40&fields=Id,Email${token === '' ? '' : `&page_token=${encodeURIComponent(token)}`}`, { method: 'POST' });
      rows.push(...(body['results'] as Json[]));
      token = String(body['page_token']);
    } while (token !== '');
    const xml = (await rpc('SearchService.getSavedSearchResultsAllFields', ['k', 1, 1, 0])) as Record<string, unknown>[];
    const firstIds = rows.slice(0, xml.length).map((r) => (r['columns'] as Json[])[0]?.['value']);
    expect(firstIds).toEqual(xml.map((r) => String(r['Id'])));
    expect(rows.length).toBe(120);
    const byBody = await api.ok('/reporting/reports/2:run', { method: 'POST', body: JSON.stringify({ page_size: 5, order_by: 'Email desc' }) });
    expect((byBody['results'] as Json[]).length).toBeLessThanOrEqual(5);
    expect(await api.error('/reporting/reports/1:run?fields=Shoe', 400, { method: 'POST' })).toMatch(/has the fields Id, FirstName/);
    expect((await api.call('/reporting/reports/1:run')).status).toBe(405);
  });

  it('serves exactly the routes it declares, each answered and validated', async () => {
    // Tasks, notes and subscriptions have no custom fields in the sandbox account: their tabs and
    // groups can only be missed.
    const empty = ['notes', 'tasks', 'subscriptions'].flatMap((r) => [`/${r}/model/customFields/tabs/1`, `/${r}/model/customFields/groups/1`]);
    for (const path of empty) await api.error(path, 404);
    const router = new RestRouter();
    const missing = router.routes
      .map((r) => `${r.method} ${r.path}`)
      .filter((k) => !api.seen.get(k)?.has(200) && !(/\/(notes|tasks|subscriptions)\/model\/customFields\/\w+\/\{/.test(k) && api.seen.get(k)?.has(404)));
    expect(missing).toEqual([]);
    for (const r of router.routes) expect(spec.operation(r.method, r.path), `${r.method} ${r.path}`).toBeDefined();
  });

  it('orders every list by each of its order_by fields, both ways, with bodies the spec allows', async () => {
    for (const route of new RestRouter().routes) {
      const path = api.examples.get(`${route.method} ${route.path}`);
      if (path === undefined || route.orderFields === undefined) continue;
      const init = route.method === 'POST' ? { method: 'POST' } : {};
      for (const field of route.orderFields) {
        const asc = await api.ok(`${path}?order_by=${field}%20asc&page_size=${route.path === '/automations' || route.path === '/automations/ids' ? 25 : 100}`, init);
        const desc = await api.ok(`${path}?order_by=${field}%20desc&page_size=${route.path === '/automations' || route.path === '/automations/ids' ? 25 : 100}`, init);
        const items = Object.keys(asc).find((k) => Array.isArray(asc[k]));
        expect((asc[items ?? ''] as unknown[]).length, `${path} ${field}`).toBe((desc[items ?? ''] as unknown[]).length);
      }
    }
  });

  it("takes exactly the filter and order_by fields each parameter's description lists", () => {
    const mismatches: string[] = [];
    for (const route of new RestRouter().routes) {
      const op = spec.operation(route.method, route.path);
      const described = (name: string): Set<string> => describedFields(op?.parameters.find((p) => p.name === name)?.description ?? '', name);
      const compare = (what: string, declared: readonly string[] | undefined, listed: Set<string>): void => {
        const mine = new Set(declared ?? []);
        const extra = [...mine].filter((f) => !listed.has(f));
        const missing = [...listed].filter((f) => !mine.has(f));
        if (extra.length + missing.length > 0) mismatches.push(`${route.path} ${what}: extra [${extra.join(', ')}] missing [${missing.join(', ')}]`);
      };
      compare('filter', route.filterFields, described('filter'));
      compare('order_by', route.orderFields, described('order_by'));
    }
    expect(mismatches).toEqual(DESCRIPTION_GAPS);
  });

  it("takes its shapes from the spec, never from the connector's registries", () => {
    const dir = join(process.cwd(), 'src', 'sandbox', 'rest');
    for (const file of readdirSync(dir)) {
      const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1] ?? '');
      expect(imports.filter((i) => /streams\/|schemas\//.test(i)), file).toEqual([]);
    }
  });

  it('serves every GET path of the spec that holds account data, the report run, and the setting a report reads', () => {
    const reference = /^\/(locales|settings|oauth\/connect\/userinfo|integrations\/wordpress|businessProfile)(\/|:|$)/;
    const served = new Set(new RestRouter().routes.map((r) => `${r.method} ${r.path}`));
    const reports = ['/reporting/reports/{report_id}:run', '/settings/applications:getConfiguration'];
    const wanted = spec.operations.filter((o) => (o.method === 'GET' && !reference.test(o.path)) || reports.includes(o.path)).map((o) => `${o.method} ${o.path}`);
    expect(wanted.filter((w) => !served.has(w))).toEqual([]);
    expect(served.size).toBe(wanted.length);
  });
});
