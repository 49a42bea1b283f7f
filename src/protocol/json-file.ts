import { readFileSync } from 'node:fs';
import { InputError } from '../input-error.js';

/** The JSON files a run is given (config, catalog, state), read with an error that says which and why. */

export function readJsonObject(path: string, what: 'config' | 'catalog' | 'state' = 'config'): Record<string, unknown> {
  const value = readJson(path, what);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(what, `${path} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function readJson(path: string, what: 'config' | 'catalog' | 'state'): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new InputError(what, `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable')}`);
  }
  if (text.trim() === '') throw new InputError(what, `${path} is empty`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError(what, `${path} is not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
}
