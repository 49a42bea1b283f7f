import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Keeps what a scenario printed (stdout, stderr, logs) and the secrets it used, for the audit test
 * that runs after all others and scans everything for secrets.
 */
export function auditDir(): string {
  const dir = process.env['TAP_AUDIT_DIR'];
  if (!dir) throw new Error('TAP_AUDIT_DIR is not set (run the tests through vitest.config.ts)');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function recordOutput(label: string, text: string): void {
  appendFileSync(join(auditDir(), `output-${process.pid}.log`), `### ${label}\n${text}\n`);
}

export function recordSecrets(...secrets: string[]): void {
  const lines = secrets.filter((s) => s && s.length >= 6).map((s) => JSON.stringify(s));
  if (lines.length) appendFileSync(join(auditDir(), `secrets-${process.pid}.jsonl`), `${lines.join('\n')}\n`);
}
