import { RestParseError } from './errors.js';

/** One page of a list endpoint: its items and the token of the next page (undefined on the last). */
export interface Page {
  items: unknown[];
  nextPageToken: string | undefined;
}

/**
 * Reads `{"<itemsKey>": [...], "next_page_token": "..."}` (a report run names its token `page_token`). A body without its list, or with a list
 * that is not an array, is a malformed answer (retried, then the stream fails): taking it as an empty
 * page would end the pass and move the bookmark past rows never read. The last page's token may be
 * absent, null or empty.
 */
export function readPage(json: unknown, itemsKey: string, tokenKey = 'next_page_token'): Page {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new RestParseError(`expected an object with a "${itemsKey}" list, got ${describe(json)}`, 'malformed');
  }
  const o = json as Record<string, unknown>;
  const items = o[itemsKey];
  if (!Array.isArray(items)) {
    throw new RestParseError(`expected a "${itemsKey}" list in the answer, got ${items === undefined ? 'none' : describe(items)}`, 'malformed');
  }
  const token = o[tokenKey];
  if (token !== undefined && token !== null && typeof token !== 'string') {
    throw new RestParseError(`${tokenKey} is ${describe(token)}, not a string`, 'malformed');
  }
  return { items, nextPageToken: typeof token === 'string' && token !== '' ? token : undefined };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
