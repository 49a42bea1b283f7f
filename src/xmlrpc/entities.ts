import { XmlRpcParseError } from './types.js';

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes the five predefined entities and numeric character references. Any other named entity
 * would need a DTD, which responses may not carry, so it is an error rather than passed through.
 */
export function decodeEntities(text: string): string {
  let out = '';
  let pos = 0;
  for (;;) {
    const amp = text.indexOf('&', pos);
    if (amp === -1) return pos === 0 ? text : out + text.slice(pos);
    const semi = text.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > 12) throw new XmlRpcParseError(`malformed character reference near '${text.slice(amp, amp + 12)}'`);
    out += text.slice(pos, amp);
    const ref = text.slice(amp + 1, semi);
    if (ref.charCodeAt(0) === 35 /* # */) {
      const hex = ref.charCodeAt(1) === 120 /* x */ || ref.charCodeAt(1) === 88;
      const digits = hex ? ref.slice(2) : ref.slice(1);
      const code = hex ? (/^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, 16) : NaN) : /^[0-9]+$/.test(digits) ? parseInt(digits, 10) : NaN;
      if (!validCodePoint(code)) throw new XmlRpcParseError(`invalid character reference '&${ref};'`);
      out += String.fromCodePoint(code);
    } else {
      const ch = NAMED[ref];
      if (ch === undefined) throw new XmlRpcParseError(`undeclared entity '&${ref};' (entities are refused)`, 'refused');
      out += ch;
    }
    pos = semi + 1;
  }
}

function validCodePoint(c: number): boolean {
  if (!Number.isInteger(c)) return false;
  // XML 1.0 Char production.
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

const ESCAPE = /[&<>\r]/;

/** Escapes text for element content. `\r` is a reference so it survives XML line-end normalisation. */
export function escapeText(s: string): string {
  if (!ESCAPE.test(s)) return s;
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

// XML 1.0 cannot carry these at all, not even as character references.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function hasForbiddenXmlChars(s: string): boolean {
  return FORBIDDEN.test(s);
}
