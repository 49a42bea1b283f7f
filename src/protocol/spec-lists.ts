import { restStreams } from '../streams/rest-registry.js';
import { withGeneratedReports } from '../streams/report-spec.js';
import { tableStreams } from '../streams/table-registry.js';

/**
 * spec.json's generated parts: the report variants (report-spec.ts) and the names `resources` and
 * `tables` accept, from the two stream registries, so a typo is refused with the list of names
 * before anything is read. scripts/generate-spec.ts writes it; test/spec.test.ts holds it to that.
 */
export function withGeneratedSpec(spec: Record<string, unknown>): Record<string, unknown> {
  const copy = withGeneratedReports(spec) as { connectionSpecification?: { properties?: Record<string, { items?: Record<string, unknown> }> } };
  const props = copy.connectionSpecification?.properties;
  if (!props?.['resources'] || !props['tables']) throw new Error('spec.json has no resources or tables setting');
  props['resources'].items = { type: 'string', enum: restStreams().map((s) => s.stream) };
  props['tables'].items = { type: 'string', enum: tableStreams().map((t) => t.table).sort() };
  return copy as Record<string, unknown>;
}
