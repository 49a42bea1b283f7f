import type { JsonSchema } from './json-schema.js';
import type { ReportEntry } from './report-entry.js';
import { paramSchema, type ParamName, type ParamUse } from './report-params.js';
import { REPORTS } from './report-registry.js';
import { restEndpointText } from './rest-report-registry.js';

/**
 * `properties.reports.items` of spec.json, generated from the registry (scripts/generate-spec.ts
 * writes it; test/spec.test.ts fails when spec.json is stale): a oneOf of one object per report,
 * told apart by the const `report`, as Airbyte's form renders a dropdown.
 */

/** Stream names end up as table names in destinations: letters, digits and underscores. */
export const STREAM_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

export function reportVariant(entry: ReportEntry): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    report: { type: 'string', title: 'Report', const: entry.id, default: entry.id, order: 0 },
    stream: {
      type: 'string',
      title: 'Stream name',
      description: `The stream this entry produces. Default: ${entry.id}. Give each entry a distinct name when a report is used more than once.`,
      pattern: STREAM_NAME_PATTERN,
      order: 1,
    },
  };
  const required = ['report'];
  let order = 2;
  for (const [name, use] of Object.entries(entry.params) as [ParamName, ParamUse][]) {
    properties[name] = { ...paramSchema(name, use), order: order++ };
    if (use.required) required.push(name);
  }
  const incremental =
    entry.incremental === 'window'
      ? ' Supports incremental syncs: each reads from the previous sync\'s start until now.'
      : entry.incremental === 'query'
        ? ' Incremental when the query uses LastSuccessfulRun.'
        : '';
  return {
    title: entry.title,
    description: `${entry.about}${incremental} (Keap ${entry.method}; REST v2: ${restEndpointText(entry.id)})`,
    type: 'object',
    required,
    additionalProperties: true,
    properties,
  };
}

export function reportsItemsSchema(): JsonSchema {
  return {
    type: 'object',
    title: 'Report',
    description: 'One report of the Infusionsoft report menu, with its parameters.',
    display_type: 'dropdown',
    required: ['report'],
    oneOf: REPORTS.map(reportVariant),
  };
}

/** spec.json with its reports items replaced by the generated ones; everything else kept. */
export function withGeneratedReports(spec: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(spec) as { connectionSpecification?: { properties?: { reports?: JsonSchema } } };
  const reports = copy.connectionSpecification?.properties?.reports;
  if (!reports) throw new Error('spec.json has no connectionSpecification.properties.reports');
  reports.items = reportsItemsSchema();
  return copy as Record<string, unknown>;
}
