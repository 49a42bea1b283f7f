/**
 * Member names of JSON objects, interned: each distinct name gets a small number and one string,
 * for the life of the process. A REST page repeats the same forty names a thousand times; the
 * scanner hashes a name's bytes as it reads them and finds its number here without making a string,
 * and the record shaper maps numbers to its fields with an array instead of hashing strings.
 *
 * The table is bounded: past KEY_LIMIT distinct names (no Keap resource has a fraction of that, but a
 * server could send any), further names get NO_KEY and travel as strings of their own.
 */

export const NO_KEY = -1;
/** How many names the table holds at most (a user of the numbers can size an array by it). */
export const KEY_LIMIT = 4096;
/** Open addressing over the name's hash; twice KEY_LIMIT keeps probes short. */
const SLOTS = 8192;

const slotIds = new Int32Array(SLOTS).fill(NO_KEY);
const slotHashes = new Int32Array(SLOTS);
/** The bytes of each name a scanner may meet unescaped (ASCII, no quote, backslash or control character); undefined for others. */
const keyBytes: (Uint8Array | undefined)[] = [];
const keyNames: string[] = [];
const byName = new Map<string, number>();

/** The hash the scanner computes over a name's bytes, one byte at a time: h = h * 31 + byte. */
export function hashStep(h: number, byte: number): number {
  return (Math.imul(h, 31) + byte) | 0;
}

/**
 * The number of the ASCII name held in `b[start, end)` (no escapes), whose bytes hash to `hash`;
 * NO_KEY when the table is full.
 */
export function internBytes(b: Uint8Array, start: number, end: number, hash: number): number {
  const len = end - start;
  let slot = hash & (SLOTS - 1);
  for (;;) {
    const id = slotIds[slot] as number;
    if (id === NO_KEY) break;
    if (slotHashes[slot] === hash) {
      const k = keyBytes[id];
      if (k !== undefined && k.length === len) {
        let i = 0;
        while (i < len && k[i] === b[start + i]) i++;
        if (i === len) return id;
      }
    }
    slot = (slot + 1) & (SLOTS - 1);
  }
  if (keyNames.length >= KEY_LIMIT) return NO_KEY;
  const name = Buffer.from(b.buffer, b.byteOffset + start, len).toString('latin1');
  // The same name may already be known from a decoded (escaped) spelling: one number per name.
  const id = byName.get(name) ?? add(name);
  slotIds[slot] = id;
  slotHashes[slot] = hash;
  return id;
}

/** The number of a name given as a string (a name with escapes or non-ASCII, or a field's); NO_KEY when full. */
export function internName(name: string): number {
  const known = byName.get(name);
  if (known !== undefined) return known;
  if (keyNames.length >= KEY_LIMIT) return NO_KEY;
  return add(name);
}

/** The bytes of an interned name as it is written unescaped, or undefined when it cannot be (see keyBytes). */
export function plainKeyBytes(id: number): Uint8Array | undefined {
  return keyBytes[id];
}

/** The name of an interned number. */
export function keyName(id: number): string {
  return keyNames[id] as string;
}

function add(name: string): number {
  const id = keyNames.length;
  keyNames.push(name);
  // Only such a name can be met as plain bytes (internBytes, a scanner's guess).
  keyBytes.push(/^[\x20\x21\x23-\x5b\x5d-\x7f]*$/.test(name) ? Buffer.from(name, 'latin1') : undefined);
  byName.set(name, id);
  return id;
}
