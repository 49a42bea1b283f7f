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
  const secrets = [
    ...new Set(
      files
        .filter((f) => f.startsWith('secrets-'))
        .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as string),
    ),
  ];
  const outputs = files.filter((f) => f.startsWith('output-')).map((f) => readFileSync(join(dir, f), 'utf8'));

  it('has scenarios and secrets to check', () => {
    expect(outputs.join('').length).toBeGreaterThan(10_000);
    expect(secrets.length).toBeGreaterThan(3);
  });

  it('finds no secret in any output outside CONTROL messages', () => {
    const leaks: string[] = [];
    for (const out of outputs) {
      for (const line of out.split('\n')) {
        let text = line;
        if (line.startsWith('{"type":"CONTROL"')) continue;
        // A CONTROL message may be followed on the same run by anything else: scan all other lines.
        for (const s of secrets) if (text.includes(s)) leaks.push(`${s.slice(0, 4)}… in: ${text.slice(0, 160)}`);
        text = '';
      }
    }
    expect(leaks).toEqual([]);
  });
});
