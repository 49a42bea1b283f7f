import { idText, ms, self, text, time, view } from './accessors.js';
import { get, type RestCtx, type Route } from './context.js';
import { notFound } from './errors.js';
import { type FilterFields } from './filter.js';
import { listRoute, render, rowRoute, tableKeys, tableList, type Getters } from './list.js';
import { emailStatusRow, isOptedIn, optStatus } from './people.js';
import { pickOf } from './relations.js';
import { iso } from './wire.js';

/**
 * Email: the opt-in status of addresses (EmailAddStatus), the templates (Template) and the emails
 * sent. Keap keeps no XML-RPC table of sent emails: the account has sent one to each contact,
 * email n to contact n, at a time derived from the seed; the recipient is the contact's current
 * address, so an edited contact shows in its email too.
 */

const DAY = 86_400_000;
const SUBJECTS = ['Welcome aboard!', 'Your receipt', 'Webinar starts soon', 'We miss you', 'Your monthly update', 'Happy birthday!', 'Action needed: payment'];

const EAS = (column: string) => text('EmailAddStatus', column);
const status = (id: number, ctx: RestCtx): string => optStatus(EAS('Type')(id, ctx));

const ADDRESS_PROPS: Getters<number> = {
  email: (id, ctx) => EAS('Email')(id, ctx) ?? '',
  opted_in: (id, ctx) => isOptedIn(status(id, ctx)),
  status,
  create_time: (id, ctx) => view(ctx, 'EmailAddStatus', id).time('DateCreated') ?? iso(0),
  last_click_time: time('EmailAddStatus', 'LastClickDate'),
  last_open_time: time('EmailAddStatus', 'LastOpenDate'),
  last_sent_time: time('EmailAddStatus', 'LastSentDate'),
};

const EMAIL_STATUSES = [
  'UNENGAGED_MARKETABLE', 'SINGLE_OPT_IN', 'DOUBLE_OPT_IN', 'CONFIRMED', 'UNENGAGED_NON_MARKETABLE', 'NON_MARKETABLE', 'LOCKDOWN', 'BOUNCE',
  'HARD_BOUNCE', 'MANUAL', 'ADMIN', 'SYSTEM', 'LIST_UNSUBSCRIBE', 'FEEDBACK', 'SPAM', 'INVALID', 'DEACTIVATED',
];

/** The EmailAddStatus row of an address: generated addresses carry their row's id, so try those first. */
function addressRow(ctx: RestCtx, email: string): number | undefined {
  for (const run of (email.split('@')[0] ?? '').match(/\d+/g) ?? []) {
    const row = emailStatusRow(ctx.data, email, Number(run));
    if (row !== undefined) return row;
  }
  const t = ctx.data.table('EmailAddStatus');
  const want = email.toLowerCase();
  for (const id of t.ids()) if (String(t.value(id, 'Email') ?? '').toLowerCase() === want) return id;
  return undefined;
}

// ---- emails sent: email n went to contact n ----

const sentAt = (id: number, ctx: RestCtx): number => (view(ctx, 'Contact', id).ms('DateCreated') ?? 0) + (1 + pickOf(ctx.data, 'emailSent', id, 90)) * DAY;
const opened = (id: number, ctx: RestCtx): boolean => pickOf(ctx.data, 'emailOpened', id, 3) !== 0;
const clicked = (id: number, ctx: RestCtx): boolean => opened(id, ctx) && pickOf(ctx.data, 'emailClicked', id, 3) === 0;
const subject = (id: number, ctx: RestCtx): string => SUBJECTS[pickOf(ctx.data, 'emailSubject', id, SUBJECTS.length)] ?? 'Hello';

const EMAIL_PROPS: Getters<number> = {
  id: idText,
  subject,
  headers: (id, ctx) => `Message-ID: <${id}.${ctx.data.seed}@${ctx.app}.infusionsoft.com>`,
  contact_id: idText,
  sent_to_address: text('Contact', 'Email'),
  sent_to_cc_address_list: () => [],
  sent_to_bcc_address_list: () => [],
  sent_from_address: (_id, ctx) => view(ctx, 'User', 1).str('Email'),
  sent_from_reply_address: (_id, ctx) => view(ctx, 'User', 1).str('Email'),
  sent_time: (id, ctx) => iso(sentAt(id, ctx)),
  received_time: (id, ctx) => iso(sentAt(id, ctx) + 2000),
  opened_time: (id, ctx) => (opened(id, ctx) ? iso(sentAt(id, ctx) + 3_600_000) : undefined),
  clicked_time: (id, ctx) => (clicked(id, ctx) ? iso(sentAt(id, ctx) + 3_900_000) : undefined),
  original_provider_id: (id) => `sbx-${id}`,
  original_provider: () => 'INFUSIONSOFT',
};

const EMAIL_CONTENT: Getters<number> = {
  ...EMAIL_PROPS,
  provider_source_id: (id) => `sbx-${id}`,
  plain_content: (id, ctx) => `Hi ${view(ctx, 'Contact', id).str('FirstName') ?? 'there'},\n\n${subject(id, ctx)}\n`,
  html_content: (id, ctx) => `<p>Hi ${view(ctx, 'Contact', id).str('FirstName') ?? 'there'},</p><p>${subject(id, ctx)}</p>`,
};

const T = (column: string) => text('Template', column);
const isEmail = (id: number, ctx: RestCtx): boolean => T('PieceType')(id, ctx) === 'Email';

const TEMPLATE_PROPS: Getters<number> = {
  id: self,
  piece_title: T('PieceTitle'),
  categories: (id, ctx) => [T('Categories')(id, ctx) ?? 'Marketing'],
  from_address: (_id, ctx) => view(ctx, 'User', 1).str('Email'),
  to_address: () => '~Contact.Email~',
  subject: (id, ctx) => T('PieceTitle')(id, ctx),
  content_type: (id, ctx) => (isEmail(id, ctx) ? 'HTML' : 'TEXT'),
  merge_context: () => 'CONTACT',
};

const TEMPLATE_DETAIL: Getters<number> = {
  ...TEMPLATE_PROPS,
  text_body: (id, ctx) => `Hello ~Contact.FirstName~,\n\n${T('PieceTitle')(id, ctx) ?? ''}\n`,
  html_body: (id, ctx) => (isEmail(id, ctx) ? `<p>Hello ~Contact.FirstName~,</p><p>${T('PieceTitle')(id, ctx) ?? ''}</p>` : undefined),
};

const sentFilters: FilterFields<number> = {
  contact_id: { kind: 'number', integer: true, get: self },
  email: { kind: 'text', get: text('Contact', 'Email') },
  start_created_time: { kind: 'since', get: sentAt },
  end_created_time: { kind: 'until', get: sentAt },
};

export function emailRoutes(): Route[] {
  return [
    tableList('EmailAddStatus', {
      path: '/emailAddresses',
      items: 'email_addresses',
      props: ADDRESS_PROPS,
      filters: {
        emails: { kind: 'texts', get: EAS('Email') },
        statuses: { kind: 'texts', values: EMAIL_STATUSES, get: status },
        opted_in: { kind: 'bool', get: (id, ctx) => isOptedIn(status(id, ctx)) },
      },
      orderBy: {
        email: EAS('Email'),
        status,
        create_time: ms('EmailAddStatus', 'DateCreated'),
        last_click_time: ms('EmailAddStatus', 'LastClickDate'),
        last_open_time: ms('EmailAddStatus', 'LastOpenDate'),
        last_sent_time: ms('EmailAddStatus', 'LastSentDate'),
      },
    }),
    get('/emailAddresses/{email}/status', (ctx) => {
      const email = ctx.params['email'] ?? '';
      const row = addressRow(ctx, email);
      if (row === undefined) throw notFound('EmailAddress', email);
      return render(ADDRESS_PROPS, row, ctx);
    }),
    listRoute({
      path: '/emails',
      items: 'emails',
      keys: tableKeys('Contact'),
      props: EMAIL_PROPS,
      filters: sentFilters,
      orderBy: { created_time: sentAt },
    }),
    rowRoute('/emails/{id}', 'Contact', 'Email', EMAIL_CONTENT),
    tableList('Template', {
      path: '/emails/templates',
      items: 'email_templates',
      props: TEMPLATE_PROPS,
      search: T('PieceTitle'),
      orderBy: { id: self },
    }),
    rowRoute('/emails/templates/{email_template_id}', 'Template', 'EmailTemplate', TEMPLATE_DETAIL),
  ];
}
