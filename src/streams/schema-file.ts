import { readFileSync } from 'node:fs';
import type { JsonSchema } from './json-schema.js';

/**
 * A registry entry with its `schema` read from `path` when first asked for, then kept. A read of
 * one stream needs one of the 57 REST (or 60 table) schema files; reading them all costs every
 * run some 10 ms, and their garbage.
 */
export function withSchemaFile<T extends object>(entry: T, path: string): T & { schema: JsonSchema } {
  let schema: JsonSchema | undefined;
  return Object.defineProperty({ ...entry }, 'schema', {
    enumerable: true,
    get: () => (schema ??= JSON.parse(readFileSync(path, 'utf8')) as JsonSchema),
  }) as T & { schema: JsonSchema };
}
