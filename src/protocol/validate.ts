import type { ErrorObject } from 'ajv';
import { nearest } from '../streams/report-resolve.js';

/**
 * Errors of a failed validation become ONE line that names the key and says what is wrong; for a
 * `oneOf` keyed on a constant (credentials.auth_type, reports[].report) only the branch the user
 * chose is reported, not a wall of every alternative. Only a type comes from ajv: the validators
 * the CLI runs are generated ahead of time (scripts/generate-validators.ts), so a run never loads
 * ajv's compiler.
 */

/** A validation function as ajv makes it, compiled or standalone: errors set after a failure. */
export interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** The most useful single sentence for a failed validation of `data`. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined, data: unknown): string {
  if (!errors || errors.length === 0) return 'invalid';
  const discriminator = unmatchedDiscriminator(errors, data);
  if (discriminator) return discriminator;
  const chosen = errors.filter((e) => !isInUnchosenBranch(e, data));
  const pool = chosen.length ? chosen : errors;
  // Prefer concrete errors over the oneOf/anyOf summaries, and the deepest path.
  const concrete = pool.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const best = (concrete.length ? concrete : pool).slice().sort((a, b) => depth(b) - depth(a))[0] as ErrorObject;
  if (best.keyword === 'enum') {
    // A misspelt name (a stream, a table) is told the name it was probably meant to be.
    const given = valueAt(data, best.instancePath);
    const allowed = ((best.params as { allowedValues?: unknown[] }).allowedValues ?? []).filter((v): v is string => typeof v === 'string');
    const near = typeof given === 'string' ? nearest(given, allowed) : undefined;
    if (near !== undefined) return `${pathOf(best)}: '${given as string}' is not one of the names it takes; did you mean '${near}'?`;
  }
  return `${pathOf(best)}: ${messageOf(best)}`;
}

function valueAt(data: unknown, instancePath: string): unknown {
  let cur = data;
  for (const raw of instancePath.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function depth(e: ErrorObject): number {
  return e.instancePath.split('/').length + (e.keyword === 'required' || e.keyword === 'additionalProperties' ? 1 : 0);
}

function pathOf(e: ErrorObject): string {
  const parts = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return out ? `${out}.${missing}` : missing;
  }
  return out || '(top level)';
}

function messageOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return 'is required but missing';
    case 'type':
      return `must be ${String(p['type']).replace(',', ' or ')}`;
    case 'enum':
      return `must be one of ${(p['allowedValues'] as unknown[]).slice(0, 12).map((v) => JSON.stringify(v)).join(', ')}${(p['allowedValues'] as unknown[]).length > 12 ? ', ...' : ''}`;
    case 'const':
      return `must be ${JSON.stringify(p['allowedValue'])}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p['comparison'])} ${String(p['limit'])}`;
    case 'minLength':
      return Number(p['limit']) === 1 ? 'must not be empty' : `must have at least ${String(p['limit'])} characters`;
    case 'pattern':
      return `does not look right (expected the pattern ${String(p['pattern'])})`;
    case 'format':
      return `must be a valid ${String(p['format'])}`;
    case 'uniqueItems':
      return 'must not list the same item twice';
    case 'minItems':
      return `must have at least ${String(p['limit'])} item(s)`;
    case 'additionalProperties':
      return `has an unknown key '${String(p['additionalProperty'])}'`;
    default:
      return e.message ?? 'is invalid';
  }
}

/**
 * For `oneOf` branches told apart by a `const` property: an error belongs to a branch the user did
 * not choose when that branch's const does not match the data. Reading the const from the error's
 * schemaPath keeps this generic.
 */
function isInUnchosenBranch(e: ErrorObject, data: unknown): boolean {
  const m = /^(.*)\/oneOf\/(\d+)\//.exec(e.schemaPath);
  if (!m) return false;
  if (e.keyword === 'const') return true;
  // The object the oneOf applies to: the error's instancePath cut to the oneOf's depth.
  const oneOfDepth = (m[1] as string).split('/').filter((s) => s === 'properties' || s === 'items').length;
  const segments = e.instancePath.split('/').slice(1, 1 + oneOfDepth);
  let node: unknown = data;
  for (const s of segments) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[s] : undefined;
  const branch = getBranch(m[1] as string, Number(m[2]));
  if (!branch || !node || typeof node !== 'object') return false;
  for (const [k, v] of Object.entries(branch.properties ?? {})) {
    if (v && typeof v === 'object' && 'const' in v) return (node as Record<string, unknown>)[k] !== (v as { const: unknown }).const;
  }
  return false;
}

/**
 * A oneOf whose branches are told apart by a const (credentials.auth_type): when the data names
 * no branch at all, say which key and which values, rather than "must match exactly one schema".
 */
function unmatchedDiscriminator(errors: readonly ErrorObject[], data: unknown): string | undefined {
  for (const e of errors) {
    if (e.keyword !== 'oneOf') continue;
    const node = atPath(currentRoot, e.schemaPath.replace(/\/oneOf$/, '')) as { oneOf?: Branch[] } | undefined;
    const branches = node?.oneOf;
    if (!branches) continue;
    const key = Object.entries(branches[0]?.properties ?? {}).find(([, v]) => v && typeof v === 'object' && 'const' in v)?.[0];
    if (!key) continue;
    const values = branches.map((b) => (b.properties?.[key] as { const?: unknown } | undefined)?.const);
    const obj = atInstance(data, e.instancePath);
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) continue;
    const given = (obj as Record<string, unknown>)[key];
    if (values.includes(given)) continue;
    const where = pathOf({ ...e, keyword: 'oneOf' });
    const prefix = where === '(top level)' ? key : `${where}.${key}`;
    const list = values.map((v) => JSON.stringify(v)).join(', ');
    return given === undefined ? `${prefix}: is required but missing (one of ${list})` : `${prefix}: must be one of ${list}, not ${JSON.stringify(given)}`;
  }
  return undefined;
}

function atPath(root: unknown, schemaPath: string): unknown {
  let node = root;
  for (const seg of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return node;
}

function atInstance(data: unknown, instancePath: string): unknown {
  let node = data;
  for (const seg of instancePath.split('/').slice(1)) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return node;
}

interface Branch {
  properties?: Record<string, unknown>;
}

let currentRoot: object | undefined;

function getBranch(schemaPathPrefix: string, index: number): Branch | undefined {
  if (!currentRoot) return undefined;
  let node: unknown = currentRoot;
  for (const seg of schemaPathPrefix.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  const oneOf = node && typeof node === 'object' ? (node as { oneOf?: unknown[] }).oneOf : undefined;
  return oneOf?.[index] as Branch | undefined;
}

/**
 * Validates `data` and returns a one-line problem, or undefined when valid. `schema` is the one
 * `validate` was made from, read only to describe a failure, so it may be given as a function.
 */
export function validateWith(schema: object | (() => object), validate: Validator, data: unknown): string | undefined {
  if (validate(data)) return undefined;
  currentRoot = typeof schema === 'function' ? schema() : schema;
  try {
    return describeErrors(validate.errors, data);
  } finally {
    currentRoot = undefined;
  }
}
