import type { JsonSchema } from './json-schema.js';
import { jsonString, jsonValue } from './json-text.js';
import { kindOf, type FieldKind } from './record-shaper.js';
import type { NulledField } from './sink.js';

/**
 * Turns one REST v2 record (parsed JSON) into the record's JSON text: every selected field in schema
 * order, null where Keap left it out; top-level values checked against the schema's type and
 * converted where that loses nothing (an id Keap sends as a number for a string field, a numeric
 * string for a number field); top-level date-times normalised to ISO 8601 UTC; nested objects and
 * arrays kept as Keap sent them. A value that cannot be converted becomes null and is reported
 * (Airbyte record meta), never a crash and never an invalid record. Every string and number goes
 * through json-text.ts.
 */

export interface RestField {
  name: string;
  kind: FieldKind;
  /** Where the value comes from: the record's own field (default), a custom field by Keap id, or a column the reader supplies. */
  source?: { customFieldId: string } | { column: string };
}

export function restFieldsOf(schema: JsonSchema): RestField[] {
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({ name, kind: restKind(s) }));
}

/** Like kindOf, but a field whose schema has no single JSON type (custom multi-selects, open values) is any JSON. */
function restKind(s: JsonSchema | undefined): FieldKind {
  const types = Array.isArray(s?.type) ? s.type.filter((t) => t !== 'null') : s?.type ? [s.type] : [];
  if (types.length !== 1) return 'json';
  return kindOf(s);
}

interface Compiled extends RestField {
  prefix: string;
}

export class RestShaper {
  private readonly fields: Compiled[];
  readonly nulled: NulledField[] = [];
  private readonly hasCustom: boolean;

  constructor(fields: readonly RestField[]) {
    this.fields = fields.map((f, i) => ({ ...f, prefix: (i === 0 ? '' : ',') + jsonString(f.name) + ':' }));
    this.hasCustom = fields.some((f) => f.source !== undefined && 'customFieldId' in f.source);
  }

  /** `columns` are the values the reader supplies (a parent's id, an order's fields). */
  shape(record: Record<string, unknown>, columns?: Record<string, unknown>): string {
    this.nulled.length = 0;
    const custom = this.hasCustom ? customValues(record['custom_fields']) : undefined;
    let out = '{';
    for (const f of this.fields) {
      let v: unknown;
      const src = f.source;
      if (src === undefined) v = record[f.name];
      else if ('customFieldId' in src) v = custom?.get(src.customFieldId);
      else v = columns?.[src.column];
      out += f.prefix;
      out += this.encode(f, v);
    }
    return out + '}';
  }

  private encode(f: Compiled, v: unknown): string {
    if (v === undefined || v === null) return 'null';
    const text = encodeAs(f.kind, v);
    if (text !== undefined) return text;
    this.nulled.push({ field: f.name, reason: 'SOURCE_SERIALIZATION_ERROR' });
    return 'null';
  }
}

/** The value as JSON text of this kind, or undefined when it is not one (nor losslessly convertible). */
export function encodeAs(kind: FieldKind, v: unknown): string | undefined {
  switch (kind) {
    case 'string':
      if (typeof v === 'string') return jsonString(v);
      if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return jsonString(String(v));
      return undefined;
    case 'integer':
      if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : undefined;
      if (typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim())) return String(Number(v));
      return undefined;
    case 'number': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return Number.isFinite(n) ? String(n) : undefined;
    }
    case 'boolean':
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      if (typeof v === 'number') return v === 1 ? 'true' : v === 0 ? 'false' : undefined;
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (t === 'true' || t === 'yes' || t === '1') return 'true';
        if (t === 'false' || t === 'no' || t === '0') return 'false';
      }
      return undefined;
    case 'date-time': {
      if (typeof v !== 'string') return undefined;
      // Keap's usual form is already ISO 8601 UTC: kept as it is, unparsed (days past the 28th are
      // parsed, so that 2025-02-30 is refused rather than passed on).
      if (CANONICAL_UTC.test(v) && v.charCodeAt(8) <= 50 && !(v.charCodeAt(8) === 50 && v.charCodeAt(9) === 57)) return `"${v}"`;
      const ms = parseTime(v);
      return ms === undefined ? undefined : `"${new Date(ms).toISOString()}"`;
    }
    case 'base64':
      return typeof v === 'string' && /^[A-Za-z0-9+/=\s]*$/.test(v) ? jsonString(v) : undefined;
    case 'json':
      return jsonValue(v);
  }
}

/** `2024-05-21T14:30:00Z` or with milliseconds: RFC 3339 UTC in form (the day of month is checked by the caller). */
const CANONICAL_UTC = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?Z$/;

/**
 * Epoch ms of a REST time, or undefined. Keap writes ISO 8601 with a zone (`Z`, `+00:00`, and
 * `+0000` in some answers); a time without a zone is taken as UTC (REST v2 speaks UTC).
 */
export function parseTime(text: string): number | undefined {
  let t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  t = t.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) t += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:\d{2})$/i.test(t)) t += 'Z';
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

function customValues(list: unknown): Map<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const m = new Map<string, unknown>();
  for (const c of list) {
    if (typeof c !== 'object' || c === null) continue;
    const o = c as { id?: unknown; content?: unknown };
    if (o.id !== undefined && o.id !== null) m.set(String(o.id), o.content);
  }
  return m;
}
