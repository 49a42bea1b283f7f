import { InputError } from '../input-error.js';
import { readJson } from './json-file.js';
import { stateProblem } from './input-checks.js';

/**
 * Every state shape a platform may hand back, reduced to stream name -> that stream's raw state:
 * - Airbyte per-stream: [{"type":"STREAM","stream":{"stream_descriptor":{"name"},"stream_state":{}}}, ...]
 * - Airbyte global: [{"type":"GLOBAL","global":{"shared_state":{},"stream_states":[...]}}]
 * - Airbyte legacy: [{"type":"LEGACY","data":{...}}] or a bare object {"<stream>": {...}}
 * - Singer: {"bookmarks": {"<stream>": {...}}, "currently_syncing": ...}
 * - any of these wrapped as the message that carried it: a whole AirbyteMessage
 *   {"type":"STATE","state":{...}} (alone or a list of them, as a read's STATE lines collect into),
 *   or a Singer STATE line {"type":"STATE","value":{...}} (alone or a list: the last one wins)
 * Each stream's state is validated later, against its own cursor (streams/state.ts).
 */
export function readStateFile(path: string): Map<string, unknown> {
  return parseStateInput(readJson(path, 'state'), path);
}

export function parseStateInput(input: unknown, where = 'state'): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (input === null) return out;
  // A Singer STATE message saved whole ({"type":"STATE","value":{...}}), as `tail -1` of a tap gives.
  if (isSingerStateMessage(input)) return parseStateInput(input.value, `${where}.value`);
  // A whole AirbyteMessage ({"type":"STATE","state":{...}}): the state it carries.
  if (isAirbyteStateMessage(input)) return parseStateInput(input.state, `${where}.state`);
  let value = input;
  if (Array.isArray(value)) {
    // Singer STATE lines collected into a list: each carries the whole state, so the last one wins.
    const last = value.at(-1) as unknown;
    if (isSingerStateMessage(last) && value.every(isSingerStateMessage)) return parseStateInput(last.value, `${where}[${value.length - 1}].value`);
    // The STATE lines of an Airbyte read collected into a list: each element is a whole
    // AirbyteMessage, unwrapped before the check so its errors name the element.
    value = value.map((m: unknown) => (isAirbyteStateMessage(m) ? m.state : m));
  }
  if (typeof value === 'object') {
    const problem = stateProblem(value);
    if (problem) throw new InputError('state', `${where}: ${problem}`);
  }
  if (Array.isArray(value)) {
    value.forEach((m, i) => addMessage(out, m, `${where}[${i}]`));
    return out;
  }
  if (typeof value !== 'object') throw new InputError('state', `${where} must be a JSON object or a list of state messages`);
  const o = value as Record<string, unknown>;
  if ('type' in o || 'stream' in o || 'global' in o) {
    addMessage(out, o, where);
    return out;
  }
  if ('bookmarks' in o) {
    const b = o['bookmarks'];
    if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new InputError('state', `${where}: "bookmarks" must be an object of stream states`);
    addLegacy(out, b as Record<string, unknown>, `${where}.bookmarks`);
    return out;
  }
  addLegacy(out, o, where);
  return out;
}

function addMessage(out: Map<string, unknown>, m: unknown, where: string): void {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new InputError('state', `${where} must be a state message object`);
  const msg = m as Record<string, unknown>;
  const type = msg['type'] ?? (msg['stream'] ? 'STREAM' : msg['global'] ? 'GLOBAL' : 'LEGACY');
  switch (type) {
    case 'STREAM':
      addStreamState(out, msg['stream'], `${where}.stream`);
      return;
    case 'GLOBAL': {
      const g = msg['global'];
      if (g === null || typeof g !== 'object' || !Array.isArray((g as { stream_states?: unknown }).stream_states)) {
        throw new InputError('state', `${where}.global must have a "stream_states" list`);
      }
      (g as { stream_states: unknown[] }).stream_states.forEach((s, i) => addStreamState(out, s, `${where}.global.stream_states[${i}]`));
      return;
    }
    case 'LEGACY': {
      const d = msg['data'];
      if (d === undefined || d === null) return;
      if (typeof d !== 'object' || Array.isArray(d)) throw new InputError('state', `${where}.data must be an object`);
      const inner = d as Record<string, unknown>;
      addLegacy(out, 'bookmarks' in inner ? (inner['bookmarks'] as Record<string, unknown>) : inner, `${where}.data`);
      return;
    }
    default:
      throw new InputError('state', `${where}.type must be STREAM, GLOBAL or LEGACY, not ${JSON.stringify(type)}`);
  }
}

function addStreamState(out: Map<string, unknown>, s: unknown, where: string): void {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new InputError('state', `${where} must be an object`);
  const st = s as Record<string, unknown>;
  const d = st['stream_descriptor'];
  const name = d && typeof d === 'object' ? (d as { name?: unknown }).name : undefined;
  if (typeof name !== 'string' || name === '') throw new InputError('state', `${where}.stream_descriptor.name must be a non-empty string`);
  const state = st['stream_state'];
  // A null stream_state means "reset this stream"; the CDK's no-cursor marker carries nothing.
  if (state === null || state === undefined) return;
  if (typeof state !== 'object' || Array.isArray(state)) throw new InputError('state', `${where}.stream_state must be an object`);
  if ((state as Record<string, unknown>)['__ab_no_cursor_state_message'] === true) return;
  out.set(name, state);
}

function addLegacy(out: Map<string, unknown>, o: Record<string, unknown>, where: string): void {
  for (const [name, state] of Object.entries(o)) {
    if (name === 'currently_syncing') continue;
    if (state === null) continue;
    if (typeof state !== 'object' || Array.isArray(state)) throw new InputError('state', `${where}.${name} must be an object (a stream's state)`);
    out.set(name, state);
  }
}

function isAirbyteStateMessage(v: unknown): v is { type: 'STATE'; state: object } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const state = (v as { state?: unknown }).state;
  return (v as { type?: unknown }).type === 'STATE' && typeof state === 'object' && state !== null && !Array.isArray(state);
}

function isSingerStateMessage(v: unknown): v is { type: 'STATE'; value: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { type?: unknown }).type === 'STATE' && 'value' in v && !('state' in v);
}
