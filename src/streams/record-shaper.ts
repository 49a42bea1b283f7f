import type { KeapTimeZone } from '../keap/dates.js';
import { XmlRpcBase64, XmlRpcDateTime, XmlRpcDouble, isStruct, type XmlRpcStruct, type XmlRpcValue } from '../xmlrpc/types.js';
import type { JsonSchema } from './json-schema.js';
import type { NulledField } from './sink.js';

/**
 * Turns a Keap struct into the record's JSON text in one pass: every schema field in schema order
 * (null where Keap omitted it), values coerced to the schema's type, Keap's wall-clock dates turned
 * into UTC. Building the JSON directly, instead of an object and then JSON.stringify, is the hot
 * path of every sync (bench/end-to-end.ts). A value that cannot be coerced becomes null and is
 * reported, never a crash and never a silent change.
 */

export type FieldKind = 'integer' | 'number' | 'boolean' | 'string' | 'date-time' | 'base64' | 'json';

export interface ShapedField {
  name: string;
  kind: FieldKind;
}

export function kindOf(s: JsonSchema | undefined): FieldKind {
  if (!s) return 'json';
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes('integer')) return 'integer';
  if (types.includes('number')) return 'number';
  if (types.includes('boolean')) return 'boolean';
  if (types.includes('string')) {
    if (s.format === 'date-time') return 'date-time';
    if (s.contentEncoding === 'base64') return 'base64';
    return 'string';
  }
  return 'json';
}

export function fieldsOf(schema: JsonSchema): ShapedField[] {
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({ name, kind: kindOf(s) }));
}

interface Compiled {
  name: string;
  kind: FieldKind;
  /** `"Name":` (with a leading comma for all but the first). */
  prefix: string;
}

export class RecordShaper {
  private readonly fields: Compiled[];
  private readonly known: Set<string>;
  /** Nulled fields of the last shape() call (reused array). */
  readonly nulled: NulledField[] = [];

  constructor(
    fields: readonly ShapedField[],
    private readonly tz: KeapTimeZone,
    /** Keep members the schema does not list (open report schemas). */
    private readonly passThrough = false,
  ) {
    this.fields = fields.map((f, i) => ({ ...f, prefix: (i === 0 ? '' : ',') + JSON.stringify(f.name) + ':' }));
    this.known = new Set(fields.map((f) => f.name));
  }

  /** The record as JSON text; `extra` members (report parameters) are written first. */
  shape(row: XmlRpcStruct, extra?: string): string {
    this.nulled.length = 0;
    let s = '{';
    if (extra) {
      s += extra;
      if (this.fields.length > 0) s += ',';
    }
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] as Compiled;
      const v = row[f.name];
      s += f.prefix;
      s += v === undefined || v === null ? 'null' : this.encode(f, v);
    }
    if (this.passThrough) {
      let first = fields.length === 0 && !extra;
      for (const k of Object.keys(row)) {
        if (this.known.has(k)) continue;
        s += (first ? '' : ',') + JSON.stringify(k) + ':' + jsonOf(row[k] as XmlRpcValue, this.tz);
        first = false;
      }
    }
    return s + '}';
  }

  private encode(f: Compiled, v: XmlRpcValue): string {
    switch (f.kind) {
      case 'string':
        if (typeof v === 'string') return JSON.stringify(v);
        return this.asString(f, v);
      case 'integer':
        if (typeof v === 'number' && Number.isInteger(v)) return String(v);
        return this.asInteger(f, v);
      case 'number':
        if (typeof v === 'number') return String(v);
        return this.asNumber(f, v);
      case 'date-time':
        if (v instanceof XmlRpcDateTime) {
          const iso = toIsoUtc(v.text, this.tz);
          return iso === null ? this.nullify(f) : `"${iso}"`;
        }
        if (typeof v === 'string') {
          if (v.trim() === '') return 'null';
          const iso = toIsoUtc(v, this.tz);
          return iso === null ? this.nullify(f) : `"${iso}"`;
        }
        return this.nullify(f);
      case 'boolean':
        return this.asBoolean(f, v);
      case 'base64':
        if (v instanceof XmlRpcBase64) return `"${v.base64}"`;
        if (typeof v === 'string') return JSON.stringify(v);
        return this.nullify(f);
      case 'json':
        return jsonOf(v, this.tz);
    }
  }

  private asString(f: Compiled, v: XmlRpcValue): string {
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return JSON.stringify(String(v));
    if (v instanceof XmlRpcDouble) return JSON.stringify(String(v.value));
    if (v instanceof XmlRpcDateTime) {
      const iso = toIsoUtc(v.text, this.tz);
      return iso === null ? JSON.stringify(v.text) : `"${iso}"`;
    }
    if (v instanceof XmlRpcBase64) return JSON.stringify(v.base64);
    return this.nullify(f);
  }

  private asInteger(f: Compiled, v: XmlRpcValue): string {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'boolean') return v ? '1' : '0';
    if (typeof v === 'string') {
      const t = v.trim();
      if (t === '') return 'null';
      if (/^[+-]?\d+$/.test(t)) return String(BigInt(t));
      // Keap sends some integer columns as "12.0".
      if (/^[+-]?\d+\.0+$/.test(t)) return String(BigInt(t.slice(0, t.indexOf('.'))));
    }
    if (v instanceof XmlRpcDouble && Number.isInteger(v.value)) return String(v.value);
    return this.nullify(f);
  }

  private asNumber(f: Compiled, v: XmlRpcValue): string {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof XmlRpcDouble) return String(v.value);
    if (typeof v === 'string') {
      const t = v.trim();
      if (t === '') return 'null';
      const n = Number(t);
      if (Number.isFinite(n) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return String(n);
    }
    if (typeof v === 'boolean') return v ? '1' : '0';
    return this.nullify(f);
  }

  private asBoolean(f: Compiled, v: XmlRpcValue): string {
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return v === 0 ? 'false' : v === 1 ? 'true' : this.nullify(f);
    if (typeof v === 'string') {
      const t = v.trim().toLowerCase();
      if (t === '') return 'null';
      if (t === '1' || t === 'true' || t === 'yes' || t === 'y') return 'true';
      if (t === '0' || t === 'false' || t === 'no' || t === 'n') return 'false';
    }
    return this.nullify(f);
  }

  private nullify(f: Compiled): string {
    this.nulled.push({ field: f.name, reason: 'SOURCE_SERIALIZATION_ERROR' });
    return 'null';
  }
}

/** Keap date text to ISO UTC: wall-clock in the app zone unless the text carries its own zone. */
export function toIsoUtc(text: string, tz: KeapTimeZone): string | null {
  const last = text.charCodeAt(text.length - 1);
  // 'Z' or a digit after '+'/'-' in the time part: an explicit zone, exact already.
  if (last === 90 /* Z */ || /[+-]\d{2}:?\d{2}$/.test(text.slice(11))) {
    const ms = Date.parse(normaliseIso(text));
    return Number.isNaN(ms) ? null : new Date(ms).toISOString().replace('.000Z', 'Z');
  }
  return tz.compactToIsoUtc(text);
}

function normaliseIso(t: string): string {
  // 20120217T13:32:02Z -> 2012-02-17T13:32:02Z
  return /^\d{8}T/.test(t) ? `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6)}` : t;
}

/** Any XML-RPC value as JSON text, for open schemas and nested report values. */
export function jsonOf(v: XmlRpcValue, tz: KeapTimeZone): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      break;
  }
  if (v instanceof XmlRpcDateTime) {
    const iso = toIsoUtc(v.text, tz);
    return JSON.stringify(iso ?? v.text);
  }
  if (v instanceof XmlRpcBase64) return `"${v.base64}"`;
  if (v instanceof XmlRpcDouble) return String(v.value);
  if (Array.isArray(v)) return `[${v.map((x) => jsonOf(x, tz)).join(',')}]`;
  if (isStruct(v)) {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) parts.push(`${JSON.stringify(k)}:${jsonOf(x, tz)}`);
    return `{${parts.join(',')}}`;
  }
  return 'null';
}
