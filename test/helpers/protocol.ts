import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { getAjv } from '../../src/protocol/schema-compiler.js';
import { reference } from './reference.js';

let validator: ValidateFunction | undefined;

/** The official AirbyteMessage schema (reference/airbyte-protocol.yaml, v0), compiled with ajv. */
export function airbyteMessageValidator(): ValidateFunction {
  if (validator) return validator;
  const schema = parse(readFileSync(reference('airbyte-protocol.yaml'), 'utf8')) as { $id: string };
  const ajv = getAjv();
  if (!ajv.getSchema(schema.$id)) ajv.addSchema(schema);
  validator = ajv.compile({ $ref: `${schema.$id}#/definitions/AirbyteMessage` });
  return validator;
}

const PAYLOAD: Record<string, string> = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  SPEC: 'spec',
  CONNECTION_STATUS: 'connectionStatus',
  CATALOG: 'catalog',
  TRACE: 'trace',
  CONTROL: 'control',
};

/** Problems with a list of stdout messages: schema violations, missing payloads, non-JSON lines. */
export function protocolProblems(messages: Record<string, unknown>[]): string[] {
  const v = airbyteMessageValidator();
  const problems: string[] = [];
  for (const m of messages) {
    if (m['type'] === '__NOT_JSON__') {
      problems.push(`not JSON: ${String(m['line']).slice(0, 100)}`);
      continue;
    }
    if (!v(m)) problems.push(`${String(m['type'])}: ${JSON.stringify(v.errors?.slice(0, 2))}`);
    const key = PAYLOAD[m['type'] as string];
    if (!key || m[key] === undefined) problems.push(`${String(m['type'])} without its payload`);
  }
  return problems;
}

/**
 * Why a stdout line is not one strict JSON object: not JSON (Python's json module accepts NaN,
 * Infinity and `1e999`; Node's JSON.parse rejects the first two and reads the third as Infinity,
 * so both are checked), a raw U+2028/U+2029 (valid JSON, but a line break to some line readers
 * and to JavaScript before ES2019), or a value that is not an object.
 */
export function strictLineProblem(line: string): string | undefined {
  if (/[\u2028\u2029]/.test(line)) return 'a raw U+2028/U+2029 inside the line';
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return `not JSON (${(err as Error).message.split('\n')[0]})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const bad = nonFinite(value);
  return bad === undefined ? undefined : `a number with no JSON value at ${bad}`;
}

function nonFinite(v: unknown, path = '$'): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : path;
  if (typeof v !== 'object' || v === null) return undefined;
  for (const [k, x] of Object.entries(v)) {
    const bad = nonFinite(x, `${path}.${k}`);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/**
 * What a CLI run printed on stdout that a platform could not read: for the protocol commands
 * (Airbyte spec/check/discover/read, a Singer sync) every line must be one strict JSON object; for
 * the commands that print one JSON document (Singer --discover, --about) the document must be
 * strict JSON. Text commands (--version, --help, markdown, sandbox, auth, list) are not checked.
 */
export function outputProblems(args: readonly string[], stdout: string): string[] {
  const kind = outputKind(args);
  if (kind === 'text') return [];
  if (kind === 'document') {
    if (stdout.trim() === '') return [];
    const p = /[\u2028\u2029]/.test(stdout) ? 'a raw U+2028/U+2029' : strictLineProblem(stdout.replace(/\n\s*/g, ''));
    return p ? [`document: ${p}`] : [];
  }
  const problems: string[] = [];
  stdout.split('\n').forEach((line, i) => {
    if (line === '') return;
    const p = strictLineProblem(line);
    if (p) problems.push(`line ${i + 1}: ${p}: ${line.slice(0, 160)}`);
  });
  return problems;
}

function outputKind(args: readonly string[]): 'lines' | 'document' | 'text' {
  const first = args[0] ?? '';
  if (['spec', 'check', 'discover', 'read'].includes(first)) return 'lines';
  if (first !== '' && !first.startsWith('-')) return 'text';
  if (args.includes('--version') || args.includes('--help') || args.includes('-h')) return 'text';
  if (args.includes('--about')) return args.includes('markdown') ? 'text' : 'document';
  if (args.includes('--discover')) return 'document';
  return args.includes('--config') ? 'lines' : 'text';
}
