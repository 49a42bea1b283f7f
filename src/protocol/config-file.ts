import { closeSync, fsyncSync, ftruncateSync, mkdtempSync, openSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Writing a config file that holds credentials: `auth` creates one, and every token refresh must
 * rewrite it, because Keap rotates the refresh token and the old one stops working.
 */

/**
 * Rewrites `path` with `config`. The usual way is atomic: a temporary file (mode 0600) beside the
 * real file, flushed to disk, renamed over it, so a crash leaves the old file or the new one. A
 * symlink is followed, so the link stays a link and its target gets the new content. Where the
 * directory is not writable but the file is (a config mounted into a container, a directory owned
 * by someone else), the file is rewritten in place. Throws when neither works.
 */
export function persistConfig(path: string, config: Record<string, unknown>): void {
  const target = resolved(path);
  const text = Buffer.from(`${JSON.stringify(config, null, 2)}\n`, 'utf8');
  try {
    replaceAtomically(target, text);
  } catch (err) {
    if (!DIRECTORY_REFUSED.has(codeOf(err))) throw err;
    writeInPlace(target, text);
  }
}

/**
 * Writes `config` where the user can find it when its own file cannot take it: a new directory
 * under the system's temporary directory, readable only by this user (0700, the file 0600).
 * Returns the file's path.
 */
export function persistElsewhere(config: Record<string, unknown>, previous?: string): string {
  // A later rotation in the same run replaces the file an earlier one wrote.
  const file = previous ?? join(mkdtempSync(join(tmpdir(), 'tap-infusionsoft-rotated-')), 'config.json');
  replaceAtomically(file, Buffer.from(`${JSON.stringify(config, null, 2)}\n`, 'utf8'));
  return file;
}

export function codeOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'error';
}

/** What rename or create in a directory answers when the directory, not the file, says no. */
const DIRECTORY_REFUSED = new Set(['EACCES', 'EPERM', 'EROFS', 'EBUSY', 'EXDEV']);

function resolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // Not there yet (auth writing a new config): create it where it was asked for.
    return path;
  }
}

function replaceAtomically(path: string, text: Buffer): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeAll(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
}

/** The new content over the old, then cut to its length: no moment without a file at `path`. */
function writeInPlace(path: string, text: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeAll(fd, text);
    ftruncateSync(fd, text.length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, text: Buffer): void {
  let done = 0;
  while (done < text.length) done += writeSync(fd, text, done, text.length - done, done);
}
