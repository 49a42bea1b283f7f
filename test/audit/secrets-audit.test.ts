import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditDir } from '../helpers/audit.js';

/**
 * Runs after every other test file (vitest project 'audit', groupOrder 1): everything any scenario
 * printed, on stdout or stderr, is scanned for every secret any scenario used or was issued. The
 * one place secrets may appear is a CONTROL message, which exists to hand rotated credentials back.
 */
describe('the secret audit over all test scenarios', () => {
  const dir = auditDir();
  const files = readdirSync(dir);
  const secrets: string[] = [
    ...new Set(
      files
        .filter((f) => f.startsWith('secrets-'))
        .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as string),
    ),
  ];
  const outputs = files.filter((f) => f.startsWith('output-')).map((f) => readFileSync(join(dir, f), 'utf8'));
  // Tokens issued during the runs (rotated refresh tokens, access tokens) reach the output only in
  // CONTROL messages: learn them there, then look for them everywhere else.
  for (const out of outputs) {
    for (const line of out.split('\n')) {
      if (!line.startsWith('{"type":"CONTROL"')) continue;
      const creds = (JSON.parse(line) as { control: { connectorConfig: { config: { credentials?: Record<string, unknown> } } } }).control.connectorConfig.config.credentials ?? {};
      for (const k of ['api_key', 'client_secret', 'refresh_token', 'access_token']) {
        const v = creds[k];
        if (typeof v === 'string' && v.length >= 6 && !secrets.includes(v)) secrets.push(v);
      }
    }
  }

  it('has scenarios and secrets to check', () => {
    expect(outputs.join('').length).toBeGreaterThan(10_000);
    expect(secrets.length).toBeGreaterThan(3);
  });

  it('learned the tokens issued by rotation from the CONTROL messages', () => {
    expect(outputs.some((o) => o.includes('{"type":"CONTROL"'))).toBe(true);
  });

  it('finds no secret in any output outside CONTROL messages', () => {
    const leaks: string[] = [];
    for (const out of outputs) {
      for (const line of out.split('\n')) {
        if (line.startsWith('{"type":"CONTROL"')) continue;
        for (const s of secrets) if (line.includes(s)) leaks.push(`${s.slice(0, 4)}… in: ${line.slice(0, 160)}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
