import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AirbyteOutput } from '../src/protocol/airbyte-output.js';
import { Redactor } from '../src/protocol/redact.js';
import { LineWriter } from '../src/protocol/writer.js';

/**
 * The stdout writer encodes lines into reused chunks: what reaches the stream must be exactly the
 * lines, in order, whole, however the chunks fall and however long the stream holds them.
 */

/** Keeps every chunk it is given (the Buffer itself, as a PassThrough would); with `slow`, calls back a tick later. */
class HoldingSink extends Writable {
  readonly chunks: Buffer[] = [];
  constructor(private readonly slow: boolean) {
    super({ highWaterMark: 16 * 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    if (this.slow) setImmediate(() => done());
    else done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function lines(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `{"i":${i},"s":"${'é中😀x'.repeat(i % 50)}"}`);
}

describe('the line writer', () => {
  it('hands over exactly the lines, UTF-8, in chunks of about the chunk size', async () => {
    const out = new HoldingSink(false);
    const w = new LineWriter(out, 1024);
    const all = lines(3000);
    for (const l of all) w.line(l);
    await w.end();
    expect(out.text()).toBe(all.map((l) => `${l}\n`).join(''));
    expect(w.written).toBe(Buffer.byteLength(out.text()));
    // Every chunk ends on a line end, so a reader can split it alone.
    for (const c of out.chunks) expect(c[c.length - 1]).toBe(10);
    expect(Math.max(...out.chunks.map((c) => c.length))).toBeLessThan(2 * 1024);
  });

  it('hands each chunk over as memory of its own, which the stream may keep, and waits when the stream is full', async () => {
    const out = new HoldingSink(true);
    const w = new LineWriter(out, 512);
    const all = lines(400);
    let waited = 0;
    for (const l of all) {
      w.line(l);
      const ready = w.ready();
      if (ready) {
        waited++;
        await ready;
      }
    }
    await w.end();
    await new Promise<void>((r) => out.end(r));
    expect(waited).toBeGreaterThan(0);
    // Each chunk as the stream received it still holds its own lines.
    expect(out.text()).toBe(all.map((l) => `${l}\n`).join(''));
  });

  it('writes a line longer than a chunk whole', async () => {
    const out = new HoldingSink(false);
    const w = new LineWriter(out, 256);
    const long = `{"b":"${'x'.repeat(10_000)}é"}`;
    w.line('first');
    w.line(long);
    w.line('last');
    await w.end();
    expect(out.text()).toBe(`first\n${long}\nlast\n`);
  });
});

describe('Airbyte RECORD lines', () => {
  it('carry the emitted_at of their own millisecond', async () => {
    const out = new HoldingSink(false);
    const w = new LineWriter(out);
    let now = 1_700_000_000_000;
    const a = new AirbyteOutput(w, new Redactor(), () => now);
    a.record('s', '{"Id":1}');
    a.record('s', '{"Id":2}');
    now += 1;
    a.record('s', '{"Id":3}');
    a.record('t', '{"Id":4}', [{ field: 'X', reason: 'SOURCE_SERIALIZATION_ERROR' }]);
    now += 5;
    a.record('s', '{"Id":5}');
    await w.end();
    const got = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { record: { stream: string; data: { Id: number }; emitted_at: number; meta?: unknown } });
    expect(got.map((m) => [m.record.stream, m.record.data.Id, m.record.emitted_at - 1_700_000_000_000])).toEqual([
      ['s', 1, 0],
      ['s', 2, 0],
      ['s', 3, 1],
      ['t', 4, 1],
      ['s', 5, 6],
    ]);
    expect(got[3]?.record.meta).toEqual({ changes: [{ field: 'X', change: 'NULLED', reason: 'SOURCE_SERIALIZATION_ERROR' }] });
  });
});
