import { idText, joined, ms, text, view } from './accessors.js';
import { pathId, type RestCtx, type Route } from './context.js';
import { companyRecord } from './crm-contacts.js';
import { textField, type FilterFields } from './filter.js';
import { itemRoute, listRoute, render, rowRoute, tableList, type Getters, type ListDef } from './list.js';
import { createdAt, existing, pickOf, rowsWhere, updatedAt } from './relations.js';
import { iso, type JsonObject } from './wire.js';

/**
 * Tags (ContactGroup), their categories (ContactGroupCategory) and who carries them: contacts
 * through ContactGroupAssign (applied at its DateCreated), companies through a generated
 * assignment (Keap tags companies too; no XML-RPC table records it): company n carries one tag.
 */

const TAG_PROPS: Getters<number> = {
  id: idText,
  name: text('ContactGroup', 'GroupName'),
  description: text('ContactGroup', 'GroupDescription'),
  category: (id, ctx) => {
    const category = view(ctx, 'ContactGroup', id).ref('GroupCategoryId');
    return category === undefined ? undefined : { id: category };
  },
  create_time: (id, ctx) => iso(createdAt(ctx.data, 'ContactGroup', id)),
  update_time: (id, ctx) => iso(updatedAt(ctx.data, 'ContactGroup', id)),
};

const CATEGORY_PROPS: Getters<number> = {
  id: idText,
  name: text('ContactGroupCategory', 'CategoryName'),
  description: text('ContactGroupCategory', 'CategoryDescription'),
  create_time: (id, ctx) => iso(createdAt(ctx.data, 'ContactGroupCategory', id)),
  update_time: (id, ctx) => iso(updatedAt(ctx.data, 'ContactGroupCategory', id)),
};

/** Create/update windows and name/description (NONE: absent) on a tag-like row, via `tagOf`. */
function tagFilters<K>(table: string, nameColumn: string, descriptionColumn: string, tagOf: (k: K, ctx: RestCtx) => number): FilterFields<K> {
  const created = (k: K, ctx: RestCtx): number => createdAt(ctx.data, table, tagOf(k, ctx));
  const updated = (k: K, ctx: RestCtx): number => updatedAt(ctx.data, table, tagOf(k, ctx));
  return {
    name: { kind: 'text', none: true, get: (k, ctx) => view(ctx, table, tagOf(k, ctx)).str(nameColumn) },
    description: { kind: 'text', none: true, get: (k, ctx) => view(ctx, table, tagOf(k, ctx)).str(descriptionColumn) },
    since_create_time: { kind: 'since', get: created },
    until_create_time: { kind: 'until', get: created },
    since_update_time: { kind: 'since', get: updated },
    until_update_time: { kind: 'until', get: updated },
  };
}

const tagCategory = (k: number, ctx: RestCtx): string | undefined => view(ctx, 'ContactGroup', k).ref('GroupCategoryId');

/** The tag company `id` carries. */
export function companyTag(ctx: RestCtx, id: number): number {
  return 1 + pickOf(ctx.data, 'companyTag', id, Math.max(1, ctx.data.table('ContactGroup').baseCount));
}

/** A tag row as it is applied: to a contact (a ContactGroupAssign row) or to a company. */
interface Applied {
  tag: number;
  at: number | undefined;
}

const appliedKey = (a: Applied): number => a.tag;

/** `/contacts/{id}/tags` and `/companies/{id}/tags`: AppliedTag records with the tags' filters. */
function appliedTagsRoute(path: string, applied: (ctx: RestCtx) => Applied[], table?: string): Route {
  const def: ListDef<Applied> = {
    path,
    items: 'tags',
    keys: (ctx) => applied(ctx).sort((a, b) => a.tag - b.tag),
    props: { tag: (a, ctx) => render(TAG_PROPS, a.tag, ctx), applied_time: (a) => (a.at === undefined ? undefined : iso(a.at)) },
    filters: {
      ...tagFilters<Applied>('ContactGroup', 'GroupName', 'GroupDescription', appliedKey),
      category_id: { kind: 'text', none: true, get: (a, ctx) => tagCategory(a.tag, ctx) },
      since_applied_time: { kind: 'since', get: (a) => a.at },
      until_applied_time: { kind: 'until', get: (a) => a.at },
    },
    orderBy: {
      name: (a, ctx) => view(ctx, 'ContactGroup', a.tag).str('GroupName'),
      create_time: (a, ctx) => createdAt(ctx.data, 'ContactGroup', a.tag),
      update_time: (a, ctx) => updatedAt(ctx.data, 'ContactGroup', a.tag),
      applied_time: (a) => a.at,
      category_id: (a, ctx) => view(ctx, 'ContactGroup', a.tag).num('GroupCategoryId'),
    },
  };
  return listRoute(table === undefined ? def : { ...def, table });
}

function contactTags(ctx: RestCtx): Applied[] {
  const contact = existing(ctx.data.table('Contact'), pathId(ctx, 'contact_id'), 'Contact');
  const cga = ctx.data.table('ContactGroupAssign');
  return rowsWhere(ctx.data, 'ContactGroupAssign', 'ContactId', contact).map((r) => ({ tag: Number(cga.value(r, 'GroupId')), at: view(ctx, 'ContactGroupAssign', r).ms('DateCreated') }));
}

function companyTags(ctx: RestCtx): Applied[] {
  const company = existing(ctx.data.table('Company'), pathId(ctx, 'company_id'), 'Company');
  const tag = companyTag(ctx, company);
  if (!ctx.data.table('ContactGroup').exists(tag)) return [];
  return [{ tag, at: view(ctx, 'Company', company).ms('DateCreated') }];
}

const tagId = (ctx: RestCtx): number => existing(ctx.data.table('ContactGroup'), pathId(ctx, 'tag_id'), 'Tag');
const CGA = (column: string) => joined('ContactGroupAssign', 'ContactId', 'Contact', column);

export function tagRoutes(): Route[] {
  return [
    tableList('ContactGroup', {
      path: '/tags',
      items: 'tags',
      props: TAG_PROPS,
      filters: {
        ...tagFilters<number>('ContactGroup', 'GroupName', 'GroupDescription', (k) => k),
        category_id: { kind: 'text', none: true, get: tagCategory },
        tag_ids: { kind: 'ids', get: (k) => k },
      },
      orderBy: { name: text('ContactGroup', 'GroupName'), create_time: (id, ctx) => createdAt(ctx.data, 'ContactGroup', id), update_time: (id, ctx) => updatedAt(ctx.data, 'ContactGroup', id) },
    }),
    itemRoute({ path: '/tags/{tag_id}', find: tagId, props: TAG_PROPS }),
    tableList('ContactGroupCategory', {
      path: '/tags/categories',
      items: 'tag_categories',
      props: CATEGORY_PROPS,
      filters: tagFilters<number>('ContactGroupCategory', 'CategoryName', 'CategoryDescription', (k) => k),
      orderBy: {
        name: text('ContactGroupCategory', 'CategoryName'),
        create_time: (id, ctx) => createdAt(ctx.data, 'ContactGroupCategory', id),
        update_time: (id, ctx) => updatedAt(ctx.data, 'ContactGroupCategory', id),
      },
    }),
    rowRoute('/tags/categories/{tag_category_id}', 'ContactGroupCategory', 'TagCategory', CATEGORY_PROPS),
    listRoute({
      path: '/tags/{tag_id}/contacts',
      items: 'contacts',
      // Ascending contact id (the row's id on this endpoint).
      keys: (ctx) => {
        const cga = ctx.data.table('ContactGroupAssign');
        const contactOf = (r: number): number => Number(cga.value(r, 'ContactId'));
        return [...rowsWhere(ctx.data, 'ContactGroupAssign', 'GroupId', tagId(ctx))].sort((a, b) => contactOf(a) - contactOf(b));
      },
      props: {
        id: (r, ctx) => String(ctx.data.table('ContactGroupAssign').value(r, 'ContactId')),
        email: CGA('Email'),
        given_name: CGA('FirstName'),
        family_name: CGA('LastName'),
        applied_time: (r, ctx) => view(ctx, 'ContactGroupAssign', r).time('DateCreated'),
      },
      filters: {
        given_name: { kind: 'text', none: true, get: CGA('FirstName') },
        family_name: { kind: 'text', none: true, get: CGA('LastName') },
        email: { kind: 'text', none: true, get: CGA('Email') },
        since_applied_time: { kind: 'since', get: ms('ContactGroupAssign', 'DateCreated') },
        until_applied_time: { kind: 'until', get: ms('ContactGroupAssign', 'DateCreated') },
      },
      orderBy: { given_name: CGA('FirstName'), family_name: CGA('LastName'), email: CGA('Email'), applied_time: ms('ContactGroupAssign', 'DateCreated') },
      table: 'ContactGroupAssign',
    }),
    listRoute({
      path: '/tags/{tag_id}/companies',
      items: 'tagged_companies',
      keys: (ctx) => {
        const tag = tagId(ctx);
        return [...ctx.data.table('Company').ids()].filter((c) => companyTag(ctx, c) === tag);
      },
      props: { company: (c, ctx): JsonObject => companyRecord(ctx, c), applied_time: (c, ctx) => view(ctx, 'Company', c).time('DateCreated') },
      filters: {
        company_name: textField(text('Company', 'Company')),
        email: { kind: 'text', none: true, get: text('Company', 'Email') },
        since_applied_time: { kind: 'since', get: ms('Company', 'DateCreated') },
        until_applied_time: { kind: 'until', get: ms('Company', 'DateCreated') },
      },
      orderBy: { company_name: text('Company', 'Company'), email: text('Company', 'Email'), applied_time: ms('Company', 'DateCreated') },
      table: 'Company',
    }),
    appliedTagsRoute('/contacts/{contact_id}/tags', contactTags, 'ContactGroupAssign'),
    appliedTagsRoute('/companies/{company_id}/tags', companyTags),
  ];
}
