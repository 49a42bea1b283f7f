import { describe, expect, it } from 'vitest';
import { mulberry32 } from './helpers/sync-log.js';
import { formatIsoUtc, KeapTimeZone, parseCompact, type WallTime } from '../src/keap/dates.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const utc = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
};

const wall = (year: number, month: number, day: number, hour: number, minute = 0, second = 0): WallTime => ({
  year,
  month,
  day,
  hour,
  minute,
  second,
});

/** Wall times of every minute from `from` (inclusive) for `hours` hours, walking the calendar, not the zone. */
function wallMinutes(from: WallTime, hours: number): WallTime[] {
  const base = Date.UTC(from.year, from.month - 1, from.day, from.hour, from.minute);
  const out: WallTime[] = [];
  for (let i = 0; i < hours * 60; i++) {
    const d = new Date(base + i * MINUTE);
    out.push(wall(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()));
  }
  return out;
}


const compact = (w: WallTime): string =>
  `${String(w.year).padStart(4, '0')}${String(w.month).padStart(2, '0')}${String(w.day).padStart(2, '0')}T` +
  `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}:${String(w.second).padStart(2, '0')}`;

/** The conversion without the hour cache, built from the public pieces. */
function uncachedIso(tz: KeapTimeZone, text: string): string | null {
  const w = parseCompact(text);
  return w === null ? null : formatIsoUtc(tz.wallToUtc(w));
}

describe('parseCompact', () => {
  it('reads the XML-RPC compact form Keap sends', () => {
    expect(parseCompact('20171208T11:56:04')).toEqual(wall(2017, 12, 8, 11, 56, 4));
  });

  it('accepts the dashed and the all-basic ISO spellings and surrounding whitespace', () => {
    expect(parseCompact('2017-12-08T11:56:04')).toEqual(wall(2017, 12, 8, 11, 56, 4));
    expect(parseCompact('20171208T115604')).toEqual(wall(2017, 12, 8, 11, 56, 4));
    expect(parseCompact(' \n20171208T11:56:04\t')).toEqual(wall(2017, 12, 8, 11, 56, 4));
  });

  it('returns null for text that is not a real calendar date and time', () => {
    for (const bad of [
      '',
      'garbage',
      '20261301T00:00:00',
      '20260230T10:00:00',
      '20260229T00:00:00',
      '20260001T00:00:00',
      '20260100T00:00:00',
      '20260101T24:00:00',
      '20260101T10:60:00',
      '20260101T10:00:60',
      '2026-0101T10:00:00',
      '20260101 10:00:00',
      '20260101T10:00:00Z',
      '+0202601T10:00:00',
    ]) {
      expect(parseCompact(bad), bad).toBeNull();
    }
  });

  it('accepts February 29th only in leap years, with the Gregorian century rule', () => {
    expect(parseCompact('20240229T00:00:00')).not.toBeNull();
    expect(parseCompact('20000229T00:00:00')).not.toBeNull();
    expect(parseCompact('19000229T00:00:00')).toBeNull();
  });
});

describe('formatIsoUtc', () => {
  it('writes whole seconds with a Z and no milliseconds', () => {
    expect(formatIsoUtc(utc('2026-11-27T15:00:00.999Z'))).toBe('2026-11-27T15:00:00Z');
  });

  it('floors a negative instant with milliseconds to the second before it', () => {
    expect(formatIsoUtc(-500)).toBe('1969-12-31T23:59:59Z');
  });

  it('zero-pads years below 1000', () => {
    expect(formatIsoUtc(utc('0001-01-01T00:00:00Z'))).toBe('0001-01-01T00:00:00Z');
    expect(formatIsoUtc(utc('0000-03-01T12:00:00Z'))).toBe('0000-03-01T12:00:00Z');
  });
});

describe('KeapTimeZone in America/New_York, 2026', () => {
  const ny = new KeapTimeZone('America/New_York');

  it('converts a winter and a summer timestamp with EST and EDT', () => {
    expect(ny.compactToIsoUtc('20171208T11:56:04')).toBe('2017-12-08T16:56:04Z');
    expect(ny.compactToIsoUtc('20260704T12:00:00')).toBe('2026-07-04T16:00:00Z');
  });

  it('shifts a wall time in the skipped March hour forward by the gap', () => {
    expect(ny.wallToUtc(wall(2026, 3, 8, 1, 59, 59))).toBe(utc('2026-03-08T06:59:59Z'));
    expect(ny.wallToUtc(wall(2026, 3, 8, 2, 0))).toBe(utc('2026-03-08T07:00:00Z'));
    expect(ny.wallToUtc(wall(2026, 3, 8, 2, 30))).toBe(utc('2026-03-08T07:30:00Z'));
    expect(ny.utcToWall(utc('2026-03-08T07:30:00Z'))).toEqual(wall(2026, 3, 8, 3, 30));
    expect(ny.wallToUtc(wall(2026, 3, 8, 3, 0))).toBe(utc('2026-03-08T07:00:00Z'));
    expect(ny.compactToIsoUtc('20260308T02:30:00')).toBe('2026-03-08T07:30:00Z');
  });

  it('reads a wall time in the repeated November hour as its first occurrence', () => {
    expect(ny.wallToUtc(wall(2026, 11, 1, 1, 0))).toBe(utc('2026-11-01T05:00:00Z'));
    expect(ny.wallToUtc(wall(2026, 11, 1, 1, 30))).toBe(utc('2026-11-01T05:30:00Z'));
    expect(ny.wallToUtc(wall(2026, 11, 1, 1, 59, 59))).toBe(utc('2026-11-01T05:59:59Z'));
    expect(ny.wallToUtc(wall(2026, 11, 1, 2, 0))).toBe(utc('2026-11-01T07:00:00Z'));
    expect(ny.utcToWall(utc('2026-11-01T06:30:00Z'))).toEqual(wall(2026, 11, 1, 1, 30));
    expect(ny.compactToIsoUtc('20261101T01:30:00')).toBe('2026-11-01T05:30:00Z');
  });

  it('round-trips every wall minute of the six hours around the March change, except the skipped ones', () => {
    for (const w of wallMinutes(wall(2026, 3, 7, 23), 6)) {
      const ms = ny.wallToUtc(w);
      if (w.day === 8 && w.hour === 2) {
        expect(ny.utcToWall(ms), compact(w)).toEqual({ ...w, hour: 3 });
        expect(ms).toBe(Date.UTC(2026, 2, 8, 7, w.minute));
      } else {
        expect(ny.utcToWall(ms), compact(w)).toEqual(w);
      }
      expect(ny.compactToIsoUtc(compact(w))).toBe(formatIsoUtc(ms));
    }
  });

  it('round-trips every instant of the six hours around the March change', () => {
    const start = utc('2026-03-08T04:00:00Z');
    for (let ms = start; ms < start + 6 * HOUR; ms += MINUTE) {
      expect(ny.wallToUtc(ny.utcToWall(ms)), formatIsoUtc(ms)).toBe(ms);
    }
  });

  it('round-trips every wall minute of the six hours around the November change', () => {
    for (const w of wallMinutes(wall(2026, 10, 31, 22), 6)) {
      expect(ny.utcToWall(ny.wallToUtc(w)), compact(w)).toEqual(w);
      expect(ny.compactToIsoUtc(compact(w))).toBe(formatIsoUtc(ny.wallToUtc(w)));
    }
  });

  it('round-trips every instant around the November change, folding the second 01:xx onto the first', () => {
    const start = utc('2026-11-01T03:00:00Z');
    for (let ms = start; ms < start + 6 * HOUR; ms += MINUTE) {
      const secondOccurrence = ms >= utc('2026-11-01T06:00:00Z') && ms < utc('2026-11-01T07:00:00Z');
      expect(ny.wallToUtc(ny.utcToWall(ms)), formatIsoUtc(ms)).toBe(secondOccurrence ? ms - HOUR : ms);
    }
  });

  it('formats wall clock for XML-RPC parameters and for query strings', () => {
    const ms = utc('2026-11-27T15:00:00Z');
    expect(ny.formatCompact(ms)).toBe('20261127T10:00:00');
    expect(ny.formatQuery(ms)).toBe('2026-11-27 10:00:00');
    expect(ny.formatQuery(utc('2026-11-01T06:30:00Z'))).toBe('2026-11-01 01:30:00');
  });

  it('widens a query lower bound inside the first 01:xx hour to the start of the repeated hour', () => {
    expect(ny.queryLowerBound(utc('2026-11-01T05:30:00Z'))).toBe('2026-11-01 01:00:00');
    expect(ny.queryLowerBound(utc('2026-11-01T05:00:00Z'))).toBe('2026-11-01 01:00:00');
    expect(ny.queryLowerBound(utc('2026-11-01T05:59:59Z'))).toBe('2026-11-01 01:00:00');
  });

  it('keeps the plain wall reading as the lower bound outside the first 01:xx hour', () => {
    expect(ny.queryLowerBound(utc('2026-11-01T04:59:59Z'))).toBe('2026-11-01 00:59:59');
    expect(ny.queryLowerBound(utc('2026-11-01T06:00:00Z'))).toBe('2026-11-01 01:00:00');
    expect(ny.queryLowerBound(utc('2026-11-01T06:30:00Z'))).toBe('2026-11-01 01:30:00');
    expect(ny.queryLowerBound(utc('2026-11-01T07:00:00Z'))).toBe('2026-11-01 02:00:00');
    expect(ny.queryLowerBound(utc('2026-03-08T07:30:00Z'))).toBe('2026-03-08 03:30:00');
    expect(ny.queryLowerBound(utc('2026-07-01T12:00:00.750Z'))).toBe('2026-07-01 08:00:00');
  });

  it('gives a lower bound equal to the smallest wall reading of every later minute around the November change', () => {
    const start = utc('2026-11-01T03:00:00Z');
    const readings: string[] = [];
    for (let ms = start; ms < start + 8 * HOUR; ms += MINUTE) readings.push(ny.formatQuery(ms));
    for (let i = 0; i < 6 * 60; i++) {
      const smallest = readings.slice(i).reduce((a, b) => (b < a ? b : a));
      expect(ny.queryLowerBound(start + i * MINUTE), readings[i]).toBe(smallest);
    }
  });

  it('handles the end of local mean time in 1883 and the years Keap uses as placeholders', () => {
    expect(ny.compactToIsoUtc('19000101T00:00:00')).toBe('1900-01-01T05:00:00Z');
    // New York kept local mean time (-4:56:02) until noon on 1883-11-18.
    expect(ny.compactToIsoUtc('18831118T11:59:59')).toBe('1883-11-18T16:56:01Z');
    expect(ny.compactToIsoUtc('18831118T12:03:57')).toBe('1883-11-18T16:59:59Z');
    expect(ny.compactToIsoUtc('18831118T12:03:58')).toBe('1883-11-18T17:03:58Z');
    expect(ny.compactToIsoUtc('00010101T00:00:00')).toBe('0001-01-01T04:56:02Z');
    expect(ny.compactToIsoUtc('99991231T18:59:59')).toBe('9999-12-31T23:59:59Z');
    expect(ny.utcToWall(utc('0001-01-01T04:56:02Z'))).toEqual(wall(1, 1, 1, 0));
    expect(ny.wallToUtc(wall(1, 1, 1, 0))).toBe(utc('0001-01-01T04:56:02Z'));
    expect(ny.formatCompact(utc('0001-01-01T04:56:02Z'))).toBe('00010101T00:00:00');
  });

  it('returns null for text that is not a date, on the cached path as well', () => {
    for (const bad of ['', 'garbage', '20261301T00:00:00', '20260230T10:00:00', '20260230T10:00:00', '2026123xT10:00:00', '20261231T10:6x:00']) {
      expect(ny.compactToIsoUtc(bad), bad).toBeNull();
    }
  });

  it('converts the other accepted spellings the same as the compact one', () => {
    expect(ny.compactToIsoUtc('2017-12-08T11:56:04')).toBe('2017-12-08T16:56:04Z');
    expect(ny.compactToIsoUtc('20171208T115604')).toBe('2017-12-08T16:56:04Z');
    expect(ny.compactToIsoUtc(' 20171208T11:56:04 ')).toBe('2017-12-08T16:56:04Z');
  });
});

describe('KeapTimeZone in zones whose changes are not whole hours', () => {
  const lordHowe = new KeapTimeZone('Australia/Lord_Howe');
  const kathmandu = new KeapTimeZone('Asia/Kathmandu');

  it('repeats only 01:30-01:59 when Lord Howe ends its 30-minute DST, resolving to the first occurrence', () => {
    expect(lordHowe.compactToIsoUtc('20260405T01:29:59')).toBe('2026-04-04T14:29:59Z');
    expect(lordHowe.compactToIsoUtc('20260405T01:45:00')).toBe('2026-04-04T14:45:00Z');
    expect(lordHowe.compactToIsoUtc('20260405T02:00:00')).toBe('2026-04-04T15:30:00Z');
    expect(lordHowe.utcToWall(utc('2026-04-04T15:15:00Z'))).toEqual(wall(2026, 4, 5, 1, 45));
  });

  it('shifts Lord Howe wall times in the 30-minute October gap forward by 30 minutes', () => {
    expect(lordHowe.compactToIsoUtc('20261004T01:59:59')).toBe('2026-10-03T15:29:59Z');
    expect(lordHowe.compactToIsoUtc('20261004T02:15:00')).toBe('2026-10-03T15:45:00Z');
    expect(lordHowe.utcToWall(utc('2026-10-03T15:45:00Z'))).toEqual(wall(2026, 10, 4, 2, 45));
    expect(lordHowe.compactToIsoUtc('20261004T02:30:00')).toBe('2026-10-03T15:30:00Z');
  });

  it('round-trips every Lord Howe minute around both 2026 changes as specified', () => {
    for (const w of wallMinutes(wall(2026, 4, 4, 23), 6)) {
      expect(lordHowe.utcToWall(lordHowe.wallToUtc(w)), compact(w)).toEqual(w);
    }
    for (const w of wallMinutes(wall(2026, 10, 3, 23), 6)) {
      const inGap = w.day === 4 && w.hour === 2 && w.minute < 30;
      const expected = inGap ? { ...w, minute: w.minute + 30 } : w;
      expect(lordHowe.utcToWall(lordHowe.wallToUtc(w)), compact(w)).toEqual(expected);
      expect(lordHowe.compactToIsoUtc(compact(w))).toBe(uncachedIso(lordHowe, compact(w)));
    }
  });

  it('widens a Lord Howe lower bound inside the first 01:30-01:59 to 01:30', () => {
    expect(lordHowe.queryLowerBound(utc('2026-04-04T14:45:00Z'))).toBe('2026-04-05 01:30:00');
    expect(lordHowe.queryLowerBound(utc('2026-04-04T14:29:59Z'))).toBe('2026-04-05 01:29:59');
    expect(lordHowe.queryLowerBound(utc('2026-04-04T15:10:00Z'))).toBe('2026-04-05 01:40:00');
  });

  it('applies the +05:45 offset of Kathmandu, and its 1986 gap of 15 minutes', () => {
    expect(kathmandu.compactToIsoUtc('20261127T12:00:00')).toBe('2026-11-27T06:15:00Z');
    expect(kathmandu.compactToIsoUtc('20261127T00:07:30')).toBe('2026-11-26T18:22:30Z');
    expect(kathmandu.formatQuery(utc('2026-11-27T06:15:00Z'))).toBe('2026-11-27 12:00:00');
    expect(kathmandu.compactToIsoUtc('19851231T23:59:59')).toBe('1985-12-31T18:29:59Z');
    expect(kathmandu.compactToIsoUtc('19860101T00:10:00')).toBe('1985-12-31T18:40:00Z');
    expect(kathmandu.utcToWall(utc('1985-12-31T18:40:00Z'))).toEqual(wall(1986, 1, 1, 0, 25));
  });
});

describe('KeapTimeZone in Europe/London and UTC', () => {
  const london = new KeapTimeZone('Europe/London');
  const zulu = new KeapTimeZone('UTC');

  it('follows British Summer Time and its gap and repeat in 2026', () => {
    expect(london.compactToIsoUtc('20260115T12:00:00')).toBe('2026-01-15T12:00:00Z');
    expect(london.compactToIsoUtc('20260701T12:00:00')).toBe('2026-07-01T11:00:00Z');
    expect(london.compactToIsoUtc('20260329T01:30:00')).toBe('2026-03-29T01:30:00Z');
    expect(london.utcToWall(utc('2026-03-29T01:30:00Z'))).toEqual(wall(2026, 3, 29, 2, 30));
    expect(london.compactToIsoUtc('20261025T01:30:00')).toBe('2026-10-25T00:30:00Z');
    expect(london.queryLowerBound(utc('2026-10-25T00:30:00Z'))).toBe('2026-10-25 01:00:00');
  });

  it('uses London local mean time, 1 minute 15 seconds behind Greenwich, before 1847', () => {
    expect(london.compactToIsoUtc('18000101T00:00:00')).toBe('1800-01-01T00:01:15Z');
  });

  it('is the identity in UTC, from year 1 to year 9999', () => {
    expect(zulu.compactToIsoUtc('00010101T00:00:00')).toBe('0001-01-01T00:00:00Z');
    expect(zulu.compactToIsoUtc('99991231T23:59:59')).toBe('9999-12-31T23:59:59Z');
    expect(zulu.compactToIsoUtc('20261101T01:30:00')).toBe('2026-11-01T01:30:00Z');
    expect(zulu.formatQuery(utc('2026-11-01T01:30:00Z'))).toBe('2026-11-01 01:30:00');
    expect(zulu.queryLowerBound(utc('2026-11-01T01:30:00Z'))).toBe('2026-11-01 01:30:00');
    expect(zulu.utcToWall(utc('0001-01-01T00:00:00Z'))).toEqual(wall(1, 1, 1, 0));
  });
});

describe('KeapTimeZone names', () => {
  it('refuses an unknown zone when it is made, before anything is converted', () => {
    expect(() => new KeapTimeZone('Mars/Olympus_Mons')).toThrow("unknown time zone 'Mars/Olympus_Mons'");
    expect(() => new KeapTimeZone('')).toThrow("unknown time zone ''");
  });

  it('takes the names Intl does not list (links, other cases) as Intl does: US/Eastern and america/new_york read as New York', () => {
    expect(Intl.supportedValuesOf('timeZone')).not.toContain('US/Eastern');
    for (const name of ['US/Eastern', 'america/new_york']) {
      const tz = new KeapTimeZone(name);
      expect(tz.compactToIsoUtc('20260701T12:00:00'), name).toBe('2026-07-01T16:00:00Z');
      expect(tz.compactToIsoUtc('20260115T12:00:00'), name).toBe('2026-01-15T17:00:00Z');
    }
  });
});

describe('the hour cache of compactToIsoUtc', () => {
  it('agrees with the uncached conversion on 100k random instants across 1900-2100 in New York', () => {
    const tz = new KeapTimeZone('America/New_York');
    const reference = new KeapTimeZone('America/New_York');
    const random = mulberry32(20261127);
    const from = utc('1900-01-01T00:00:00Z');
    const span = utc('2100-12-31T23:59:59Z') - from;
    for (let i = 0; i < 100_000; i++) {
      const ms = from + Math.floor(random() * span);
      const text = reference.formatCompact(ms);
      const cached = tz.compactToIsoUtc(text);
      if (cached !== uncachedIso(reference, text)) expect(cached, text).toBe(uncachedIso(reference, text));
    }
  });

  it('stays correct after the cache passes its 100k-day limit and starts over', () => {
    // 103k draws over years 1-9999 hit ~101.5k distinct days, so the cache is cleared once.
    const tz = new KeapTimeZone('America/New_York');
    const reference = new KeapTimeZone('America/New_York');
    const random = mulberry32(99);
    for (let i = 0; i < 103_000; i++) {
      const text = compact(
        wall(1 + Math.floor(random() * 9999), 1 + Math.floor(random() * 12), 1 + Math.floor(random() * 28), Math.floor(random() * 24), 30, 15),
      );
      const cached = tz.compactToIsoUtc(text);
      if (cached === null) expect(cached, text).not.toBeNull();
      if (i % 7 === 0 && cached !== uncachedIso(reference, text)) expect(cached, text).toBe(uncachedIso(reference, text));
    }
    expect(tz.compactToIsoUtc('20171208T11:56:04')).toBe('2017-12-08T16:56:04Z');
  });

  it('agrees with the uncached conversion on random wall texts, gaps and repeats included, in five zones', () => {
    const random = mulberry32(7);
    for (const zone of ['America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Europe/London', 'UTC']) {
      const tz = new KeapTimeZone(zone);
      const reference = new KeapTimeZone(zone);
      for (let i = 0; i < 20_000; i++) {
        const year = 1900 + Math.floor(random() * 201);
        const month = 1 + Math.floor(random() * 12);
        const day = 1 + Math.floor(random() * 28);
        const hour = Math.floor(random() * 24);
        const text = compact(wall(year, month, day, hour, Math.floor(random() * 60), Math.floor(random() * 60)));
        const cached = tz.compactToIsoUtc(text);
        if (cached !== uncachedIso(reference, text)) expect(cached, `${zone} ${text}`).toBe(uncachedIso(reference, text));
      }
    }
  });

  it('agrees with the uncached conversion every second across the end of New York local mean time, whose offset has seconds', () => {
    const tz = new KeapTimeZone('America/New_York');
    const reference = new KeapTimeZone('America/New_York');
    const base = Date.UTC(1883, 10, 18, 11, 55, 0);
    for (let i = 0; i < 15 * 60; i++) {
      const d = new Date(base + i * 1000);
      const text = compact(wall(1883, 11, 18, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
      const cached = tz.compactToIsoUtc(text);
      if (cached !== uncachedIso(reference, text)) expect(cached, text).toBe(uncachedIso(reference, text));
    }
  });

  it('agrees with the uncached conversion every 10 minutes around every New York and Lord Howe change from 1900 to 2100', () => {
    for (const zone of ['America/New_York', 'Australia/Lord_Howe']) {
      const tz = new KeapTimeZone(zone);
      const reference = new KeapTimeZone(zone);
      // Find each change to within a day, then sweep the wall clock across it.
      let previous = offsetOf(reference, utc('1900-01-01T00:00:00Z'));
      let changes = 0;
      for (let day = utc('1900-01-02T00:00:00Z'); day < utc('2101-01-01T00:00:00Z'); day += 24 * HOUR) {
        const offset = offsetOf(reference, day);
        if (offset === previous) continue;
        previous = offset;
        changes++;
        const w = reference.utcToWall(day - 24 * HOUR);
        for (const m of wallMinutes(wall(w.year, w.month, w.day, 0), 48)) {
          if (m.minute % 10 !== 0) continue;
          const text = compact(m);
          const cached = tz.compactToIsoUtc(text);
          if (cached !== uncachedIso(reference, text)) expect(cached, `${zone} ${text}`).toBe(uncachedIso(reference, text));
        }
      }
      expect(changes).toBeGreaterThan(100);
    }
  });
});

function offsetOf(tz: KeapTimeZone, ms: number): number {
  const w = tz.utcToWall(ms);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - ms;
}

describe('KeapTimeZone construction', () => {
  it('throws a one-line error naming an unknown zone', () => {
    expect(() => new KeapTimeZone('Mars/Olympus_Mons')).toThrow(new Error("unknown time zone 'Mars/Olympus_Mons'"));
    expect(() => new KeapTimeZone('')).toThrow("unknown time zone ''");
  });

  it('keeps the zone name it was given', () => {
    expect(new KeapTimeZone('America/New_York').zone).toBe('America/New_York');
  });

  it('refuses a wall time that is not a calendar time', () => {
    expect(() => new KeapTimeZone('UTC').wallToUtc(wall(2026, 2, 30, 0))).toThrow(RangeError);
  });
});
