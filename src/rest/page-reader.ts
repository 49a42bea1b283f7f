import { isUtf8 } from 'node:buffer';
import { RestParseError } from './errors.js';
import { internName, NO_KEY } from './json-keys.js';
import { F_ESCAPE, F_NON_ASCII, JsonScanner, Spans, T_NULL, T_OBJECT, T_STRING } from './json-scan.js';
import { RawJson, TYPE_NAMES } from './raw-json.js';

/**
 * Reads one page of a REST v2 list, `{"<itemsKey>": [...], "next_page_token": "..."}`, as its body
 * arrives, and hands each element of the list to `onItem` as soon as its last byte is read and
 * checked (a 1000-record page becomes records while the rest of it is still on the wire; no page is
 * ever held whole, and no JS objects are built for what the records nest). next_page_token may come
 * before or after the list; end() gives it once the body has ended well.
 *
 * It accepts exactly what JSON.parse accepts (json-scan.ts) and what readPage (page.ts) accepts of
 * that, with two refusals of its own: nesting deeper than `maxDepth`, and a second list under the
 * items key (JSON.parse would keep the last; records of the first would already be handed on).
 *
 * Nothing is handed on before every byte up to its end is known to be valid UTF-8 and valid JSON.
 * A body that turns bad or ends early AFTER some records were handed on is an error all the same
 * (truncated: retried by the client; never a short page): the records handed on stay handed on, and
 * the caller, which saw them, asks the next attempt for what comes after them (rest-reader.ts), as
 * table-reader.ts does after a partial XML-RPC page.
 */

export interface PageReaderOptions {
  itemsKey: string;
  /** Each element of the list, valid only during the call (raw-json.ts); usually a T_OBJECT. */
  onItem: (item: RawJson) => void;
  /** Bodies larger than this are refused. */
  maxBytes?: number;
  /** Containers nested deeper than this are refused (the page object is level 1, a record level 3). */
  maxDepth?: number;
  /** The answer's content type, named in messages when it is not JSON. */
  contentType?: string;
}

export interface PageEnd {
  /** undefined on the last page (absent, null or empty in the answer). */
  nextPageToken: string | undefined;
  /** Elements handed to onItem. */
  items: number;
}

const DEFAULT_MAX_DEPTH = 64;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const MIN_BUFFER = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * Buffers a finished reader leaves to the next one. A reader lives for a page, long enough for its
 * buffers to outlive the young generation; made anew for every page they would pile up as garbage
 * only a full collection frees, and a sync's memory would grow with its length.
 */
const pool: Buffer[] = [];
const POOL_SIZE = 4;

function takeBuffer(size: number): Buffer {
  const b = pool.pop();
  return b !== undefined && b.length >= size ? b : Buffer.allocUnsafe(Math.max(size + (size >> 1), MIN_BUFFER));
}

function giveBuffer(b: Buffer | undefined): void {
  if (b !== undefined && pool.length < POOL_SIZE) pool.push(b);
}

// Where the reader stands in `{ "key": value, ... }` (the list's elements are one step each).
const S_START = 0;
const S_FIRST_KEY = 1;
const S_KEY = 2;
const S_COLON = 3;
const S_VALUE = 4;
const S_FIRST_ITEM = 5;
const S_ITEM = 6;
const S_AFTER_ITEM = 7;
const S_AFTER_MEMBER = 8;
const S_DONE = 9;

const M_OTHER = 0;
const M_ITEMS = 1;
const M_TOKEN = 2;

const TOKEN_KEY = 'next_page_token';

export class JsonPageReader {
  private readonly itemsKey: string;
  private readonly onItem: (item: RawJson) => void;
  private readonly maxBytes: number;
  private readonly scanner: JsonScanner;
  private readonly spans = new Spans();
  private readonly view: RawJson;
  private readonly itemsId: number;
  private readonly tokenId: number;

  /** Unread bytes are buf[pos, len); buf[0, checked) is valid UTF-8 ending at a whole character. */
  private buf: Buffer = EMPTY;
  private len = 0;
  private pos = 0;
  private checked = 0;
  /** buf is the reader's own (not a chunk it was given), and a spare one to copy into next. */
  private owned = false;
  private spare: Buffer | undefined;
  /** An unfinished value is scanned again once `checked` reaches this (see wait). */
  private retryAt = 0;
  private received = 0;

  private state = S_START;
  private member = M_OTHER;
  private sawItems = false;
  private items = 0;
  private tokenType = 0;
  private token: string | undefined;

  constructor(options: PageReaderOptions) {
    this.itemsKey = options.itemsKey;
    this.onItem = options.onItem;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const type = options.contentType;
    this.scanner = new JsonScanner(options.maxDepth ?? DEFAULT_MAX_DEPTH, type && !/json/i.test(type) ? ` (${type.split(';')[0]?.trim()}, not JSON)` : '');
    this.view = new RawJson(EMPTY, this.spans);
    this.itemsId = internName(this.itemsKey);
    this.tokenId = internName(TOKEN_KEY);
  }

  write(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.received > this.maxBytes) throw new RestParseError(`response refused: body larger than ${this.maxBytes} bytes`, 'refused');
    if (chunk.length === 0) return;
    this.append(chunk);
    this.checkUtf8();
    this.scan(false);
  }

  /** The body has ended: its next_page_token, or an error if it was not a whole, well-formed page. */
  end(): PageEnd {
    if (this.received === 0) throw new RestParseError('the answer was empty', 'malformed');
    if (this.checked < this.len) {
      // The last character is cut short: a body that stops there is cut short, unless it had ended.
      if (this.state === S_DONE) throw new RestParseError('the answer is not valid UTF-8', 'malformed');
      throw this.truncated();
    }
    this.scan(true);
    if (this.state !== S_DONE) throw this.truncated();
    this.release();
    if (!this.sawItems) throw new RestParseError(`expected a "${this.itemsKey}" list in the answer, got none`, 'malformed');
    const t = this.tokenType;
    if (t !== 0 && t !== T_NULL && t !== T_STRING) throw new RestParseError(`next_page_token is ${TYPE_NAMES[t] ?? 'not a string'}, not a string`, 'malformed');
    const token = t === T_STRING && this.token !== '' ? this.token : undefined;
    return { nextPageToken: token, items: this.items };
  }

  /** The reader is done: its buffers go to the next one. */
  private release(): void {
    if (this.owned) giveBuffer(this.buf);
    giveBuffer(this.spare);
    this.buf = EMPTY;
    this.len = 0;
    this.pos = 0;
    this.checked = 0;
    this.owned = false;
    this.spare = undefined;
  }

  /** Keeps the unread bytes and appends the chunk, copying only when something is left unread. */
  private append(chunk: Buffer): void {
    const rest = this.len - this.pos;
    if (rest === 0) {
      if (this.owned && (this.spare === undefined || this.spare.length < this.buf.length)) this.spare = this.buf;
      this.buf = chunk;
      this.owned = false;
      this.len = chunk.length;
    } else {
      const need = rest + chunk.length;
      let next = this.spare;
      this.spare = undefined;
      if (next === undefined || next.length < need) next = takeBuffer(need);
      this.buf.copy(next, 0, this.pos, this.len);
      chunk.copy(next, rest);
      if (this.owned) this.spare = this.buf;
      this.buf = next;
      this.owned = true;
      this.len = need;
    }
    this.checked = Math.max(0, this.checked - this.pos);
    this.retryAt -= this.pos;
    this.pos = 0;
  }

  /** Checks the new bytes as UTF-8 (natively), up to the last whole character. */
  private checkUtf8(): void {
    const b = this.buf;
    const end = this.len;
    let cut = end;
    let k = end - 1;
    const floor = Math.max(this.checked, end - 4);
    while (k >= floor && ((b[k] as number) & 0xc0) === 0x80) k--;
    if (k >= floor) {
      const lead = b[k] as number;
      const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
      if (end - k < size) cut = k;
    }
    if (cut <= this.checked) return;
    if (!isUtf8(b.subarray(this.checked, cut))) throw new RestParseError('the answer is not valid UTF-8', 'malformed');
    this.checked = cut;
  }

  /** Reads every whole step the checked bytes hold; at the body's end (eof), a step they cannot finish is a cut body. */
  private scan(eof: boolean): void {
    if (!eof && this.checked < this.retryAt) return;
    const s = this.scanner;
    const b = this.buf;
    const limit = this.checked;
    s.b = b;
    s.limit = limit;
    s.base = this.received - this.len;
    let i = this.pos;
    for (;;) {
      i = s.ws(i);
      this.pos = i;
      if (i >= limit) return;
      const c = b[i] as number;
      const state = this.state;
      if (state === S_ITEM || state === S_FIRST_ITEM) {
        if (state === S_FIRST_ITEM && c === 0x5d) {
          this.state = S_AFTER_MEMBER;
          i++;
          continue;
        }
        const end = this.item(i);
        if (end < 0) return this.wait(i, eof);
        this.state = S_AFTER_ITEM;
        i = end;
      } else if (state === S_AFTER_ITEM) {
        if (c === 0x2c) this.state = S_ITEM;
        else if (c === 0x5d) this.state = S_AFTER_MEMBER;
        else s.unexpected(i, "',' or ']'");
        i++;
      } else if (state === S_AFTER_MEMBER) {
        if (c === 0x2c) this.state = S_KEY;
        else if (c === 0x7d) this.state = S_DONE;
        else s.unexpected(i, "',' or '}'");
        i++;
      } else if (state === S_KEY || (state === S_FIRST_KEY && c !== 0x7d)) {
        if (c !== 0x22) s.unexpected(i, 'a member name');
        const end = s.key(i, undefined);
        if (end < 0) return this.wait(i, eof);
        this.member = this.is(this.itemsId, this.itemsKey) ? M_ITEMS : this.is(this.tokenId, TOKEN_KEY) ? M_TOKEN : M_OTHER;
        this.state = S_COLON;
        i = end;
      } else if (state === S_FIRST_KEY) {
        this.state = S_DONE;
        i++;
      } else if (state === S_COLON) {
        if (c !== 0x3a) s.unexpected(i, "':'");
        this.state = S_VALUE;
        i++;
      } else if (state === S_VALUE) {
        if (this.member === M_ITEMS) {
          if (c !== 0x5b) throw new RestParseError(`expected a "${this.itemsKey}" list in the answer, got ${describeStart(c, s, i)}`, 'malformed');
          if (this.sawItems) throw new RestParseError(`the answer has two "${this.itemsKey}" lists`, 'malformed');
          this.sawItems = true;
          this.state = S_FIRST_ITEM;
          i++;
          continue;
        }
        s.flags = 0;
        const end = s.value(i, 1);
        if (end < 0) return this.wait(i, eof);
        if (this.member === M_TOKEN) {
          this.tokenType = s.type;
          this.token = s.type === T_STRING ? decodeString(b, i, end, s.flags) : undefined;
        }
        this.state = S_AFTER_MEMBER;
        i = end;
      } else if (state === S_START) {
        if (c !== 0x7b) throw new RestParseError(`expected an object with a "${this.itemsKey}" list, got ${describeStart(c, s, i)}`, 'malformed');
        this.state = S_FIRST_KEY;
        i++;
      } else {
        s.unexpected(i, 'nothing after the end of the JSON value');
      }
    }
  }

  /** One element of the list at i: its end once it is all here and well-formed (handed on by then), else -1. */
  private item(i: number): number {
    const s = this.scanner;
    const view = this.view;
    this.spans.reset();
    let end: number;
    if (this.buf[i] === 0x7b) {
      end = s.object(i, 3, this.spans);
      view.type = T_OBJECT;
    } else {
      end = s.value(i, 2);
      view.type = s.type;
    }
    if (end < 0) return -1;
    view.buf = this.buf;
    // Past it before the callback: whatever the callback throws, the item counts as handed on.
    this.pos = end;
    this.items++;
    this.onItem(view);
    return end;
  }

  /**
   * The value at i is not all here yet. It is scanned again from its start once there are twice as
   * many of its bytes: a value much longer than a chunk is read a few times, not once per chunk.
   */
  private wait(i: number, eof: boolean): void {
    this.pos = i;
    if (eof) throw this.truncated();
    this.retryAt = this.checked + (this.checked - i);
  }

  private is(id: number, name: string): boolean {
    const s = this.scanner;
    return id !== NO_KEY ? s.keyId === id : s.keyText === name;
  }

  private truncated(): RestParseError {
    return new RestParseError(`the answer is not JSON: it ends early, after ${this.received} bytes`, 'truncated');
  }
}

function decodeString(b: Buffer, start: number, end: number, flags: number): string {
  if (flags & F_ESCAPE) return JSON.parse(b.toString('utf8', start, end)) as string;
  return b.toString(flags & F_NON_ASCII ? 'utf8' : 'latin1', start + 1, end - 1);
}

/** What a value starting with byte c is (readPage's words), or a not-JSON error. */
function describeStart(c: number, s: JsonScanner, i: number): string {
  if (c === 0x5b) return 'an array';
  if (c === 0x7b) return 'an object';
  if (c === 0x22) return 'a string';
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return 'a number';
  if (c === 0x74 || c === 0x66) return 'a boolean';
  if (c === 0x6e) return 'null';
  return s.unexpected(i, 'a JSON value');
}

/**
 * Hands each element of a list already in memory to `visit` as a RawJson, as a streamed page would
 * (a report's answer, read whole, and the records a report makes of it): the report streams share
 * the one record writer with the resources. Their volumes are small; the round trip costs little.
 */
export function eachRaw(items: readonly unknown[], visit: (item: RawJson) => void): void {
  const reader = new JsonPageReader({ itemsKey: 'items', onItem: visit });
  reader.write(Buffer.from(JSON.stringify({ items }), 'utf8'));
  reader.end();
}
