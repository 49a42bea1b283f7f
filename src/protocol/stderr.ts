import type { Redactor } from './redact.js';

/** Log lines for humans and Meltano, on stderr (never stdout), always redacted. */
export class StderrLog {
  /**
   * METRIC lines are noise to a person at a shell: off unless a read's config asks for them
   * (`metrics: true`, which Meltano's plugin definition sets). Other commands never turn them on.
   */
  metrics = false;

  constructor(
    private readonly redactor: Redactor,
    private readonly out: { write(text: string): unknown } = process.stderr,
  ) {}

  line(text: string): void {
    this.out.write(`${this.redactor.clean(text).replace(/\r?\n/g, ' ')}\n`);
  }

  /** Singer METRIC log line (singer-spec.md §2): `INFO METRIC: {...}`, when turned on. */
  metric(type: 'counter' | 'timer', metric: string, value: number, tags: Record<string, string | number>): void {
    if (this.metrics) this.line(`INFO METRIC: ${JSON.stringify({ type, metric, value, tags })}`);
  }
}
