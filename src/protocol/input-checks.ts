import { INPUT_SCHEMAS, type InputSchemaName } from './input-schemas.js';
import { validators } from './input-validators.js';
import { validateWith } from './validate.js';

/** Catalog and state files checked against their schemas (input-schemas.ts), before they are read. */

function check(name: InputSchemaName, data: unknown): string | undefined {
  return validateWith(INPUT_SCHEMAS[name], validators[name], data);
}

/** A one-line problem with a catalog, or undefined. Dialect by shape: Singer entries carry `schema`. */
export function catalogProblem(value: unknown): string | undefined {
  const streams = (value as { streams?: unknown } | null)?.streams;
  const singer = Array.isArray(streams) && streams.some((s) => s && typeof s === 'object' && ('tap_stream_id' in s || 'schema' in s));
  return check(singer ? 'singerCatalog' : 'airbyteCatalog', value);
}

/** A one-line problem with a state file, or undefined. */
export function stateProblem(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'bookmarks' in value) return check('singerBookmarks', value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && ('type' in value || 'stream' in value || 'global' in value)) {
    return check('stateMessage', value);
  }
  return check('stateFile', value);
}
