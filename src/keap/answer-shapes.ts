import { isStruct, type XmlRpcValue } from '../xmlrpc/types.js';

/**
 * What some XML-RPC methods always answer, whatever the rows: DataService.query an array (empty
 * when nothing matches). Any other shape is a malformed answer, retried and then failing the
 * stream: read as "no rows" it would end the pass and move the bookmark past rows never read.
 * Methods whose shapes are unverified (most reports, keap-api.md §8) are not listed: their readers
 * take what comes (streams/report-rows.ts).
 */
const ARRAY_ANSWERS: ReadonlySet<string> = new Set(['DataService.query']);

/** Why `value` is not what `method` answers, or undefined when it is (or the method is not listed). */
export function answerShapeProblem(method: string, value: XmlRpcValue): string | undefined {
  if (!ARRAY_ANSWERS.has(method) || Array.isArray(value)) return undefined;
  return `expected an array of rows, got ${describe(value)}`;
}

function describe(v: XmlRpcValue): string {
  if (v === null) return 'nil';
  if (isStruct(v)) return 'a struct';
  if (typeof v === 'object') return 'a scalar';
  return `a ${typeof v === 'number' || typeof v === 'bigint' ? 'number' : typeof v}`;
}
