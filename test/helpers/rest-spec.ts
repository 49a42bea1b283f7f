import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { reference } from './reference.js';

/**
 * Keap's official OpenAPI file, read from ../shared/reference, as a validator of the sandbox's
 * REST answers: the response schema of an operation and status, compiled with ajv's 2020-12 build.
 * Validation is strict on purpose: every object schema that declares `properties` is made to
 * refuse properties it does not declare, so the double can never invent a field.
 */

type Schema = Record<string, unknown>;
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

const SPEC_ID = 'https://keap.sandbox.test/swagger.json';
const PREFIX = '/rest/v2';

export interface SpecParameter {
  name: string;
  in: string;
  description?: string;
  schema?: Schema;
}

export interface SpecOperation {
  method: 'GET' | 'POST';
  /** After /rest/v2, as the file spells it. */
  path: string;
  parameters: SpecParameter[];
  /** Status -> the JSON (or text) schema of its body. */
  responses: Map<number, { contentType: string; schema: Schema | undefined }>;
}

/** Every `$ref` to `#/components/schemas/X` re-pointed at `$defs`, every declared object closed. */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node as Schema)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace('#/components/schemas/', `${SPEC_ID}#/$defs/`);
    else if (k === 'properties' && v !== null && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, strict(s)]));
    else out[k] = strict(v);
  }
  if ('properties' in out && !('additionalProperties' in out)) out['additionalProperties'] = false;
  return out;
}

export class RestSpec {
  readonly operations: SpecOperation[] = [];
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<Schema, ValidateFunction>();

  constructor() {
    const doc = parse(readFileSync(reference('keap-rest-v2', 'swagger.yml'), 'utf8')) as {
      paths: Record<string, Record<string, { parameters?: (SpecParameter | { $ref: string })[]; responses: Record<string, { content?: Record<string, { schema?: Schema }> }> }>>;
      components: { schemas: Record<string, Schema>; parameters?: Record<string, SpecParameter> };
    };
    this.ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(this.ajv);
    // OpenAPI's annotation keyword; meaningless to validation.
    this.ajv.addKeyword('example');
    this.ajv.addSchema({ $id: SPEC_ID, $defs: Object.fromEntries(Object.entries(doc.components.schemas).map(([k, v]) => [k, strict(v)])) });
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (method !== 'get' && method !== 'post') continue;
        const responses = new Map<number, { contentType: string; schema: Schema | undefined }>();
        for (const [status, r] of Object.entries(op.responses)) {
          const [contentType, media] = Object.entries(r.content ?? {})[0] ?? ['', undefined];
          responses.set(Number(status), { contentType, schema: media?.schema === undefined ? undefined : (strict(media.schema) as Schema) });
        }
        const parameters = (op.parameters ?? []).map((p) => ('$ref' in p ? (doc.components.parameters?.[p.$ref.split('/').pop() ?? ''] as SpecParameter) : p));
        this.operations.push({ method: method.toUpperCase() as 'GET' | 'POST', path: path.slice(PREFIX.length), parameters, responses });
      }
    }
  }

  operation(method: string, path: string): SpecOperation | undefined {
    return this.operations.find((o) => o.method === method && o.path === path);
  }

  /** Why `body` is not what the spec says `method path` answers with `status` (empty: it is). */
  check(method: string, path: string, status: number, body: unknown): string[] {
    const op = this.operation(method, path);
    if (op === undefined) return [`the spec has no ${method} ${path}`];
    const response = op.responses.get(status);
    if (response === undefined) return [`the spec declares no ${status} for ${method} ${path}`];
    if (response.schema === undefined) return [];
    let validate = this.compiled.get(response.schema);
    if (validate === undefined) {
      validate = this.ajv.compile(response.schema);
      this.compiled.set(response.schema, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }
}
