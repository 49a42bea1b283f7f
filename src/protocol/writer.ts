import type { Writable } from 'node:stream';

/**
 * The one place that writes to stdout. Lines are gathered into a buffer and handed to the stream
 * in large chunks (one write per ~64 KiB instead of one per record); when the stream reports it is
 * full, `ready()` returns a promise that resolves on 'drain', and the readers wait on it before
 * reading more from Keap. Nothing else in the program may touch process.stdout.
 */
export class LineWriter {
  private buf = '';
  private waiting: Promise<void> | undefined;
  private broken: Error | undefined;
  /** Bytes written so far (approximate: UTF-16 length). */
  written = 0;

  constructor(
    private readonly out: Writable,
    private readonly chunkSize = 64 * 1024,
  ) {
    out.on('error', (err: Error) => {
      // EPIPE: the consumer went away (e.g. `| head`); stop writing, let the run end.
      this.broken = err;
    });
  }

  /** Appends one line (without its newline). */
  line(text: string): void {
    this.buf += text;
    this.buf += '\n';
    if (this.buf.length >= this.chunkSize) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0 || this.broken) {
      this.buf = '';
      return;
    }
    const chunk = this.buf;
    this.buf = '';
    this.written += chunk.length;
    if (!this.out.write(chunk) && !this.waiting) {
      this.waiting = new Promise<void>((resolve) => {
        const done = (): void => {
          this.out.off('drain', done);
          this.out.off('error', done);
          this.out.off('close', done);
          this.waiting = undefined;
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('error', done);
        this.out.on('close', done);
      });
    }
  }

  /** Undefined when there is room; otherwise resolves once the consumer has caught up. */
  ready(): Promise<void> | undefined {
    return this.waiting;
  }

  get isBroken(): boolean {
    return this.broken !== undefined;
  }

  /** Flushes everything and waits until the stream has taken it. */
  async end(): Promise<void> {
    this.flush();
    if (this.waiting) await this.waiting;
  }
}
