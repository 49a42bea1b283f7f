import type { Readable } from 'node:stream';
import { BodyTooLargeError } from './errors.js';
import { IdleTimer, type Deadline } from './timers.js';

export interface BodyLimits {
  /** Decoded bytes past which the body is refused (gzip bombs included: this counts after inflating). */
  maxBytes: number;
  idleMs: number;
  deadline?: Deadline;
}

/**
 * Reads a whole body into memory, refusing it as soon as it passes `maxBytes` (the stream is
 * destroyed then, so a huge answer is never held). Network errors propagate as thrown.
 */
export async function readBody(stream: Readable, limits: BodyLimits): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const idle = new IdleTimer(stream, limits.idleMs);
  limits.deadline?.attach(stream);
  try {
    for await (const chunk of stream) {
      idle.touch();
      const b = chunk as Buffer;
      size += b.length;
      if (size > limits.maxBytes) {
        stream.destroy();
        throw new BodyTooLargeError(limits.maxBytes);
      }
      chunks.push(b);
    }
  } finally {
    idle.stop();
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

/**
 * Feeds a body to `onChunk` as it arrives (for a reader that parses as it goes), and reads no more
 * of the socket until the caller's output has room: `ready` is asked after every chunk, and while
 * its promise waits, neither the idle timer nor the deadline runs (waiting on our own stdout is not
 * the server going quiet). What onChunk throws comes back as it is; network errors as the stream
 * throws them. Limits on size are the reader's.
 */
export async function pumpBody(
  stream: Readable,
  limits: { idleMs: number; deadline?: Deadline },
  onChunk: (chunk: Buffer) => void,
  ready?: () => Promise<void> | undefined,
): Promise<void> {
  const idle = new IdleTimer(stream, limits.idleMs);
  limits.deadline?.attach(stream);
  try {
    for await (const chunk of stream) {
      idle.touch();
      onChunk(chunk as Buffer);
      const wait = ready?.();
      if (wait) {
        idle.stop();
        limits.deadline?.pause();
        await wait;
        limits.deadline?.resume();
        idle.restart();
      }
    }
  } finally {
    idle.stop();
  }
}

/**
 * An error body, kept to its first `limit` bytes for the message; the rest is drained (bounded by
 * `drainLimit`) so the connection can be reused, and a body that breaks off says what it said so far.
 */
export async function readErrorBody(stream: Readable, limit: number, idleMs: number, drainLimit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const idle = new IdleTimer(stream, idleMs);
  try {
    for await (const chunk of stream) {
      idle.touch();
      const b = chunk as Buffer;
      if (size < limit) chunks.push(b.subarray(0, limit - size));
      size += b.length;
      if (size > drainLimit) {
        stream.destroy();
        break;
      }
    }
  } catch {
    // What arrived is enough to say what went wrong.
  } finally {
    idle.stop();
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function flattenHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}
