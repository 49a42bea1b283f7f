import { StringDecoder } from 'node:string_decoder';
import { decodeEntities } from './entities.js';
import { XmlRpcBase64, XmlRpcDateTime, XmlRpcParseError, type XmlRpcStruct, type XmlRpcValue } from './types.js';

/**
 * A streaming XML-RPC reader written for this one grammar. It is fed chunks as they arrive and, when
 * asked, hands each element of the response's top-level array to a callback the moment its closing
 * tag is read, without keeping it: a 1000-row page becomes records while the rest is still on the wire.
 *
 * It reads only what XML-RPC needs (elements, text, CDATA, character references, comments, the XML
 * declaration) and refuses DOCTYPE and entity declarations outright: no XXE, no entity expansion.
 * A general XML parser (sax, saxes, as the `xmlrpc` package uses) is several times slower because it
 * builds attribute maps and events this grammar never uses (bench/parse.ts measures both).
 *
 * Bytes are read as Latin-1 text (one char per byte, so a one-byte string whatever the content) and
 * only text that holds a byte >= 0x80 is decoded as UTF-8, when it is taken. A page with a single
 * 'é' decoded as UTF-8 up front becomes a two-byte string, which every search below reads several
 * times slower; and the tags that make up most of a page are ASCII either way. Markup bytes are
 * ASCII, and UTF-8 never puts an ASCII byte inside a multi-byte character, so tags, text boundaries,
 * '&' and '\r' are found exactly where a UTF-8 reading would find them.
 */

export interface ParseOptions {
  /**
   * Receives each element of the top-level array of the response (or call) parameter. Elements
   * given to the callback are not retained; the parsed value is then `[]` and `items` counts them.
   */
  onItem?: (item: XmlRpcValue) => void;
  /** Containers nested deeper than this are refused (default 64). */
  maxDepth?: number;
  /** Decoded bodies larger than this are refused (default 256 MiB). */
  maxBytes?: number;
}

export type ParsedMessage =
  | { kind: 'response'; params: XmlRpcValue[]; items: number }
  | { kind: 'fault'; code: number; message: string }
  | { kind: 'call'; method: string; params: XmlRpcValue[]; items: number };

interface ArrayFrame {
  kind: 0;
  items: XmlRpcValue[];
  /** Items go to onItem instead of `items`. */
  streaming: boolean;
}
interface StructFrame {
  kind: 1;
  obj: XmlRpcStruct;
  name: string | undefined;
}
type Frame = ArrayFrame | StructFrame;

const LT = 60; // <
const MINUS = 45; // -
const SLASH = 47; // /
const BANG = 33; // !
const QUESTION = 63; // ?

const AMP = 38; // &
const CR = 13; // \r
const EMPTY = Buffer.alloc(0);
/** Where write() joins a chunk to the unread end of the last one (see write). */
let joined = Buffer.alloc(0);
/** Readers inside write() right now: more than one means an item callback is feeding another. */
let nesting = 0;
const HIGH = /[\x80-\xff]/;

// The markup of a member as Keap writes it, as bytes.
const bytesOf = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const MEMBER_END_TEXT = '</value></member>';
const MEMBER_OPEN = bytesOf('<member>');
const NAME_OPEN = bytesOf('<name>');
const NAME_CLOSE_VALUE = bytesOf('</name><value>');
const MEMBER_END = bytesOf(MEMBER_END_TEXT);
const I4_OPEN = bytesOf('<i4>');
const I4_CLOSE = bytesOf(`</i4>${MEMBER_END_TEXT}`);
const INT_OPEN = bytesOf('<int>');
const INT_CLOSE = bytesOf(`</int>${MEMBER_END_TEXT}`);
const DATE_OPEN = bytesOf('<dateTime.iso8601>');
const DATE_CLOSE = bytesOf(`</dateTime.iso8601>${MEMBER_END_TEXT}`);
const DOUBLE_OPEN = bytesOf('<double>');
const DOUBLE_CLOSE = bytesOf(`</double>${MEMBER_END_TEXT}`);
const STRING_OPEN = bytesOf('<string>');
const STRING_CLOSE = bytesOf(`</string>${MEMBER_END_TEXT}`);
const BOOLEAN_OPEN = bytesOf('<boolean>');
const BOOLEAN_CLOSE = bytesOf(`</boolean>${MEMBER_END_TEXT}`);

const DEFAULT_MAX_DEPTH = 64;
/** XML-RPC's tags are short (the longest, an XML declaration, some 60 bytes); one past this is not a tag. */
const MAX_TAG_BYTES = 1024;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export class XmlRpcReader {
  private readonly decoder = new StringDecoder('utf8');
  private readonly onItem: ((item: XmlRpcValue) => void) | undefined;
  private readonly maxDepth: number;
  private readonly maxBytes: number;
  private buf = '';
  private bytes = 0;
  private started = false;
  /**
   * 'bytes': fed Buffers, read as Latin-1 and decoded as UTF-8 where taken; 'text': fed strings,
   * already decoded. Set by the first write; a later chunk of the other kind is converted.
   */
  private mode: 'bytes' | 'text' | '' = '';
  /** Bytes mode: the unread end of the last chunk, as bytes, so the next one joins it flat. */
  private tail: Buffer = EMPTY;
  /** Bytes mode: the bytes `buf` holds, while they are read. */
  private bytes8: Uint8Array | undefined;

  private readonly stack: Frame[] = [];
  /** Text since the last tag (only kept where text matters), decoded. */
  private text = '';
  /** Undecoded character data since the last markup, decoded as a whole when markup follows. */
  private raw = '';
  /** The value completed by a typed child of the open <value>, if any. */
  private pending: XmlRpcValue | undefined;
  private hasPending = false;
  /** Open scalar element (i4, string, ...) or '' when none. */
  private scalar = '';
  private inName = false;
  private valueDepth = 0;

  private root: 'methodResponse' | 'methodCall' | '' = '';
  private inFault = false;
  private inMethodName = false;
  private method = '';
  private readonly params: XmlRpcValue[] = [];
  private faultValue: XmlRpcValue | undefined;
  private items = 0;
  private closed = false;
  /** Inside a CDATA section or comment whose end has not arrived yet (see markup). */
  private inside: '' | 'cdata' | 'comment' = '';
  /** That CDATA section's text is kept (it is in a value or a name). */
  private cdataKept = false;
  /** That CDATA section's text so far, undecoded: decoded whole, as a UTF-8 char may straddle chunks. */
  private cdataRaw = '';

  constructor(options: ParseOptions = {}) {
    this.onItem = options.onItem;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  write(chunk: Buffer | string): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      throw new XmlRpcParseError(`response refused: body larger than ${this.maxBytes} bytes`, 'refused');
    }
    if (this.mode === '') this.mode = typeof chunk === 'string' ? 'text' : 'bytes';
    if (this.mode === 'bytes') {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      // One flat string per chunk (a concatenation would be a rope that each read walks), joined
      // with the last chunk's unread end in memory kept for it (not a fresh buffer per chunk).
      let all = bytes;
      if (this.tail.length !== 0) {
        const n = this.tail.length + bytes.length;
        // One buffer for every reader, not one per answer (a reader lives as long as its page, long
        // enough for its buffer to reach the old generation); a reader that an item callback of
        // another reader feeds while that one is still reading its chunk gets memory of its own.
        let join = nesting === 0 ? joined : Buffer.allocUnsafe(n);
        if (join.length < n) join = joined = Buffer.allocUnsafe(Math.max(n, 2 * joined.length));
        this.tail.copy(join, 0);
        bytes.copy(join, this.tail.length);
        all = join.subarray(0, n);
      }
      this.buf = all.toString('latin1');
      this.bytes8 = all;
      nesting++;
      try {
        this.scan(false);
      } finally {
        nesting--;
        this.bytes8 = undefined;
      }
      // The unread end, back to its bytes (Latin-1 maps chars to bytes one to one).
      this.tail = this.buf.length === 0 ? EMPTY : Buffer.from(this.buf, 'latin1');
      return;
    }
    const s = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    this.buf = this.buf.length === 0 ? s : this.buf + s;
    this.scan(false);
  }

  end(): ParsedMessage {
    if (this.mode === 'text') {
      const rest = this.decoder.end();
      if (rest) this.buf += rest;
    } else this.bytes8 = this.tail;
    this.scan(true);
    this.bytes8 = undefined;
    if (!this.closed) {
      if (!this.started && this.buf.trim() === '') throw new XmlRpcParseError('empty response body', 'truncated');
      throw new XmlRpcParseError('truncated XML-RPC document: it ends before its closing tag', 'truncated');
    }
    if (this.root === 'methodCall') {
      return { kind: 'call', method: this.method, params: this.params, items: this.items };
    }
    if (this.inFault || this.faultValue !== undefined) return this.fault();
    return { kind: 'response', params: this.params, items: this.items };
  }

  private fault(): ParsedMessage {
    const f = this.faultValue;
    if (f === undefined || typeof f !== 'object' || f === null || Array.isArray(f) || f instanceof XmlRpcDateTime || f instanceof XmlRpcBase64) {
      throw new XmlRpcParseError('malformed fault: expected a struct with faultCode and faultString');
    }
    const code = (f as XmlRpcStruct)['faultCode'];
    const message = (f as XmlRpcStruct)['faultString'];
    if (typeof code !== 'number' || typeof message !== 'string') {
      throw new XmlRpcParseError('malformed fault: expected an int faultCode and a string faultString');
    }
    return { kind: 'fault', code, message };
  }

  /**
   * Reads what `buf` holds and keeps the unread end in `buf`. The unread end is never more than
   * a tag (MAX_TAG_BYTES) or a few chars: it is copied again with every chunk, so a longer one
   * would make reading time grow with the square of the body.
   */
  private scan(final: boolean): void {
    const buf = this.buf;
    const len = buf.length;
    let pos = this.inside === '' ? 0 : this.continueMarkup(buf, 0);
    while (pos < len && this.inside === '') {
      const lt = buf.indexOf('<', pos);
      if (lt === -1) {
        // Text with no tag after it yet: take it now (a long base64 body must not be rescanned per
        // chunk); it is decoded once the markup after it arrives.
        this.addText(buf.slice(pos));
        pos = len;
        break;
      }
      if (lt > pos) this.addText(buf.slice(pos, lt));
      pos = lt;
      const c1 = buf.charCodeAt(lt + 1);
      if (c1 === BANG) {
        const next = this.markup(buf, lt);
        if (next === -1) break;
        pos = next;
        continue;
      }
      const gt = buf.indexOf('>', lt + 1);
      if (gt === -1) {
        if (len - lt > MAX_TAG_BYTES) throw new XmlRpcParseError(`malformed XML-RPC document: a tag runs on for more than ${MAX_TAG_BYTES} bytes`);
        break;
      }
      if (c1 === QUESTION) {
        // XML declaration or processing instruction: nothing in it matters to XML-RPC.
        pos = gt + 1;
        continue;
      }
      if (this.raw.length !== 0) this.flushText();
      if (c1 === SLASH) {
        this.close(buf.slice(lt + 2, gt).trim());
      } else if (buf.charCodeAt(gt - 1) === SLASH) {
        const name = tagName(buf, lt + 1, gt - 1);
        this.open(name);
        this.close(name);
      } else {
        const name = tagName(buf, lt + 1, gt);
        const b = this.bytes8;
        if (name === 'member' && b !== undefined) {
          // Nearly every byte of a Keap page is a struct member; read the usual shapes in one go,
          // and the members after it while they come one after another.
          let next = this.fastMember(b, buf, gt + 1);
          if (next !== -1) {
            let after = next;
            while (after !== -1 && at(b, after, MEMBER_OPEN)) {
              next = after;
              after = this.fastMember(b, buf, after + MEMBER_OPEN.length);
            }
            pos = after === -1 ? next : after;
            continue;
          }
        }
        this.open(name);
      }
      pos = gt + 1;
    }
    this.buf = pos >= len ? '' : buf.slice(pos);
    if (final) {
      if (this.inside !== '') throw new XmlRpcParseError(`truncated XML-RPC document: it ends inside a ${this.inside === 'cdata' ? 'CDATA section' : 'comment'}`, 'truncated');
      if (this.raw.length !== 0) this.flushText();
      if (this.buf.trim() !== '' && this.closed) throw new XmlRpcParseError('malformed XML-RPC document: content after the closing tag');
    }
  }

  /**
   * `<name>N</name><value>V</value></member>` with V bare text or one of the scalar types Keap
   * sends, all in the buffer and free of references: stores the member and returns the position
   * after `</member>`. Anything else (base64, nested values, whitespace, a reference, a member cut
   * by the chunk, a malformed scalar) returns -1 before changing anything, and the general path
   * reads it; both paths build the same value and raise the same errors.
   *
   * Reads the chunk's bytes (`b`, which `buf` holds as Latin-1, index for index): a byte from a
   * Uint8Array costs half a charCodeAt, and a member is some 60 of them. Values are slices of `buf`.
   */
  private fastMember(b: Uint8Array, buf: string, pos: number): number {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined || top.kind !== 1 || !at(b, pos, NAME_OPEN)) return -1;
    const len = b.length;
    // The name, hashed as it is read, and whether it holds anything to decode.
    const nameStart = pos + NAME_OPEN.length;
    let i = nameStart;
    let h = 0;
    let plain = true;
    for (; i < len; i++) {
      const c = b[i] as number;
      if (c === LT) break;
      if (c === AMP || c === CR || c >= 0x80) plain = false;
      h = (Math.imul(h, 31) + c) | 0;
    }
    if (!at(b, i, NAME_CLOSE_VALUE)) return -1;
    const name = plain ? internName(b, buf, nameStart, i, h) : this.decode(buf.slice(nameStart, i));
    let p = i + NAME_CLOSE_VALUE.length;
    let v: XmlRpcValue;
    const c1 = b[p + 1];
    if (b[p] !== LT) {
      // A bare <value>text</value>: a string, as Keap sends most columns.
      i = b.indexOf(LT, p);
      if (i === -1 || !at(b, i, MEMBER_END)) return -1;
      v = this.text8(b, buf, p, i);
      p = i + MEMBER_END.length;
    } else if (c1 === SLASH) {
      if (!at(b, p, MEMBER_END)) return -1;
      v = '';
      p += MEMBER_END.length;
    } else if (c1 === 105 /* i */) {
      let close: Uint8Array;
      if (at(b, p, I4_OPEN)) {
        i = p + I4_OPEN.length;
        close = I4_CLOSE;
      } else if (at(b, p, INT_OPEN)) {
        i = p + INT_OPEN.length;
        close = INT_CLOSE;
      } else return -1;
      // Plain decimal digits, at most 15 (exact in a double); anything else the general way.
      const neg = b[i] === MINUS;
      if (neg) i++;
      const first = i;
      let n = 0;
      for (; i < len; i++) {
        const d = (b[i] as number) - 48;
        if (d < 0 || d > 9) break;
        n = n * 10 + d;
      }
      if (i === first || i - first > 15 || !at(b, i, close)) return -1;
      v = neg ? -n : n;
      p = i + close.length;
    } else if (c1 === 100 /* d */) {
      if (at(b, p, DATE_OPEN)) {
        i = p + DATE_OPEN.length;
        if (!isCompactDateTime(b, i) || !at(b, i + 17, DATE_CLOSE)) return -1;
        v = new XmlRpcDateTime(buf.slice(i, i + 17));
        p = i + 17 + DATE_CLOSE.length;
      } else if (at(b, p, DOUBLE_OPEN)) {
        const start = p + DOUBLE_OPEN.length;
        i = b.indexOf(LT, start);
        if (i === -1 || !at(b, i, DOUBLE_CLOSE)) return -1;
        const text = buf.slice(start, i);
        if (!DOUBLE.test(text)) return -1;
        v = Number(text);
        p = i + DOUBLE_CLOSE.length;
      } else return -1;
    } else if (c1 === 115 /* s */) {
      if (!at(b, p, STRING_OPEN)) return -1;
      const start = p + STRING_OPEN.length;
      i = b.indexOf(LT, start);
      if (i === -1 || !at(b, i, STRING_CLOSE)) return -1;
      v = this.text8(b, buf, start, i);
      p = i + STRING_CLOSE.length;
    } else if (c1 === 98 /* b */) {
      if (!at(b, p, BOOLEAN_OPEN)) return -1;
      i = p + BOOLEAN_OPEN.length;
      const c = b[i];
      if ((c !== 48 && c !== 49) || !at(b, i + 1, BOOLEAN_CLOSE)) return -1;
      v = c === 49;
      p = i + 1 + BOOLEAN_CLOSE.length;
    } else return -1;
    top.obj[name] = v;
    return p;
  }

  /**
   * The character data at b[from, to) (no markup in it): the slice of `buf` itself when it holds
   * nothing to decode (no reference, no CR, no byte >= 0x80), as nearly every Keap value does.
   */
  private text8(b: Uint8Array, buf: string, from: number, to: number): string {
    for (let k = from; k < to; k++) {
      const c = b[k] as number;
      if (c === AMP || c === CR || c >= 0x80) return this.decode(buf.slice(from, to));
    }
    return buf.slice(from, to);
  }

  /** Character data as XML reads it: UTF-8 decoded, line ends normalised, references decoded. */
  private decode(s: string): string {
    let t = s;
    if (this.mode === 'bytes' && HIGH.test(t)) t = Buffer.from(t, 'latin1').toString('utf8');
    if (t.indexOf('\r') !== -1) t = t.replace(/\r\n?/g, '\n');
    return t.indexOf('&') === -1 ? t : decodeEntities(t);
  }

  /**
   * `<!...`: CDATA, a comment, or a refused declaration. Returns the next position, or -1 to wait
   * for the rest of its first 9 chars. A section whose end is not in `buf` is read up to there
   * and left open (`inside`): the next chunk goes on from where this one stopped.
   */
  private markup(buf: string, lt: number): number {
    if (buf.startsWith('<![CDATA[', lt)) {
      this.cdataKept = this.valueDepth > 0 || this.inName || this.inMethodName;
      if (this.cdataKept && this.raw.length !== 0) this.flushText();
      this.inside = 'cdata';
      this.cdataRaw = '';
      return this.continueMarkup(buf, lt + 9);
    }
    if (buf.startsWith('<!--', lt)) {
      this.inside = 'comment';
      return this.continueMarkup(buf, lt + 4);
    }
    if (buf.length - lt < 9) return -1;
    throw new XmlRpcParseError(
      'response refused: it contains a DOCTYPE or entity declaration, which XML-RPC never needs (XXE guard)',
      'refused',
    );
  }

  /**
   * Reads the open CDATA section or comment from `from`: to its end, returning the position after
   * it, or to all but the last two chars (its `]]>` or `-->` may straddle the next chunk),
   * returning where they start.
   */
  private continueMarkup(buf: string, from: number): number {
    const cdata = this.inside === 'cdata';
    const end = buf.indexOf(cdata ? ']]>' : '-->', from);
    const stop = end === -1 ? Math.max(from, buf.length - 2) : end;
    if (cdata && this.cdataKept && stop > from) this.cdataRaw += buf.slice(from, stop);
    if (end === -1) return stop;
    this.inside = '';
    if (cdata && this.cdataKept) {
      let t = this.cdataRaw;
      this.cdataRaw = '';
      if (this.mode === 'bytes' && HIGH.test(t)) t = Buffer.from(t, 'latin1').toString('utf8');
      // Appended decoded but unescaped: CDATA is never read for references.
      this.text += t.replace(/\r\n?/g, '\n');
    }
    return end + 3;
  }

  /**
   * Character data is kept undecoded until the markup after it: a chunk may end inside a UTF-8
   * character or a reference, and CDATA sections (appended decoded but unescaped) must not be
   * read for references.
   */
  private addText(s: string): void {
    if (this.valueDepth > 0 || this.inName || this.inMethodName) this.raw = this.raw.length === 0 ? s : this.raw + s;
  }

  private flushText(): void {
    // XML reads every line end as \n (a \r survives only as &#13;), as expat does for Python.
    const t = this.decode(this.raw);
    this.raw = '';
    this.text = this.text.length === 0 ? t : this.text + t;
  }

  private open(name: string): void {
    this.started = true;
    switch (name) {
      case 'value':
        this.valueDepth++;
        this.text = '';
        this.hasPending = false;
        this.pending = undefined;
        return;
      case 'i4':
      case 'int':
      case 'i8':
      case 'string':
      case 'boolean':
      case 'double':
      case 'dateTime.iso8601':
      case 'base64':
      case 'nil':
      case 'ex:nil':
      case 'ex:i8':
        if (this.valueDepth === 0 || this.scalar !== '') throw unexpected(name);
        this.scalar = name;
        this.text = '';
        return;
      case 'struct':
        this.push({ kind: 1, obj: newStruct(), name: undefined });
        return;
      case 'array':
        this.push({ kind: 0, items: [], streaming: this.onItem !== undefined && this.stack.length === 0 && this.valueDepth === 1 });
        return;
      case 'member':
      case 'data':
        this.text = '';
        return;
      case 'name':
        this.inName = true;
        this.text = '';
        return;
      case 'methodResponse':
      case 'methodCall':
        if (this.root !== '') throw unexpected(name);
        this.root = name;
        return;
      case 'methodName':
        this.inMethodName = true;
        this.text = '';
        return;
      case 'params':
      case 'param':
        return;
      case 'fault':
        this.inFault = true;
        return;
      default:
        throw new XmlRpcParseError(`unknown XML-RPC element <${name}>`);
    }
  }

  private close(name: string): void {
    switch (name) {
      case 'value': {
        // `<i4>1</value>`: a scalar left open is a tag mismatch (the member fast path must not read past it).
        if (this.valueDepth === 0 || this.scalar !== '') throw unexpected('/value');
        let v: XmlRpcValue;
        if (this.hasPending) v = this.pending as XmlRpcValue;
        else v = this.text;
        this.valueDepth--;
        this.hasPending = false;
        this.pending = undefined;
        this.text = '';
        this.deliver(v);
        return;
      }
      case 'i4':
      case 'int':
      case 'i8':
      case 'ex:i8':
        this.settle(name, fastInteger(this.text));
        return;
      case 'string':
        this.settle(name, this.text);
        return;
      case 'boolean':
        this.settle(name, parseBoolean(this.text));
        return;
      case 'double':
        this.settle(name, parseDouble(this.text));
        return;
      case 'dateTime.iso8601':
        this.settle(name, parseDateTime(this.text));
        return;
      case 'base64':
        this.settle(name, parseBase64(this.text));
        return;
      case 'nil':
      case 'ex:nil':
        this.settle(name, null);
        return;
      case 'struct': {
        const f = this.stack.pop();
        if (f?.kind !== 1) throw unexpected('/struct');
        this.settleContainer(f.obj);
        return;
      }
      case 'array': {
        const f = this.stack.pop();
        if (f?.kind !== 0) throw unexpected('/array');
        this.settleContainer(f.items);
        return;
      }
      case 'name': {
        const top = this.stack[this.stack.length - 1];
        if (top?.kind !== 1 || !this.inName) throw unexpected('/name');
        top.name = this.text;
        this.inName = false;
        this.text = '';
        return;
      }
      case 'member': {
        const top = this.stack[this.stack.length - 1];
        if (top?.kind !== 1) throw unexpected('/member');
        top.name = undefined;
        return;
      }
      case 'methodName':
        this.method = this.text.trim();
        this.inMethodName = false;
        this.text = '';
        return;
      case 'methodResponse':
      case 'methodCall':
        if (name !== this.root || this.stack.length !== 0 || this.valueDepth !== 0) throw unexpected(`/${name}`);
        this.closed = true;
        return;
      case 'data':
      case 'params':
      case 'param':
      case 'fault':
        return;
      default:
        throw new XmlRpcParseError(`unknown XML-RPC element </${name}>`);
    }
  }

  private settle(name: string, v: XmlRpcValue): void {
    if (this.scalar !== name) throw unexpected(`/${name}`);
    this.scalar = '';
    this.pending = v;
    this.hasPending = true;
    this.text = '';
  }

  private settleContainer(v: XmlRpcValue): void {
    this.pending = v;
    this.hasPending = true;
    this.text = '';
  }

  private push(frame: Frame): void {
    if (this.valueDepth === 0) throw unexpected(frame.kind === 0 ? 'array' : 'struct');
    if (this.stack.length >= this.maxDepth) {
      throw new XmlRpcParseError(`response refused: values nested deeper than ${this.maxDepth} levels`, 'refused');
    }
    this.stack.push(frame);
    this.text = '';
  }

  /** A finished <value> goes to its container, or becomes a parameter / the fault. */
  private deliver(v: XmlRpcValue): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      if (this.inFault) this.faultValue = v;
      else if (this.root === '') throw unexpected('value');
      else this.params.push(v);
      return;
    }
    if (top.kind === 0) {
      if (top.streaming) {
        this.items++;
        (this.onItem as (item: XmlRpcValue) => void)(v);
      } else top.items.push(v);
      return;
    }
    if (top.name === undefined) throw new XmlRpcParseError('malformed struct: a member value without a <name>');
    top.obj[top.name] = v;
    // A member has one value; a second one without a new <name> is malformed.
    top.name = undefined;
  }
}

function tagName(buf: string, start: number, end: number): string {
  // Element names in XML-RPC carry no attributes; tolerate some (and whitespace) anyway.
  let i = start;
  while (i < end) {
    const c = buf.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) break;
    i++;
  }
  return buf.slice(start, i);
}

/**
 * Member names, one string each: a name read as a fresh slice would be hashed and looked up in
 * V8's string table on every store into the row; these are found by a hash of their chars and are
 * already internalized, so the store takes the fast path. Bounded, so a hostile answer with
 * endless distinct names costs memory only up to the bound.
 */
const NAME_SLOTS = 4096;
const NAME_LIMIT = 2048;
const names: (NameEntry | undefined)[] = new Array<NameEntry | undefined>(NAME_SLOTS).fill(undefined);
let nameCount = 0;

interface NameEntry {
  name: string;
  bytes: Uint8Array;
}

/** buf[start, end) (plain text, hashed by the caller as it read its bytes) as its one internalized string. */
function internName(b: Uint8Array, buf: string, start: number, end: number, hash: number): string {
  const len = end - start;
  let slot = hash & (NAME_SLOTS - 1);
  for (;;) {
    const e = names[slot];
    if (e === undefined) break;
    if (e.bytes.length === len && at(b, start, e.bytes)) return e.name;
    slot = (slot + 1) & (NAME_SLOTS - 1);
  }
  const fresh = buf.slice(start, end);
  if (nameCount >= NAME_LIMIT) return fresh;
  // A property key is internalized; reading it back gives the internalized string itself.
  const name = Object.keys({ [fresh]: 0 })[0] ?? fresh;
  names[slot] = { name, bytes: b.slice(start, end) };
  nameCount++;
  return name;
}

/**
 * An empty struct, an ordinary object in every way JavaScript can see, but held by V8 as a hash
 * table from the start. Rows of one table carry different subsets of its columns (Keap leaves out
 * nulls), so built the usual way nearly every row walks a new chain of hidden classes, is turned
 * into a hash table anyway at ~20 members, and leaves the hidden classes for the collector; and
 * each read of a column misses the inline caches. As a hash table, a member costs one insert and
 * one lookup.
 */
function newStruct(): XmlRpcStruct {
  // Deleting a member that is not the last one added turns an object into a hash table, with a
  // hidden class V8 shares between all such objects (Object.setPrototypeOf on an Object.create(null)
  // would allocate one per row, garbage for the old generation).
  const o: XmlRpcStruct = { __hash_a: null, __hash_b: null };
  delete o['__hash_a'];
  delete o['__hash_b'];
  return o;
}

/** Whether the bytes `lit` are at b[pos] (false past the end). */
function at(b: Uint8Array, pos: number, lit: Uint8Array): boolean {
  const n = lit.length;
  if (pos + n > b.length) return false;
  for (let k = 0; k < n; k++) if (b[pos + k] !== lit[k]) return false;
  return true;
}

/** Keap's form `20171208T11:56:04` at b[start]; other spellings go the general way. */
function isCompactDateTime(b: Uint8Array, start: number): boolean {
  if (start + 17 > b.length) return false;
  for (let k = 0; k < 17; k++) {
    const c = b[start + k] as number;
    if (k === 8) {
      if (c !== 84 /* T */) return false;
    } else if (k === 11 || k === 14) {
      if (c !== 58 /* : */) return false;
    } else if (c < 48 || c > 57) return false;
  }
  return true;
}

function unexpected(what: string): XmlRpcParseError {
  return new XmlRpcParseError(`malformed XML-RPC document: unexpected <${what}>`);
}

const INTEGER = /^\s*[+-]?\d+\s*$/;

/** Plain decimal digits (the usual <i4>) without a regular expression; anything else, the slow path. */
function fastInteger(text: string): number | bigint {
  const len = text.length;
  if (len === 0 || len > 15) return parseInteger(text);
  let i = 0;
  let neg = false;
  if (text.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
    if (len === 1) return parseInteger(text);
  }
  let n = 0;
  for (; i < len; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return parseInteger(text);
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

function parseInteger(text: string): number | bigint {
  if (!INTEGER.test(text)) throw new XmlRpcParseError(`malformed integer '${clip(text)}'`);
  const n = Number(text);
  // i8 values beyond 2^53 stay exact as bigint rather than silently losing digits.
  return Number.isSafeInteger(n) ? n : BigInt(text.trim());
}

const DOUBLE = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

function parseDouble(text: string): number {
  if (!DOUBLE.test(text)) throw new XmlRpcParseError(`malformed double '${clip(text)}'`);
  return Number(text);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Base64 text, whitespace removed. Anything outside its alphabet is refused: the value is kept as
 * its text, and text that is not base64 has no business in a field that says it is.
 */
function parseBase64(text: string): XmlRpcBase64 {
  const t = /\s/.test(text) ? text.replace(/\s+/g, '') : text;
  if (!BASE64.test(t)) throw new XmlRpcParseError(`malformed base64 '${clip(t)}'`);
  return new XmlRpcBase64(t);
}

function parseBoolean(text: string): boolean {
  const t = text.trim();
  if (t === '1') return true;
  if (t === '0') return false;
  throw new XmlRpcParseError(`malformed boolean '${clip(text)}' (expected 0 or 1)`);
}

// Keap's compact form 20171208T11:56:04; also the dashed ISO form, fractions and an explicit zone.
const DATETIME = /^\d{4}-?\d{2}-?\d{2}T\d{2}:?\d{2}:?\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

function parseDateTime(text: string): XmlRpcDateTime {
  const t = text.trim();
  if (!DATETIME.test(t)) throw new XmlRpcParseError(`malformed dateTime.iso8601 '${clip(text)}'`);
  return new XmlRpcDateTime(t);
}

function clip(s: string): string {
  const t = s.trim();
  return t.length > 40 ? `${t.slice(0, 40)}...` : t;
}

/** Parses a whole document (a response, fault or call) held in memory. */
export function parseXmlRpc(body: Buffer | string, options: ParseOptions = {}): ParsedMessage {
  const reader = new XmlRpcReader(options);
  reader.write(body);
  return reader.end();
}
