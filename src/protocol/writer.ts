import type { Writable } from 'node:stream';

/**
 * The one place that writes to stdout. Lines are encoded as UTF-8 into a buffer as they come and
 * handed to the stream in large chunks (one write per ~64 KiB instead of one per record); when
 * the stream reports it is full, `ready()` returns a promise that resolves on 'drain', and the
 * readers wait on it before reading more from Keap. Nothing else in the program may touch
 * process.stdout.
 *
 * Encoding each line as it arrives, rather than joining lines into one string per chunk, is what
 * keeps output cheap: a record is built as a tree of appended pieces, and a chunk of them joined
 * and converted at once cost more than parsing the page they came from (bench/end-to-end.ts).
 * A line is written while its pieces are still in cache, into memory that is already there.
 */
/**
 * Room past the chunk size for the line that crosses it (a record is a few KiB); a longer line
 * sends the chunk first. Memory per chunk stays close to the chunk: every chunk is new memory
 * (see flush), and it is held until the collector finds its Buffer dead.
 */
const CHUNK_SLACK = 16 * 1024;

const NEWLINE = Buffer.from('\n');

/** The most bytes a piece can take: UTF-8 needs at most 3 bytes per UTF-16 unit. */
function room(x: string | Uint8Array): number {
  return typeof x === 'string' ? x.length * 3 : x.length;
}

function utf8(x: string | Uint8Array): Uint8Array {
  return typeof x === 'string' ? Buffer.from(x, 'utf8') : x;
}

export class LineWriter {
  private chunk: Buffer;
  private used = 0;
  private waiting: Promise<void> | undefined;
  private broken: Error | undefined;
  /** Resolves once the stream has taken the last chunk handed to it. */
  private taken: Promise<void> = Promise.resolve();
  /** After seal(): the run is over (a signal stopped it); later lines are dropped. */
  private sealed = false;
  /** Bytes written so far. */
  written = 0;

  constructor(
    private readonly out: Writable,
    private readonly chunkSize = 64 * 1024,
  ) {
    this.chunk = Buffer.allocUnsafe(chunkSize + CHUNK_SLACK);
    out.on('error', (err: Error) => {
      // EPIPE: the consumer went away (e.g. `| head`); stop writing, let the run end.
      this.broken = err;
    });
  }

  /** Appends one line (without its newline). */
  line(text: string): void {
    if (this.sealed) return;
    // UTF-8 needs at most 3 bytes per UTF-16 unit; the newline one more.
    const most = text.length * 3 + 1;
    if (this.used + most > this.chunk.length) {
      this.flush();
      if (most > this.chunk.length) {
        // A line larger than a chunk (a file report's base64) goes out on its own.
        this.send(Buffer.from(`${text}\n`, 'utf8'));
        return;
      }
    }
    this.used += this.chunk.write(text, this.used, 'utf8');
    this.chunk[this.used++] = 10;
    if (this.used >= this.chunkSize) this.flush();
  }

  /**
   * Appends one line made of three pieces, each encoded where it lands: joined first, they would
   * be copied into one string only to be encoded (the RECORD envelope around its data). A piece
   * may be UTF-8 already (a REST record's bytes, an envelope kept as bytes), copied as it is.
   */
  line3(a: string | Uint8Array, b: string | Uint8Array, c: string | Uint8Array): void {
    if (this.sealed) return;
    const most = room(a) + room(b) + room(c) + 1;
    if (this.used + most > this.chunk.length) {
      this.flush();
      if (most > this.chunk.length) {
        // A line larger than a chunk (a file report's base64) goes out on its own.
        this.send(Buffer.concat([utf8(a), utf8(b), utf8(c), NEWLINE]));
        return;
      }
    }
    const chunk = this.chunk;
    let used = this.used;
    if (typeof a === 'string') used += chunk.write(a, used, 'utf8');
    else {
      chunk.set(a, used);
      used += a.length;
    }
    if (typeof b === 'string') used += chunk.write(b, used, 'utf8');
    else {
      chunk.set(b, used);
      used += b.length;
    }
    if (typeof c === 'string') used += chunk.write(c, used, 'utf8');
    else {
      chunk.set(c, used);
      used += c.length;
    }
    chunk[used++] = 10;
    this.used = used;
    if (used >= this.chunkSize) this.flush();
  }

  flush(): void {
    if (this.used === 0) return;
    const data = this.chunk.subarray(0, this.used);
    // The chunk now belongs to the stream, which may keep it even after calling back (a
    // PassThrough queues it for its reader): later lines go to fresh memory.
    this.chunk = Buffer.allocUnsafe(this.chunkSize + CHUNK_SLACK);
    this.used = 0;
    this.send(data);
  }

  /**
   * A line that must not wait in the chunk: a rotated token (CONTROL) or a checkpoint (STATE). It
   * goes out now, with every line before it; a run stopped a moment later (SIGKILL, a crash, a
   * platform giving up during a long backoff) has still handed it over.
   */
  urgent(text: string): void {
    this.line(text);
    this.flush();
  }

  /**
   * Hands over everything pending and resolves once the stream has taken it: awaited before the
   * connector sleeps or sends its next request, so nothing it printed waits on it.
   */
  settle(): Promise<void> {
    this.flush();
    return this.taken;
  }

  /** Drops every line after this one: the run is being stopped and its last words are out. */
  seal(): void {
    this.sealed = true;
  }

  private send(data: Buffer): void {
    if (this.broken) return;
    this.written += data.length;
    let took: () => void = () => {};
    this.taken = new Promise<void>((resolve) => (took = resolve));
    // Called on success and on error alike (EPIPE: nobody is reading; nothing left to wait for).
    if (!this.out.write(data, () => took()) && !this.waiting) {
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
    await this.taken;
  }
}
