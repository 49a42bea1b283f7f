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
    return slice(this.buf, this.spans.starts[i] as number, this.spans.ends[i] as number, this.spans.infos[i] as number);
  }

  /** Length of the member's JSON text, in bytes. */
  length(i: number): number {
    return (this.spans.ends[i] as number) - (this.spans.starts[i] as number);
  }

  /** The decoded value of a string member. */
  str(i: number): string {
    const info = this.spans.infos[i] as number;
    const start = this.spans.starts[i] as number;
    const end = this.spans.ends[i] as number;
    if (info & F_ESCAPE) return JSON.parse(this.buf.toString('utf8', start, end)) as string;
    return slice(this.buf, start + 1, end - 1, info);
  }

  /** The member's value as JSON.parse would give it. */
  value(i: number): unknown {
    switch (this.typeOf(i)) {
      case T_NULL:
        return null;
      case T_TRUE:
        return true;
      case T_FALSE:
        return false;
      case T_STRING:
        return this.str(i);
      case T_NUMBER:
        // Number() reads JSON's number grammar as JSON.parse does (1e999 is Infinity there too).
        return Number(this.text(i));
      default:
        return JSON.parse(this.text(i)) as unknown;
    }
  }

  /** The index of the member named by an interned number (the last one when a name repeats, as JSON.parse keeps), or -1. */
  find(id: number): number {
    const keys = this.spans.keys;
    for (let i = this.spans.n - 1; i >= 0; i--) if (keys[i] === id) return i;
    return -1;
  }

  /** The index of the member `name` (the last one when it repeats), or -1. */
  indexOf(name: string): number {
    const id = internName(name);
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
    const type = this.typeOf(i);
    if (type !== T_OBJECT && type !== T_ARRAY) throw new Error(`open: member ${i} is not an object or array`);
    const view = new RawJson(this.buf, new Spans());
    view.type = type;
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

/** Text of b[start, end): Latin-1 when it is all ASCII (the same characters, decoded faster), else UTF-8. */
function slice(b: Buffer, start: number, end: number, info: number): string {
  return b.toString(info & F_NON_ASCII ? 'utf8' : 'latin1', start, end);
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
