import { createHash } from 'node:crypto';
import { XmlRpcBase64, XmlRpcDateTime, XmlRpcDouble, isStruct, type XmlRpcStruct, type XmlRpcValue } from '../xmlrpc/types.js';

/**
 * Keap answers to rows. Liberal in what it accepts, because the shapes of most report methods
 * are unverified (keap-api.md §8) and another Keap implementation may differ: a list may come as
 * an array of structs, one struct, or a struct of structs; a map as a struct or an array of
 * structs or strings; an empty answer as '', [], {} or nil.
 */

export type Shape = 'rows' | 'scalar' | 'map' | 'file';

export function isEmptyAnswer(v: XmlRpcValue | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  return isStruct(v) && Object.keys(v).length === 0;
}

/** One element of a list answer (or the whole answer when it is not an array) as rows. */
export function listRows(v: XmlRpcValue): XmlRpcStruct[] {
  if (isEmptyAnswer(v)) return [];
  if (Array.isArray(v)) return v.flatMap(listRows);
  if (isStruct(v)) {
    // A struct of structs is a list keyed by id (some SDKs document lists that way).
    const values = Object.values(v);
    if (values.length > 1 && values.every((x) => isStruct(x))) return values as XmlRpcStruct[];
    return [v];
  }
  // A bare scalar where rows were expected: keep it rather than lose it.
  return [{ value: v }];
}

/** A scalar answer (double, int, or their text); a one-member struct or one-item array is unwrapped. */
export function scalarOf(v: XmlRpcValue): XmlRpcValue {
  if (Array.isArray(v)) return v.length === 1 ? scalarOf(v[0] as XmlRpcValue) : v.length === 0 ? null : v;
  if (isStruct(v)) {
    const values = Object.values(v);
    return values.length === 1 ? scalarOf(values[0] as XmlRpcValue) : values.length === 0 ? null : v;
  }
  if (typeof v === 'string' && v.trim() === '') return null;
  return v;
}

const KEY_NAME = /(^|_)(id|key|column|field|fieldname)$|Id$|Key$/i;
const VALUE_NAME = /(^|_)(name|label|title|value|description)$|Name$|Label$/i;

/** A map answer as [key, value] pairs: `{"12": "Contact form"}` or `[{"Id": 12, "Name": "..."}]` or `["a", "b"]`. */
export function mapEntries(v: XmlRpcValue): [XmlRpcValue, XmlRpcValue][] {
  if (isEmptyAnswer(v)) return [];
  if (Array.isArray(v)) return v.flatMap(mapElement);
  if (isStruct(v)) {
    const entries = Object.entries(v);
    // A single wrapped list: {"forms": [...]}.
    if (entries.length === 1 && Array.isArray(entries[0]?.[1])) return mapEntries(entries[0][1]);
    return entries.flatMap(([k, x]) => (isStruct(x) ? mapElement(x).map(([, val]): [XmlRpcValue, XmlRpcValue] => [k, val]) : [[k, x] as [XmlRpcValue, XmlRpcValue]]));
  }
  return [[v, v]];
}

/** One element of a map given as an array. */
export function mapElement(el: XmlRpcValue): [XmlRpcValue, XmlRpcValue][] {
  if (isEmptyAnswer(el)) return [];
  if (!isStruct(el)) return Array.isArray(el) ? el.flatMap(mapElement) : [[el, el]];
  const entries = Object.entries(el);
  if (entries.length === 1) return [entries[0] as [string, XmlRpcValue]];
  const key = entries.find(([k]) => KEY_NAME.test(k)) ?? entries[0];
  const value = entries.find(([k]) => k !== key?.[0] && VALUE_NAME.test(k)) ?? entries.find(([k]) => k !== key?.[0]);
  return key ? [[key[1], value ? value[1] : key[1]]] : [];
}

/**
 * The synthetic primary key `_key` of reports whose rows have no id (commissions, clawbacks,
 * payouts...): a hash of what identifies the call (report, affiliate, ...) and the row's whole
 * content, so reading the same data again gives the same keys. Identical rows of one call are
 * told apart by their occurrence number.
 */
export class RowKeyer {
  private readonly seen = new Map<string, number>();
  constructor(private readonly identity: string) {}

  key(row: XmlRpcStruct): string {
    const base = sha(`${this.identity}\u0000${canonical(row)}`);
    const n = this.seen.get(base) ?? 0;
    this.seen.set(base, n + 1);
    return n === 0 ? base : sha(`${base}#${n}`);
  }
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Stable text of a value: keys sorted, dates and base64 as their wire text. */
export function canonical(v: XmlRpcValue): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v !== 'object') return JSON.stringify(v);
  if (v instanceof XmlRpcDateTime) return `d${JSON.stringify(v.text)}`;
  if (v instanceof XmlRpcBase64) return `b${JSON.stringify(v.base64)}`;
  if (v instanceof XmlRpcDouble) return String(v.value);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k] as XmlRpcValue)}`).join(',')}}`;
}

/** An integer from an XML-RPC value that should hold one ("12", 12, 12.0), else undefined. */
export function intOf(v: XmlRpcValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (v instanceof XmlRpcDouble && Number.isSafeInteger(v.value)) return v.value;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(v);
  if (typeof v === 'string' && /^\s*-?\d+(\.0+)?\s*$/.test(v)) return Number.parseInt(v, 10);
  return undefined;
}

/** The affiliate a per-affiliate row is about, by the member names such rows use. */
export function affiliateIdOf(row: XmlRpcStruct): number | undefined {
  for (const [k, v] of Object.entries(row)) {
    if (/^(aff(iliate)?_?id|affid)$/i.test(k)) {
      const n = intOf(v);
      if (n !== undefined) return n;
    }
  }
  return undefined;
}
