import { internName, keyName, NO_KEY } from './json-keys.js';
import { F_ESCAPE, F_NON_ASCII, JsonScanner, Spans, T_ARRAY, T_FALSE, T_NULL, T_NUMBER, T_OBJECT, T_STRING, T_TRUE, TYPE_MASK } from './json-scan.js';

/**
 * One JSON value of a page as the scanner left it: for an object, its members; for an array, its
 * elements; each as its raw JSON text, its type and flags (json-scan.ts), with scalars decoded and
 * nested values opened (scanned into a view of their own) only when asked for.
 *
 * A view reads the page reader's buffer, which is reused once the item callback returns: a view and
 * everything opened from it are valid only inside that callback. Take values out, not views.
 */
export class RawJson {
  /** The value's type (T_OBJECT for a record); members and elements only for objects and arrays. */
  type = T_NULL;

  constructor(
    public buf: Buffer,
    public spans: Spans,
  ) {}

  /** How many members (or elements). */
  get size(): number {
    return this.spans.n;
  }

  keyId(i: number): number {
    return this.spans.keys[i] as number;
  }

  key(i: number): string {
    const id = this.spans.keys[i] as number;
    return id === NO_KEY ? (this.spans.names[i] ?? '') : keyName(id);
  }

  /** Type and flags of member i. */
  info(i: number): number {
    return this.spans.infos[i] as number;
  }

  typeOf(i: number): number {
    return (this.spans.infos[i] as number) & TYPE_MASK;
  }

  /** The member's JSON text, exactly as it came. */
  text(i: number): string {
    return rawText(this.buf, this.spans.starts[i] as number, this.spans.ends[i] as number, this.spans.infos[i] as number);
  }

  /** Where the member's JSON text is in buf: [start(i), end(i)). */
  start(i: number): number {
    return this.spans.starts[i] as number;
  }

  end(i: number): number {
    return this.spans.ends[i] as number;
  }

  /** The decoded value of a string member. */
  str(i: number): string {
    return rawString(this.buf, this.spans.starts[i] as number, this.spans.ends[i] as number, this.spans.infos[i] as number);
  }

  /** The member's value as JSON.parse would give it. */
  value(i: number): unknown {
    return rawValue(this.buf, this.spans.starts[i] as number, this.spans.ends[i] as number, this.spans.infos[i] as number);
  }

  /** The index of the member named by an interned number (the last one when a name repeats, as JSON.parse keeps), or -1. */
  find(id: number): number {
    const keys = this.spans.keys;
    for (let i = this.spans.n - 1; i >= 0; i--) if (keys[i] === id) return i;
    return -1;
  }

  /** The index of the member `name` (the last one when it repeats), or -1. */
  indexOf(name: string): number {
    return this.indexOfKey(internName(name), name);
  }

  /** indexOf, given the name's interned number too (NO_KEY when the table had no room for it). */
  indexOfKey(id: number, name: string): number {
    if (id !== NO_KEY) return this.find(id);
    const names = this.spans.names;
    for (let i = this.spans.n - 1; i >= 0; i--) if (names[i] === name) return i;
    return -1;
  }

  /** The value of member `name` as JSON.parse would give it; undefined when there is none. */
  get(name: string): unknown {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.value(i);
  }

  /** Member i, an object or an array, as a view of its own. */
  open(i: number): RawJson {
    return this.openInto(i, new RawJson(this.buf, new Spans()));
  }

  /**
   * Each element of the array at member i that is an object, read into `view` in turn (a view kept
   * for reuse), `visit` called for each while it is there.
   */
  eachObject(i: number, view: RawJson, visit: () => void): void {
    if (this.typeOf(i) !== T_ARRAY) throw new Error(`eachObject: member ${i} is not an array`);
    view.buf = this.buf;
    view.type = T_OBJECT;
    const s = opener;
    s.b = this.buf;
    s.limit = this.spans.ends[i] as number;
    s.array(this.spans.starts[i] as number, 0, view.spans, visit);
  }

  /** Member i, an object or an array, read into `view` (a view kept for reuse: what it held is gone). */
  openInto(i: number, view: RawJson): RawJson {
    const type = this.typeOf(i);
    if (type !== T_OBJECT && type !== T_ARRAY) throw new Error(`open: member ${i} is not an object or array`);
    view.buf = this.buf;
    view.type = type;
    view.spans.reset();
    // Already read once: scanning it again cannot fail, and its depth was checked the first time.
    // One scanner serves every view: a scan runs to its end before anything else can start one.
    const s = opener;
    s.b = this.buf;
    s.limit = this.spans.ends[i] as number;
    if (type === T_OBJECT) s.object(this.spans.starts[i] as number, 0, view.spans);
    else s.array(this.spans.starts[i] as number, 0, view.spans);
    return view;
  }
}

const opener = new JsonScanner(Number.MAX_SAFE_INTEGER);

/**
 * The JSON text of the value in b[start, end) with this info: Latin-1 when it is all ASCII (the
 * same characters, decoded faster), else UTF-8.
 */
export function rawText(b: Buffer, start: number, end: number, info: number): string {
  return b.toString(info & F_NON_ASCII ? 'utf8' : 'latin1', start, end);
}

/** The decoded value of the string in b[start, end) (its quotes included). */
export function rawString(b: Buffer, start: number, end: number, info: number): string {
  if (info & F_ESCAPE) return JSON.parse(b.toString('utf8', start, end)) as string;
  return rawText(b, start + 1, end - 1, info);
}

/** The value in b[start, end) as JSON.parse would give it. */
export function rawValue(b: Buffer, start: number, end: number, info: number): unknown {
  switch (info & TYPE_MASK) {
    case T_NULL:
      return null;
    case T_TRUE:
      return true;
    case T_FALSE:
      return false;
    case T_STRING:
      return rawString(b, start, end, info);
    case T_NUMBER:
      // Number() reads JSON's number grammar as JSON.parse does (1e999 is Infinity there too).
      return Number(rawText(b, start, end, info));
    default:
      return JSON.parse(rawText(b, start, end, info)) as unknown;
  }
}

export const TYPE_NAMES: Record<number, string> = {
  [T_NULL]: 'null',
  [T_FALSE]: 'a boolean',
  [T_TRUE]: 'a boolean',
  [T_NUMBER]: 'a number',
  [T_STRING]: 'a string',
  [T_ARRAY]: 'an array',
  [T_OBJECT]: 'an object',
};
