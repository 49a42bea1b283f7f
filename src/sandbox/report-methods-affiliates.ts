import type { XmlRpcStruct, XmlRpcValue } from '../xmlrpc/types.js';
import { recordNotFound } from './keap-fault.js';
import { registerMethods, type MethodContext } from './methods.js';
import {
  CLAWBACK_DELAY_MS,
  clawedBack,
  commissionOf,
  existing,
  inWindow,
  instantOf,
  money,
  payoutsOf,
  pick,
  programResources,
  PROGRAMS,
  redirectLinksOf,
  salesOf,
  structOf,
  totalsOf,
  type Program,
  type Sale,
  type Totals,
} from './report-data.js';

/**
 * APIAffiliateService, AffiliateService and AffiliateProgramService: the affiliate reports,
 * derived from the Affiliate, Invoice, Contact, Product and AffResource tables (report-data.ts).
 * Unknown ids answer with Keap's RecordNotFound fault (5); parameters of the wrong type with
 * InvalidParameter (12), like every sandbox method.
 */

const WINDOW_SIG = '(String key, int affiliateId, dateTime filterStartDate, dateTime filterEndDate)';

interface Window {
  affiliateId: number;
  from: number;
  to: number;
}

function windowParams(ctx: MethodContext, values: XmlRpcValue[]): Window {
  const p = ctx.params(values, WINDOW_SIG).count(3);
  const affiliateId = existing(ctx.table('Affiliate'), p.int(0));
  return { affiliateId, from: instantOf(ctx, p.date(1), 'filterStartDate'), to: instantOf(ctx, p.date(2), 'filterEndDate') };
}

/** The people on a sale: the buyer, and the affiliate's own contact who sold it. */
function people(ctx: MethodContext, affiliateId: number, sale: Sale): XmlRpcStruct {
  const contacts = ctx.table('Contact');
  const seller = ctx.table('Affiliate').value(affiliateId, 'ContactId');
  const sellerId = typeof seller === 'number' ? seller : 0;
  return {
    ContactId: sale.contactId,
    ContactFirstName: contacts.value(sale.contactId, 'FirstName'),
    ContactLastName: contacts.value(sale.contactId, 'LastName'),
    SoldByFirstName: contacts.value(sellerId, 'FirstName'),
    SoldByLastName: contacts.value(sellerId, 'LastName'),
  };
}

function productName(ctx: MethodContext, sale: Sale): XmlRpcValue {
  return ctx.table('Product').value(sale.productId, 'ProductName');
}

function commissions(ctx: MethodContext, values: XmlRpcValue[]): XmlRpcValue {
  const w = windowParams(ctx, values);
  return salesOf(ctx.data, w.affiliateId)
    .filter((s) => inWindow(s.at, w))
    .map((s) => ({
      // NOVAK's Commission.php lists AffiliateId first, in a real answer's member order.
      AffiliateId: w.affiliateId,
      ...people(ctx, w.affiliateId, s),
      SaleAffId: w.affiliateId,
      InvoiceId: s.invoiceId,
      ProductName: productName(ctx, s),
      Description: `Commission on invoice ${s.invoiceId}`,
      AmtEarned: money(commissionOf(ctx.data, w.affiliateId, s)),
      DateEarned: ctx.date(s.at),
    }));
}

function clawbacks(ctx: MethodContext, values: XmlRpcValue[]): XmlRpcValue {
  const w = windowParams(ctx, values);
  return salesOf(ctx.data, w.affiliateId)
    .filter((s) => clawedBack(s) && inWindow(s.at + CLAWBACK_DELAY_MS, w))
    .map((s) => {
      const who = people(ctx, w.affiliateId, s);
      return {
        ContactId: s.contactId,
        FirstName: who['ContactFirstName'] ?? null,
        LastName: who['ContactLastName'] ?? null,
        SoldByFirstName: who['SoldByFirstName'] ?? null,
        SoldByLastName: who['SoldByLastName'] ?? null,
        SaleAffId: w.affiliateId,
        InvoiceId: s.invoiceId,
        ProductName: productName(ctx, s),
        Description: `Invoice ${s.invoiceId} was not paid`,
        Amount: money(commissionOf(ctx.data, w.affiliateId, s)),
        DateEarned: ctx.date(s.at + CLAWBACK_DELAY_MS),
      };
    });
}

function payouts(ctx: MethodContext, values: XmlRpcValue[]): XmlRpcValue {
  const w = windowParams(ctx, values);
  return payoutsOf(ctx.data, w.affiliateId)
    .filter((p) => inWindow(p.at, w))
    .map((p) => ({
      PayDate: ctx.date(p.at),
      PayAmt: money(p.amount),
      PayType: pick(ctx.data, 'payType', w.affiliateId, 2) === 0 ? 'Check' : 'PayPal',
      PayNote: `Commissions for ${p.month}`,
    }));
}

function totals(ctx: MethodContext, affiliateId: number, w: { from: number; to: number }): Totals {
  return totalsOf(ctx.data, affiliateId, w);
}

/** Array-taking methods answer for the ids that exist and leave the others out. */
function knownAffiliates(ctx: MethodContext, ids: number[]): number[] {
  const t = ctx.table('Affiliate');
  return ids.filter((id) => t.exists(id));
}

function summary(ctx: MethodContext, values: XmlRpcValue[]): XmlRpcValue {
  const p = ctx.params(values, '(String key, int[] affiliateIds, dateTime filterStartDate, dateTime filterEndDate)').count(3);
  const ids = p.ints(0);
  const w = { from: instantOf(ctx, p.date(1), 'filterStartDate'), to: instantOf(ctx, p.date(2), 'filterEndDate') };
  return knownAffiliates(ctx, ids).map((id) => {
    const t = totals(ctx, id, w);
    return {
      AffiliateId: id,
      AmountEarned: money(t.earned),
      Clawbacks: money(t.clawbacks),
      Payments: money(t.payments),
      RunningBalance: money(t.earned - t.clawbacks - t.payments),
    };
  });
}

function runningTotals(ctx: MethodContext, values: XmlRpcValue[]): XmlRpcValue {
  const p = ctx.params(values, '(String key, int[] affiliateIds)').count(1);
  const w = { from: 0, to: ctx.clock.now() };
  return knownAffiliates(ctx, p.ints(0)).map((id) => {
    const t = totals(ctx, id, w);
    // The members real consumers read (keap-evidence.md §1: MEMBERIUM stores all five).
    return { AffiliateId: id, AmountEarned: money(t.earned), Payments: money(t.payments), Clawbacks: money(t.clawbacks), RunningBalance: money(t.earned - t.clawbacks - t.payments) };
  });
}

function redirectLinks(ctx: MethodContext, values: XmlRpcValue[]): XmlRpcValue {
  const p = ctx.params(values, '(String key, int affiliateId)').count(1);
  const id = existing(ctx.table('Affiliate'), p.int(0));
  return redirectLinksOf(ctx.data, id).map((l) => ({ Id: l.id, AffiliateId: l.affiliateId, Name: l.name, LocalURLCode: l.localUrlCode, RedirectURL: l.redirectUrl }));
}

// ---- programs (report-data.ts) ----

function programStruct(p: Program): XmlRpcStruct {
  return { Id: p.Id, Name: p.Name, Priority: p.Priority, Notes: p.Notes, AffiliateId: p.AffiliateId };
}

function programOf(id: number): Program {
  const p = PROGRAMS.find((x) => x.Id === id);
  if (!p) throw recordNotFound();
  return p;
}

function affiliatesByProgram(ctx: MethodContext, values: XmlRpcValue[]): XmlRpcValue {
  const p = ctx.params(values, '(String key, int programId)').count(1);
  const program = programOf(p.int(0));
  const affiliates = ctx.table('Affiliate');
  const contacts = ctx.table('Contact');
  const out: XmlRpcStruct[] = [];
  for (const id of affiliates.ids()) {
    if (!program.members(id)) continue;
    const row = structOf(ctx, affiliates, id, ['Password']);
    const contact = typeof row['ContactId'] === 'number' ? row['ContactId'] : 0;
    // Keap adds the affiliate's contact fields beside the Affiliate fields.
    out.push({ ...row, FirstName: contacts.value(contact, 'FirstName'), LastName: contacts.value(contact, 'LastName'), Email: contacts.value(contact, 'Email') });
  }
  return out;
}

function resources(ctx: MethodContext, values: XmlRpcValue[]): XmlRpcValue {
  const p = ctx.params(values, '(String key, int programId)').count(1);
  const program = programOf(p.int(0));
  return programResources(ctx.data, program.Id).map((id) => structOf(ctx, ctx.table('AffResource'), id));
}

registerMethods({
  'APIAffiliateService.affCommissions': commissions,
  'APIAffiliateService.affClawbacks': clawbacks,
  'APIAffiliateService.affPayouts': payouts,
  'APIAffiliateService.affSummary': summary,
  'APIAffiliateService.affRunningTotals': runningTotals,
  'AffiliateService.getRedirectLinksForAffiliate': redirectLinks,
  'AffiliateProgramService.getAffiliatePrograms': (ctx, values) => {
    ctx.params(values, '(String key)').count(0);
    return PROGRAMS.map(programStruct);
  },
  'AffiliateProgramService.getProgramsForAffiliate': (ctx, values) => {
    const p = ctx.params(values, '(String key, int affiliateId)').count(1);
    const id = existing(ctx.table('Affiliate'), p.int(0));
    return PROGRAMS.filter((x) => x.members(id)).map(programStruct);
  },
  'AffiliateProgramService.getAffiliatesByProgram': affiliatesByProgram,
  'AffiliateProgramService.getResourcesForAffiliateProgram': resources,
});
