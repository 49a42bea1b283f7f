import type { JsonSchema } from '../src/streams/json-schema.js';
import { reportEntry, REPORT_IDS } from '../src/streams/report-registry.js';
import type { RestEntry } from '../src/streams/rest-registry.js';
import { reportMembers, type RestReport, type RestReportDef } from '../src/streams/rest-report-registry.js';
import { deref, oneLine, PREFIX, recordFields, type OpenApiDoc, type OpenApiOp, type OpenApiSchema } from './openapi.js';
import { filterVocabulary } from './rest-filter-vocabulary.js';
import { REST_REPORTS } from './rest-reports.js';

/**
 * Joins the REST report defs (scripts/rest-reports.ts) with Keap's OpenAPI file into
 * schemas/rest-reports.json, and refuses a def the spec contradicts: an endpoint or method it does
 * not have, a filter or time filter the endpoint does not take, a member the answer does not have,
 * a record stream or component that does not exist, a key that is not among the record's columns.
 */

export function buildRestReports(doc: OpenApiDoc, resources: readonly RestEntry[], schemaOf: (stream: string) => JsonSchema): RestReport[] {
  const ids = REST_REPORTS.map((d) => d.report);
  const missing = REPORT_IDS.filter((id) => !ids.includes(id));
  if (missing.length || ids.length !== REPORT_IDS.length) throw new Error(`rest-reports: every report id once; missing ${missing.join(', ') || 'none'}, ${ids.length} entries`);
  return REST_REPORTS.map((def) => build(doc, def, resources, schemaOf));
}

function operation(doc: OpenApiDoc, path: string, method: string, where: string): OpenApiOp {
  const op = doc.paths[PREFIX + path]?.[method.toLowerCase()];
  if (!op) throw new Error(`${where}: the spec has no ${method} ${path}`);
  return op;
}

function answerSchema(doc: OpenApiDoc, op: OpenApiOp): OpenApiSchema {
  const responses = op.responses ?? {};
  return deref(doc, (responses['200'] ?? responses['201'])?.content?.['application/json']?.schema);
}

function build(doc: OpenApiDoc, def: RestReportDef, resources: readonly RestEntry[], schemaOf: (stream: string) => JsonSchema): RestReport {
  const where = `rest-reports ${def.report}`;
  const none: RestReport = { ...def, summary: '', items_key: null, token_key: null, page_size_max: null, filters: null, schema: null };
  if (def.refused) {
    if (!resources.some((r) => r.stream === def.refused?.closest)) throw new Error(`${where}: no REST stream ${def.refused.closest}`);
    return none;
  }
  if (def.loop === 'table') return none;
  const endpoint = def.endpoint;
  if (!endpoint || !def.answer || !def.record || !def.key) throw new Error(`${where}: endpoint, answer, record and key are required`);
  const method = def.method ?? 'GET';
  const op = operation(doc, endpoint, method, where);
  if (def.attach) operation(doc, def.attach.endpoint, 'GET', `${where} attach`);
  const params = new Map((op.parameters ?? []).map((p) => [p.name, p]));
  const filters = params.has('filter') ? filterVocabulary(params.get('filter')?.description) : null;
  for (const name of [...(def.filter ?? []).map((c) => c.split(/[=<>!]/)[0] ?? ''), ...(def.window ? [def.window.since, def.window.until] : [])]) {
    if (!filters?.fields[name]) throw new Error(`${where}: ${endpoint} takes no filter ${name}`);
  }
  for (const q of Object.keys(def.query ?? {})) if (!params.has(q)) throw new Error(`${where}: ${endpoint} takes no query parameter ${q}`);

  const answer = answerSchema(doc, op);
  let items_key: string | null = null;
  let token_key: string | null = null;
  let item = answer;
  if (def.answer === 'list') {
    const arrays = Object.entries(answer.properties ?? {}).filter(([, v]) => deref(doc, v).type === 'array');
    if (arrays.length !== 1) throw new Error(`${where}: expected one list in the answer of ${endpoint}`);
    items_key = arrays[0]?.[0] ?? null;
    item = deref(doc, deref(doc, arrays[0]?.[1]).items);
    // Paged when the endpoint takes a page token: as a parameter, or inside an object parameter (a report run's request).
    const paged = params.has('page_token') || [...params.values()].some((p) => deref(doc, p.schema as OpenApiSchema).properties?.['page_token']);
    token_key = paged ? (['next_page_token', 'page_token'].find((k) => answer.properties?.[k]) ?? null) : null;
  }
  if (def.take && 'member' in def.take) {
    const member = item.properties?.[def.take.member];
    if (!member) throw new Error(`${where}: the answer of ${endpoint} has no ${def.take.member}`);
    item = deref(doc, member);
  }

  let schema: JsonSchema | null = null;
  let fields: string[];
  if ('component' in def.record) {
    const component = doc.components.schemas[def.record.component];
    if (!component) throw new Error(`${where}: the spec has no component ${def.record.component}`);
    if (item !== component) throw new Error(`${where}: ${endpoint} answers with another schema than ${def.record.component}`);
    schema = { type: 'object', additionalProperties: true, properties: recordFields(doc, component, where) };
    fields = Object.keys(schema.properties ?? {});
  } else {
    const stream = def.record.stream;
    if (!resources.some((r) => r.stream === stream)) throw new Error(`${where}: no REST stream ${stream}`);
    fields = Object.keys(schemaOf(stream).properties ?? {});
    for (const f of def.record.pick ?? []) if (!fields.includes(f)) throw new Error(`${where}: ${stream} has no field ${f}`);
    if (def.record.pick) fields = def.record.pick;
  }
  if (def.take && 'member' in def.take && def.take.as) fields = [def.take.as];
  if (def.itemField && !fields.includes(def.itemField.field)) throw new Error(`${where}: the record has no ${def.itemField.field}`);
  const columns = [...reportMembers(def, reportEntry(def.report)?.idParam), ...fields, ...(def.attach ? [def.attach.as] : [])];
  for (const k of def.key) if (!columns.includes(k)) throw new Error(`${where}: key ${k} is not a column (${columns.join(', ')})`);

  const pageSize = params.get('page_size')?.schema?.maximum ?? null;
  return {
    ...def,
    summary: oneLine(op.summary ?? op.description ?? endpoint),
    items_key,
    token_key,
    page_size_max: pageSize,
    filters,
    schema,
  };
}
