/**
 * Randomness for the sandbox, all of it reproducible from the seed.
 *
 * Generated rows are never stored: any field of any row is a pure function of
 * (seed, table, id, field), so `hash4` must be cheap (a few multiplies) and well mixed. The
 * mixing steps are MurmurHash3's; quality is far beyond what fake data needs, and it runs on
 * 32-bit integer math only.
 */

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stable uint32 from four integers: (seed, table salt, id, field salt). */
export function hash4(seed: number, table: number, id: number, field: number): number {
  return finish(mix(mix(mix(mix(0x9747b28c, seed), table), id), field));
}

/** FNV-1a of a string: turns table and field names into salts once, outside hot loops. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return finish(h);
}

/** A uint32 hash as a float in [0, 1). */
export function unit(h: number): number {
  return h / 4294967296;
}

/** A sequential seeded generator (sfc32) for things that happen in order: faults, mutations. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    this.a = hash4(seed, stream, 1, 0x51ed270b) | 0;
    this.b = hash4(seed, stream, 2, 0x51ed270b) | 0;
    this.c = hash4(seed, stream, 3, 0x51ed270b) | 0;
    this.d = 1;
    // The first outputs of sfc32 still echo the seed; burn them.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}
