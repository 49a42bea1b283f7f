import { formatIsoUtc } from '../keap/dates.js';
import { resolveDateWindow, type DateWindow, type DateWindowConfig } from './report-dates.js';
import type { StreamState } from './state.js';
import type { ReadContext } from './table-reader.js';

/**
 * The window a date-window report reads in one run (issue 14's rule, kept on REST): resumed as it
 * was; a full refresh reads the configured window; an incremental sync reads from where the
 * previous one's window ended (less lookback; the configured start for the first) to the configured
 * end, never past this run's start. A fixed end date stays where the user put it in every sync
 * mode; only an open end (or one counted in days back) moves. The end read goes into the state as
 * `window_end`, the next sync's start.
 */

export const WINDOW_END = 'window_end';

export function reportWindow(dates: DateWindowConfig, prev: StreamState, incremental: boolean, startedMs: number, ctx: ReadContext): DateWindow {
  const configured = resolveDateWindow(dates, ctx.tz, startedMs);
  const endMs = incremental ? Math.min(configured.endMs, startedMs) : configured.endMs;
  const resumedSince = prev.in_progress?.since;
  if (resumedSince !== undefined) return { startMs: Date.parse(resumedSince), endMs };
  if (!incremental) return configured;
  const bound = windowBound(prev);
  return { startMs: bound !== undefined ? Date.parse(bound) - ctx.lookbackMs : configured.startMs, endMs };
}

/** What the finished pass's state keeps: the later of the previous window's end and this one's. */
export function finalWindowEnd(prev: StreamState, window: DateWindow): string {
  const end = formatIsoUtc(window.endMs);
  const before = windowBound(prev);
  return before !== undefined && Date.parse(before) > window.endMs ? before : end;
}

/** Where the previous sync's window ended; states written before `window_end` was kept: its start. */
function windowBound(prev: StreamState): string | undefined {
  const end = prev[WINDOW_END];
  return typeof end === 'string' ? end : prev.LastSuccessfulRun;
}
