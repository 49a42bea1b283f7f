import { internName, KEY_LIMIT, keyName, NO_KEY } from '../rest/json-keys.js';
import { F_ESCAPE, F_FRACTION, F_NEWLINE, F_ODD_NUMBER, F_SEPARATOR, Spans, T_ARRAY, T_FALSE, T_NULL, T_NUMBER, T_OBJECT, T_STRING, T_TRUE, TYPE_MASK } from '../rest/json-scan.js';
import { RawJson, rawText, rawValue } from '../rest/raw-json.js';
import type { JsonSchema } from './json-schema.js';
import { JsonBytes } from './json-bytes.js';
import { escapeSeparators, jsonString, jsonValue } from './json-text.js';
import { kindOf, type FieldKind } from './record-shaper.js';
import type { NulledField } from './sink.js';

/**
 * Turns one REST v2 record, as the page reader scanned it (rest/raw-json.ts), into the record's JSON
 * text, as UTF-8 bytes (json-bytes.ts): every selected field in schema order, null where Keap left it out; top-level values checked
 * against the schema's type and converted where that loses nothing (an id Keap sends as a number
 * for a string field, a numeric string for a number field); top-level date-times normalised to ISO
 * 8601 UTC; nested objects and arrays kept as Keap sent them. A value that cannot be converted
 * becomes null and is reported (Airbyte record meta), never a crash and never an invalid record.
 *
 * What Keap usually sends goes out as the bytes it came in, never decoded: a string for a string
 * field, a whole number for a number field, a canonical UTC time, a nested value (JSON already; only
 * raw U+2028/U+2029 are escaped, as json-text.ts does, and a nested value whose numbers would not
 * read back as written, 1e999 or -0, or which spans lines, goes through JSON.stringify instead).
 * Everything else is decoded and goes through encodeAs, whose rules are the record's contract.
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
  /** `,"name":` as UTF-8, and `,"name":null`. */
  prefix: Buffer;
  prefixNull: Buffer;
}

const UNKNOWN = -2;

export class RestShaper {
  private readonly fields: Compiled[];
  readonly nulled: NulledField[] = [];
  private readonly hasCustom: boolean;
  /** Field index by name, for the record's own fields. */
  private readonly byName = new Map<string, number>();
  /** Field index by interned member name (json-keys.ts): UNKNOWN until first seen, -1 for none. */
  private readonly byKey = new Int32Array(KEY_LIMIT).fill(UNKNOWN);
  /** Per record: the member each field is read from, or -1. */
  private readonly slots: Int32Array;
  private readonly out = new JsonBytes();
  /**
   * Per record: custom field id -> where its content is, in the arrays below (-1: no content).
   * Views and arrays are kept from record to record: a record's custom fields cost no allocation.
   */
  private readonly custom = new Map<string, number>();
  private readonly customStarts: number[] = [];
  private readonly customEnds: number[] = [];
  private readonly customInfos: number[] = [];
  private customCount = 0;
  private readonly customEntry = new RawJson(Buffer.alloc(0), new Spans());

  constructor(fields: readonly RestField[]) {
    this.fields = fields.map((f, i) => {
      const prefix = `${i === 0 ? '' : ','}${jsonString(f.name)}:`;
      return { ...f, prefix: Buffer.from(prefix, 'utf8'), prefixNull: Buffer.from(`${prefix}null`, 'utf8') };
    });
    this.hasCustom = fields.some((f) => f.source !== undefined && 'customFieldId' in f.source);
    fields.forEach((f, i) => {
      if (f.source === undefined) this.byName.set(f.name, i);
    });
    this.slots = new Int32Array(fields.length);
  }

  /**
   * The record's JSON text as UTF-8, valid until the next call. `columns` are the values the reader
   * supplies (a parent's id, an order's fields).
   */
  shape(record: RawJson, columns?: Record<string, unknown>): Uint8Array {
    this.nulled.length = 0;
    const slots = this.slots;
    slots.fill(-1);
    // Later members win, as JSON.parse keeps the last of a repeated name.
    for (let m = 0, n = record.size; m < n; m++) {
      const f = this.fieldOf(record, m);
      if (f >= 0) slots[f] = m;
    }
    const custom = this.hasCustom ? this.customValues(record) : undefined;
    const fields = this.fields;
    const out = this.out;
    out.reset();
    out.byte(0x7b);
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] as Compiled;
      const src = f.source;
      if (src === undefined) {
        const m = slots[i] as number;
        if (m < 0) out.copy(f.prefixNull, 0, f.prefixNull.length);
        else {
          out.copy(f.prefix, 0, f.prefix.length);
          this.encodeRaw(f, record.buf, record.start(m), record.end(m), record.info(m));
        }
      } else if ('customFieldId' in src) {
        const c = custom?.get(src.customFieldId) ?? -1;
        if (c < 0) out.copy(f.prefixNull, 0, f.prefixNull.length);
        else {
          out.copy(f.prefix, 0, f.prefix.length);
          this.encodeRaw(f, record.buf, this.customStarts[c] as number, this.customEnds[c] as number, this.customInfos[c] as number);
        }
      } else {
        out.copy(f.prefix, 0, f.prefix.length);
        out.text(this.encode(f, columns?.[src.column]));
      }
    }
    out.byte(0x7d);
    return out.bytes();
  }

  private fieldOf(record: RawJson, m: number): number {
    const id = record.keyId(m);
    if (id === NO_KEY) return this.byName.get(record.key(m)) ?? -1;
    let f = this.byKey[id] as number;
    if (f === UNKNOWN) {
      f = this.byName.get(keyName(id)) ?? -1;
      this.byKey[id] = f;
    }
    return f;
  }

  /** The value in b[start, end) as JSON text of the field's kind: its own bytes where they are already right, else through encodeAs. */
  private encodeRaw(f: Compiled, b: Buffer, start: number, end: number, info: number): void {
    const out = this.out;
    const type = info & TYPE_MASK;
    if (type === T_NULL) return out.text('null');
    switch (f.kind) {
      case 'string':
        if (type === T_STRING) return info & F_SEPARATOR ? out.text(escapeSeparators(rawText(b, start, end, info))) : out.copy(b, start, end);
        break;
      case 'json':
        if ((info & (F_ODD_NUMBER | F_NEWLINE)) === 0) return info & F_SEPARATOR ? out.text(escapeSeparators(rawText(b, start, end, info))) : out.copy(b, start, end);
        break;
      case 'integer':
      case 'number':
        // Up to 15 digits, a whole number's text is what String(Number(text)) would write.
        if (type === T_NUMBER && (info & (F_ODD_NUMBER | F_FRACTION)) === 0 && end - start <= 15) return out.copy(b, start, end);
        break;
      case 'boolean':
        if (type === T_TRUE || type === T_FALSE) return out.copy(b, start, end);
        break;
      case 'date-time':
        if (type === T_STRING && (info & F_ESCAPE) === 0 && isCanonicalUtcAt(b, start + 1, end - 1)) return out.copy(b, start, end);
        break;
      case 'base64':
        break;
    }
    out.text(this.encode(f, rawValue(b, start, end, info)));
  }

  private encode(f: Compiled, v: unknown): string {
    if (v === undefined || v === null) return 'null';
    const text = encodeAs(f.kind, v);
    if (text !== undefined) return text;
    this.nulled.push({ field: f.name, reason: 'SOURCE_SERIALIZATION_ERROR' });
    return 'null';
  }

  /**
   * The record's custom fields by Keap id, from its `custom_fields` list: the last entry of an id
   * wins, an entry without content makes the field null, and anything not a list means none.
   */
  private customValues(record: RawJson): Map<string, number> | undefined {
    const at = record.indexOfKey(CUSTOM_FIELDS_KEY, 'custom_fields');
    if (at < 0 || record.typeOf(at) !== T_ARRAY) return undefined;
    this.custom.clear();
    this.customCount = 0;
    record.eachObject(at, this.customEntry, this.takeCustom);
    return this.custom;
  }

  /** One entry of `custom_fields`, in customEntry. */
  private readonly takeCustom = (): void => {
    const entry = this.customEntry;
    const idAt = entry.indexOfKey(ID_KEY, 'id');
    if (idAt < 0 || entry.typeOf(idAt) === T_NULL) return;
    const id = entry.typeOf(idAt) === T_STRING ? entry.str(idAt) : String(entry.value(idAt));
    const c = entry.indexOfKey(CONTENT_KEY, 'content');
    if (c < 0) {
      this.custom.set(id, -1);
      return;
    }
    const n = this.customCount++;
    this.customStarts[n] = entry.start(c);
    this.customEnds[n] = entry.end(c);
    this.customInfos[n] = entry.info(c);
    this.custom.set(id, n);
  };
}

// Names the shaper looks up in every record, interned once.
const CUSTOM_FIELDS_KEY = internName('custom_fields');
const ID_KEY = internName('id');
const CONTENT_KEY = internName('content');

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
      if (isCanonicalUtc(v)) return `"${v}"`;
      const ms = parseTime(v);
      return ms === undefined ? undefined : `"${new Date(ms).toISOString()}"`;
    }
    case 'base64':
      return typeof v === 'string' && /^[A-Za-z0-9+/=\s]*$/.test(v) ? jsonString(v) : undefined;
    case 'json':
      return jsonValue(v);
  }
}

/** `2024-05-21T14:30:00Z` or with milliseconds: RFC 3339 UTC in form (the day of month is checked by isCanonicalUtc). */
const CANONICAL_UTC = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?Z$/;

/** isCanonicalUtc of the text in b[start, end) (a raw string without its quotes), read as bytes. */
function isCanonicalUtcAt(b: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  // 2024-05-21T14:30:00Z, or with .1 to .123 before the Z.
  if (n !== 20 && (n < 22 || n > 24)) return false;
  if (b[start + 4] !== 0x2d || b[start + 7] !== 0x2d || b[start + 10] !== 0x54 || b[start + 13] !== 0x3a || b[start + 16] !== 0x3a || b[end - 1] !== 0x5a) return false;
  if (twoDigits(b, start) < 0 || twoDigits(b, start + 2) < 0) return false;
  const month = twoDigits(b, start + 5);
  // Days past the 28th are parsed (encodeAs), so that 2025-02-30 is refused rather than passed on.
  const day = twoDigits(b, start + 8);
  const hour = twoDigits(b, start + 11);
  const minute = twoDigits(b, start + 14);
  const second = twoDigits(b, start + 17);
  if (month < 1 || month > 12 || day < 1 || day > 28 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  if (n === 20) return true;
  if (b[start + 19] !== 0x2e) return false;
  for (let k = start + 20; k < end - 1; k++) {
    const c = b[k] as number;
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The two decimal digits at b[i], or -1. */
function twoDigits(b: Uint8Array, i: number): number {
  const x = (b[i] as number) - 0x30;
  const y = (b[i + 1] as number) - 0x30;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/**
 * Keap's usual form, already ISO 8601 UTC: kept as it is, unparsed (days past the 28th are parsed,
 * so that 2025-02-30 is refused rather than passed on).
 */
function isCanonicalUtc(v: string): boolean {
  return CANONICAL_UTC.test(v) && v.charCodeAt(8) <= 50 && !(v.charCodeAt(8) === 50 && v.charCodeAt(9) === 57);
}

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
