import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { recordSecrets } from './helpers/audit.js';
import { errors, harness, logs, records, sandboxConfig, states, streamState, type Harness } from './helpers/report-harness.js';
import { restUrlOf } from './helpers/sandbox.js';

/**
 * Date-window reports on REST v2: the window's days (in the app's zone) become the endpoint's time
 * filters; a fixed historical end stays where the user put it in every sync mode (issue 14's rule),
 * later syncs continue from the `window_end` kept in the state; and a pass killed between
 * affiliates resumes after the last one it finished.
 */

let sb: Sandbox;
let h: Harness;

beforeAll(async () => {
  sb = await startSandbox({ seed: 3, contacts: 100, quotas: { perSecond: 100_000, perMinute: 1_000_000, perDay: 10_000_000 } });
  recordSecrets(sb.credentials.api_key);
  const reports = [
    { report: 'affiliate_commissions', stream: 'fixed', dates: { duration: 'date_range', start: { bound: 'date', date: '2019-01-01' }, end: { bound: 'date', date: '2022-06-30' } } },
    { report: 'affiliate_commissions', stream: 'open', dates: { duration: 'days_back', days_back: 5000 } },
  ];
  h = harness(sandboxConfig(sb, reports, { api: 'rest', rest_url: restUrlOf(sb), resources: ['tags'] }));
});
afterAll(async () => {
  await sb?.close();
});

describe('date-window reports on REST v2', () => {
  it('keep a fixed end in incremental syncs, the first included, and then read nothing new', async () => {
    const first = await h.read(['fixed'], { mode: 'incremental' });
    expect(errors(first.messages)).toEqual([]);
    const rows = records(first.messages, 'fixed');
    expect(rows.length).toBeGreaterThan(0);
    // 2022-06-30 23:59:59 in New York is 2022-07-01 03:59:59 UTC: no commission after it.
    for (const r of rows) expect(Date.parse(String(r['time_earned']))).toBeLessThanOrEqual(Date.parse('2022-07-01T03:59:59Z'));
    // Compared as instants: a time already ISO 8601 UTC is written as it is, with or without milliseconds.
    const at = (v: unknown): number => Date.parse(String(v));
    expect(rows.every((r) => at(r['window_end']) === at('2022-07-01T03:59:59Z') && at(r['window_start']) === at('2019-01-01T05:00:00Z'))).toBe(true);
    const state = streamState(states(first.messages, 'fixed').at(-1) ?? {});
    expect(state['window_end']).toBe('2022-07-01T03:59:59Z');
    const second = await h.read(['fixed'], { mode: 'incremental', state: { fixed: state } });
    expect(records(second.messages, 'fixed')).toEqual([]);
    expect(logs(second.messages).some((l) => /fixed: the date window .* is empty; nothing to read/.test(l))).toBe(true);
    expect(streamState(states(second.messages, 'fixed').at(-1) ?? {})['window_end']).toBe('2022-07-01T03:59:59Z');
  });

  it('continue an open window from the previous window_end', async () => {
    const first = await h.read(['open'], { mode: 'incremental' });
    const all = records(first.messages, 'open');
    expect(all.length).toBeGreaterThan(records((await h.read(['fixed'])).messages, 'fixed').length);
    const state = streamState(states(first.messages, 'open').at(-1) ?? {});
    const end = String(state['window_end']);
    const second = await h.read(['open'], { mode: 'incremental', state: { open: state } });
    const again = records(second.messages, 'open');
    // The second window starts where the first ended: only commissions from then on, and the sandbox
    // earned none since (a pass that read the configured window again would bring them all back).
    expect(all.length).toBeGreaterThan(0);
    expect(again).toEqual([]);
    expect(Date.parse(String(streamState(states(second.messages, 'open').at(-1) ?? {})['window_end']))).toBeGreaterThanOrEqual(Date.parse(end));
  });

  it('resume a pass after the last affiliate it finished', async () => {
    const full = records((await h.read(['open'])).messages, 'open');
    const state = { in_progress: { started_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), since: '2010-01-01T00:00:00Z', parent_after: '10' } };
    const resumed = await h.read(['open'], { state: { open: state } });
    expect(errors(resumed.messages)).toEqual([]);
    expect(logs(resumed.messages).some((l) => l.startsWith('open: resuming the pass started'))).toBe(true);
    const ids = new Set(records(resumed.messages, 'open').map((r) => Number(r['affiliate_id'])));
    expect([...ids].every((id) => id > 10)).toBe(true);
    expect(records(resumed.messages, 'open').length).toBe(full.filter((r) => Number(r['affiliate_id']) > 10).length);
  });
});
