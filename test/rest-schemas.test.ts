import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateRestSchemas } from '../scripts/generate-rest-schemas.js';
import { getAjv } from '../src/protocol/schema-compiler.js';
import { restStreamName, restStreams } from '../src/streams/rest-registry.js';
import { reference } from './helpers/reference.js';

describe('the generated REST v2 stream registry', () => {
  it('is exactly what the generator makes from Keap\'s OpenAPI file (run: node dist/scripts/generate-rest-schemas.js)', async () => {
    const files = await generateRestSchemas(reference('keap-rest-v2', 'swagger.yml'));
    expect(files.length).toBe(restStreams().length + 3);
    for (const f of files) expect(readFileSync(f.path, 'utf8'), f.path).toBe(f.content);
  });

  it('names streams by the design rule', () => {
    expect(restStreamName('/contacts')).toBe('contacts');
    expect(restStreamName('/tags/categories')).toBe('tag_categories');
    expect(restStreamName('/opportunities/stageMoves')).toBe('opportunity_stage_moves');
    expect(restStreamName('/affiliates/summaries')).toBe('affiliate_summaries');
    expect(restStreamName('/sales/payments')).toBe('sales_payments');
    expect(restStreamName('/discounts/orderTotals')).toBe('discount_order_totals');
    expect(restStreamName('/orders/{order_id}/payments')).toBe('order_payments');
    expect(restStreamName('/tags/{tag_id}/contacts')).toBe('tag_contacts');
    expect(restStreamName('/affiliates/{affiliate_id}:commissions')).toBe('affiliate_commissions');
    expect(restStreamName('/leadSources/{lead_source_id}/recurringExpenses')).toBe('lead_source_recurring_expenses');
  });

  it('has valid draft-07 schemas whose keys and cursors are fields, every field nullable, cursors date-times', () => {
    const streams = restStreams();
    expect(streams.length).toBeGreaterThanOrEqual(50);
    for (const s of streams) {
      expect(() => getAjv().compile(s.schema), s.stream).not.toThrow();
      const props = s.schema.properties ?? {};
      for (const [name, p] of Object.entries(props)) expect(p.type === undefined || (Array.isArray(p.type) && p.type.includes('null')), `${s.stream}.${name}`).toBe(true);
      for (const k of s.primary_key) expect(Object.keys(props), s.stream).toContain(k);
      if (s.cursor) expect(props[s.cursor]?.format, `${s.stream}.${s.cursor}`).toBe('date-time');
      if (s.parent) expect(restStreams().some((p) => p.stream === s.parent?.stream), s.stream).toBe(true);
    }
  });

  it('reads every stream the REST issue names', () => {
    const names = new Set(restStreams().map((s) => s.stream));
    for (const n of [
      'contacts', 'companies', 'tags', 'tag_categories', 'tag_contacts', 'orders', 'order_items', 'order_payments', 'subscriptions',
      'products', 'product_categories', 'opportunities', 'opportunity_stages', 'opportunity_stage_moves', 'notes', 'tasks', 'emails',
      'email_addresses', 'files', 'affiliates', 'affiliate_commissions', 'affiliate_payments', 'affiliate_summaries',
      'affiliate_redirects', 'affiliate_commission_programs', 'referrals', 'campaigns', 'automations', 'lead_sources',
      'lead_source_expenses', 'sales_payments', 'sales_transactions', 'discount_order_totals', 'shipping', 'webforms', 'users',
      'user_groups', 'merchants', 'payment_methods', 'reporting_reports',
    ]) expect(names.has(n), n).toBe(true);
  });
});
