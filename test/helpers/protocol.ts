import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { getAjv } from '../../src/protocol/validate.js';
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
