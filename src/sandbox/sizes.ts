import { CUSTOM_FIELDS, CUSTOM_FORMS } from './custom-fields.js';
import { PRODUCTS, TAG_CATEGORIES, TAGS } from './words.js';

/**
 * Row counts of the generated base, all scaled from the contact count the way a small business
 * account looks: a company per ten contacts, two tags per contact, an order and an invoice per two.
 * Every table has at least three rows so every stream has something to read.
 */
export function tableSizes(contacts: number): Record<string, number> {
  const c = Math.max(0, Math.floor(contacts));
  const per = (n: number): number => Math.max(3, Math.round(c / n));
  return {
    Contact: Math.max(3, c),
    Company: per(10),
    ContactGroup: TAGS.length,
    ContactGroupCategory: TAG_CATEGORIES.length,
    ContactGroupAssign: 2 * Math.max(3, c),
    ContactAction: per(2),
    Invoice: per(2),
    InvoiceItem: per(2),
    InvoicePayment: per(2),
    Job: per(2),
    OrderItem: per(2),
    Payment: per(2),
    Affiliate: 20,
    Referral: per(10),
    Lead: per(5),
    StageMove: per(5),
    MtgLead: 5,
    Ticket: per(20),
    CreditCard: per(4),
    CCharge: per(4),
    RecurringOrder: per(10),
    RecurringOrderWithContact: per(10),
    JobRecurringInstance: per(10),
    PayPlan: per(20),
    PayPlanItem: per(10),
    EmailAddStatus: per(2),
    Expense: per(20),
    SocialAccount: per(10),
    Campaignee: per(2),
    ProductInterest: per(10),
    FileBox: 10,
    ActionSequence: 5,
    AffResource: 6,
    CProgram: 6,
    Campaign: 8,
    CampaignStep: 24,
    DataFormField: CUSTOM_FIELDS.length,
    DataFormGroup: CUSTOM_FORMS.length,
    DataFormTab: CUSTOM_FORMS.length,
    GroupAssign: 6,
    LeadSource: 12,
    LeadSourceCategory: 4,
    LeadSourceExpense: 20,
    LeadSourceRecurringExpense: 6,
    LinkedContactType: 3,
    Product: PRODUCTS.length,
    ProductCategory: 6,
    ProductCategoryAssign: 20,
    ProductInterestBundle: 4,
    ProductOptValue: 12,
    ProductOption: 6,
    SavedFilter: 8,
    Stage: 6,
    Status: 5,
    SubscriptionPlan: 6,
    Template: 10,
    TicketStage: 4,
    TicketType: 5,
    User: 4,
    UserGroup: 3,
  };
}
