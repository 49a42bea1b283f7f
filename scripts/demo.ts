/**
 * `npm start`: the connector's main job on the embedded sandbox, the way a user would run it.
 * Starts a Keap double with a realistic account, runs `discover`, a full sync of every REST v2
 * resource and a few report streams, changes some rows, runs an incremental sync from the saved
 * state, and writes one JSONL file per stream and sync (output/full/, output/incremental/) plus the
 * final state under ./output/. Progress goes to stderr (bars on a terminal, plain lines otherwise);
 * the summary table goes to stdout.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import split2 from 'split2';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { restStreams } from '../src/streams/rest-registry.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/src/main.js');
const OUT = join(ROOT, 'output');
const tty = process.stderr.isTTY === true;

interface StreamStats {
  records: number;
  requests: number;
  seconds: number;
  estimate: number;
  done: boolean;
}

interface SyncResult {
  code: number;
  stats: Map<string, StreamStats>;
  states: Map<string, unknown>;
  seconds: number;
  rotated: boolean;
}

type Msg = Record<string, unknown>;

const DEMO_QUOTAS = { perSecond: 250, perMinute: 15_000 };

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  // Quotas ten times Keap's, on both sides: the demo shows a whole account in well under a minute,
  // and order_payments asks once per order. Against Keap the connector keeps to Keap's quotas.
  const sandbox = await startSandbox({ seed: 42, contacts: 5000, quotas: { oauth: DEMO_QUOTAS } });
  try {
    const config = writeConfig(sandbox);
    say(`Sandbox Keap app at ${sandbox.restUrl} (REST v2; 5,000 contacts, tags, orders, affiliates, saved searches).`);

    const discovered = await runJson(['discover', '--config', config]);
    const catalogMsg = discovered.find((m) => m['type'] === 'CATALOG') as { catalog: { streams: Msg[] } } | undefined;
    if (!catalogMsg) throw new Error('discover printed no catalog');
    const catalog = join(OUT, 'catalog.json');
    writeFileSync(catalog, JSON.stringify(configured(catalogMsg.catalog.streams), null, 2));
    const reports = catalogMsg.catalog.streams.length - restStreams().length;
    say(`discover: ${catalogMsg.catalog.streams.length} streams (${restStreams().length} REST v2 resources with this account's custom fields, ${reports} reports). Catalog in output/catalog.json.`);

    say('\nFull sync (records in output/full/)');
    const full = await sync(['read', '--config', config, '--catalog', catalog], join(OUT, 'full'));
    const statePath = join(OUT, 'state.json');
    writeState(statePath, full.states);

    const changes = changeRows(sandbox);
    say(`\nMeanwhile in Keap: ${changes}.`);
    say('\nIncremental sync (from output/state.json; records in output/incremental/)');
    const incremental = await sync(['read', '--config', config, '--catalog', catalog, '--state', statePath], join(OUT, 'incremental'));
    writeState(statePath, new Map([...full.states, ...incremental.states]));

    printSummary(full, incremental);
    if (full.code !== 0 || incremental.code !== 0) process.exitCode = 1;
  } finally {
    await sandbox.close();
  }
}

function writeConfig(sandbox: Sandbox): string {
  const data = sandbox.data;
  const tag = data.table('ContactGroup').get(1)?.['GroupName'];
  const config = {
    credentials: {
      auth_type: 'oauth2',
      client_id: sandbox.credentials.client_id,
      client_secret: sandbox.credentials.client_secret,
      refresh_token: sandbox.credentials.refresh_token,
    },
    rest_url: sandbox.restUrl,
    api_url: sandbox.apiUrl,
    token_url: sandbox.tokenUrl,
    start_date: '2019-01-01T00:00:00Z',
    concurrency: 4,
    requests_per_second: DEMO_QUOTAS.perSecond,
    requests_per_minute: DEMO_QUOTAS.perMinute,
    reports: [
      // Named streams: these two report ids are also REST resource names, which a report would take.
      { report: 'webforms', stream: 'webform_names' },
      { report: 'affiliate_commissions', stream: 'commissions_since_2019', dates: { duration: 'date_range', start: { bound: 'date', date: '2019-01-01' } } },
      { report: 'saved_search', saved_search_filter: 'Hot Leads' },
      { report: 'contacts_by_tags', tags: [String(tag ?? '1')] },
      { report: 'data_query', stream: 'ogden_contacts', table: 'Contact', query: "'City':'Ogden','LastUpdated':'~>=~LastSuccessfulRun'" },
      { report: 'invoice_amount_due', invoice_id: 1 },
    ],
  };
  const path = join(OUT, 'config.json');
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

function configured(streams: Msg[]): { streams: Msg[] } {
  return {
    streams: streams.map((s) => {
      const incremental = (s['supported_sync_modes'] as string[]).includes('incremental');
      return {
        stream: s,
        sync_mode: incremental ? 'incremental' : 'full_refresh',
        destination_sync_mode: incremental ? 'append_dedup' : 'overwrite',
        ...(s['default_cursor_field'] ? { cursor_field: s['default_cursor_field'] } : {}),
        ...(s['source_defined_primary_key'] ? { primary_key: s['source_defined_primary_key'] } : {}),
      };
    }),
  };
}

/** Someone works in Keap between the two syncs. */
function changeRows(sandbox: Sandbox): string {
  const contacts = sandbox.data.table('Contact');
  for (let i = 0; i < 25; i++) contacts.update(1 + i * 173, { JobTitle: 'Head of Growth' });
  for (let i = 0; i < 5; i++) contacts.insert({ FirstName: 'New', LastName: `Lead ${i + 1}`, Email: `new.lead${i + 1}@example.com`, City: 'Ogden' });
  const orders = sandbox.data.table('Job');
  for (let i = 0; i < 10; i++) orders.update(1 + i * 97, { JobNotes: 'Adjusted' });
  const tags = sandbox.data.table('ContactGroupAssign');
  for (let i = 0; i < 8; i++) tags.insert({ ContactId: 40 + i, GroupId: 3 });
  return '25 contacts edited, 5 contacts added, 10 orders adjusted, 8 tags applied';
}

async function runJson(args: string[]): Promise<Msg[]> {
  const out: Msg[] = [];
  const code = await run(args, (m) => out.push(m));
  if (code !== 0) throw new Error(`tap-infusionsoft ${args[0]} failed (exit ${code})`);
  return out;
}

function run(args: string[], onMessage: (m: Msg) => void): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(split2()).on('data', (line: string) => {
      if (line.trim()) onMessage(JSON.parse(line) as Msg);
    });
    // The connector's own stderr (metrics, errors) stays out of the demo's display unless it fails.
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) process.stderr.write(stderr.split('\n').filter((l) => !l.startsWith('INFO METRIC')).join('\n'));
      resolvePromise(code ?? 1);
    });
  });
}

/** One sync, its records written one file per stream into `dir` (each sync has its own). */
async function sync(args: string[], dir: string): Promise<SyncResult> {
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, WriteStream>();
  const stats = new Map<string, StreamStats>();
  const states = new Map<string, unknown>();
  const get = (s: string): StreamStats => {
    let x = stats.get(s);
    if (!x) stats.set(s, (x = { records: 0, requests: 0, seconds: 0, estimate: 0, done: false }));
    return x;
  };
  let rotated = false;
  const started = performance.now();
  const progress = new Progress(stats);
  const code = await run(args, (m) => {
    switch (m['type']) {
      case 'RECORD': {
        const r = m['record'] as { stream: string; data: unknown };
        let f = files.get(r.stream);
        if (!f) files.set(r.stream, (f = createWriteStream(join(dir, `${r.stream}.jsonl`))));
        f.write(`${JSON.stringify(r.data)}\n`);
        get(r.stream).records++;
        progress.tick();
        break;
      }
      case 'STATE': {
        const s = m['state'] as { stream: { stream_descriptor: { name: string } } };
        states.set(s.stream.stream_descriptor.name, { type: 'STREAM', stream: s.stream });
        break;
      }
      case 'TRACE': {
        const t = m['trace'] as { type: string; estimate?: { name: string; row_estimate?: number }; stream_status?: { stream_descriptor: { name: string }; status: string } };
        if (t.estimate) get(t.estimate.name).estimate = t.estimate.row_estimate ?? 0;
        if (t.stream_status && (t.stream_status.status === 'COMPLETE' || t.stream_status.status === 'INCOMPLETE')) {
          const s = get(t.stream_status.stream_descriptor.name);
          s.done = true;
          progress.finished(t.stream_status.stream_descriptor.name, t.stream_status.status);
        }
        break;
      }
      case 'LOG': {
        // "<stream>: N records, R requests, T s" closes each stream (singular for one).
        const msg = (m['log'] as { message: string }).message;
        const x = /^(\S+): (\d+) records?, (\d+) requests?, ([\d.]+) s$/.exec(msg);
        if (x) {
          const s = get(x[1] as string);
          s.requests = Number(x[3]);
          s.seconds = Number(x[4]);
        }
        break;
      }
      case 'CONTROL':
        // The rotated refresh token: the connector rewrote output/config.json itself.
        rotated = true;
        break;
      default:
        break;
    }
  });
  progress.end();
  await Promise.all([...files.values()].map((f) => new Promise((r) => f.end(r))));
  const seconds = (performance.now() - started) / 1000;
  const total = [...stats.values()].reduce((a, s) => a + s.records, 0);
  say(`  ${total.toLocaleString('en-US')} records from ${stats.size} streams in ${seconds.toFixed(1)} s${rotated ? '; Keap rotated the refresh token and the connector saved the new one in output/config.json' : ''}.`);
  return { code, stats, states, seconds, rotated };
}

function writeState(path: string, states: Map<string, unknown>): void {
  writeFileSync(path, JSON.stringify([...states.values()], null, 2));
}

/** Bars on a terminal; on a pipe, one plain line per finished stream. */
class Progress {
  private last = 0;
  private drawn = 0;
  private finishedCount = 0;
  constructor(private readonly stats: Map<string, StreamStats>) {}

  tick(): void {
    if (!tty) return;
    const now = performance.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.draw();
  }

  finished(stream: string, status: string): void {
    this.finishedCount++;
    if (!tty) {
      const s = this.stats.get(stream);
      process.stderr.write(`  ${status === 'COMPLETE' ? 'done' : 'INCOMPLETE'}  ${stream.padEnd(34)} ${String(s?.records ?? 0).padStart(7)} records\n`);
      return;
    }
    this.draw();
  }

  private draw(): void {
    const active = [...this.stats.entries()].filter(([, s]) => !s.done && s.estimate > 0).slice(0, 6);
    const lines = active.map(([name, s]) => {
      const frac = Math.min(1, s.records / Math.max(1, s.estimate));
      const bar = '█'.repeat(Math.round(frac * 24)).padEnd(24, '░');
      return `  ${name.padEnd(30)} ${bar} ${String(s.records).padStart(7)}/${s.estimate}`;
    });
    lines.push(`  streams finished: ${this.finishedCount}`);
    let out = this.drawn ? `\x1b[${this.drawn}A` : '';
    for (const l of lines) out += `\x1b[2K${l}\n`;
    for (let i = lines.length; i < this.drawn; i++) out += '\x1b[2K\n';
    const height = Math.max(lines.length, this.drawn);
    if (height > lines.length) out += `\x1b[${height - lines.length}A`;
    this.drawn = lines.length;
    process.stderr.write(out);
  }

  end(): void {
    if (tty) this.draw();
  }
}

function printSummary(full: SyncResult, inc: SyncResult): void {
  const names = [...new Set([...full.stats.keys(), ...inc.stats.keys()])].sort();
  const row = (cols: string[]): string => `${(cols[0] as string).padEnd(32)}${cols.slice(1).map((c) => c.padStart(10)).join('')}`;
  const lines = [
    '',
    row(['stream', 'records', 'requests', 'seconds', 'records', 'requests', 'seconds']),
    row(['', 'full', '', '', 'incr.', '', '']),
    '-'.repeat(92),
  ];
  const tot = { fr: 0, fq: 0, ir: 0, iq: 0 };
  for (const n of names) {
    const f = full.stats.get(n);
    const i = inc.stats.get(n);
    tot.fr += f?.records ?? 0;
    tot.fq += f?.requests ?? 0;
    tot.ir += i?.records ?? 0;
    tot.iq += i?.requests ?? 0;
    lines.push(row([n, String(f?.records ?? 0), String(f?.requests ?? 0), (f?.seconds ?? 0).toFixed(1), String(i?.records ?? 0), String(i?.requests ?? 0), (i?.seconds ?? 0).toFixed(1)]));
  }
  lines.push('-'.repeat(92));
  lines.push(row(['total', String(tot.fr), String(tot.fq), full.seconds.toFixed(1), String(tot.ir), String(tot.iq), inc.seconds.toFixed(1)]));
  lines.push('');
  const saved = tot.fr ? 100 - (tot.ir / tot.fr) * 100 : 0;
  lines.push(`The incremental sync read ${tot.ir.toLocaleString('en-US')} records instead of ${tot.fr.toLocaleString('en-US')} (${saved.toFixed(1)}% less) in ${tot.iq} requests instead of ${tot.fq}.`);
  lines.push(`Output in ${OUT}/: full/ and incremental/ (one JSONL file per stream, each sync its own), state.json (the final state), config.json (with the sandbox's rotated credentials).`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
