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
  /** Where `,"name":null` starts in the shaper's constant bytes, and where `,"name":` and it end. */
  at: number;
  prefixEnd: number;
  nullEnd: number;
  /** For a custom field: its place in the per-record custom arrays; else -1. */
  custom: number;
}

const UNKNOWN = -2;
const NULL = Buffer.from('null');

// What a record's `custom_fields` said of a custom field.
const CUSTOM_ABSENT = 0;
const CUSTOM_CONTENT = 1;
const CUSTOM_EMPTY = 2;

export class RestShaper {
  private readonly fields: Compiled[];
  readonly nulled: NulledField[] = [];
  /** Field index by name, for the record's own fields. */
  private readonly byName = new Map<string, number>();
  /** Field index by interned member name (json-keys.ts): UNKNOWN until first seen, -1 for none. */
  private readonly byKey = new Int32Array(KEY_LIMIT).fill(UNKNOWN);
  /** Per record: the member each field is read from, or -1. */
  private readonly slots: Int32Array;
  private readonly out = new JsonBytes();
  /** `{`, every field's `,"name":null`, `}` (see the constructor). */
  private readonly constants: Uint8Array;
  /**
   * The custom fields' Keap ids (as text and as bytes), and per record what the record's
   * `custom_fields` list said of each: kept from record to record, so that reading a record's custom
   * fields allocates nothing.
   */
  private readonly customIds: string[] = [];
  private readonly customIdBytes: Buffer[] = [];
  private readonly customState: Uint8Array;
  private readonly customStarts: Int32Array;
  private readonly customEnds: Int32Array;
  private readonly customInfos: Int32Array;
  private readonly customEntry = new RawJson(Buffer.alloc(0), new Spans());

  constructor(fields: readonly RestField[]) {
    // Every field's `,"name":null`, one after the other: a run of fields left null, and the name of
    // the field after it, go out as one copy of one stretch of these bytes.
    const pieces: Buffer[] = [];
    let at = 1;
    pieces.push(Buffer.from('{'));
    this.fields = fields.map((f, i) => {
      const prefix = Buffer.from(`${i === 0 ? '' : ','}${jsonString(f.name)}:`, 'utf8');
      pieces.push(prefix, NULL);
      let custom = -1;
      if (f.source !== undefined && 'customFieldId' in f.source) {
        custom = this.customIds.length;
        this.customIds.push(f.source.customFieldId);
        this.customIdBytes.push(Buffer.from(f.source.customFieldId, 'utf8'));
      }
      const c: Compiled = { ...f, at, prefixEnd: at + prefix.length, nullEnd: at + prefix.length + NULL.length, custom };
      at = c.nullEnd;
      return c;
    });
    pieces.push(Buffer.from('}'));
    // A plain Uint8Array: JsonBytes copies long stretches through subarray(), cheap on one.
    this.constants = new Uint8Array(Buffer.concat(pieces));
    fields.forEach((f, i) => {
      if (f.source === undefined) this.byName.set(f.name, i);
    });
    this.slots = new Int32Array(fields.length);
    const n = this.customIds.length;
    this.customState = new Uint8Array(n);
    this.customStarts = new Int32Array(n);
    this.customEnds = new Int32Array(n);
    this.customInfos = new Int32Array(n);
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
    if (this.customIds.length) this.readCustom(record);
    const fields = this.fields;
    const out = this.out;
    const buf = record.buf;
    const constants = this.constants;
    out.reset();
    // The constant bytes not yet written start here: `{`, then names and nulls up to the next value.
    let from = 0;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] as Compiled;
      const m = slots[i] as number;
      if (m >= 0) {
        out.copy(constants, from, f.prefixEnd);
        this.encodeRaw(f, buf, record.start(m), record.end(m), record.info(m));
      } else if (f.custom >= 0 && this.customState[f.custom] === CUSTOM_CONTENT) {
        const k = f.custom;
        out.copy(constants, from, f.prefixEnd);
        this.encodeRaw(f, buf, this.customStarts[k] as number, this.customEnds[k] as number, this.customInfos[k] as number);
      } else if (f.source !== undefined && 'column' in f.source) {
        out.copy(constants, from, f.prefixEnd);
        out.text(this.encode(f, columns?.[f.source.column]));
      } else continue;
      from = f.nullEnd;
    }
    out.copy(constants, from, constants.length);
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
        if (type === T_NUMBER && (info & (F_ODD_NUMBER | F_FRACTION)) === 0 && end - start <= 15) return out.copy(b, start, end);
        break;
      case 'number':
        if (type === T_NUMBER && (info & F_ODD_NUMBER) === 0 && isShortestNumber(b, start, end, info)) return out.copy(b, start, end);
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
   * What the record's `custom_fields` list says of each custom field: the last entry of an id wins,
   * an entry without content makes the field null, and anything not a list means none.
   */
  private readCustom(record: RawJson): void {
    this.customState.fill(CUSTOM_ABSENT);
    const at = record.indexOfKey(CUSTOM_FIELDS_KEY, 'custom_fields');
    if (at < 0 || record.typeOf(at) !== T_ARRAY) return;
    record.eachObject(at, this.customEntry, this.takeCustom);
  }

  /** One entry of `custom_fields`, in customEntry: its content goes to every custom field of its id. */
  private readonly takeCustom = (): void => {
    const entry = this.customEntry;
    const idAt = entry.indexOfKey(ID_KEY, 'id');
    if (idAt < 0) return;
    const info = entry.info(idAt);
    const type = info & TYPE_MASK;
    if (type === T_NULL) return;
    const c = entry.indexOfKey(CONTENT_KEY, 'content');
    // Keap's ids are strings of digits: compared as bytes. Any other id is compared as String() of it, as the parsed path did.
    const plain = type === T_STRING && (info & F_ESCAPE) === 0;
    const id = plain ? undefined : String(entry.value(idAt));
    const b = entry.buf;
    const start = entry.start(idAt) + 1;
    const len = entry.end(idAt) - 1 - start;
    for (let k = 0; k < this.customIds.length; k++) {
      if (plain ? !sameBytes(this.customIdBytes[k] as Buffer, b, start, len) : this.customIds[k] !== id) continue;
      if (c < 0) {
        this.customState[k] = CUSTOM_EMPTY;
        continue;
      }
      this.customState[k] = CUSTOM_CONTENT;
      this.customStarts[k] = entry.start(c);
      this.customEnds[k] = entry.end(c);
      this.customInfos[k] = entry.info(c);
    }
  };
}

// Names the shaper looks up in every record, interned once.
const CUSTOM_FIELDS_KEY = internName('custom_fields');
const ID_KEY = internName('id');
const CONTENT_KEY = internName('content');

function sameBytes(a: Uint8Array, b: Uint8Array, start: number, len: number): boolean {
  if (a.length !== len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== b[start + i]) return false;
  return true;
}

/**
 * Whether the number in b[start, end) (no exponent, no leading -0) is written as String(Number(text))
 * would write it, so its text can go out as it is: a whole number of up to 15 characters, or a
 * fraction of up to 15 significant digits without trailing zeros, and not below 1e-6 (which String()
 * writes with an exponent). Up to 15 significant digits a decimal survives a double unchanged, and
 * no shorter decimal reads as the same double.
 */
function isShortestNumber(b: Uint8Array, start: number, end: number, info: number): boolean {
  if ((info & F_FRACTION) === 0) return end - start <= 15;
  if (b[end - 1] === 0x30) return false;
  let i = b[start] === 0x2d ? start + 1 : start;
  let significant = 0;
  let leadingZeros = 0;
  if (b[i] === 0x30) {
    // 0.000123: the zeros after the point are not significant, and six of them make it < 1e-6.
    i += 2;
    while (b[i] === 0x30) {
      i++;
      leadingZeros++;
    }
    if (leadingZeros > 5) return false;
  }
  for (; i < end; i++) if (b[i] !== 0x2e) significant++;
  return significant <= 15;
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

/**
 * Whether the time in b[start, end) (a raw string without its quotes, no escapes) is already what
 * encodeAs writes for it: isCanonicalUtc, read as bytes, or toISOString's own text for a day past the 28th.
 */
function isCanonicalUtcAt(b: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  // 2024-05-21T14:30:00Z, or with .1 to .123 before the Z.
  if (n !== 20 && (n < 22 || n > 24)) return false;
  if (b[start + 4] !== 0x2d || b[start + 7] !== 0x2d || b[start + 10] !== 0x54 || b[start + 13] !== 0x3a || b[start + 16] !== 0x3a || b[end - 1] !== 0x5a) return false;
  if (twoDigits(b, start) < 0 || twoDigits(b, start + 2) < 0) return false;
  const month = twoDigits(b, start + 5);
  const day = twoDigits(b, start + 8);
  const hour = twoDigits(b, start + 11);
  const minute = twoDigits(b, start + 14);
  const second = twoDigits(b, start + 17);
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  // Past the 28th, encodeAs parses the time and writes toISOString()'s text: the same as this text
  // when it has three digits of milliseconds and the month has the day (Date.parse rolls a day the
  // month lacks over into the next month: that text is not this one).
  if (day > 28 && (n !== 24 || day > daysInMonth(twoDigits(b, start) * 100 + twoDigits(b, start + 2), month))) return false;
  if (n === 20) return true;
  if (b[start + 19] !== 0x2e) return false;
  for (let k = start + 20; k < end - 1; k++) {
    const c = b[k] as number;
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The two decimal digits at b[i], or -1. */
function twoDigits(b: Uint8Array, i: number): number {
  const x = (b[i] as number) - 0x30;
  const y = (b[i + 1] as number) - 0x30;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/**
 * Keap's usual form, already ISO 8601 UTC: kept as it is, unparsed. Days past the 28th are parsed
 * (meant to refuse 2025-02-30; Date.parse in fact rolls it over to 2025-03-02).
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
