/**
 * A record's JSON text assembled as UTF-8 bytes, in one buffer reused record after record. A REST
 * record is mostly text Keap sent, already UTF-8 and already JSON: copied byte for byte it never
 * becomes a string, which would cost a decode here, a rope of pieces, and an encode in the writer.
 * bytes() is valid until the next reset(): the writer copies it at once.
 */

/** Below this many bytes a loop copies faster than a typed-array copy costs to set up. */
const SHORT = 48;

export class JsonBytes {
  private buf: Buffer = Buffer.allocUnsafe(16 * 1024);
  private pos = 0;
  /** Plain views (a Buffer's subarray costs more to make) of the buffer and of the last Buffer copied from. */
  private view: Uint8Array = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  private from: Uint8Array | undefined;
  private fromView: Uint8Array = new Uint8Array(0);

  reset(): void {
    this.pos = 0;
  }

  byte(c: number): void {
    if (this.pos === this.buf.length) this.grow(1);
    this.buf[this.pos++] = c;
  }

  /** src[start, end), which is UTF-8 already. */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let pos = this.pos;
    if (n < SHORT) {
      for (let i = start; i < end; i++) buf[pos++] = src[i] as number;
      this.pos = pos;
    } else {
      let view = src;
      if (src instanceof Buffer) {
        if (src !== this.from) {
          this.from = src;
          this.fromView = new Uint8Array(src.buffer, src.byteOffset, src.length);
        }
        view = this.fromView;
      }
      buf.set(view.subarray(start, end), pos);
      this.pos = pos + n;
    }
  }

  /** A string, encoded as UTF-8. */
  text(s: string): void {
    const n = s.length;
    if (this.pos + n * 3 > this.buf.length) this.grow(n * 3);
    if (n < SHORT) {
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          // Past ASCII: the encoder writes it all (over what the loop wrote).
          this.pos += buf.write(s, this.pos, 'utf8');
          return;
        }
        buf[pos++] = c;
      }
      this.pos = pos;
      return;
    }
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  bytes(): Uint8Array {
    return this.view.subarray(0, this.pos);
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new Uint8Array(next.buffer, next.byteOffset, next.length);
  }
}
