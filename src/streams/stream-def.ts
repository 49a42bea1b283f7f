import type { JsonSchema } from './json-schema.js';
import type { StreamState } from './state.js';
import type { ReadContext } from './table-reader.js';

export type SyncMode = 'full_refresh' | 'incremental';

/**
 * A stream as discover shows it and read runs it; tables and reports alike (streams are data,
 * the readers are the behaviour).
 */
export interface StreamDef {
  name: string;
  kind: 'table' | 'resource' | 'report';
  description: string;
  schema: JsonSchema;
  /** Top-level fields; empty when Keap gives no key. */
  primaryKey: string[];
  /** The cursor incremental syncs use, or null for full refresh only. */
  cursorField: string | null;
  supportedSyncModes: SyncMode[];
  /**
   * The config list that picks this stream by name (`tables` names a table stream by its Keap
   * table), when there is one: given, that list limits `read` as it limits `discover`.
   */
  selectedBy?: { setting: string; name: string };
  /** Validates this stream's state from a --state file. */
  parseState(raw: unknown): StreamState;
  read(run: StreamRun, ctx: ReadContext): Promise<void>;
}

export interface StreamRun {
  syncMode: SyncMode;
  /** The schema the catalog carries: its properties are the fields to read and emit. */
  schema: JsonSchema;
  state: StreamState;
  /** Members never emitted, even where the schema is open (sensitive fields not opted in). */
  omit?: readonly string[];
}
