import type { ValidateFunction } from 'ajv';
import { compile, validateWith } from './validate.js';

/**
 * JSON Schemas for the catalog and state files, checked with ajv before they are read: the
 * shapes the Airbyte protocol (ConfiguredAirbyteCatalog, AirbyteStateMessage) and the Singer spec
 * (catalog with metadata, bookmarks) define, loose where those are loose (unknown keys are allowed).
 */

const airbyteCatalog = {
  type: 'object',
  required: ['streams'],
  properties: {
    streams: {
      type: 'array',
      items: {
        type: 'object',
        required: ['stream'],
        properties: {
          stream: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string', minLength: 1 },
              json_schema: { type: 'object' },
              namespace: { type: ['string', 'null'] },
            },
          },
          sync_mode: { enum: ['full_refresh', 'incremental'] },
          destination_sync_mode: { type: 'string' },
          cursor_field: { type: 'array', items: { type: 'string' } },
          primary_key: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
  },
};

const singerCatalog = {
  type: 'object',
  required: ['streams'],
  properties: {
    streams: {
      type: 'array',
      items: {
        type: 'object',
        required: ['schema'],
        properties: {
          tap_stream_id: { type: 'string', minLength: 1 },
          stream: { type: 'string', minLength: 1 },
          schema: { type: 'object' },
          key_properties: { type: 'array', items: { type: 'string' } },
          metadata: {
            type: 'array',
            items: {
              type: 'object',
              required: ['breadcrumb', 'metadata'],
              properties: { breadcrumb: { type: 'array', items: { type: 'string' } }, metadata: { type: 'object' } },
            },
          },
        },
      },
    },
  },
};

const streamDescriptor = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1 }, namespace: { type: ['string', 'null'] } },
};

const streamState = {
  type: 'object',
  required: ['stream_descriptor'],
  properties: { stream_descriptor: streamDescriptor, stream_state: { type: ['object', 'null'] } },
};

const stateMessage = {
  type: 'object',
  properties: {
    type: { enum: ['STREAM', 'GLOBAL', 'LEGACY'] },
    stream: streamState,
    global: {
      type: 'object',
      required: ['stream_states'],
      properties: { shared_state: { type: ['object', 'null'] }, stream_states: { type: 'array', items: streamState } },
    },
    data: { type: ['object', 'null'] },
    sourceStats: { type: 'object' },
  },
};

const stateFile = {
  anyOf: [{ type: 'array', items: stateMessage }, { type: 'object' }],
};

const singerBookmarks = {
  type: 'object',
  required: ['bookmarks'],
  properties: { bookmarks: { type: 'object', additionalProperties: { type: ['object', 'null'] } }, currently_syncing: { type: ['string', 'null'] } },
};

const compiled = new Map<object, ValidateFunction>();

function check(schema: object, data: unknown): string | undefined {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = compile(schema)));
  return validateWith(schema, v, data);
}

/** A one-line problem with a catalog, or undefined. Dialect by shape: Singer entries carry `schema`. */
export function catalogProblem(value: unknown): string | undefined {
  const streams = (value as { streams?: unknown } | null)?.streams;
  const singer = Array.isArray(streams) && streams.some((s) => s && typeof s === 'object' && ('tap_stream_id' in s || 'schema' in s));
  return check(singer ? singerCatalog : airbyteCatalog, value);
}

/** A one-line problem with a state file, or undefined. */
export function stateProblem(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'bookmarks' in value) return check(singerBookmarks, value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && ('type' in value || 'stream' in value || 'global' in value)) {
    return check(stateMessage, value);
  }
  return check(stateFile, value);
}
