import type { ColumnKind } from './columns.js';
import { CUSTOM_FIELDS, CUSTOM_FORMS } from './custom-fields.js';
import { genericGen } from './gen-generic.js';
import { nth, type FieldGen, type TableKit } from './gen-kit.js';
import { affiliateBuild, companyBuild, contactBuild, contactGroupAssignBuild, personParts, userBuild, type Join, type TableBuild } from './gen-people.js';
import { hash4, hashString } from './random.js';
import { PRODUCTS, SENTENCES, TAG_CATEGORIES, TAGS } from './words.js';

/**
 * Per-table column functions where a name-and-type guess would look wrong (lookup names, money
 * that adds up, one-to-one keys). Anything not listed falls back to gen-generic.ts.
 */
export type Builder = (k: TableKit) => TableBuild;

const generic = (gens: Record<string, FieldGen>, joins?: Record<string, Join>): TableBuild =>
  joins === undefined ? { gens, rest: 'generic' } : { gens, joins, rest: 'generic' };
const names = (list: readonly string[]): FieldGen => (id) => nth(list, id);
const same: FieldGen = (id) => id;

const FILES: readonly [string, string][] = [
  ['welcome', 'txt'],
  ['contract', 'pdf'],
  ['invoice-2024', 'pdf'],
  ['headshot', 'png'],
  ['notes', 'txt'],
  ['logo', 'png'],
  ['terms & conditions', 'txt'],
  ['receipt', 'pdf'],
  ['export', 'csv'],
  ['readme', 'txt'],
];

/** A 1x1 transparent PNG. */
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** The bytes of FileBox row `id` (FileService.getFile serves them; FileSize is their length). */
export function fileContent(seed: number, id: number): Buffer {
  const [name, ext] = FILES[(id - 1) % FILES.length] ?? ['file', 'txt'];
  const n = hash4(seed, hashString('FileBox:content'), id, 0) % 1000;
  switch (ext) {
    case 'png':
      return Buffer.from(PNG_1X1, 'base64');
    case 'pdf':
      return Buffer.from(`%PDF-1.4\n% sandbox ${name} ${id} (${n})\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n`, 'latin1');
    case 'csv':
      return Buffer.from(`Id,Name,Amount\n1,Ada,${n}.50\n2,"Smith & Sons",12.00\n`, 'utf8');
    default:
      return Buffer.from(`Sandbox file ${id}: ${name}\nLucky number ${n}. Ünïcödé ✓\n`, 'utf8');
  }
}

export function fileName(id: number): [string, string] {
  return FILES[(id - 1) % FILES.length] ?? ['file', 'txt'];
}

/**
 * `cgaColumns`: ContactGroupAssign's `Contact.X` columns; `contactColumns`: the Contact table's.
 * Those Contact has are joined; the legacy ones it lacks (Contact.CustomDate1, ...) are generated
 * per contact.
 */
export function builders(seed: number, cgaColumns: readonly (readonly [string, ColumnKind])[], contactColumns: ReadonlySet<string>): Record<string, Builder> {
  return {
    Contact: contactBuild,
    Company: companyBuild,
    User: userBuild,
    Affiliate: affiliateBuild,
    ActionSequence: () =>
      generic({
        TemplateName: names(['Welcome Sequence', 'Webinar Follow-up', 'Tag & Notify', 'Cart Recovery', 'Onboarding']),
        VisibleToTheseUsers: (id) => (id % 2 === 0 ? '1,2' : '1'),
      }),
    AffResource: (k) =>
      generic({
        Title: names(['Banner 728x90', 'Text Link', 'Launch Email', 'Social Post', 'Logo Pack', 'Landing Page']),
        ResourceType: k.pick('ResourceType', ['Banner', 'TextLink', 'Email', 'Html']),
        ResourceHTML: (id) => `<a href="https://example.com/?aff={AffCode}&r=${id}">Join now</a>`,
        ResourceHREF: (id) => `https://example.com/offer/${id}?utm_source=affiliate&utm_medium=link`,
        ProgramIds: (id) => (id % 2 === 0 ? '1,2' : '1'),
      }),
    CProgram: (k) =>
      generic({
        ProgramName: names(['Gold Club', 'Silver Club', 'Coaching Monthly', 'Software License', 'Box of the Month', 'Mastermind']),
        DefaultCycle: k.pick('DefaultCycle', ['1', '2', '3']),
        ProductId: k.fk('ProductId', 'Product'),
        Active: k.bool('Active', 0.8),
      }),
    Campaign: (k) =>
      generic({
        Name: names(['Welcome Series', 'Black Friday', 'Webinar Reminder', 'Win-back', 'Nurture', 'Onboarding', 'Renewal Reminder', 'Birthday']),
        Status: k.pick('Status', ['Active', 'Inactive', 'Draft']),
      }),
    CampaignStep: (k) =>
      generic({
        CampaignId: (id) => 1 + (Math.floor((id - 1) / 3) % (k.env.sizes['Campaign'] ?? 1)),
        StepTitle: (id) => `Step ${((id - 1) % 3) + 1}: ${['Send email', 'Wait 2 days', 'Apply tag'][(id - 1) % 3] ?? ''}`,
        StepStatus: k.pick('StepStatus', ['Active', 'Paused']),
      }),
    Campaignee: campaigneeBuild,
    ContactAction: (k) =>
      generic({
        ActionType: k.pick('ActionType', ['Call', 'Email', 'Appointment', 'Note', 'Task', 'Other']),
        ActionDescription: k.pick('ActionDescription', ['Follow up call', 'Send proposal', 'Kickoff meeting', 'Check in', 'Renewal reminder']),
        CreationDate: k.created,
        CreationNotes: (id) => (id % 89 === 3 ? 'Spoke with "Bob" & <Alice>\nNext: 🗓️ Friday' : (SENTENCES[id % SENTENCES.length] ?? '')),
        CompletionDate: k.when(0.5, 'done', k.within('CompletionDate', 30)),
        ActionDate: k.within('ActionDate', 60),
        ObjectType: k.pick('ObjectType', ['Note', 'Task', 'Appointment']),
      }),
    ContactGroup: (k) =>
      generic({
        GroupName: names(TAGS),
        GroupCategoryId: (id) => 1 + ((id - 1) % (k.env.sizes['ContactGroupCategory'] ?? 1)),
        GroupDescription: (id) => `Contacts tagged ${nth(TAGS, id)}`,
      }),
    ContactGroupCategory: () =>
      generic({ CategoryName: names(TAG_CATEGORIES), CategoryDescription: (id) => `${nth(TAG_CATEGORIES, id)} tags` }),
    CreditCard: (k) => {
      const p = personParts(k);
      return generic({
        NameOnCard: (id) => `${p.first(id)} ${p.last(id)}`,
        BillName: (id) => `${p.first(id)} ${p.last(id)}`,
        Last4: (id) => String(1000 + (k.hasher('Last4')(id) % 9000)),
        ExpirationMonth: (id) => String(1 + (id % 12)).padStart(2, '0'),
        ExpirationYear: (id) => String(2026 + (id % 5)),
        CardType: k.pick('CardType', ['Visa', 'MasterCard', 'American Express', 'Discover']),
        Status: k.pick('Status', [0, 1, 2, 3]),
        StartDateMonth: () => null,
        StartDateYear: () => null,
        MaestroIssueNumber: () => null,
      });
    },
    DataFormTab: () => generic({ FormId: (id) => CUSTOM_FORMS[(id - 1) % CUSTOM_FORMS.length] ?? -1, TabName: () => 'Custom Fields' }),
    DataFormGroup: () => generic({ TabId: same, Name: () => 'General' }),
    DataFormField: () => {
      const def = (id: number) => CUSTOM_FIELDS[(id - 1) % CUSTOM_FIELDS.length];
      return {
        gens: {
          Id: same,
          DataType: (id) => def(id)?.dataType ?? 15,
          FormId: (id) => def(id)?.formId ?? -1,
          GroupId: (id) => 1 + CUSTOM_FORMS.indexOf(def(id)?.formId ?? -1),
          Name: (id) => def(id)?.name ?? null,
          Label: (id) => def(id)?.label ?? null,
          DefaultValue: (id) => def(id)?.defaultValue ?? null,
          Values: (id) => def(id)?.values ?? null,
          ListRows: (id) => (def(id)?.values === undefined ? null : 4),
        },
        rest: 'null',
      };
    },
    EmailAddStatus: (k) =>
      generic({
        Email: (id) => k.env.lookup('Contact', id, 'Email') ?? `bounce${id}@example.com`,
        Type: k.pick('Type', ['SingleOptIn', 'DoubleOptIn', 'UnengagedMarketable', 'NonMarketable', 'HardBounce', 'Lockdown']),
      }),
    Expense: (k) => generic({ ExpenseType: k.pick('ExpenseType', ['Advertising', 'Travel', 'Software', 'Printing']) }),
    FileBox: () =>
      generic({
        FileName: (id) => `${fileName(id)[0]}.${fileName(id)[1]}`,
        Extension: (id) => fileName(id)[1],
        FileSize: (id) => fileContent(seed, id).length,
        Public: (id) => (id % 3 === 0 ? 1 : 0),
      }),
    GroupAssign: (k) => generic({ UserId: k.fk('UserId', 'User'), GroupId: k.fk('GroupId', 'UserGroup') }),
    Invoice: (k) => {
      const total = k.money('InvoiceTotal', 9, 2500);
      const paidShare = k.hasher('paid');
      const paid = (id: number): number => (paidShare(id) % 4 === 0 ? 0 : total(id));
      return generic({
        JobId: same,
        InvoiceTotal: total,
        TotalPaid: paid,
        TotalDue: (id) => Math.round((total(id) - paid(id)) * 100) / 100,
        PayStatus: (id) => (paid(id) === 0 ? 0 : 1),
        CreditStatus: () => 0,
        RefundStatus: () => 0,
        AffiliateId: k.when(0.3, 'aff', k.fk('AffiliateId', 'Affiliate')),
        LeadAffiliateId: k.when(0.2, 'leadaff', k.fk('LeadAffiliateId', 'Affiliate')),
        PromoCode: k.when(0.1, 'promo', k.pick('PromoCode', ['SPRING10', 'VIP20', 'WELCOME'])),
        InvoiceType: k.pick('InvoiceType', ['Online', 'Offline']),
        ProductSold: (id) => String(k.fk('ProductSold', 'Product')(id)),
      });
    },
    InvoiceItem: () => generic({ InvoiceId: same, OrderItemId: same, Discount: () => 0 }),
    InvoicePayment: (k) => generic({ InvoiceId: same, PaymentId: same, PayStatus: k.pick('PayStatus', ['Paid', 'Refunded', 'Failed']) }),
    Job: (k) => {
      const product = k.fk('ProductId', 'Product');
      return generic({
        JobTitle: (id) => `Order - ${nth(PRODUCTS, product(id))}`,
        ProductId: product,
        JobStatus: k.pick('JobStatus', ['New', 'Shipped', 'Delivered', 'Cancelled']),
        OrderType: k.pick('OrderType', ['Online', 'Offline']),
        JobRecurringId: () => 0,
        _Channel: k.when(0.5, '_Channel', k.pick('_Channel', ['Web', 'Phone', 'Retail'])),
        _GiftWrap: k.when(0.4, '_GiftWrap', k.flag('_GiftWrap', 0.3)),
      });
    },
    Lead: (k) =>
      generic({
        OpportunityTitle: (id) => `Opportunity ${id}: ${nth(PRODUCTS, 1 + (id % PRODUCTS.length))}`,
        Leadsource: (id) => k.env.lookup('LeadSource', 1 + (id % (k.env.sizes['LeadSource'] ?? 1)), 'Name'),
        _Probability: k.when(0.7, '_Probability', k.money('_Probability', 0, 100)),
        _CloseReason: k.when(0.3, '_CloseReason', k.pick('_CloseReason', ['Price', 'Timing', 'Competitor', 'Won'])),
      }),
    LeadSource: (k) =>
      generic({
        Name: names(['Facebook', 'Google Ads', 'Referral', 'Trade Show', 'Website', 'Podcast', 'Webinar', 'Cold Call', 'LinkedIn', 'Newsletter', 'YouTube', 'Partner']),
        CostPerLead: (id) => (((id * 37) % 1000) / 100).toFixed(2),
        Medium: k.pick('Medium', ['Online', 'Print', 'Event', 'Word of mouth']),
        Status: k.pick('Status', ['Active', 'Inactive']),
      }),
    LeadSourceCategory: () => generic({ Name: names(['Paid', 'Organic', 'Events', 'Partners']) }),
    LinkedContactType: () => generic({ TypeName: names(['Spouse', 'Assistant', 'Referrer']), MaxLinked: (id) => id }),
    OrderItem: (k) => {
      const product = k.fk('ProductId', 'Product');
      return generic({
        OrderId: same,
        ProductId: product,
        ItemName: (id) => nth(PRODUCTS, product(id)),
        Qty: k.int('Qty', 1, 3),
        ItemType: k.pick('ItemType', [4, 12, 13]),
      });
    },
    Payment: (k) => generic({ InvoiceId: same, PayType: k.pick('PayType', ['Credit Card', 'Cash', 'Check', 'PayPal']), RefundId: () => 0 }),
    Product: () => generic({ ProductName: names(PRODUCTS), TopHTML: (id) => `<h1>${nth(PRODUCTS, id)}</h1><p>Now &amp; forever</p>` }),
    ProductCategory: () => generic({ CategoryDisplayName: names(['Courses', 'Merch', 'Services', 'Digital', 'Events', 'Gifts']), ParentId: () => 0 }),
    ProductInterest: () => generic({ ObjType: () => 'Contact', ProductType: () => 'Product' }),
    ProductInterestBundle: () => generic({ BundleName: names(['Starter Bundle', 'Pro Bundle', 'Holiday Bundle', 'Team Bundle']) }),
    ProductOption: (k) => generic({ Label: names(['Size', 'Color', 'Format', 'Engraving', 'Length', 'Material']), OptionType: k.pick('OptionType', ['FixedList', 'Variable']) }),
    ProductOptValue: () => generic({ Label: names(['Small', 'Medium', 'Large', 'Red', 'Blue', 'PDF', 'Print', 'None', 'Short', 'Long', 'Cotton', 'Wool']) }),
    RecurringOrder: (k) =>
      generic({
        ContactId: subscriber(k),
        BillingCycle: k.pick('BillingCycle', ['1', '2', '3']),
        Status: k.pick('Status', ['Active', 'Inactive']),
        ReasonStopped: k.when(0.2, 'stopped', k.pick('ReasonStopped', ['Customer request', 'Card declined'])),
        EndDate: k.when(0.2, 'stopped', k.within('EndDate', 400)),
      }),
    RecurringOrderWithContact: () => recurringWithContact(),
    SavedFilter: () =>
      generic({
        FilterName: names(['All Customers', 'Hot Leads', 'Unpaid Invoices', 'New This Week', 'Tagged VIP', 'Lapsed Members', 'Orders > $500', 'Affiliates']),
        ReportStoredName: (id) => ['ContactReport', 'ContactReport', 'InvoiceReport', 'ContactReport', 'ContactReport', 'SubscriptionReport', 'OrderReport', 'AffiliateReport'][(id - 1) % 8] ?? 'ContactReport',
        UserId: (id) => ['1', '1,3', '2', '1', '3', '2,4', '1', '1,2,3'][(id - 1) % 8] ?? '1',
      }),
    SocialAccount: (k) => generic({ AccountType: k.pick('AccountType', ['Facebook', 'LinkedIn', 'Twitter', 'Instagram']), AccountName: (id) => `@sandbox_user_${id}` }),
    Stage: () => generic({ StageName: names(['New Opportunity', 'Qualified', 'Proposal Sent', 'Negotiation', 'Won', 'Lost']), StageOrder: same, TargetNumDays: (id) => id * 7 }),
    Status: () => generic({ StatusName: names(['Open', 'Won', 'Lost', 'On Hold', 'Abandoned']), StatusOrder: (id) => String(id), TargetNumDays: (id) => String(id * 5) }),
    SubscriptionPlan: (k) => generic({ Cycle: k.pick('Cycle', ['1', '2', '3']), Prorate: k.bool('Prorate'), Active: k.bool('Active', 0.8) }),
    Template: (k) =>
      generic({
        PieceType: k.pick('PieceType', ['Email', 'Letter', 'Fax', 'Task']),
        PieceTitle: names(['Welcome', 'Receipt', 'Reminder', 'Thank You', 'Survey', 'Newsletter', 'Invoice Notice', 'Birthday', 'Win-back', 'Renewal']),
        Categories: k.pick('Categories', ['Marketing', 'Sales', 'Billing']),
      }),
    Ticket: () => generic({ TicketTitle: (id) => `Ticket #${id}: ${SENTENCES[id % SENTENCES.length] ?? ''}` }),
    TicketStage: () => generic({ StageName: names(['New', 'In Progress', 'Waiting on Customer', 'Closed']) }),
    TicketType: () => generic({ Label: names(['Billing', 'Technical', 'Sales', 'Shipping', 'Other']) }),
    UserGroup: () => generic({ Name: names(['Admins', 'Sales Team', 'Support Team']), OwnerId: () => 1 }),
    ContactGroupAssign: (k) => {
      const joined = cgaColumns.map(([c]) => c.slice('Contact.'.length)).filter((c) => contactColumns.has(c));
      const build = contactGroupAssignBuild(k, joined);
      const contact = build.gens['ContactId'] ?? same;
      for (const [column, kind] of cgaColumns) {
        if (contactColumns.has(column.slice('Contact.'.length))) continue;
        const gen = k.when(0.2, `legacy:${column}`, genericGen(k, column, kind));
        build.gens[column] = (r) => gen(contact(r) as number);
      }
      return build;
    },
  };
}

/**
 * Whose subscription: a random contact, except that every seventh subscription belongs to the
 * contact of the one before it, as customers with two subscriptions do.
 */
function subscriber(k: TableKit): FieldGen {
  const contact = k.fk('ContactId', 'Contact');
  return (id) => contact(id % 7 === 0 && id > 1 ? id - 1 : id);
}

/**
 * RecurringOrderWithContact is a view: subscription RecurringOrderId joined to its contact. As in
 * Keap (field_access.xml), its Id is the contact's Id, so a contact with two subscriptions has
 * two rows with the same Id. Every column is a join, so edits of either table show up in it.
 */
function recurringWithContact(): TableBuild {
  const order = ['ContactId', 'ProgramId', 'SubscriptionPlanId', 'ProductId', 'StartDate', 'EndDate', 'LastBillDate', 'NextBillDate', 'PaidThruDate', 'BillingCycle', 'Frequency', 'BillingAmt', 'Status', 'ReasonStopped', 'AutoCharge', 'CC1', 'CC2', 'NumDaysBetweenRetry', 'MaxRetry', 'MerchantAccountId', 'AffiliateId', 'PromoCode', 'LeadAffiliateId', 'Qty', 'OriginatingOrderId', 'PaymentGatewayId', 'ShippingOptionId'];
  const contact = ['City', 'Email', 'EmailAddress2', 'EmailAddress3', 'FirstName', 'LastName', 'MiddleName', 'Nickname', 'Phone1', 'Phone1Ext', 'Phone1Type', 'Phone2', 'Phone2Ext', 'Phone2Type', 'PostalCode', 'SpouseName', 'State', 'Country', 'StreetAddress1', 'StreetAddress2', 'Suffix', 'Title', 'ZipFour1', 'HTMLSignature', 'Signature'];
  const joins: Record<string, Join> = { Id: { via: 'ContactId', table: 'Contact', field: 'Id' } };
  for (const f of order) joins[f] = { via: 'RecurringOrderId', table: 'RecurringOrder', field: f };
  for (const f of contact) joins[f] = { via: 'ContactId', table: 'Contact', field: f };
  return { gens: { RecurringOrderId: same }, joins, rest: 'null' };
}

/**
 * Campaignee has no Id: a row is a contact in a campaign (follow-up sequence). Contacts 1, 2, ...
 * are each in two distinct campaigns (rows 2c-1 and 2c), so ContactId repeats and no
 * (CampaignId, ContactId) pair does.
 */
function campaigneeBuild(k: TableKit): TableBuild {
  const campaigns = Math.max(2, k.env.sizes['Campaign'] ?? 2);
  const h = k.hasher('CampaignPair');
  const contact = (r: number): number => ((r - 1) >> 1) + 1;
  const campaign = (r: number): number => {
    const c = contact(r);
    const first = h(c) % campaigns;
    const second = (first + 1 + ((h(c) >>> 8) % (campaigns - 1))) % campaigns;
    return 1 + ((r - 1) & 1 ? second : first);
  };
  return generic(
    { ContactId: contact, CampaignId: campaign, Status: k.pick('Status', ['Active', 'Done', 'Paused']) },
    { Campaign: { via: 'CampaignId', table: 'Campaign', field: 'Name' } },
  );
}
