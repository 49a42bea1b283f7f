import type { ReportConfig } from './report-types.js';
import type { StreamDef } from './stream-def.js';

/** The report streams of `config.reports` (filled in by the report registry). */
export function reportStreamDefs(_reports: readonly ReportConfig[]): StreamDef[] {
  return [];
}
