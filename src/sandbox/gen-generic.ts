import type { ColumnKind } from './columns.js';
import { type FieldGen, type TableKit } from './gen-kit.js';
import { personParts } from './gen-people.js';
import { SENTENCES } from './words.js';

/**
 * Columns no table builder spelled out are filled from their name and type: `...Id` integers
 * point at rows of the table they name, `...Email` looks like an address, money is a double with
 * cents, flags are 0/1. Good enough for lookup tables nobody inspects by hand, and every value
 * still has the column's type.
 */

const FOREIGN_KEYS: Readonly<Record<string, string>> = {
  ContactId: 'Contact',
  ContactID: 'Contact',
  ObjectId: 'Contact',
  CompanyID: 'Company',
  AccountId: 'Company',
  GroupId: 'ContactGroup',
  GroupCategoryId: 'ContactGroupCategory',
  ProductId: 'Product',
  JobId: 'Job',
  OrderId: 'Job',
  OriginatingOrderId: 'Job',
  InvoiceId: 'Invoice',
  InvoiceItemId: 'InvoiceItem',
  OrderItemId: 'OrderItem',
  AffiliateId: 'Affiliate',
  LeadAffiliateId: 'Affiliate',
  UserID: 'User',
  UserId: 'User',
  OwnerID: 'User',
  OwnerId: 'User',
  CreatedBy: 'User',
  LastUpdatedBy: 'User',
  DevId: 'User',
  LeadSourceId: 'LeadSource',
  LeadSourceCategoryId: 'LeadSourceCategory',
  LeadSourceRecurringExpenseId: 'LeadSourceRecurringExpense',
  CampaignId: 'Campaign',
  TemplateId: 'Template',
  StageID: 'Stage',
  MoveToStage: 'Stage',
  MoveFromStage: 'Stage',
  StatusID: 'Status',
  OpportunityId: 'Lead',
  PayPlanId: 'PayPlan',
  PaymentId: 'Payment',
  ChargeId: 'CCharge',
  CCId: 'CreditCard',
  CC1: 'CreditCard',
  ProgramId: 'CProgram',
  SubscriptionPlanId: 'SubscriptionPlan',
  ProductOptionId: 'ProductOption',
  ProductCategoryId: 'ProductCategory',
  RecurringId: 'RecurringOrder',
  JobRecurringId: 'RecurringOrder',
  RecurringOrderId: 'RecurringOrder',
  TabId: 'DataFormTab',
  TicketTypeId: 'TicketType',
  IssueId: 'Ticket',
};

const FLAG = /^(Is[A-Z]|Has[A-Z]|Can[A-Z]|Allow|Notify|Hide|Needs|Skip|Auto|Include|Public$|Admin$|Accepted$|.*Taxable$|Shippable$|Synced$|Commission$|Partner$|TextMessage$)/;
const SMALL = /(Status|Type|Priority|Order|Ordering|Stage|Category|Qty|Frequency|Count|Max|Min|Days|Rows|Index|Limit|Cycles|Retry|Gateway|Merchant|Option|Cookie|Lead)/;

/** A 1x1 GIF: the smallest honest image for `LargeImage`-style blob columns. */
const TINY_GIF = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

export function genericGen(k: TableKit, field: string, kind: ColumnKind): FieldGen {
  if (field === 'Id') return (id) => id;
  if (field === 'DateCreated') return k.created;
  if (field === 'LastUpdated') return k.updated;
  const present = (gen: FieldGen): FieldGen => k.when(0.9, field, gen);
  switch (kind) {
    case 'int': {
      const target = FOREIGN_KEYS[field];
      if (target !== undefined) return k.fk(field, target);
      if (FLAG.test(field)) return present(k.flag(field));
      if (SMALL.test(field)) return present(k.int(field, 0, 5));
      return present(k.int(field, 0, 1000));
    }
    case 'double':
      if (/Percent/.test(field)) return present(k.money(field, 0, 50));
      if (/Weight/.test(field)) return present(k.money(field, 0.1, 20));
      return present(k.money(field, 5, 2000));
    case 'bool':
      return present(k.bool(field));
    case 'date':
      if (/Start|Creat|Set$|Incurred|Applic/.test(field)) return present(k.within(field, 30));
      if (/End|Expire|Due|Close|Next|Target|Paid/.test(field)) return present(k.within(field, 400));
      return present(k.after(field));
    case 'blob':
      return k.when(0.3, field, () => TINY_GIF);
    case 'string':
      return present(genericString(k, field));
  }
}

function genericString(k: TableKit, field: string): FieldGen {
  const p = personParts(k, field.startsWith('Ship') ? 'Ship' : field.startsWith('Bill') ? 'Bill' : '');
  const h = k.hasher(field);
  if (/Email/.test(field)) return (id) => `${k.table.toLowerCase()}${id}@example.com`;
  if (/Phone(Number)?\d?$/.test(field)) return p.phone;
  if (/(Phone|Fax)\d?Type$/.test(field)) return () => 'Work';
  if (/FirstName$/.test(field)) return p.first;
  if (/LastName$/.test(field)) return p.last;
  if (/MiddleName$/.test(field)) return (id) => String.fromCharCode(65 + (h(id) % 26));
  if (/City$/.test(field)) return (id) => p.place(id).city;
  if (/State$/.test(field)) return (id) => p.place(id).state;
  if (/Country$/.test(field)) return (id) => p.place(id).country;
  if (/(Zip|PostalCode)$/.test(field)) return p.zip;
  if (/(Address1|Street1)$/.test(field)) return p.street;
  if (/(Address2|Street2)$/.test(field)) return (id) => `Unit ${h(id) % 300}`;
  if (/Sku$/.test(field)) return (id) => `SKU-${k.table.slice(0, 3).toUpperCase()}-${String(id).padStart(4, '0')}`;
  if (/HTML$/.test(field)) return (id) => `<p>${k.table} <b>${id}</b> &amp; more</p>`;
  if (/(HREF|Url|URL|Website|Image)$/.test(field)) return (id) => `https://example.com/${k.table.toLowerCase()}/${id}`;
  if (/(Notes?|Description|Message|Summary|Info|Objection)$/.test(field)) return (id) => SENTENCES[h(id) % SENTENCES.length] ?? '';
  if (/Code$|Num$|Ref/.test(field)) return (id) => `${field.slice(0, 3).toUpperCase()}${(h(id) % 900000) + 100000}`;
  if (/Cycle$/.test(field)) return (id) => ['1', '2', '3', '6'][h(id) % 4] ?? '2';
  if (/IPAddress$/.test(field)) return (id) => `203.0.113.${h(id) % 255}`;
  if (/Ids$|Users$/.test(field)) return (id) => `${1 + (h(id) % 3)},${4 + (h(id) % 3)}`;
  if (/Id$/.test(field)) return (id) => String(1 + (h(id) % 1000));
  return (id) => `${field} ${id}`;
}
