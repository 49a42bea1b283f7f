import { FAULT_BODIES, type FaultKind } from '../faults.js';
import { errorBody } from './errors.js';

/**
 * The fault kinds as a REST client meets them. The gateway's own failures (429, 5xx pages,
 * resets, hangs, cut or empty bodies, a body too large) are the same for both APIs and handled by
 * the server; what differs is here: Keap's XML-RPC faults become the Error bodies a REST service
 * sends for the same trouble (a 500 with the same message; an invalid key is a 401), the hostile
 * XML bodies become an HTML page and 10,000 nested JSON arrays, and the REST-only kinds are a 400
 * for a page token that was valid and a maintenance page sent with status 200.
 */

export interface SpecialBody {
  status: number;
  contentType: string;
  body: string;
}

export const JSON_TYPE = 'application/json;charset=UTF-8';
export const HTML_TYPE = 'text/html;charset=UTF-8';

const MAINTENANCE_PAGE = '<!DOCTYPE html><html><head><title>Keap is down for maintenance</title></head><body><h1>We will be back shortly</h1></body></html>';

const json = (status: number, message: string): SpecialBody => ({ status, contentType: JSON_TYPE, body: JSON.stringify(errorBody(status, message)) });

export function restFaultBody(kind: FaultKind): SpecialBody | undefined {
  if (kind === 'fault-invalid-key') return json(401, 'Invalid Key');
  const fault = FAULT_BODIES[kind];
  if (fault !== undefined) return json(500, fault[1].replace(/^\[[A-Za-z]+\]/, ''));
  switch (kind) {
    case 'bad-page-token':
      return json(400, 'Invalid page_token');
    case 'html':
    case 'doctype':
      return { status: 200, contentType: HTML_TYPE, body: MAINTENANCE_PAGE };
    case 'deep-nesting':
      return { status: 200, contentType: JSON_TYPE, body: '['.repeat(10_000) + ']'.repeat(10_000) };
    default:
      return undefined;
  }
}

/** The 300 MB oversize body in JSON: a list of strings that never ends soon enough. */
export const REST_OVERSIZE = {
  head: '{"contacts":[',
  chunk: Buffer.from(`"${'x'.repeat(64 * 1024 - 3)}",`, 'utf8'),
  tail: '""]}',
};
