import type { RowValue } from './columns.js';
import { hash4, hashString, unit } from './random.js';
import type { WallClock } from './wall-clock.js';
import { localFromParts } from './wall-clock.js';

/**
 * Building blocks for generated columns. A column is a `FieldGen`: a pure function of the row id
 * (and the seed), so one field of one row costs a hash or two and nothing is ever stored. A scan
 * that filters on LastUpdated calls only that column's function; rendering calls one per selected
 * field.
 */
export type FieldGen = (id: number) => RowValue;

export interface GenEnv {
  seed: number;
  sizes: Readonly<Record<string, number>>;
  wall: WallClock;
  /** A live (overlay-aware) value of another table, for joined columns. */
  lookup(table: string, id: number, field: string): RowValue;
}

/** Generated history spans these seven years (UTC). */
export const DATA_START = Date.UTC(2019, 0, 1);
export const DATA_END = Date.UTC(2026, 0, 1);
const SPAN = DATA_END - DATA_START;
const SECOND = 1000;
const DAY = 86_400_000;

/**
 * Instants around America/New_York's 2025 DST changes, stamped on ids ≡ 3..6 (mod 50) of each
 * table's cursor column: the repeated hour (01:MM EDT at 05:MMZ, then 01:MM EST at 06:MMZ on
 * 2025-11-02) and both edges of the spring gap (01:59:SS EST, 03:00:SS EDT on 2025-03-09).
 */
const FALL_FIRST = Date.UTC(2025, 10, 2, 5, 0, 0);
const FALL_SECOND = Date.UTC(2025, 10, 2, 6, 0, 0);
const SPRING_BEFORE = Date.UTC(2025, 2, 9, 6, 59, 0);
const SPRING_AFTER = Date.UTC(2025, 2, 9, 7, 0, 0);

export class TableKit {
  readonly tableSalt: number;
  readonly size: number;
  private readonly seed: number;
  private readonly createdSalt = hashString('DateCreated');
  private readonly updatedSalt = hashString('LastUpdated');
  private readonly dstSalt = hashString('dst');

  constructor(
    readonly env: GenEnv,
    readonly table: string,
    /** The column the DST instants go on: LastUpdated, DateCreated or none. */
    private readonly cursor: 'LastUpdated' | 'DateCreated' | null,
  ) {
    this.seed = env.seed;
    this.tableSalt = hashString(table);
    this.size = env.sizes[table] ?? 3;
  }

  hash(id: number, salt: number): number {
    return hash4(this.seed, this.tableSalt, id, salt);
  }

  /** A uint32 per row for a named purpose; the name is hashed once, here. */
  hasher(name: string): (id: number) => number {
    const salt = hashString(name);
    const seed = this.seed;
    const t = this.tableSalt;
    return (id) => hash4(seed, t, id, salt);
  }

  pick<T>(name: string, list: readonly T[]): (id: number) => T {
    const h = this.hasher(name);
    const n = list.length;
    return (id) => list[h(id) % n] as T;
  }

  int(name: string, min: number, max: number): (id: number) => number {
    const h = this.hasher(name);
    const n = max - min + 1;
    return (id) => min + (h(id) % n);
  }

  /** A 0/1 integer flag, as Keap stores most yes/no columns. */
  flag(name: string, pOne = 0.5): (id: number) => number {
    const h = this.hasher(name);
    return (id) => (unit(h(id)) < pOne ? 1 : 0);
  }

  bool(name: string, pTrue = 0.5): (id: number) => boolean {
    const h = this.hasher(name);
    return (id) => unit(h(id)) < pTrue;
  }

  /** Money: a double with two decimals. */
  money(name: string, min: number, max: number): (id: number) => number {
    const h = this.hasher(name);
    return (id) => Math.round((min + unit(h(id)) * (max - min)) * 100) / 100;
  }

  /** An id of an existing base row of `target`. */
  fk(name: string, target: string): (id: number) => number {
    const h = this.hasher(name);
    const n = Math.max(1, this.env.sizes[target] ?? 1);
    return (id) => 1 + (h(id) % n);
  }

  /** `gen` for a share `p` of rows, null for the rest; fields sharing `group` appear together. */
  when(p: number, group: string, gen: FieldGen): FieldGen {
    const h = this.hasher(`present:${group}`);
    return (id) => (unit(h(id)) < p ? gen(id) : null);
  }

  /** DateCreated: ids grow with time, as Keap's do, with jitter inside each id's slot. */
  created = (id: number): number => {
    const u = unit(this.hash(id, this.createdSalt));
    let t = DATA_START + Math.floor(((id - 1 + u) / this.size) * SPAN);
    if (this.cursor === 'DateCreated') {
      const special = this.dstInstant(id);
      if (special !== null) return special;
    } else if (this.cursor === 'LastUpdated') {
      const special = this.dstInstant(id);
      if (special !== null && t > special) t = special - (this.hash(id, this.dstSalt) % 30) * DAY;
    }
    return floorSecond(Math.min(t, DATA_END - SECOND));
  };

  /** LastUpdated: at or after DateCreated, most rows touched soon after creation. */
  updated = (id: number): number => {
    if (this.cursor === 'LastUpdated') {
      const special = this.dstInstant(id);
      if (special !== null) return special;
    }
    const c = this.created(id);
    const u = unit(this.hash(id, this.updatedSalt));
    return floorSecond(c + u * u * u * (DATA_END - SECOND - c));
  };

  /** Some instant between DateCreated and the end of the data. */
  after(name: string): FieldGen {
    const h = this.hasher(name);
    return (id) => {
      const c = this.created(id);
      return floorSecond(c + unit(h(id)) * (DATA_END - c));
    };
  }

  /** Some instant up to `maxDays` after DateCreated (due dates, close dates). */
  within(name: string, maxDays: number): FieldGen {
    const h = this.hasher(name);
    return (id) => floorSecond(this.created(id) + unit(h(id)) * maxDays * DAY);
  }

  /** A calendar date (midnight on the app's wall clock), e.g. a birthday. */
  dateOnly(name: string, fromYear: number, toYear: number): FieldGen {
    const h = this.hasher(name);
    const wall = this.env.wall;
    const from = localFromParts(fromYear, 1, 1);
    const days = Math.floor((localFromParts(toYear, 12, 31) - from) / DAY) + 1;
    return (id) => wall.toUtc(from + (h(id) % days) * DAY);
  }

  /** The same dates moved to the start of their day on the app's wall clock (Keap's Date type). */
  midnight(gen: FieldGen): FieldGen {
    const wall = this.env.wall;
    return (id) => {
      const v = gen(id);
      if (typeof v !== 'number') return v;
      return wall.toUtc(Math.floor(wall.toLocal(v) / DAY) * DAY);
    };
  }

  private dstInstant(id: number): number | null {
    const r = id % 50;
    if (r < 3 || r > 6) return null;
    const h = this.hash(id, this.dstSalt);
    const minute = h % 60;
    const second = (h >>> 8) % 60;
    switch (r) {
      case 3:
        return FALL_FIRST + minute * 60_000 + second * SECOND;
      case 4:
        return FALL_SECOND + minute * 60_000 + second * SECOND;
      case 5:
        return SPRING_BEFORE + second * SECOND;
      default:
        return SPRING_AFTER + second * SECOND;
    }
  }
}

export function floorSecond(ms: number): number {
  return Math.floor(ms / SECOND) * SECOND;
}

/** Entry `i` of a fixed list for row `i + 1`; past the end, the list again with a number. */
export function nth(list: readonly string[], id: number): string {
  const i = (id - 1) % list.length;
  const round = Math.floor((id - 1) / list.length);
  const item = list[i] ?? '';
  return round === 0 ? item : `${item} ${round + 1}`;
}
