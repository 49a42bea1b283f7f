import { KeapTimeZone } from '../keap/dates.js';

/**
 * The app's wall clock, fast. Keap stores every date as a zone-less wall-clock reading, so it
 * sorts, compares and prints dates on that reading; the sandbox stores UTC ms and converts on every
 * comparison and every rendered date, millions of times per benchmark. Intl costs about a
 * microsecond per call, so the zone offset is cached per UTC hour (an hour whose two ends share an
 * offset has it throughout: tzdata puts no two transitions within an hour) and calendar digits
 * are cached per day.
 *
 * "Local ms" below means the wall reading written as if it were UTC: utcMs + offset(utcMs).
 */

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const CACHE_LIMIT = 200_000;

/** Hours covered by the flat offset table, from 1900 (birthdays) to 2139; others use a Map. */
const HOUR_SLOTS = 1 << 21;
const HOUR_BIAS = 613_608;
/** Days covered by the flat day-text tables, from 1860 (birthdays) to 2218. */
const DAY_SLOTS = 1 << 17;
const DAY_BIAS = 40_000;
const UNKNOWN = 0x7fffffff;

export class WallClock {
  readonly tz: KeapTimeZone;
  /** Offset (ms) per UTC hour since 1900; UNKNOWN until computed (or when the hour has a transition). */
  private readonly hourOffsets = new Int32Array(HOUR_SLOTS).fill(UNKNOWN);
  private readonly offsets = new Map<number, number>();
  private readonly compactDays: (string | undefined)[] = new Array<string | undefined>(DAY_SLOTS);
  private readonly dashedDays: (string | undefined)[] = new Array<string | undefined>(DAY_SLOTS);
  private readonly times: (string | undefined)[] = new Array<string | undefined>(86_400);

  constructor(zone: string) {
    this.tz = new KeapTimeZone(zone);
  }

  get zone(): string {
    return this.tz.zone;
  }

  /** Wall minus UTC, in ms, at an instant. */
  offset(utcMs: number): number {
    const bucket = Math.floor(utcMs / HOUR);
    const slot = bucket + HOUR_BIAS;
    const flat = slot >= 0 && slot < HOUR_SLOTS;
    if (flat) {
      const o = this.hourOffsets[slot] as number;
      if (o !== UNKNOWN) return o;
    } else {
      const cached = this.offsets.get(bucket);
      if (cached !== undefined) return cached;
    }
    const start = bucket * HOUR;
    const first = this.exactOffset(start);
    if (flat && slot + 24 <= HOUR_SLOTS && first === this.exactOffset(start + DAY - SECOND)) {
      // The same offset a day apart: no transition in between (tzdata never has two in a day),
      // so one pair of Intl calls fills the whole day instead of one hour.
      this.hourOffsets.fill(first, slot, slot + 24);
      return first;
    }
    if (first === this.exactOffset(start + HOUR - SECOND)) {
      if (flat) this.hourOffsets[slot] = first;
      else {
        if (this.offsets.size >= CACHE_LIMIT) this.offsets.clear();
        this.offsets.set(bucket, first);
      }
      return first;
    }
    return this.exactOffset(utcMs);
  }

  toLocal(utcMs: number): number {
    return utcMs + this.offset(utcMs);
  }

  /**
   * The instant a wall reading names. A repeated reading (fall back) is the earlier instant; a
   * skipped one (spring forward) moves forward by the gap: the rules src/keap/dates.ts uses.
   */
  toUtc(localMs: number): number {
    const before = this.offset(localMs - DAY);
    const after = this.offset(localMs + DAY);
    const viaBefore = localMs - before;
    if (before === after) return viaBefore;
    const viaAfter = localMs - after;
    const beforeFits = this.offset(viaBefore) === before;
    const afterFits = this.offset(viaAfter) === after;
    if (beforeFits && afterFits) return Math.min(viaBefore, viaAfter);
    if (afterFits && !beforeFits) return viaAfter;
    return viaBefore;
  }

  /** `'YYYYMMDDTHH:MM:SS'`: Keap's dateTime.iso8601 text, wall clock, no offset. */
  formatCompact(utcMs: number): string {
    const local = this.toLocal(utcMs);
    const day = Math.floor(local / DAY);
    return `${this.dayText(this.compactDays, day, '')}T${this.timeText(local - day * DAY)}`;
  }

  /** `'YYYY-MM-DD HH:MM:SS'`: the text DataService query strings and LIKE patterns compare against. */
  formatQuery(utcMs: number): string {
    const local = this.toLocal(utcMs);
    const day = Math.floor(local / DAY);
    return `${this.dayText(this.dashedDays, day, '-')} ${this.timeText(local - day * DAY)}`;
  }

  private dayText(cache: (string | undefined)[], day: number, sep: string): string {
    const slot = day + DAY_BIAS;
    if (slot < 0 || slot >= DAY_SLOTS) return dayDigits(day, sep);
    let text = cache[slot];
    if (text === undefined) {
      text = dayDigits(day, sep);
      cache[slot] = text;
    }
    return text;
  }

  private timeText(msOfDay: number): string {
    const second = Math.floor(msOfDay / SECOND);
    let text = this.times[second];
    if (text === undefined) {
      text = timeDigits(msOfDay);
      this.times[second] = text;
    }
    return text;
  }

  private exactOffset(utcMs: number): number {
    const instant = Math.floor(utcMs / SECOND) * SECOND;
    const w = this.tz.utcToWall(instant);
    return localFromParts(w.year, w.month, w.day, w.hour, w.minute, w.second) - instant;
  }
}

/** A wall reading as local ms (see the top of this file); years 0-99 taken literally. */
export function localFromParts(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  if (year >= 0 && year <= 99) {
    const d = new Date(Date.UTC(2000, 0, 1, hour, minute, second));
    d.setUTCFullYear(year, month - 1, day);
    return d.getTime();
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

const WALL_TEXT = /^(\d{4})-?(\d{2})-?(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Query operand text as local ms: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS]', the ISO 'T' form and
 * Keap's compact 'YYYYMMDDTHH:MM:SS'. Null for anything that is not a real calendar time, which
 * then matches no row, as a bad date compares in SQL.
 */
export function parseWallText(text: string): number | null {
  const m = WALL_TEXT.exec(text.trim());
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const local = localFromParts(year, month, day, hour, minute, second);
  const d = new Date(local);
  if (d.getUTCDate() !== day || d.getUTCMonth() !== month - 1) return null;
  return local;
}

function dayDigits(day: number, sep: string): string {
  const d = new Date(day * DAY);
  const y = d.getUTCFullYear();
  const year = y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : String(y);
  return `${year}${sep}${pad2(d.getUTCMonth() + 1)}${sep}${pad2(d.getUTCDate())}`;
}

function timeDigits(msOfDay: number): string {
  const s = Math.floor(msOfDay / SECOND);
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
