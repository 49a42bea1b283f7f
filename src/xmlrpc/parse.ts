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
const SLASH = 47; // /
const BANG = 33; // !
const QUESTION = 63; // ?

const DEFAULT_MAX_DEPTH = 64;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export class XmlRpcReader {
  private readonly decoder = new StringDecoder('utf8');
  private readonly onItem: ((item: XmlRpcValue) => void) | undefined;
  private readonly maxDepth: number;
  private readonly maxBytes: number;
  private buf = '';
  private bytes = 0;
  private started = false;

  private readonly stack: Frame[] = [];
  /** Text since the last tag (only kept where text matters). */
  private text = '';
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
    const s = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    this.buf = this.buf.length === 0 ? s : this.buf + s;
    this.scan(false);
  }

  end(): ParsedMessage {
    const rest = this.decoder.end();
    if (rest) this.buf += rest;
    this.scan(true);
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

  private scan(final: boolean): void {
    const buf = this.buf;
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      const lt = buf.indexOf('<', pos);
      if (lt === -1) {
        // Text with no tag after it yet. Take it now (a long base64 body must not be rescanned per
        // chunk), except a trailing '&...' that may be a character reference cut by the chunk.
        const amp = final ? -1 : buf.lastIndexOf('&');
        if (amp >= pos && buf.indexOf(';', amp) === -1) {
          this.addText(buf.slice(pos, amp));
          pos = amp;
        } else {
          this.addText(buf.slice(pos));
          pos = len;
        }
        break;
      }
      if (lt > pos) this.addText(buf.slice(pos, lt));
      pos = lt;
      const c1 = buf.charCodeAt(lt + 1);
      if (c1 === BANG) {
        const next = this.special(buf, lt);
        if (next === -1) break;
        pos = next;
        continue;
      }
      const gt = buf.indexOf('>', lt + 1);
      if (gt === -1) break;
      if (c1 === QUESTION) {
        // XML declaration or processing instruction: nothing in it matters to XML-RPC.
        pos = gt + 1;
        continue;
      }
      if (c1 === SLASH) {
        this.close(buf.slice(lt + 2, gt).trim());
      } else if (buf.charCodeAt(gt - 1) === SLASH) {
        const name = tagName(buf, lt + 1, gt - 1);
        this.open(name);
        this.close(name);
      } else {
        const name = tagName(buf, lt + 1, gt);
        if (name === 'member') {
          // Nearly every byte of a Keap page is a struct member; read the usual shapes in one go.
          const next = this.fastMember(buf, gt + 1);
          if (next !== -1) {
            pos = next;
            continue;
          }
        }
        this.open(name);
      }
      pos = gt + 1;
    }
    this.buf = pos >= len ? '' : buf.slice(pos);
    if (final && this.buf.trim() !== '' && this.closed) {
      throw new XmlRpcParseError('malformed XML-RPC document: content after the closing tag');
    }
  }

  /**
   * `<name>N</name><value>V</value></member>` with V bare text, <string>, <i4>/<int> or
   * <dateTime.iso8601>, all in the buffer: stores the member and returns the position after
   * `</member>`. Anything else (other types, whitespace, a member cut by the chunk) returns -1 and
   * the general path reads it; both paths build the same value.
   */
  private fastMember(buf: string, pos: number): number {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined || top.kind !== 1 || !buf.startsWith('<name>', pos)) return -1;
    const nameEnd = buf.indexOf('</name>', pos + 6);
    if (nameEnd === -1) return -1;
    const name = this.cleanText(buf.slice(pos + 6, nameEnd));
    let p = nameEnd + 7;
    if (!buf.startsWith('<value>', p)) return -1;
    p += 7;
    let v: XmlRpcValue;
    if (buf.charCodeAt(p) !== LT) {
      const lt = buf.indexOf('<', p);
      if (lt === -1 || !buf.startsWith('</value></member>', lt)) return -1;
      v = this.cleanText(buf.slice(p, lt));
      p = lt + 17;
    } else if (buf.startsWith('</value></member>', p)) {
      v = '';
      p += 17;
    } else {
      const tagEnd = buf.indexOf('>', p + 1);
      if (tagEnd === -1) return -1;
      const tag = buf.slice(p + 1, tagEnd);
      if (tag !== 'i4' && tag !== 'int' && tag !== 'string' && tag !== 'dateTime.iso8601') return -1;
      const start = tagEnd + 1;
      const lt = buf.indexOf('<', start);
      if (lt === -1) return -1;
      const close = `</${tag}></value></member>`;
      if (!buf.startsWith(close, lt)) return -1;
      const text = buf.slice(start, lt);
      if (tag === 'string') v = this.cleanText(text);
      else if (tag === 'dateTime.iso8601') v = parseDateTime(text);
      else v = fastInteger(text);
      p = lt + close.length;
    }
    top.obj[name] = v;
    return p;
  }

  /** Character data as XML reads it: line ends normalised, references decoded. */
  private cleanText(s: string): string {
    const n = s.indexOf('\r') === -1 ? s : s.replace(/\r\n?/g, '\n');
    return n.indexOf('&') === -1 ? n : decodeEntities(n);
  }

  /** `<!...`: CDATA, a comment, or a refused declaration. Returns the next position, or -1 to wait. */
  private special(buf: string, lt: number): number {
    if (buf.startsWith('<![CDATA[', lt)) {
      const end = buf.indexOf(']]>', lt + 9);
      if (end === -1) return -1;
      if (this.valueDepth > 0 || this.inName || this.inMethodName) this.text += buf.slice(lt + 9, end).replace(/\r\n?/g, '\n');
      return end + 3;
    }
    if (buf.startsWith('<!--', lt)) {
      const end = buf.indexOf('-->', lt + 4);
      if (end === -1) return -1;
      return end + 3;
    }
    if (buf.length - lt < 9) return -1;
    throw new XmlRpcParseError(
      'response refused: it contains a DOCTYPE or entity declaration, which XML-RPC never needs (XXE guard)',
      'refused',
    );
  }

  /** Character data, decoded here so that CDATA sections (appended raw) are never decoded twice. */
  private addText(s: string): void {
    if (this.valueDepth > 0 || this.inName || this.inMethodName) {
      // XML reads every line end as \n (a \r survives only as &#13;), as expat does for Python.
      const t = this.cleanText(s);
      this.text = this.text.length === 0 ? t : this.text + t;
    }
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
        this.push({ kind: 1, obj: {}, name: undefined });
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
        if (this.valueDepth === 0) throw unexpected('/value');
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
        this.settle(name, new XmlRpcBase64(this.text.replace(/\s+/g, '')));
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
