import type { KeapTimeZone } from '../keap/dates.js';
import { KeapError } from '../keap/errors.js';
import { XmlRpcBase64, XmlRpcDateTime, XmlRpcDouble, isStruct, type XmlRpcStruct, type XmlRpcValue } from '../xmlrpc/types.js';
import type { JsonSchema } from './json-schema.js';
import { jsonNumber, jsonString } from './json-text.js';
import type { NulledField } from './sink.js';

/**
 * Turns a Keap struct into the record's JSON text in one pass: every schema field in schema order
 * (null where Keap omitted it), values coerced to the schema's type, Keap's wall-clock dates turned
 * into UTC. Building the JSON directly, instead of an object and then JSON.stringify, is the hot
 * path of every sync (bench/end-to-end.ts). A value that cannot be coerced becomes null and is
 * reported, never a crash and never a silent change; a key that cannot be coerced fails the stream
 * (a record with a null key would be merged with others downstream). Every string and number text
 * comes from json-text.ts or is one this file checked is plain JSON already.
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
  /** The same with the opening quote of a string value. */
  quoted: string;
  /** Part of the primary key. */
  key: boolean;
}

export interface ShaperOptions {
  /** Keep members the schema does not list (open report schemas). */
  passThrough?: boolean;
  /** The primary key's fields: a value there that cannot be coerced fails the stream. */
  keys?: readonly string[];
  /** Members never written, even when the schema is open. */
  omit?: readonly string[];
}

/** Schemas up to this many fields keep every run of null fields they meet as one string. */
const MAX_RUN_CACHE_FIELDS = 256;

export class RecordShaper {
  private readonly fields: Compiled[];
  private readonly known: Set<string>;
  /**
   * `"A":null,"B":null` for fields [i, j), at i * (fields + 1) + j, made when first met. Keap
   * leaves most columns of a row out (a contact has ~25 of its 86), so a record is mostly runs of
   * nulls, and one cached string per run is a fraction of the appends of writing them one by one.
   */
  private readonly runs: (string | undefined)[];
  /** Nulled fields of the last shape() call (reused array). */
  readonly nulled: NulledField[] = [];
  /** The pieces of the record being shaped (reused), joined once into its text. */
  private readonly parts: string[] = [];

  private readonly passThrough: boolean;
  /** Members never written, even by an open schema (sensitive fields, streams/sensitive-fields.ts). */
  private readonly omit: ReadonlySet<string>;

  constructor(
    fields: readonly ShapedField[],
    private readonly tz: KeapTimeZone,
    options: ShaperOptions = {},
  ) {
    this.passThrough = options.passThrough ?? false;
    this.omit = new Set(options.omit ?? []);
    const keys = options.keys ?? [];
    this.fields = fields.map((f, i) => {
      const prefix = (i === 0 ? '' : ',') + jsonString(f.name) + ':';
      return { ...f, prefix, quoted: `${prefix}"`, key: keys.includes(f.name) };
    });
    this.known = new Set(fields.map((f) => f.name));
    const n = this.fields.length;
    this.runs = n <= MAX_RUN_CACHE_FIELDS ? new Array<string | undefined>(n * (n + 1) + 1).fill(undefined) : [];
  }

  /** The record as JSON text; `extra` members (report parameters) are written first. */
  shape(row: XmlRpcStruct, extra?: string): string {
    this.nulled.length = 0;
    // Pieces go into an array joined once: one flat string, where appending them one by one
    // would build a tree of ~75 nodes that the writer must then copy into a flat string anyway.
    const parts = this.parts;
    let k = 0;
    parts[k++] = '{';
    if (extra) {
      parts[k++] = extra;
      if (this.fields.length > 0) parts[k++] = ',';
    }
    const fields = this.fields;
    const n = fields.length;
    // Fields from `nulls` up to the current one are null and not yet written.
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      const f = fields[i] as Compiled;
      const v = row[f.name];
      if (v === undefined || v === null) continue;
      if (nulls < i) parts[k++] = this.nullRun(nulls, i);
      nulls = i + 1;
      // The usual string and date values go in between their quotes, not copied into new strings.
      if (f.kind === 'string' && typeof v === 'string' && plainJson(v)) {
        parts[k++] = f.quoted;
        parts[k++] = v;
        parts[k++] = '"';
        continue;
      }
      if (f.kind === 'date-time' && v instanceof XmlRpcDateTime) {
        const iso = toIsoUtc(v.text, this.tz);
        if (iso !== null) {
          parts[k++] = f.quoted;
          parts[k++] = iso;
          parts[k++] = '"';
          continue;
        }
      }
      parts[k++] = f.prefix;
      parts[k++] = this.encode(f, v);
    }
    if (nulls < n) parts[k++] = this.nullRun(nulls, n);
    if (this.passThrough) {
      let first = fields.length === 0 && !extra;
      for (const key of Object.keys(row)) {
        if (this.known.has(key) || this.omit.has(key)) continue;
        parts[k++] = (first ? '' : ',') + jsonString(key) + ':' + jsonOf(row[key] as XmlRpcValue, this.tz);
        first = false;
      }
    }
    parts[k++] = '}';
    // Shrinking the array only frees its end when it falls under half its room.
    parts.length = k;
    return parts.join('');
  }

  /** Fields [from, to) written as nulls. */
  private nullRun(from: number, to: number): string {
    const key = from * (this.fields.length + 1) + to;
    const cached = this.runs[key];
    if (cached !== undefined) return cached;
    let s = '';
    for (let i = from; i < to; i++) s += `${(this.fields[i] as Compiled).prefix}null`;
    // Flattened once here, so the records that reuse it copy it rather than walk it.
    s = flat(s);
    if (key < this.runs.length) this.runs[key] = s;
    return s;
  }

  private encode(f: Compiled, v: XmlRpcValue): string {
    switch (f.kind) {
      case 'string':
        if (typeof v === 'string') return quote(v);
        return this.asString(f, v);
      case 'integer':
        if (typeof v === 'number' && Number.isInteger(v)) return integerText(v);
        return this.asInteger(f, v);
      case 'number':
        if (typeof v === 'number') return jsonNumber(v) ?? this.nullify(f);
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
      case 'base64': {
        // Escaped all the same, as every string is: the reader checked <base64>'s alphabet; base64
        // sent as text (FileService.getFile may) loses its line breaks, anything else is refused.
        if (v instanceof XmlRpcBase64) return jsonString(v.base64);
        const text = typeof v === 'string' ? base64Text(v) : null;
        return text === null ? this.nullify(f) : jsonString(text);
      }
      case 'json':
        return jsonOf(v, this.tz);
    }
  }

  private asString(f: Compiled, v: XmlRpcValue): string {
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return jsonString(String(v));
    if (v instanceof XmlRpcDouble) return jsonString(String(v.value));
    if (v instanceof XmlRpcDateTime) {
      const iso = toIsoUtc(v.text, this.tz);
      return iso === null ? jsonString(v.text) : `"${iso}"`;
    }
    if (v instanceof XmlRpcBase64) return jsonString(v.base64);
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
    if (v instanceof XmlRpcDouble) return jsonNumber(v.value) ?? this.nullify(f);
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
    if (f.key) throw new KeapError(`a row whose key field ${f.name} cannot be read as its type; refusing to emit it with a null key`, 'system_error', 'bad-row');
    this.nulled.push({ field: f.name, reason: 'SOURCE_SERIALIZATION_ERROR' });
    return 'null';
  }
}

/**
 * Base64 text without the whitespace encoders wrap it in (76-column MIME lines), padded to whole
 * quads; null when it is not base64.
 */
export function base64Text(s: string): string | null {
  const t = s.replace(/[\s]+/g, '');
  if (t.length % 4 === 0) return /^[A-Za-z0-9+/]*={0,2}$/.test(t) ? t : null;
  // Unpadded: only whole characters, and never one left over (6 bits make no byte).
  return /^[A-Za-z0-9+/]*$/.test(t) && t.length % 4 !== 1 ? t + '='.repeat(4 - (t.length % 4)) : null;
}

/**
 * jsonString of a string, without the call into the runtime for the usual text that needs no
 * escape: none of `"`, `\\`, control chars, surrogates (JSON.stringify escapes lone ones) or
 * U+2028/U+2029 (json-text.ts escapes them), whose JSON text is the string in quotes.
 */
export function quote(s: string): string {
  return plainJson(s) ? `"${s}"` : jsonString(s);
}

/** Whether the JSON text of `s` is `s` in quotes (see quote). */
function plainJson(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff) || c === 0x2028 || c === 0x2029) return false;
  }
  return true;
}

const DIGITS: readonly string[] = Array.from({ length: 10 }, (_, i) => String(i));
const PAIRS: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * String(n) of an integer, written two digits at a time. String() keeps every number it converts
 * in V8's number-to-string cache, which lives in the old generation: each of a million distinct
 * Ids would be kept there long enough to be promoted and become old garbage (a third of what a
 * long read promotes); these strings die young.
 */
export function integerText(n: number): string {
  if (n >= 0 && n <= 0x7fffffff && !Object.is(n, -0)) {
    if (n < 10) return DIGITS[n] as string;
    let s = '';
    let m = n;
    while (m >= 100) {
      const q = Math.floor(m / 100);
      s = (PAIRS[m - q * 100] as string) + s;
      m = q;
    }
    return (m < 10 ? (DIGITS[m] as string) : (PAIRS[m] as string)) + s;
  }
  // Exact digits for any safe integer, also uncached; beyond 2^53 String's shortest form differs.
  return Number.isSafeInteger(n) ? n.toFixed(0) : String(n);
}

/** A string that is one flat run of chars rather than a tree of appends. */
function flat(s: string): string {
  // Reading a char from the middle makes V8 flatten the string in place.
  s.charCodeAt(s.length >> 1);
  return s;
}

/** Keap date text to ISO UTC: wall-clock in the app zone unless the text carries its own zone. */
export function toIsoUtc(text: string, tz: KeapTimeZone): string | null {
  // Keap's own form, `YYYYMMDDTHH:MM:SS`, has no room for a zone: straight to the wall-clock
  // conversion, without the zone test below (a slice and a regex for every date of every record).
  if (text.length === 17 && text.charCodeAt(8) === 84 /* T */ && text.charCodeAt(11) === 58 /* : */ && text.charCodeAt(14) === 58) {
    return tz.compactToIsoUtc(text);
  }
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
      return jsonString(v);
    case 'number':
      return jsonNumber(v) ?? 'null';
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      break;
  }
  if (v instanceof XmlRpcDateTime) {
    const iso = toIsoUtc(v.text, tz);
    return jsonString(iso ?? v.text);
  }
  if (v instanceof XmlRpcBase64) return jsonString(v.base64);
  if (v instanceof XmlRpcDouble) return jsonNumber(v.value) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => jsonOf(x, tz)).join(',')}]`;
  if (isStruct(v)) {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) parts.push(`${jsonString(k)}:${jsonOf(x, tz)}`);
    return `{${parts.join(',')}}`;
  }
  return 'null';
}
