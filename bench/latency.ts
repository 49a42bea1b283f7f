import { configuredCatalog, log, runConnector, sandboxConfig, scratchDir, startSandboxProcess, stateSummary, type Json } from './harness.js';

/**
 * Latency and quota: 20 table streams against a sandbox that waits LATENCY_MS before every answer
 * and enforces RATE requests a second (Keap's API-key spike limit), with the connector at
 * CONCURRENCY. The connector must keep the quota busy and the long streams going in parallel with
 * the short ones, and ask for little beyond the pages it needs.
 *
 * Size: 24,300 contacts, so the streams run from 2 to 49 pages (no table a multiple of 1000 rows,
 * so a stream needs exactly ceil(rows / 1000) pages). The bound, by the three things that limit any
 * client, for the minimum number of requests (the pages):
 *   rate:        pages / RATE
 *   concurrency: ceil(pages / CONCURRENCY) x LATENCY
 *   sequence:    the longest stream's pages x LATENCY (keyset pages follow one another)
 * bound = the largest of the three. Requests allowed per stream: its pages + 2 (the row count the
 * connector asks for beside the first page, and one to spare).
 */

export const LATENCY_MS = 300;
export const RATE = 10;
/** Not binding (the run makes ~250 requests): per-second is the limit under test. */
export const PER_MINUTE = 600;
export const CONCURRENCY = 4;
export const CONTACTS = 24_300;
export const PAGE = 1000;
export const STREAMS = [
  'c_charge',
  'campaignee',
  'company',
  'contact',
  'contact_action',
  'contact_group_assign',
  'credit_card',
  'email_add_status',
  'invoice',
  'invoice_item',
  'invoice_payment',
  'job',
  'job_recurring_instance',
  'lead',
  'order_item',
  'pay_plan_item',
  'payment',
  'product_interest',
  'referral',
  'stage_move',
] as const;

export interface StreamFigures {
  stream: string;
  records: number;
  /** ceil(records / 1000), at least 1. */
  minimum: number;
  requests: number;
  /** requests <= minimum + 2 */
  ok: boolean;
}

export interface LatencyResult {
  settings: { latencyMs: number; ratePerSecond: number; perMinute: number; concurrency: number; contacts: number; pageSize: number };
  streams: StreamFigures[];
  minimumRequests: number;
  requests: number;
  /** Requests the client sent, retries included (its http_request_count). */
  requestsSent: number;
  retries: number;
  bound: { ms: number; rateMs: number; concurrencyMs: number; sequenceMs: number; limitedBy: 'rate' | 'concurrency' | 'sequence' };
  /** Spawn to exit of the connector. */
  wallMs: number;
  /** First stream STARTED to last stream COMPLETE (the API part of the run). */
  syncMs: number;
  wallOverBound: number;
  syncOverBound: number;
  requestsOverMinimum: number;
  allStreamsWithinMinimumPlus2: boolean;
}

export async function benchLatency(): Promise<LatencyResult> {
  log(`latency: sandbox of ${CONTACTS} contacts, ${LATENCY_MS} ms per call, ${RATE}/s; connector concurrency ${CONCURRENCY}`);
  const sb = await startSandboxProcess([
    '--seed',
    '2',
    '--contacts',
    String(CONTACTS),
    '--latency-ms',
    String(LATENCY_MS),
    '--per-second',
    String(RATE),
    '--per-minute',
    String(PER_MINUTE),
    '--per-day',
    '1000000',
  ]);
  const s = scratchDir();
  try {
    const config = s.write(
      'config.json',
      // metrics: the request total is read from the http_request_count METRIC line.
      sandboxConfig(sb.info, { page_size: PAGE, concurrency: CONCURRENCY, requests_per_second: RATE, requests_per_minute: PER_MINUTE, metrics: true }),
    );
    // Discover runs at the same latency and quota; wait for a fresh second before the read.
    const catalog = s.write('catalog.json', await configuredCatalog(config, STREAMS));
    await new Promise((r) => setTimeout(r, 2000));
    const run = await runConnector(['read', '--config', config, '--catalog', catalog], { measure: true });
    if (run.exitCode !== 0) throw new Error(`latency read exited ${run.exitCode}: ${run.stderr.slice(-3000)}`);
    const states = stateSummary(run.messages);
    const streams: StreamFigures[] = [];
    for (const name of STREAMS) {
      const st = states.get(name);
      const summary = logSummary(run.messages, name);
      if (st === undefined || !st.finished || summary === undefined) throw new Error(`latency read: stream ${name} did not finish`);
      if (summary.records !== st.records) throw new Error(`latency read: ${name} logged ${summary.records} records, its STATEs count ${st.records}`);
      const minimum = Math.max(1, Math.ceil(st.records / PAGE));
      streams.push({ stream: name, records: st.records, minimum, requests: summary.requests, ok: summary.requests <= minimum + 2 });
    }
    const total = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
    const minimumRequests = total(streams.map((x) => x.minimum));
    const requests = total(streams.map((x) => x.requests));
    const sent = requestCount(run.stderr);
    const rateMs = (minimumRequests / RATE) * 1000;
    const concurrencyMs = Math.ceil(minimumRequests / CONCURRENCY) * LATENCY_MS;
    const sequenceMs = Math.max(...streams.map((x) => x.minimum)) * LATENCY_MS;
    const boundMs = Math.max(rateMs, concurrencyMs, sequenceMs);
    const limitedBy = boundMs === rateMs ? 'rate' : boundMs === concurrencyMs ? 'concurrency' : 'sequence';
    const syncMs = syncSpan(run.messages);
    const result: LatencyResult = {
      settings: { latencyMs: LATENCY_MS, ratePerSecond: RATE, perMinute: PER_MINUTE, concurrency: CONCURRENCY, contacts: CONTACTS, pageSize: PAGE },
      streams,
      minimumRequests,
      requests,
      requestsSent: sent.count ?? requests,
      retries: sent.retries ?? 0,
      bound: { ms: boundMs, rateMs, concurrencyMs, sequenceMs, limitedBy },
      wallMs: run.wallMs,
      syncMs,
      wallOverBound: run.wallMs / boundMs,
      syncOverBound: syncMs / boundMs,
      requestsOverMinimum: requests / minimumRequests,
      allStreamsWithinMinimumPlus2: streams.every((x) => x.ok) && (sent.count ?? requests) <= minimumRequests + 2 * streams.length,
    };
    log(
      `  ${requests} requests (${result.requestsSent} sent, ${result.retries} retries) for ${minimumRequests} pages; ` +
        `wall ${(run.wallMs / 1000).toFixed(1)} s, sync ${(syncMs / 1000).toFixed(1)} s, bound ${(boundMs / 1000).toFixed(1)} s (${limitedBy})`,
    );
    return result;
  } finally {
    s.remove();
    await sb.stop();
  }
}

/** The engine's closing LOG line for a stream: "name: N records, M requests, T s". */
function logSummary(messages: readonly Json[], stream: string): { records: number; requests: number } | undefined {
  const re = new RegExp(`^${stream}: (\\d+) records?, (\\d+) requests?,`);
  for (const m of messages) {
    if (m['type'] !== 'LOG') continue;
    const msg = (m['log'] as { message?: string } | undefined)?.message ?? '';
    const hit = re.exec(msg);
    if (hit) return { records: Number(hit[1]), requests: Number(hit[2]) };
  }
  return undefined;
}

/** The client's own total (http_request_count, retries included) from its stderr metric line. */
function requestCount(stderr: string): { count: number | undefined; retries: number | undefined } {
  const hit = /"metric":"http_request_count","value":(\d+),"tags":\{"retries":(\d+)\}/.exec(stderr);
  return { count: hit ? Number(hit[1]) : undefined, retries: hit ? Number(hit[2]) : undefined };
}

/** From the first STARTED to the last COMPLETE stream status. */
function syncSpan(messages: readonly Json[]): number {
  let first = Infinity;
  let last = -Infinity;
  for (const m of messages) {
    if (m['type'] !== 'TRACE') continue;
    const t = m['trace'] as { type?: string; emitted_at?: number; stream_status?: { status?: string } };
    if (t.type !== 'STREAM_STATUS' || t.emitted_at === undefined) continue;
    if (t.stream_status?.status === 'STARTED') first = Math.min(first, t.emitted_at);
    if (t.stream_status?.status === 'COMPLETE') last = Math.max(last, t.emitted_at);
  }
  return Number.isFinite(first) && Number.isFinite(last) ? last - first : Number.NaN;
}
