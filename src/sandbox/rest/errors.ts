import type { JsonObject } from './wire.js';

/**
 * Keap's REST error body, the OpenAPI file's `Error` schema: `{code, message, status, details}`.
 * `code` repeats the HTTP status, `status` is its reason phrase, and `details` names the missing
 * resource on a 404 (left out otherwise: the schema has no nullable fields).
 */

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  500: 'Internal Server Error',
  501: 'Not Implemented',
};

export interface ErrorDetail {
  domain: string;
  resource: string;
}

export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }
}

export function errorBody(status: number, message: string, details?: ErrorDetail[]): JsonObject {
  return { code: status, message, status: REASONS[status] ?? 'Error', details: details?.map((d) => ({ ...d })) };
}

export function badRequest(message: string): RestError {
  return new RestError(400, message);
}

/** `what` is the resource as Keap names it in messages ("Contact"), `id` the id asked for. */
export function notFound(what: string, id: string): RestError {
  return new RestError(404, `${what} not found: ${id}`, [{ domain: what, resource: id }]);
}
