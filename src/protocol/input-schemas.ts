/**
 * The JSON Schemas a run checks its input against, besides the report entries' variants
 * (streams/report-spec.ts): the config as spec.json gives it, and the catalog and state files in
 * the shapes the Airbyte protocol (ConfiguredAirbyteCatalog, AirbyteStateMessage) and the Singer
 * spec (catalog with metadata, bookmarks) define, loose where those are loose (unknown keys are
 * allowed). scripts/generate-validators.ts compiles them into input-validators.ts; a run reads
 * them only to describe a failure (validate.ts).
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

export const INPUT_SCHEMAS = { airbyteCatalog, singerCatalog, stateMessage, stateFile, singerBookmarks };

export type InputSchemaName = keyof typeof INPUT_SCHEMAS;

/**
 * The config schema with `reports.items` reduced to "an object": every entry has just been checked
 * against its own variant (protocol/report-config.ts), and checking the 39 variants again would
 * only repeat that.
 */
export function configSchema(connectionSpecification: object): object {
  const spec = connectionSpecification as { properties?: Record<string, object> };
  const reports = spec.properties?.['reports'];
  if (!reports) return spec;
  return { ...spec, properties: { ...spec.properties, reports: { ...reports, items: { type: 'object' } } } };
}
