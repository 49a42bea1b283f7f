import { XmlRpcBase64, XmlRpcDouble, type XmlRpcDateTime, type XmlRpcStruct } from '../xmlrpc/types.js';
import type { SandboxData, SandboxTable } from './data.js';
import { invalidParameter, recordNotFound } from './keap-fault.js';
import type { MethodContext } from './methods.js';
import { hash4, hashString } from './random.js';
import { parseWallText } from './wall-clock.js';

/**
 * What the report methods derive from the sandbox's tables: an affiliate's sales are the Invoice
 * rows with its AffiliateId, commissions a share of them, clawbacks the unpaid ones, payouts the
 * month's commissions paid on the 15th of the next month. Everything is a function of the data,
 * so every run of a seed answers the same, and rows changed by a test change the reports.
 */

export const DAY_MS = 86_400_000;

/** Money as Keap sends it: a <double>, rounded to cents. */
export function money(n: number): XmlRpcDouble {
  return new XmlRpcDouble(Math.round(n * 100) / 100);
}

export function cents(n: number): number {
  return Math.round(n * 100) / 100;
}

/** A dateTime parameter (the app's wall clock) as a UTC instant. */
export function instantOf(ctx: MethodContext, v: XmlRpcDateTime, what: string): number {
  const local = parseWallText(v.text);
  if (local === null) throw invalidParameter(`${ctx.method}: ${what} '${v.text}' is not a date`);
  return ctx.wall.toUtc(local);
}

/** The row must exist, or Keap's RecordNotFound fault. */
export function existing(table: SandboxTable, id: number): number {
  if (!table.exists(id)) throw recordNotFound();
  return id;
}

/** A stable small number for (what, id). */
export function pick(data: SandboxData, what: string, id: number, n: number): number {
  return hash4(data.seed, hashString(`report:${what}`), id, 0) % n;
}

export function str(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

export function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

export interface Sale {
  invoiceId: number;
  contactId: number;
  at: number;
  total: number;
  paid: number;
  productId: number;
}

const salesCache = new WeakMap<SandboxData, { version: number; byAffiliate: Map<number, Sale[]> }>();

/** Invoices by AffiliateId, rebuilt when any table changes. */
export function salesOf(data: SandboxData, affiliateId: number): Sale[] {
  let cached = salesCache.get(data);
  if (!cached || cached.version !== data.version) {
    const invoices = data.table('Invoice');
    const byAffiliate = new Map<number, Sale[]>();
    for (const id of invoices.ids()) {
      const aff = invoices.value(id, 'AffiliateId');
      if (typeof aff !== 'number' || aff === 0) continue;
      const sale: Sale = {
        invoiceId: id,
        contactId: num(invoices.value(id, 'ContactId')),
        at: num(invoices.value(id, 'DateCreated')),
        total: num(invoices.value(id, 'InvoiceTotal')),
        paid: num(invoices.value(id, 'TotalPaid')),
        productId: Number(invoices.value(id, 'ProductSold') ?? 0) || 0,
      };
      const list = byAffiliate.get(aff) ?? [];
      list.push(sale);
      byAffiliate.set(aff, list);
    }
    cached = { version: data.version, byAffiliate };
    salesCache.set(data, cached);
  }
  return cached.byAffiliate.get(affiliateId) ?? [];
}

/** The affiliate's share of a sale (Affiliate.SalePercent, 10% when unset). */
export function commissionOf(data: SandboxData, affiliateId: number, sale: Sale): number {
  const pct = data.table('Affiliate').value(affiliateId, 'SalePercent');
  return cents((sale.total * (typeof pct === 'number' && pct > 0 ? pct : 10)) / 100);
}

/** Unpaid sales on even invoices are clawed back 30 days after the sale. */
export function clawedBack(sale: Sale): boolean {
  return sale.paid === 0 && sale.invoiceId % 2 === 0;
}

export const CLAWBACK_DELAY_MS = 30 * DAY_MS;

export interface Payout {
  at: number;
  amount: number;
  month: string;
}

/** One payout per month with commissions, on the 15th of the next month at 17:00 UTC. */
export function payoutsOf(data: SandboxData, affiliateId: number): Payout[] {
  const byMonth = new Map<string, number>();
  for (const sale of salesOf(data, affiliateId)) {
    const d = new Date(sale.at);
    const month = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    byMonth.set(month, (byMonth.get(month) ?? 0) + commissionOf(data, affiliateId, sale));
  }
  return [...byMonth.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, amount]) => {
      const [y, m] = month.split('-').map(Number) as [number, number];
      return { at: Date.UTC(y, m, 15, 17, 0, 0), amount: cents(amount), month };
    });
}

export interface Totals {
  earned: number;
  clawbacks: number;
  payments: number;
}

export function inWindow(at: number, w: { from: number; to: number }): boolean {
  return at >= w.from && at <= w.to;
}

/** An affiliate's commissions earned, clawed back and paid out inside a window. */
export function totalsOf(data: SandboxData, affiliateId: number, w: { from: number; to: number }): Totals {
  let earned = 0;
  let claws = 0;
  for (const s of salesOf(data, affiliateId)) {
    if (inWindow(s.at, w)) earned += commissionOf(data, affiliateId, s);
    if (clawedBack(s) && inWindow(s.at + CLAWBACK_DELAY_MS, w)) claws += commissionOf(data, affiliateId, s);
  }
  const payments = payoutsOf(data, affiliateId)
    .filter((p) => inWindow(p.at, w))
    .reduce((sum, p) => sum + p.amount, 0);
  return { earned: cents(earned), clawbacks: cents(claws), payments: cents(payments) };
}

export interface RedirectLink {
  id: number;
  affiliateId: number;
  name: string;
  localUrlCode: string;
  redirectUrl: string;
}

const LINK_PAGES = ['', 'pricing', 'webinar'];

/** An affiliate's redirect links: up to three, ids affiliateId*10+1.. (getRedirectLinksForAffiliate). */
export function redirectLinksOf(data: SandboxData, affiliateId: number): RedirectLink[] {
  const code = str(data.table('Affiliate').value(affiliateId, 'AffCode'));
  return Array.from({ length: pick(data, 'links', affiliateId, 4) }, (_, k) => ({
    id: affiliateId * 10 + k + 1,
    affiliateId,
    name: k === 0 ? 'Home page' : `${LINK_PAGES[k] ?? 'page'} page`,
    localUrlCode: `${code}${k === 0 ? '' : `-${LINK_PAGES[k] ?? k}`}`,
    redirectUrl: `https://example.com/${LINK_PAGES[k] ?? ''}?ref=${code}`,
  }));
}

/** Affiliate programs: a fixed set, the way a small account has them. */
export interface Program {
  Id: number;
  Name: string;
  Priority: number;
  Notes: string;
  /** Non-zero for one affiliate's override program. */
  AffiliateId: number;
  members: (affiliateId: number) => boolean;
}

export const PROGRAMS: readonly Program[] = [
  { Id: 1, Name: 'Standard Partners', Priority: 3, Notes: '20% on first sales', AffiliateId: 0, members: () => true },
  { Id: 2, Name: 'VIP Partners', Priority: 2, Notes: 'Invitation only', AffiliateId: 0, members: (a) => a % 3 === 0 },
  { Id: 3, Name: 'Founding Partner Override', Priority: 1, Notes: 'Override for affiliate 1', AffiliateId: 1, members: (a) => a === 1 },
];

/** AffResource rows offered to a program (their ProgramIds list names it). */
export function programResources(data: SandboxData, programId: number): number[] {
  const table = data.table('AffResource');
  return [...table.ids()].filter((id) =>
    str(table.value(id, 'ProgramIds'))
      .split(',')
      .map((s) => Number(s.trim()))
      .includes(programId),
  );
}

/** A table row as a struct typed the way Keap sends it (dates as dateTime, money as double). */
export function structOf(ctx: MethodContext, table: SandboxTable, id: number, except: readonly string[] = []): XmlRpcStruct {
  const out: XmlRpcStruct = {};
  const row = table.get(id) ?? {};
  for (const [field, v] of Object.entries(row)) {
    if (v === null || except.includes(field)) continue;
    const kind = table.columns.get(field);
    if (kind === 'date' && typeof v === 'number') out[field] = ctx.date(v);
    else if (kind === 'double' && typeof v === 'number') out[field] = new XmlRpcDouble(v);
    else if (kind === 'blob' && typeof v === 'string') out[field] = new XmlRpcBase64(v);
    else out[field] = v;
  }
  return out;
}
