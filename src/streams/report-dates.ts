import type { KeapTimeZone } from '../keap/dates.js';
import type { JsonSchema } from './json-schema.js';

/**
 * The report menu's date window (Duration / Report Date / Days Back / Start Date / End Date) as
 * config: one of
 *   {"duration": "report_date", "report_date": "2024-03-01"}     that whole day
 *   {"duration": "days_back", "days_back": 30}                   from 00:00 thirty days ago until now
 *   {"duration": "date_range", "start": END, "end": END?}        each END {"bound": "date", "date": "2024-01-01"}
 *                                                                or {"bound": "days_back", "days_back": 7};
 *                                                                no end = now
 * Days are days of the Keap app's time zone: a start is 00:00:00 of its day, an end 23:59:59.
 * Each level is a oneOf keyed on one const, so Airbyte's form renders it as a dropdown.
 */

export type RangeEnd = { bound: 'date'; date: string } | { bound: 'days_back'; days_back: number };

export type DateWindowConfig =
  | { duration: 'report_date'; report_date: string }
  | { duration: 'days_back'; days_back: number }
  | { duration: 'date_range'; start: RangeEnd; end?: RangeEnd };

export interface DateWindow {
  startMs: number;
  endMs: number;
}

const DAY_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
const MAX_DAYS_BACK = 36_500;

function dayField(title: string, description: string): JsonSchema {
  return {
    type: 'string',
    title,
    description,
    format: 'date',
    pattern: DAY_PATTERN,
    pattern_descriptor: 'YYYY-MM-DD',
    examples: ['2024-03-01'],
    order: 1,
  };
}

function daysBackField(description: string): JsonSchema {
  return { type: 'integer', title: 'Days back', description, minimum: 0, maximum: MAX_DAYS_BACK, examples: [30], order: 1 };
}

function rangeEndSchema(which: 'start' | 'end'): JsonSchema {
  const edge = which === 'start' ? '00:00:00' : '23:59:59';
  return {
    type: 'object',
    title: which === 'start' ? 'Start' : 'End',
    description:
      which === 'start'
        ? 'Where the window starts: a specific date, or a number of days before today.'
        : 'Where the window ends: a specific date, or a number of days before today. Leave empty to end now.',
    order: which === 'start' ? 1 : 2,
    oneOf: [
      {
        title: 'Specific date',
        type: 'object',
        required: ['bound', 'date'],
        additionalProperties: true,
        properties: {
          bound: { type: 'string', const: 'date', default: 'date', order: 0 },
          date: dayField(which === 'start' ? 'Start date' : 'End date', `The ${which} day (its ${edge} in the Keap app's time zone).`),
        },
      },
      {
        title: 'Days back',
        type: 'object',
        required: ['bound', 'days_back'],
        additionalProperties: true,
        properties: {
          bound: { type: 'string', const: 'days_back', default: 'days_back', order: 0 },
          days_back: daysBackField(`The ${which} as a number of days before today (0 = today; the day's ${edge}).`),
        },
      },
    ],
  };
}

/** The `dates` parameter's JSON Schema, for spec.json. */
export function datesSchema(): JsonSchema {
  return {
    type: 'object',
    title: 'Date window',
    description:
      "Which dates the report covers (the report menu's Duration). Days are days in the Keap app's time zone. " +
      'Incremental syncs read from where the previous sync ended (the first from the window\'s start) to the window\'s end: ' +
      'a fixed end date holds in every sync mode; an open end, or one in days back, moves with the day.',
    display_type: 'dropdown',
    oneOf: [
      {
        title: 'Report date (one day)',
        type: 'object',
        required: ['duration', 'report_date'],
        additionalProperties: true,
        properties: {
          duration: { type: 'string', const: 'report_date', default: 'report_date', order: 0 },
          report_date: dayField('Report date', 'The one day the report covers, 00:00:00 to 23:59:59.'),
        },
      },
      {
        title: 'Days back (until now)',
        type: 'object',
        required: ['duration', 'days_back'],
        additionalProperties: true,
        properties: {
          duration: { type: 'string', const: 'days_back', default: 'days_back', order: 0 },
          days_back: daysBackField('From 00:00:00 this many days before today until now (0 = today so far).'),
        },
      },
      {
        title: 'Date range',
        type: 'object',
        required: ['duration', 'start'],
        additionalProperties: true,
        properties: {
          duration: { type: 'string', const: 'date_range', default: 'date_range', order: 0 },
          start: rangeEndSchema('start'),
          end: rangeEndSchema('end'),
        },
      },
    ],
  };
}

interface Day {
  year: number;
  month: number;
  day: number;
}

/** 'YYYY-MM-DD' -> a calendar day, or null when there is no such day (2024-02-30). */
export function parseDay(text: string): Day | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const probe = new Date(Date.UTC(d.year, d.month - 1, d.day));
  if (probe.getUTCFullYear() !== d.year || probe.getUTCMonth() !== d.month - 1 || probe.getUTCDate() !== d.day) return null;
  return d;
}

/**
 * Checks what the schema cannot: real calendar days and a range that does not end before it
 * starts (when both ends are the same kind). Returns the problem as "key: message", or undefined.
 */
export function checkDateWindow(w: DateWindowConfig): string | undefined {
  if (w.duration === 'report_date') return parseDay(w.report_date) ? undefined : `dates.report_date: '${w.report_date}' is not a calendar date`;
  if (w.duration === 'days_back') return undefined;
  for (const [name, end] of [['start', w.start], ['end', w.end]] as const) {
    if (end?.bound === 'date' && !parseDay(end.date)) return `dates.${name}.date: '${end.date}' is not a calendar date`;
  }
  const { start, end } = w;
  if (end && start.bound === 'date' && end.bound === 'date' && start.date > end.date) {
    return `dates: the range ends (${end.date}) before it starts (${start.date})`;
  }
  if (end && start.bound === 'days_back' && end.bound === 'days_back' && start.days_back < end.days_back) {
    return `dates: the range ends (${end.days_back} days back) before it starts (${start.days_back} days back)`;
  }
  return undefined;
}

function shiftDays(d: Day, days: number): Day {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day - days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

function edgeOf(tz: KeapTimeZone, d: Day, edge: 'start' | 'end'): number {
  return edge === 'start'
    ? tz.wallToUtc({ ...d, hour: 0, minute: 0, second: 0 })
    : tz.wallToUtc({ ...d, hour: 23, minute: 59, second: 59 });
}

function endMs(tz: KeapTimeZone, today: Day, end: RangeEnd, edge: 'start' | 'end'): number {
  const day = end.bound === 'date' ? (parseDay(end.date) as Day) : shiftDays(today, end.days_back);
  return edgeOf(tz, day, edge);
}

/** The configured window as instants; "now" and "today" are the run's start in the app zone. */
export function resolveDateWindow(w: DateWindowConfig, tz: KeapTimeZone, nowMs: number): DateWindow {
  const wall = tz.utcToWall(nowMs);
  const today: Day = { year: wall.year, month: wall.month, day: wall.day };
  switch (w.duration) {
    case 'report_date': {
      const d = parseDay(w.report_date) as Day;
      return { startMs: edgeOf(tz, d, 'start'), endMs: edgeOf(tz, d, 'end') };
    }
    case 'days_back':
      return { startMs: edgeOf(tz, shiftDays(today, w.days_back), 'start'), endMs: nowMs };
    case 'date_range':
      return { startMs: endMs(tz, today, w.start, 'start'), endMs: w.end ? endMs(tz, today, w.end, 'end') : nowMs };
  }
}
