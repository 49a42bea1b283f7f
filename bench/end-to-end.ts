import { cpus } from 'node:os';
import {
  configuredCatalog,
  log,
  median,
  runConnector,
  sandboxConfig,
  scratchDir,
  startSandboxProcess,
  stateSummary,
  type ConnectorRun,
} from './harness.js';

/**
 * End to end (and scale): `read` of the contacts from a sandbox of N contacts at zero latency,
 * stdout counted and discarded: through XML-RPC, the `contact` table stream (86 fields, custom fields
 * included, as discover offers it); through REST v2, the `contacts` resource stream (every field
 * Keap's spec lists, nested addresses, emails and phones, custom fields as columns).
 *
 * The sandbox runs in its own process with its page cache on and gzip off, and each size is read
 * once before the measured runs so every page is already rendered: the measured runs cost the
 * sandbox a cache lookup and a socket write per page (its CPU is reported beside the connector's).
 * The connector runs with its defaults (page_size 1000, concurrency 2) and quotas set out of the
 * way; its CPU time and peak RSS come from inside its own process (bench/usage-hook.ts).
 */

export interface RunFigures {
  wallMs: number;
  records: number;
  recordsPerSec: number;
  cpuUs: number;
  cpuUsPerRecord: number;
  userUs: number;
  systemUs: number;
  peakRssMb: number;
  /** The sandbox's CPU during this run, ms (Linux). */
  sandboxCpuMs: number | undefined;
}

export interface SizeResult {
  contacts: number;
  runs: RunFigures[];
  /** Best of the runs: highest records/s, lowest CPU per record (least disturbed by other load). */
  best: { recordsPerSec: number; cpuUsPerRecord: number; wallMs: number };
  median: { recordsPerSec: number; cpuUsPerRecord: number; peakRssMb: number };
  /** Highest peak RSS of the runs (the conservative figure). */
  peakRssMb: number;
  /** CPU per record less the fixed cost of starting a read (see startup). */
  bestCpuUsPerRecordAfterStartup: number;
}

export interface EndToEndResult {
  /** A read of a 4-row table: what any read costs before its first record. */
  startup: { cpuMs: number; wallMs: number; peakRssMb: number };
  sizes: SizeResult[];
}

const QUOTAS_OUT_OF_THE_WAY = ['--per-second', '1000000', '--per-minute', '100000000', '--per-day', '1000000000'];

function figures(run: ConnectorRun, sandboxCpuMs: number | undefined): RunFigures {
  const cpuUs = run.userUs + run.systemUs;
  return {
    wallMs: run.wallMs,
    records: run.records,
    recordsPerSec: run.records / (run.wallMs / 1000),
    cpuUs,
    cpuUsPerRecord: cpuUs / Math.max(1, run.records),
    userUs: run.userUs,
    systemUs: run.systemUs,
    peakRssMb: run.maxRssKb / 1024,
    sandboxCpuMs,
  };
}

/** A read must end well and account for every row, or its figures mean nothing. */
function check(run: ConnectorRun, stream: string, expected: number): void {
  if (run.exitCode !== 0) throw new Error(`read of ${stream} exited ${run.exitCode}: ${run.stderr.slice(-2000)}`);
  if (run.records !== expected) throw new Error(`read of ${stream}: ${run.records} RECORD lines, expected ${expected}`);
  const st = stateSummary(run.messages).get(stream);
  if (st === undefined || st.records !== expected || !st.finished) {
    throw new Error(`read of ${stream}: STATE messages count ${st?.records ?? 0} records (finished: ${st?.finished ?? false}), expected ${expected}`);
  }
}

export type BenchApi = 'xmlrpc' | 'rest';

/** The stream read, and a tiny one whose read measures what any read costs before its first record. */
const STREAMS: Record<BenchApi, { main: string; tiny: string }> = {
  xmlrpc: { main: 'contact', tiny: 'user' },
  rest: { main: 'contacts', tiny: 'tag_categories' },
};

export async function benchEndToEnd(sizes: readonly { contacts: number; runs: number }[], api: BenchApi = 'xmlrpc'): Promise<EndToEndResult> {
  const streams = STREAMS[api];
  let startup: EndToEndResult['startup'] | undefined;
  const results: SizeResult[] = [];
  for (const { contacts, runs } of sizes) {
    log(`end to end (${api}): starting a sandbox of ${contacts.toLocaleString('en-US')} contacts`);
    const sb = await startSandboxProcess(['--seed', '1', '--contacts', String(contacts), '--cache-pages', '--no-gzip', ...QUOTAS_OUT_OF_THE_WAY]);
    const s = scratchDir();
    try {
      const config = s.write('config.json', sandboxConfig(sb.info, { api, requests_per_second: 1_000_000, requests_per_minute: 100_000_000, requests_per_day: 1_000_000_000 }));
      const catalog = s.write('catalog.json', await configuredCatalog(config, [streams.main]));
      if (startup === undefined) {
        const small = s.write('catalog-small.json', await configuredCatalog(config, [streams.tiny]));
        const tiny: ConnectorRun[] = [];
        for (let i = 0; i < 3; i++) tiny.push(await runConnector(['read', '--config', config, '--catalog', small], { measure: true }));
        for (const t of tiny) if (t.exitCode !== 0) throw new Error(`read of ${streams.tiny} exited ${t.exitCode}: ${t.stderr.slice(-2000)}`);
        startup = {
          cpuMs: Math.min(...tiny.map((t) => (t.userUs + t.systemUs) / 1000)),
          wallMs: Math.min(...tiny.map((t) => t.wallMs)),
          peakRssMb: Math.max(...tiny.map((t) => t.maxRssKb / 1024)),
        };
      }
      // Renders every page into the sandbox's cache; checked, not measured.
      const warm = await runConnector(['read', '--config', config, '--catalog', catalog], { measure: false });
      check(warm, streams.main, contacts);
      const measured: RunFigures[] = [];
      for (let i = 0; i < runs; i++) {
        const before = sb.cpuMs();
        const run = await runConnector(['read', '--config', config, '--catalog', catalog], { measure: true });
        const after = sb.cpuMs();
        check(run, streams.main, contacts);
        const f = figures(run, before === undefined || after === undefined ? undefined : after - before);
        measured.push(f);
        log(
          `  ${api} ${contacts} contacts, run ${i + 1}/${runs}: ${Math.round(f.recordsPerSec)} records/s, ${f.cpuUsPerRecord.toFixed(1)} CPU us/record, ` +
            `peak RSS ${f.peakRssMb.toFixed(0)} MB, sandbox CPU ${f.sandboxCpuMs ?? '?'} ms`,
        );
      }
      const best = measured.reduce((a, b) => (b.cpuUsPerRecord < a.cpuUsPerRecord ? b : a));
      results.push({
        contacts,
        runs: measured,
        best: {
          recordsPerSec: Math.max(...measured.map((m) => m.recordsPerSec)),
          cpuUsPerRecord: best.cpuUsPerRecord,
          wallMs: Math.min(...measured.map((m) => m.wallMs)),
        },
        median: {
          recordsPerSec: median(measured.map((m) => m.recordsPerSec)),
          cpuUsPerRecord: median(measured.map((m) => m.cpuUsPerRecord)),
          peakRssMb: median(measured.map((m) => m.peakRssMb)),
        },
        peakRssMb: Math.max(...measured.map((m) => m.peakRssMb)),
        bestCpuUsPerRecordAfterStartup: Math.max(0, (best.cpuUs - (startup?.cpuMs ?? 0) * 1000) / contacts),
      });
    } finally {
      s.remove();
      await sb.stop();
    }
  }
  if (startup === undefined) throw new Error('no sizes to measure');
  return { startup, sizes: results };
}

/** The machine as the figures were taken on it. */
export function machineCpus(): { count: number; model: string } {
  const c = cpus();
  return { count: c.length, model: c[0]?.model ?? 'unknown' };
}
