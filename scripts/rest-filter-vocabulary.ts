import type { RestFilterField, RestFilters } from '../src/streams/rest-registry.js';

/**
 * The `filter` vocabulary of one REST v2 list endpoint, read from the prose of its `filter`
 * parameter in Keap's OpenAPI file. Each field is a line `- (Type) \`name\` — what it allows`
 * (indented lines continue it); the operators are the bare quoted ones the line names (`==`, `>=`,
 * "!=", ...; `==` alone when it names none); a wildcard is allowed where the line says so; a list
 * (`Set[String]`, `List[String]`, "comma-separated list", a name ending in `ids`) takes `a,b,c` after `==`. A description
 * that speaks of filtering custom fields by their field name lets the endpoint take those too.
 * The vocabulary is generated into schemas/rest.json, so data_query says in one line what REST
 * accepts for a resource without anyone copying the spec by hand.
 */

const OPERATORS = ['==', '!=', '>=', '<=', '>', '<'] as const;
const FIELD_LINE = /^\s*-\s*\(([^)]+)\)\s*`?([A-Za-z_][A-Za-z0-9_]*)`?(.*)$/;

export function filterVocabulary(description: string | undefined): RestFilters {
  const text = description ?? '';
  const fields: Record<string, RestFilterField> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = FIELD_LINE.exec(lines[i] ?? '');
    if (!m) continue;
    const [, type = '', name = '', rest = ''] = m;
    // `(Custom) Custom field names - ...` announces custom fields, not a field named Custom.
    if (type.trim() === 'Custom') continue;
    let about = rest;
    while (i + 1 < lines.length && /^\s+\S/.test(lines[i + 1] ?? '') && !FIELD_LINE.test(lines[i + 1] ?? '')) about += ` ${(lines[++i] ?? '').trim()}`;
    const ops = OPERATORS.filter((op) => new RegExp(`["\`]${op.replace(/[>=<!]/g, '\\$&')}["\`]`).test(about));
    fields[name] = {
      ops: ops.length ? [...ops].sort((a, b) => OPERATORS.indexOf(a) - OPERATORS.indexOf(b)) : ['=='],
      wildcard: /wildcard/i.test(about),
      list: /^(Set|List)\[|list$/i.test(type.trim()) || /(^|_)ids$/.test(name) || /comma-separated (list|note ids)|accepts a list/i.test(about),
    };
  }
  return { fields, custom: /custom fields?\b[^.]*\b(filter|reference)/i.test(text) || /\(Custom\)/.test(text) };
}
