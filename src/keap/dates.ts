/**
 * Keap wall-clock time <-> UTC.
 *
 * Keap stores and returns every date as the wall-clock reading in the app's IANA zone (default
 * `America/New_York`), without an offset: `20171208T11:56:04` in XML-RPC, `2017-12-08 11:56:04`
 * in DataService query strings. Records must leave the connector in UTC and cursors must go back
 * in as wall-clock text, so both directions have to be exact on DST days, in zones whose offsets
 * are not whole hours, and for the odd years Keap holds (birthdays of 1900-01-01, 0001-01-01,
 * 9999-12-31).
 *
 * The only source of zone rules is `Intl.DateTimeFormat`: it carries the same tzdata as the
 * runtime, and it keeps the connector free of dependencies.
 *
 * Two rules decide wall times that do not name exactly one instant (both are what java.time and
 * Temporal's 'compatible' disambiguation do, so a value means the same here as in the JVM and
 * Python tools a data engineer checks it with):
 * - A repeated wall time (the hour that happens twice when clocks fall back) resolves to the
 *   EARLIER instant, the first occurrence (Python's fold=0). Keap's text cannot say which
 *   occurrence it meant; the first is the convention.
 * - A skipped wall time (the hour clocks spring over) shifts forward by the length of the gap:
 *   New York 02:30 on the March change reads as 03:30 EDT. Such text can only come from a clock
 *   that ignored DST, so reading it with the offset in force before the gap is the closest instant.
 */

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * Past this many cached wall-clock days the cache starts over: memory stays near 20 MB whatever
 * the data, and starting over costs less per hit than keeping an LRU. 100k days is 273 years, so
 * even a table of birthdays never starts over.
 */
const CACHE_LIMIT = 100_000;

const COMPACT = /^(\d{4})(\d{2})(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const DASHED = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/;

/**
 * `'YYYYMMDDTHH:MM:SS'` (Keap's XML-RPC form), also `'YYYY-MM-DDTHH:MM:SS'` and `'YYYYMMDDTHHMMSS'`
 * (both are legal ISO 8601 spellings other XML-RPC peers emit). Null unless the text is a real
 * calendar date and time: a record with `20260230T10:00:00` should surface as a null, not as
 * March 2nd.
 */
export function parseCompact(text: string): WallTime | null {
  const t = text.trim();
  const m = COMPACT.exec(t) ?? DASHED.exec(t) ?? BASIC.exec(t);
  if (m === null) return null;
  const w: WallTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
  };
  return isValidWall(w) ? w : null;
}

/** `'2026-11-27T15:00:00Z'`: whole seconds, because Keap has no sub-second precision to report. */
export function formatIsoUtc(ms: number): string {
  const date = new Date(Math.floor(ms / SECOND_MS) * SECOND_MS);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a representable instant: ${ms}`);
  // toISOString already zero-pads years 0000-9999 (and writes the ISO expanded form, e.g.
  // '+010000', outside them); only the milliseconds have to go.
  const iso = date.toISOString();
  return `${iso.slice(0, -5)}Z`;
}

/** The zone names Intl lists, each valid as written; read once, when the first zone is checked. */
let listedZones: Set<string> | undefined;

function wallClockFormatter(zone: string): Intl.DateTimeFormat {
  try {
    // en-US with the Gregorian calendar and Latin digits gives a fixed 'M/D/Y AD, HH:MM:SS'
    // shape to read back; V8 uses the proleptic Gregorian calendar, so year 1 is year 1.
    return new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new Error(`unknown time zone '${zone}'`);
  }
}

export class KeapTimeZone {
  readonly zone: string;
  private made: Intl.DateTimeFormat | undefined;
  private readonly days = new Map<number, DayEntry>();
  /** Offsets at UTC midnights, by day number since the epoch (see fillDay). */
  private readonly midnights = new Map<number, number>();

  constructor(zone: string) {
    // The first Intl.DateTimeFormat of a process costs about 20 ms (ICU loads its data), and a
    // REST sync without reports never reads a wall clock: a zone Intl lists is known good, and
    // its formatter is made when first used. Any other name (an alias, another spelling, a typo)
    // is tried at once, so an unknown zone still fails here.
    listedZones ??= new Set(Intl.supportedValuesOf('timeZone'));
    if (!listedZones.has(zone)) this.made = wallClockFormatter(zone);
    this.zone = zone;
  }

  private get formatter(): Intl.DateTimeFormat {
    this.made ??= wallClockFormatter(this.zone);
    return this.made;
  }

  /** The instant a wall-clock reading means, by the two rules at the top of this file. */
  wallToUtc(w: WallTime): number {
    if (!isValidWall(w)) throw new RangeError(`not a wall-clock time: ${JSON.stringify(w)}`);
    return this.resolve(wallToLocalMs(w.year, w.month, w.day, w.hour, w.minute, w.second)).utc;
  }

  utcToWall(ms: number): WallTime {
    return this.wallAt(floorToSecond(ms));
  }

  /**
   * Compact Keap text -> ISO UTC, or null when the text is not a date. This runs for every date
   * field of every record, so the common case touches neither Intl (about a microsecond per call)
   * nor a regex nor a Date: the digits are read by char code, the wall-clock DAY (an integer key,
   * cheap to hash) finds a cache entry holding the day's offset and the three UTC dates it can
   * map to, and the answer is a UTC date + a ready 'THH:MM:' + a ready 'SSZ'. A day within a day
   * of a transition keeps its hours instead, each with its offset or, for the hour a transition
   * falls in (at any minute or second: Lord Howe, the end of local mean time), that transition.
   */
  compactToIsoUtc(text: string): string | null {
    if (text.length === 17 && text.charCodeAt(8) === T_CHAR && text.charCodeAt(11) === COLON && text.charCodeAt(14) === COLON) {
      let dayKey = 0; // YYYYMMDD as an integer: a small integer key hashes faster than a sliced string
      let digits = true;
      for (let i = 0; i < 8; i++) {
        const c = text.charCodeAt(i) - ZERO;
        if (c < 0 || c > 9) {
          digits = false;
          break;
        }
        dayKey = dayKey * 10 + c;
      }
      const hour = twoDigits(text, 9);
      const minute = twoDigits(text, 12);
      const second = twoDigits(text, 15);
      if (!digits || hour > 23 || minute > 59 || second > 59) return null; // twoDigits gives 99 for a non-digit
      const day = this.days.get(dayKey) ?? this.fillDay(dayKey);
      let offset = day.offset;
      if (day.kind === MIXED_DAY) {
        const h = day.hours[hour] ?? this.fillHour(day, hour);
        offset = Number.isNaN(h.offset) ? h.offsetAt(day.midnight + hour * HOUR_MS + minute * MINUTE_MS + second * SECOND_MS) : h.offset;
        if (Number.isNaN(offset)) {
          return formatIsoUtc(this.wallToUtc({ year: day.year, month: day.month, day: day.day, hour, minute, second }));
        }
      } else if (day.kind === INVALID_DAY) {
        return null;
      }
      if (offset % MINUTE_MS === 0) {
        // A whole-minute offset leaves the seconds alone: two concatenations of cached strings.
        const u = hour * 60 + minute - offset / MINUTE_MS;
        const ss = SECONDS_Z[second];
        if (u < 0) return day.datePrev + CLOCK[u + MINUTES_PER_DAY] + ss;
        if (u < MINUTES_PER_DAY) return day.dateSame + CLOCK[u] + ss;
        return day.dateNext + CLOCK[u - MINUTES_PER_DAY] + ss;
      }
      // Local mean time, offsets with seconds (New York's was -4:56:02).
      return formatIsoUtc(day.midnight + hour * HOUR_MS + minute * MINUTE_MS + second * SECOND_MS - offset);
    }
    // Other spellings, stray whitespace; parseCompact says whether it is a date at all.
    const w = parseCompact(text);
    return w === null ? null : formatIsoUtc(this.wallToUtc(w));
  }

  /** UTC -> `'YYYYMMDDTHH:MM:SS'` wall clock, the form Keap's dateTime.iso8601 parameters take. */
  formatCompact(ms: number): string {
    const w = this.utcToWall(ms);
    return `${pad4(w.year)}${pad2(w.month)}${pad2(w.day)}T${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}`;
  }

  /** UTC -> `'YYYY-MM-DD HH:MM:SS'` wall clock, the form DataService query strings compare against. */
  formatQuery(ms: number): string {
    return formatQueryWall(this.utcToWall(ms));
  }

  /**
   * Wall-clock text for an inclusive lower bound (`~>=~`) that excludes no row stamped at an
   * instant >= ms: the minimum wall reading over all instants >= ms. Wall time only runs
   * backwards at a fall-back, so this differs from formatQuery(ms) only when ms lies in the first
   * occurrence of a repeated period: the second occurrence, still ahead, starts earlier on the
   * wall (New York 2026-11-01 05:30Z reads 01:30 EDT, but 06:00Z reads 01:00 EST). Seconds are
   * floored, which can only widen the bound.
   */
  queryLowerBound(ms: number): string {
    const instant = floorToSecond(ms);
    const w = this.wallAt(instant);
    const r = this.resolve(wallToLocalMs(w.year, w.month, w.day, w.hour, w.minute, w.second));
    if (r.kind !== REPEATED || instant !== r.utc) return formatQueryWall(w);
    // The fall-back instant lies in (instant, r.later]: the offset is r.offsetBefore before it
    // and r.offsetAfter from it on. Transitions fall on whole seconds, so bisect on seconds.
    let lo = instant;
    let hi = r.later;
    while (hi - lo > SECOND_MS) {
      const mid = lo + Math.floor((hi - lo) / (2 * SECOND_MS)) * SECOND_MS;
      if (this.offsetAt(mid) === r.offsetBefore) lo = mid;
      else hi = mid;
    }
    return formatQueryWall(this.wallAt(hi));
  }

  /**
   * Every instant whose wall reading is `local` (a wall time written as if it were UTC ms), the
   * way Temporal's reference code finds them: the offsets a day either side bracket any
   * transition near `local`, and a candidate counts only if the zone really shows `local` at it.
   * This needs no two transitions within two days of each other; a scan of all 418 zones Node 20
   * knows, 1850-2100 in 3-hour steps, found none closer than 60 hours.
   */
  private resolve(local: number): Resolution {
    const before = this.offsetAt(local - DAY_MS);
    const after = this.offsetAt(local + DAY_MS);
    const viaBefore = local - before;
    const beforeFits = this.offsetAt(viaBefore) === before;
    if (before === after) {
      if (beforeFits) return { kind: UNIQUE, utc: viaBefore, later: viaBefore, offsetBefore: before, offsetAfter: after };
      return { kind: SKIPPED, utc: viaBefore, later: viaBefore, offsetBefore: before, offsetAfter: after };
    }
    const viaAfter = local - after;
    const afterFits = this.offsetAt(viaAfter) === after;
    if (beforeFits && afterFits) {
      const utc = Math.min(viaBefore, viaAfter);
      return { kind: REPEATED, utc, later: Math.max(viaBefore, viaAfter), offsetBefore: before, offsetAfter: after };
    }
    if (beforeFits || afterFits) {
      const utc = beforeFits ? viaBefore : viaAfter;
      return { kind: UNIQUE, utc, later: utc, offsetBefore: before, offsetAfter: after };
    }
    // In the gap: read with the offset in force before it, which lands gap-length later on the wall.
    return { kind: SKIPPED, utc: viaBefore, later: viaBefore, offsetBefore: before, offsetAfter: after };
  }

  private fillDay(dayKey: number): DayEntry {
    const year = Math.floor(dayKey / 10000);
    const month = Math.floor(dayKey / 100) % 100;
    const day = dayKey % 100;
    let entry: DayEntry;
    if (!isValidWall({ year, month, day, hour: 0, minute: 0, second: 0 })) {
      entry = new DayEntry(INVALID_DAY, year, month, day, Number.NaN);
    } else {
      // The wall day's midnight read as UTC is a UTC midnight: day number n since the epoch.
      const n = wallToLocalMs(year, month, day, 0, 0, 0) / DAY_MS;
      // The same offset at the four UTC midnights n-1 .. n+2 means no transition near the day:
      // its instants (midnight less an offset under a day, to its end less one) lie between the
      // first and the last, and so does every instant resolve() looks at for one of its wall
      // times (a day either side). Transitions are never within a day of each other (none
      // closer than 60 hours in tzdata), so none hides between two of the samples. Neighbouring
      // days share samples: a run of days costs one Intl call each, not four.
      const o = this.offsetAtMidnight(n - 1);
      const uniform = this.offsetAtMidnight(n) === o && this.offsetAtMidnight(n + 1) === o && this.offsetAtMidnight(n + 2) === o;
      entry = new DayEntry(uniform ? UNIFORM_DAY : MIXED_DAY, year, month, day, uniform ? o : Number.NaN);
    }
    if (this.days.size >= CACHE_LIMIT) this.days.clear();
    this.days.set(dayKey, entry);
    return entry;
  }

  /** The zone's offset at UTC midnight of day `n` since the epoch, remembered. */
  private offsetAtMidnight(n: number): number {
    let o = this.midnights.get(n);
    if (o === undefined) {
      o = this.offsetAt(n * DAY_MS);
      if (this.midnights.size >= CACHE_LIMIT) this.midnights.clear();
      this.midnights.set(n, o);
    }
    return o;
  }

  /** One hour of a day within a day of a transition. */
  private fillHour(day: DayEntry, hour: number): HourEntry {
    const start = day.midnight + hour * HOUR_MS;
    const end = start + HOUR_MS - SECOND_MS;
    const first = this.resolve(start);
    const last = this.resolve(end);
    let entry: HourEntry;
    if (first.kind === UNIQUE && last.kind === UNIQUE && first.utc - start === last.utc - end) {
      // Both ends read with one offset: no transition inside, since tzdata never puts two within an hour.
      entry = new HourEntry(start - first.utc, Number.NaN, Number.NaN, Number.NaN);
    } else {
      // Find the one transition resolve() saw between a day before and a day after, to the
      // second (transitions fall on whole seconds), so each call in this hour is arithmetic.
      const before = this.offsetAt(start - DAY_MS);
      const after = this.offsetAt(end + DAY_MS);
      if (before === after) {
        // Two transitions that cancel within two days: not in tzdata 1850-2100, but if a zone
        // ever has them, such an hour is resolved exactly on every call.
        const exact = new HourEntry(Number.NaN, Number.NaN, Number.NaN, Number.NaN);
        day.hours[hour] = exact;
        return exact;
      }
      let lo = floorToSecond(start - DAY_MS);
      let hi = floorToSecond(end + DAY_MS);
      while (hi - lo > SECOND_MS) {
        const mid = lo + Math.floor((hi - lo) / (2 * SECOND_MS)) * SECOND_MS;
        if (this.offsetAt(mid) === before) lo = mid;
        else hi = mid;
      }
      entry = new HourEntry(Number.NaN, hi, before, after);
    }
    day.hours[hour] = entry;
    return entry;
  }

  /** Zone offset (wall minus UTC, ms) at a whole-second instant. */
  private offsetAt(instant: number): number {
    const w = this.wallAt(instant);
    return wallToLocalMs(w.year, w.month, w.day, w.hour, w.minute, w.second) - instant;
  }

  /**
   * The wall reading at a whole-second instant. `format` is read rather than `formatToParts`
   * because it is about three times faster and its en-US shape is fixed; should a future ICU
   * change the punctuation, only the digit runs are read, and formatToParts is the fallback.
   */
  private wallAt(instant: number): WallTime {
    const text = this.formatter.format(instant);
    const nums: number[] = [];
    let current = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i) - ZERO;
      if (c >= 0 && c <= 9) {
        current = current < 0 ? c : current * 10 + c;
      } else if (current >= 0) {
        nums.push(current);
        current = -1;
      }
    }
    if (current >= 0) nums.push(current);
    const [month, day, year, hour, minute, second] = nums;
    if (nums.length === 6 && month !== undefined && day !== undefined && year !== undefined && hour !== undefined && minute !== undefined && second !== undefined) {
      // Year 1 BC is year 0 in the proleptic calendar ISO 8601 and Date use.
      const bc = text.includes('B');
      return { year: bc ? 1 - year : year, month, day, hour, minute, second };
    }
    return this.wallAtByParts(instant);
  }

  private wallAtByParts(instant: number): WallTime {
    const get = new Map<string, string>();
    for (const p of this.formatter.formatToParts(instant)) get.set(p.type, p.value);
    const num = (type: string): number => {
      const v = Number(get.get(type));
      if (!Number.isInteger(v)) throw new Error(`Intl.DateTimeFormat gave no ${type} for ${instant} in '${this.zone}'`);
      return v;
    };
    const year = num('year');
    return {
      year: get.get('era')?.startsWith('B') === true ? 1 - year : year,
      month: num('month'),
      day: num('day'),
      hour: num('hour'),
      minute: num('minute'),
      second: num('second'),
    };
  }
}

const ZERO = 48; // '0'
const COLON = 58; // ':'
const T_CHAR = 84; // 'T'

const UNIQUE = 0;
const REPEATED = 1;
const SKIPPED = 2;

interface Resolution {
  kind: typeof UNIQUE | typeof REPEATED | typeof SKIPPED;
  /** The chosen instant: the first occurrence when repeated, shifted forward when skipped. */
  utc: number;
  /** The second occurrence when repeated, else `utc`. */
  later: number;
  offsetBefore: number;
  offsetAfter: number;
}

const INVALID_DAY = 0;
const UNIFORM_DAY = 1;
const MIXED_DAY = 2;

const MINUTES_PER_DAY = 1440;

/** 'THH:MM:' for every minute of a day and 'SSZ' for every second, so the hot path formats by array reads. */
const CLOCK: readonly string[] = Array.from({ length: MINUTES_PER_DAY }, (_, i) => `T${pad2(Math.floor(i / 60))}:${pad2(i % 60)}:`);
const SECONDS_Z: readonly string[] = Array.from({ length: 60 }, (_, i) => `${pad2(i)}Z`);

/** Shared by the days that never cache hours (only MIXED_DAY writes), to keep an entry small. */
const NO_HOURS: (HourEntry | undefined)[] = [];

/**
 * One wall-clock day. One class for every kind keeps the hot path's property reads monomorphic;
 * the three UTC dates cover every offset up to a day either way.
 */
class DayEntry {
  /** The wall day's 00:00:00 as if it were UTC, in ms. */
  readonly midnight: number;
  /** MIXED_DAY: per wall hour. */
  readonly hours: (HourEntry | undefined)[];
  /** 'YYYY-MM-DD' of the UTC day before, of and after this wall day. */
  readonly datePrev: string = '';
  readonly dateSame: string = '';
  readonly dateNext: string = '';

  constructor(
    readonly kind: typeof INVALID_DAY | typeof UNIFORM_DAY | typeof MIXED_DAY,
    readonly year: number,
    readonly month: number,
    readonly day: number,
    /** UNIFORM_DAY: wall minus UTC, ms; NaN otherwise. */
    readonly offset: number,
  ) {
    this.hours = kind === MIXED_DAY ? [] : NO_HOURS;
    this.midnight = kind === INVALID_DAY ? Number.NaN : wallToLocalMs(year, month, day, 0, 0, 0);
    if (kind !== INVALID_DAY) {
      const n = this.midnight / DAY_MS;
      this.datePrev = utcDate(n - 1);
      this.dateSame = utcDate(n);
      this.dateNext = utcDate(n + 1);
    }
  }
}

/** 'YYYY-MM-DD' of UTC day `n` since the epoch; neighbouring wall days share them. */
const utcDates = new Map<number, string>();
function utcDate(n: number): string {
  let d = utcDates.get(n);
  if (d === undefined) {
    d = formatIsoUtc(n * DAY_MS).slice(0, -10);
    if (utcDates.size >= CACHE_LIMIT) utcDates.clear();
    utcDates.set(n, d);
  }
  return d;
}

/** One wall hour of a MIXED_DAY: either its offset, or the transition near it and the offsets either side. */
class HourEntry {
  constructor(
    /** Wall minus UTC, ms, when no transition falls in this hour; NaN otherwise. */
    readonly offset: number,
    /** The instant of the transition, or NaN. */
    readonly transition: number,
    readonly before: number,
    readonly after: number,
  ) {}

  /**
   * The offset to read `local` (a wall time as UTC ms) with, by the same rules as resolve(): a
   * candidate fits when it lies on its offset's side of the transition; both fit -> the earlier
   * instant; neither (a gap) -> the offset from before the gap.
   */
  offsetAt(local: number): number {
    const viaBefore = local - this.before;
    const viaAfter = local - this.after;
    const beforeFits = viaBefore < this.transition;
    const afterFits = viaAfter >= this.transition;
    if (beforeFits && afterFits) return viaBefore <= viaAfter ? this.before : this.after;
    if (afterFits) return this.after;
    return this.before;
  }
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function isValidWall(w: WallTime): boolean {
  return (
    Number.isInteger(w.year) &&
    Number.isInteger(w.month) &&
    Number.isInteger(w.day) &&
    Number.isInteger(w.hour) &&
    Number.isInteger(w.minute) &&
    Number.isInteger(w.second) &&
    w.month >= 1 &&
    w.month <= 12 &&
    w.day >= 1 &&
    w.day <= daysInMonth(w.year, w.month) &&
    w.hour >= 0 &&
    w.hour <= 23 &&
    w.minute >= 0 &&
    w.minute <= 59 &&
    w.second >= 0 &&
    w.second <= 59
  );
}

/** A wall reading as if it were UTC, in ms: the arithmetic form the offset math works in. */
function wallToLocalMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  if (year >= 0 && year <= 99) {
    // Date.UTC reads years 0-99 as 1900-1999 (a legacy rule); setUTCFullYear takes them literally.
    const d = new Date(Date.UTC(2000, 0, 1, hour, minute, second));
    d.setUTCFullYear(year, month - 1, day);
    return d.getTime();
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The two-digit number at `at`, or 99 when either character is not a digit. */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - ZERO;
  const b = text.charCodeAt(at + 1) - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : 99;
}

function floorToSecond(ms: number): number {
  return Math.floor(ms / SECOND_MS) * SECOND_MS;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Years 0000-9999 as four digits; anything else in ISO's expanded form so it still sorts and parses. */
function pad4(n: number): string {
  if (n >= 0 && n <= 9999) return String(n).padStart(4, '0');
  return (n < 0 ? '-' : '+') + String(Math.abs(n)).padStart(6, '0');
}

function formatQueryWall(w: WallTime): string {
  return `${pad4(w.year)}-${pad2(w.month)}-${pad2(w.day)} ${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}`;
}
