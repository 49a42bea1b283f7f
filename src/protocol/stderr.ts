import type { Redactor } from './redact.js';

/** Log lines for humans and Meltano, on stderr (never stdout), always redacted. */
export class StderrLog {
  constructor(private readonly redactor: Redactor) {}

  line(text: string): void {
    process.stderr.write(`${this.redactor.clean(text).replace(/\r?\n/g, ' ')}\n`);
  }

  /** Singer METRIC log line (singer-spec.md §2): `INFO METRIC: {...}`. */
  metric(type: 'counter' | 'timer', metric: string, value: number, tags: Record<string, string | number>): void {
    this.line(`INFO METRIC: ${JSON.stringify({ type, metric, value, tags })}`);
  }
}
