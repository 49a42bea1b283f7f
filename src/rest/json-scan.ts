import { RestParseError } from './errors.js';
import { hashStep, internBytes, internName, KEY_LIMIT, NO_KEY, plainKeyBytes } from './json-keys.js';

/**
 * Strict JSON (RFC 8259, exactly what JSON.parse accepts) read over bytes without building values:
 * the scanner finds where each value ends, checks every byte on the way, and notes what the value's
 * text holds, so that a caller can pass nested values on as the text they already are and decode
 * only the scalars it needs. UTF-8 is checked by the caller before the scanner sees the bytes
 * (page-reader.ts, natively); the scanner reads only bytes up to `limit`, and answers -1 when a
 * value runs past it (more bytes may complete it: the caller scans it again once they are here).
 *
 * A value's info is its type (TYPE_MASK) plus flags. The flags let nested text go out verbatim
 * safely: it is rewritten only when it holds U+2028/U+2029 (JSON allows them raw, line readers do
 * not), a number whose value is not what its text says once parsed (1e999 is Infinity, -0), or a
 * line break between tokens (a pretty-printed answer: a record line must stay one line).
 */

export const T_NULL = 1;
export const T_FALSE = 2;
export const T_TRUE = 3;
export const T_NUMBER = 4;
export const T_STRING = 5;
export const T_ARRAY = 6;
export const T_OBJECT = 7;
export const TYPE_MASK = 7;

/** A byte past ASCII: the text is decoded as UTF-8 (else as Latin-1, which is faster and the same for ASCII). */
export const F_NON_ASCII = 8;
/** A backslash escape in a string: its text is not its value. */
export const F_ESCAPE = 16;
/** A raw U+2028 or U+2029. */
export const F_SEPARATOR = 32;
/** A number with an exponent, a leading -0 or hundreds of digits: its value may differ from its text (Infinity, -0). */
export const F_ODD_NUMBER = 64;
/** A number with a fraction. */
export const F_FRACTION = 128;
/** CR or LF between tokens. */
export const F_NEWLINE = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Bytes a string holds as they are: printable ASCII but the quote and the backslash. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) if (c !== QUOTE && c !== BACKSLASH) PLAIN[c] = 1;

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/**
 * The members of an object or the elements of an array, as positions in the scanned bytes. Plain
 * arrays, not typed ones: views of small nested values are made per record, and a typed array costs
 * far more to create than to fill.
 */
export class Spans {
  n = 0;
  /** Interned member names (json-keys.ts); NO_KEY for an array element or a name the table has no room for. */
  readonly keys: number[] = [];
  /** The names of members whose key is NO_KEY. */
  names: (string | undefined)[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly infos: number[] = [];

  reset(): void {
    this.n = 0;
    if (this.names.length) this.names = [];
  }

  push(key: number, name: string | undefined, start: number, end: number, info: number): void {
    const n = this.n;
    this.keys[n] = key;
    this.starts[n] = start;
    this.ends[n] = end;
    this.infos[n] = info;
    if (name !== undefined) this.names[n] = name;
    this.n = n + 1;
  }
}

export class JsonScanner {
  b: Uint8Array = new Uint8Array(0);
  /** Bytes from `limit` on are not here yet (or not yet checked as UTF-8). */
  limit = 0;
  /** Where b[0] is in the whole body, for messages. */
  base = 0;
  /** Flags of what was scanned since the caller last cleared them. */
  flags = 0;
  /** The type of the value value() scanned last. */
  type = 0;
  /** The interned name key() read last, and its text when NO_KEY. */
  keyId = NO_KEY;
  keyText: string | undefined;
  /**
   * Which name followed each name (by number, +1; 0: the start of an object) the last time, in
   * objects read into spans: records of a page repeat their names in the same order (less those
   * they leave out), so a name is first compared with the one that followed its predecessor, and
   * hashed and looked up only when it differs.
   */
  private readonly next = new Int32Array(KEY_LIMIT + 1).fill(NO_KEY);

  constructor(
    private readonly maxDepth: number,
    /** Added to messages about bytes that are not JSON (the answer's content type, when not JSON). */
    private readonly hint = '',
  ) {}

  /** The first byte at or after i that is not whitespace (or limit). */
  ws(i: number): number {
    const b = this.b;
    const limit = this.limit;
    while (i < limit) {
      const c = b[i] as number;
      if (c === 0x20 || c === 0x09) i++;
      else if (c === 0x0a || c === 0x0d) {
        this.flags |= F_NEWLINE;
        i++;
      } else break;
    }
    return i;
  }

  /**
   * The end of the value starting at byte i, or -1 when the bytes end first; `depth` is the depth of
   * the container the value is in (a value opening a container there is at depth + 1).
   */
  value(i: number, depth: number): number {
    if (i >= this.limit) return -1;
    const c = this.b[i] as number;
    let end: number;
    let type: number;
    if (c === QUOTE) {
      end = this.string(i);
      type = T_STRING;
    } else if (c === OPEN_BRACE) {
      end = this.object(i, depth + 1, undefined);
      type = T_OBJECT;
    } else if (c === OPEN_BRACKET) {
      end = this.array(i, depth + 1, undefined);
      type = T_ARRAY;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      end = this.number(i);
      type = T_NUMBER;
    } else if (c === 0x74) {
      end = this.literal(i, TRUE);
      type = T_TRUE;
    } else if (c === 0x66) {
      end = this.literal(i, FALSE);
      type = T_FALSE;
    } else if (c === 0x6e) {
      end = this.literal(i, NULL);
      type = T_NULL;
    } else return this.unexpected(i, 'a JSON value');
    this.type = type;
    return end;
  }

  /** i at the opening quote. */
  string(i: number): number {
    const b = this.b;
    const limit = this.limit;
    let flags = 0;
    i++;
    for (;;) {
      while (i < limit && PLAIN[b[i] as number] === 1) i++;
      if (i >= limit) return -1;
      const c = b[i] as number;
      if (c === QUOTE) {
        this.flags |= flags;
        return i + 1;
      }
      if (c === BACKSLASH) {
        flags |= F_ESCAPE;
        const e = this.escape(i);
        if (e < 0) return -1;
        i = e;
        continue;
      }
      if (c < 0x20) return this.unexpected(i, 'a string character (control characters must be escaped)');
      if (c >= 0x80) {
        flags |= F_NON_ASCII;
        // UTF-8 is checked up to limit and ends there at a whole character: the next two bytes are here.
        if (c === 0xe2 && b[i + 1] === 0x80 && ((b[i + 2] as number) & 0xfe) === 0xa8) flags |= F_SEPARATOR;
      }
      i++;
    }
  }

  /** i at a backslash: the end of its escape, or -1. */
  private escape(i: number): number {
    const b = this.b;
    const limit = this.limit;
    if (i + 1 >= limit) return -1;
    const e = b[i + 1] as number;
    if (e === 0x75) {
      for (let k = i + 2; k < i + 6; k++) {
        if (k >= limit) return -1;
        if (!isHex(b[k] as number)) return this.unexpected(k, 'a hex digit of a \\u escape');
      }
      return i + 6;
    }
    if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) return i + 2;
    return this.unexpected(i + 1, 'an escape character');
  }

  /**
   * A member name at i (its opening quote), after the name numbered `previous` in its object
   * (NO_KEY: the first; undefined: no guessing): its end, with the name's number in keyId (and its
   * text in keyText when the table has no number for it). Plain ASCII names are compared with the
   * guess, else hashed as they are read.
   */
  key(i: number, previous: number | undefined): number {
    const b = this.b;
    const limit = this.limit;
    const start = i + 1;
    const guess = previous === undefined ? NO_KEY : (this.next[previous + 1] as number);
    if (guess !== NO_KEY) {
      const known = plainKeyBytes(guess);
      // The guess's bytes hold no quote, backslash or control character: equal bytes are a whole plain name.
      if (known !== undefined) {
        const n = known.length;
        if (start + n < limit && b[start + n] === QUOTE) {
          let k = 0;
          while (k < n && b[start + k] === known[k]) k++;
          if (k === n) {
            this.keyId = guess;
            this.keyText = undefined;
            return start + n + 1;
          }
        }
      }
    }
    let h = 0;
    for (let k = start; ; k++) {
      if (k >= limit) return -1;
      const c = b[k] as number;
      if (c === QUOTE) {
        this.keyId = internBytes(b, start, k, h);
        this.keyText = this.keyId === NO_KEY ? Buffer.from(b.buffer, b.byteOffset + start, k - start).toString('latin1') : undefined;
        if (this.keyId !== NO_KEY && previous !== undefined) this.next[previous + 1] = this.keyId;
        return k + 1;
      }
      if (c < 0x20 || c === BACKSLASH || c >= 0x80) break;
      h = hashStep(h, c);
    }
    // Escapes or characters past ASCII: read as any string, decoded by JSON.parse (rare).
    const end = this.string(i);
    if (end < 0) return -1;
    const name = JSON.parse(Buffer.from(b.buffer, b.byteOffset + i, end - i).toString('utf8')) as string;
    this.keyId = internName(name);
    this.keyText = this.keyId === NO_KEY ? name : undefined;
    return end;
  }

  number(i: number): number {
    const b = this.b;
    const limit = this.limit;
    const start = i;
    let flags = 0;
    if (b[i] === MINUS) i++;
    if (i >= limit) return -1;
    let c = b[i] as number;
    if (c === ZERO) {
      i++;
      if (i > start + 1) flags |= F_ODD_NUMBER;
    } else if (c > ZERO && c <= NINE) {
      i = digits(b, i + 1, limit);
      if (i - start > 300) flags |= F_ODD_NUMBER;
    } else return this.unexpected(i, 'a digit');
    if (i >= limit) return -1;
    c = b[i] as number;
    if (c === DOT) {
      flags |= F_FRACTION;
      i++;
      if (i >= limit) return -1;
      if (!isDigit(b[i] as number)) return this.unexpected(i, 'a digit after the decimal point');
      i = digits(b, i + 1, limit);
      if (i >= limit) return -1;
      c = b[i] as number;
    }
    if (c === 0x65 || c === 0x45) {
      flags |= F_ODD_NUMBER;
      i++;
      if (i >= limit) return -1;
      c = b[i] as number;
      if (c === PLUS || c === MINUS) {
        i++;
        if (i >= limit) return -1;
      }
      if (!isDigit(b[i] as number)) return this.unexpected(i, 'a digit of the exponent');
      i = digits(b, i + 1, limit);
      // The number ends only where something else starts.
      if (i >= limit) return -1;
    }
    this.flags |= flags;
    return i;
  }

  private literal(i: number, word: readonly number[]): number {
    const b = this.b;
    for (let k = 0; k < word.length; k++) {
      if (i + k >= this.limit) return -1;
      if (b[i + k] !== word[k]) return this.unexpected(i + k, 'true, false or null');
    }
    return i + word.length;
  }

  /**
   * i at '{': the end of the object, or -1. With `into`, each member is added to it (name, where its
   * value is, and the value's info); the object's own flags gather every member's.
   */
  object(i: number, depth: number, into: Spans | undefined): number {
    if (depth > this.maxDepth) this.tooDeep(i);
    const b = this.b;
    i = this.ws(i + 1);
    if (i >= this.limit) return -1;
    if (b[i] === CLOSE_BRACE) return i + 1;
    // The number of the name before this one (into only): NO_KEY before the first.
    let previous = NO_KEY;
    for (;;) {
      if (b[i] !== QUOTE) return this.unexpected(i, 'a member name');
      let end = into === undefined ? this.string(i) : this.key(i, previous);
      if (end < 0) return -1;
      i = this.ws(end);
      if (i >= this.limit) return -1;
      if (b[i] !== COLON) return this.unexpected(i, "':'");
      i = this.ws(i + 1);
      if (into === undefined) end = this.value(i, depth);
      else {
        previous = this.keyId;
        end = this.element(i, depth, into, this.keyId, this.keyText);
      }
      if (end < 0) return -1;
      i = this.ws(end);
      if (i >= this.limit) return -1;
      const c = b[i];
      if (c === CLOSE_BRACE) return i + 1;
      if (c !== COMMA) return this.unexpected(i, "',' or '}'");
      i = this.ws(i + 1);
      if (i >= this.limit) return -1;
    }
  }

  /**
   * i at '[': the end of the array, or -1. With `into`, each element is added to it; with `visit`
   * too, only elements that are objects are, each read into `into` in its place (its members) and
   * `visit` called before the next one is read, others passed over.
   */
  array(i: number, depth: number, into: Spans | undefined, visit?: () => void): number {
    if (depth > this.maxDepth) this.tooDeep(i);
    const b = this.b;
    i = this.ws(i + 1);
    if (i >= this.limit) return -1;
    if (b[i] === CLOSE_BRACKET) return i + 1;
    for (;;) {
      let end: number;
      if (into === undefined) end = this.value(i, depth);
      else if (visit === undefined) end = this.element(i, depth, into, NO_KEY, undefined);
      else if (b[i] === OPEN_BRACE) {
        into.reset();
        end = this.object(i, depth + 1, into);
        if (end >= 0) visit();
      } else end = this.value(i, depth);
      if (end < 0) return -1;
      i = this.ws(end);
      if (i >= this.limit) return -1;
      const c = b[i];
      if (c === CLOSE_BRACKET) return i + 1;
      if (c !== COMMA) return this.unexpected(i, "',' or ']'");
      i = this.ws(i + 1);
    }
  }

  /** The value at i, added to `into` with its own flags (the container's gather them too); its end, or -1. */
  private element(i: number, depth: number, into: Spans, key: number, name: string | undefined): number {
    const outer = this.flags;
    this.flags = 0;
    const end = this.value(i, depth);
    if (end < 0) return -1;
    into.push(key, name, i, end, this.type | this.flags);
    this.flags |= outer;
    return end;
  }

  /** Throws: the byte at i is not what JSON allows there. */
  unexpected(i: number, wanted: string): never {
    const c = this.b[i] as number;
    const shown = c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
    throw new RestParseError(`the answer is not JSON${this.hint}: unexpected ${shown} at byte ${this.base + i}, expected ${wanted}`, 'malformed');
  }

  private tooDeep(i: number): never {
    throw new RestParseError(`response refused: JSON nested deeper than ${this.maxDepth} levels (at byte ${this.base + i})`, 'refused');
  }
}

function digits(b: Uint8Array, i: number, limit: number): number {
  while (i < limit) {
    const c = b[i] as number;
    if (c < ZERO || c > NINE) break;
    i++;
  }
  return i;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
