import { escapeText, hasForbiddenXmlChars } from './entities.js';
import { XmlRpcBase64, XmlRpcDateTime, XmlRpcDouble, type XmlRpcValue } from './types.js';

/** Thrown for a value XML-RPC cannot carry (a string with a control character, NaN). */
export class XmlRpcEncodeError extends Error {
  override name = 'XmlRpcEncodeError';
}

export function encodeValue(v: XmlRpcValue): string {
  if (v === null) return '<value><nil/></value>';
  switch (typeof v) {
    case 'string':
      if (hasForbiddenXmlChars(v)) throw new XmlRpcEncodeError('a string contains a control character that XML cannot carry');
      return `<value><string>${escapeText(v)}</string></value>`;
    case 'number':
      if (!Number.isFinite(v)) throw new XmlRpcEncodeError(`cannot encode the number ${v}`);
      if (Number.isInteger(v) && Math.abs(v) <= 2147483647) return `<value><int>${v}</int></value>`;
      if (Number.isSafeInteger(v)) return `<value><i8>${v}</i8></value>`;
      return `<value><double>${formatDouble(v)}</double></value>`;
    case 'bigint':
      return `<value><i8>${v.toString()}</i8></value>`;
    case 'boolean':
      return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
    default:
      break;
  }
  if (v instanceof XmlRpcDateTime) return `<value><dateTime.iso8601>${escapeText(v.text)}</dateTime.iso8601></value>`;
  if (v instanceof XmlRpcBase64) return `<value><base64>${v.base64}</base64></value>`;
  if (v instanceof XmlRpcDouble) {
    if (!Number.isFinite(v.value)) throw new XmlRpcEncodeError(`cannot encode the number ${v.value}`);
    return `<value><double>${formatDouble(v.value)}</double></value>`;
  }
  if (Array.isArray(v)) {
    let s = '<value><array><data>';
    for (const item of v) s += encodeValue(item);
    return s + '</data></array></value>';
  }
  let s = '<value><struct>';
  for (const [name, member] of Object.entries(v)) {
    if (member === undefined) continue;
    s += `<member><name>${escapeText(name)}</name>${encodeValue(member)}</member>`;
  }
  return s + '</struct></value>';
}

/** Shortest round-trip text; exponents (1e-7) are read by every peer we meet (Python's float()). */
function formatDouble(n: number): string {
  const s = String(n);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

export function encodeCall(method: string, params: readonly XmlRpcValue[]): string {
  let s = `<?xml version="1.0" encoding="UTF-8"?><methodCall><methodName>${escapeText(method)}</methodName><params>`;
  for (const p of params) s += `<param>${encodeValue(p)}</param>`;
  return s + '</params></methodCall>';
}

export function encodeResponse(value: XmlRpcValue): string {
  return `<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param>${encodeValue(value)}</param></params></methodResponse>`;
}

export function encodeFault(code: number, message: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><methodResponse><fault><value><struct>' +
    `<member><name>faultCode</name><value><i4>${code}</i4></value></member>` +
    `<member><name>faultString</name><value>${escapeText(message)}</value></member>` +
    '</struct></value></fault></methodResponse>'
  );
}
