/**
 * The one way a value becomes JSON text inside a record line. Records are assembled as text on the
 * hot path (record-shaper.ts, rest-record.ts), so every string and number that reaches a line must
 * come through here: a string is escaped completely (JSON.stringify, plus U+2028 and U+2029, which
 * JSON allows raw but which break line-oriented readers and JavaScript-based targets), and a number
 * that is not finite has no JSON form at all (JSON.parse gives Infinity for `1e999`).
 */

// Two regexes: a global one's test() keeps state between calls.
const HAS_SEPARATOR = /[\u2028\u2029]/;
const LINE_SEPARATORS = /[\u2028\u2029]/g;

export function jsonString(s: string): string {
  return escapeSeparators(JSON.stringify(s));
}

/** JSON text of a finite number, or undefined when it has none (NaN, ±Infinity). */
export function jsonNumber(n: number): string | undefined {
  return Number.isFinite(n) ? String(n) : undefined;
}

/**
 * JSON text of any parsed JSON value (a nested object or array kept as Keap sent it): strings
 * escaped as above; a non-finite number (possible after JSON.parse of `1e999`) is written as null,
 * which JSON.stringify does by itself (no replacer: one would cost more than the whole stringify).
 */
export function jsonValue(v: unknown): string {
  return escapeSeparators(JSON.stringify(v) ?? 'null');
}

/** JSON text with its raw U+2028 and U+2029 escaped (JSON text as Keap sent it, passed on verbatim). */
export function escapeSeparators(text: string): string {
  return HAS_SEPARATOR.test(text) ? text.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029')) : text;
}
