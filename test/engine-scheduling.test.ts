import { describe, expect, it } from 'vitest';
import type { KeapCaller, KeapCallOptions, Params } from '../src/keap/client.js';
import { systemClock } from '../src/keap/clock.js';
import type { PageEnd } from '../src/rest/page-reader.js';
import { KeapTimeZone } from '../src/keap/dates.js';
import { classify, KeapError, QuotaExhaustedError } from '../src/keap/errors.js';
import { runStreams, type StreamJob } from '../src/streams/engine.js';
import type { NulledField, Sink } from '../src/streams/sink.js';
import type { StreamDef } from '../src/streams/stream-def.js';
import type { ReadContext } from '../src/streams/table-reader.js';
import type { XmlRpcValue } from '../src/xmlrpc/types.js';

/**
 * The engine's order: the first `concurrency` streams start in catalog order; once one ends, the
 * others ask for their row counts and start, largest first, as slots free up; a waiting stream says
 * nothing before it starts, and a spent quota leaves the waiting ones incomplete.
 */

/** Answers counts by table at once and pages after 2 ms; tracks how many pages are in flight. */
class FakeKeap implements KeapCaller {
  readonly calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private readonly rows: Record<string, number>,
    private readonly failAt?: { table: string; page: number; error?: () => Error },
  ) {}
  rest(): Promise<unknown> {
    return Promise.reject(new Error('this fake speaks XML-RPC only'));
  }
  restPage(): Promise<PageEnd> {
    return Promise.reject(new Error('this fake speaks XML-RPC only'));
  }
  async call(method: string, params: Params, _options?: KeapCallOptions): Promise<XmlRpcValue> {
    const p = typeof params === 'function' ? params() : params;
    const table = p[0] as string;
    this.calls.push(`${method} ${table}`);
    // Counts answer at once (before any page), so which stream is largest is known when a slot frees.
    if (method === 'DataService.count') return this.rows[table] ?? 0;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 2));
      if (this.failAt && this.failAt.table === table && this.failAt.page === p[1]) throw this.failAt.error?.() ?? new QuotaExhaustedError(Date.UTC(2030, 0, 1));
      return [];
    } finally {
      this.inFlight--;
    }
  }
}

/** A table-like stream: its row count, then one page per 10 rows, a record per page. */
function tableStream(name: string): StreamDef {
  return {
    name,
    kind: 'table',
    description: '',
    schema: { type: 'object', properties: {} },
    primaryKey: ['Id'],
    cursorField: null,
    supportedSyncModes: ['full_refresh'],
    parseState: () => ({}),
    async read(_run, ctx) {
      // As the real readers do, a failed count is no failure of the stream (and never unhandled).
      const count = ctx.client.call('DataService.count', [name, {}]).then(
        (n) => ctx.sink.estimate(name, n as number),
        () => undefined,
      );
      const total = Number(await ctx.client.call('DataService.query', [name, 0]).then(() => count.then(() => 0)));
      let pages = 1;
      for (;;) {
        ctx.sink.record(name, `{"page":${pages}}`);
        ctx.sink.state(name, { LastSuccessfulRun: 'x' }, 1);
        if (pages * 10 >= ROWS[name]! + total) break;
        await ctx.client.call('DataService.query', [name, pages]);
        pages++;
      }
    },
  };
}

let ROWS: Record<string, number> = {};

class RecordingSink implements Sink {
  readonly lines: string[] = [];
  streamStarted(s: string): void {
    this.lines.push(`STARTED ${s}`);
  }
  streamRunning(s: string): void {
    this.lines.push(`RUNNING ${s}`);
  }
  streamComplete(s: string): void {
    this.lines.push(`COMPLETE ${s}`);
  }
  streamIncomplete(s: string, reset?: number): void {
    this.lines.push(`INCOMPLETE ${s}${reset ? ' quota' : ''}`);
  }
  estimate(s: string, rows: number): void {
    this.lines.push(`ESTIMATE ${s} ${rows}`);
  }
  record(s: string, _data: string, _nulled?: NulledField[]): void {
    this.lines.push(`RECORD ${s}`);
  }
  state(s: string): void {
    this.lines.push(`STATE ${s}`);
  }
  log(level: string, message: string): void {
    this.lines.push(`LOG ${level} ${message.split(':')[0] ?? ''}`);
  }
  error(message: string, _failure: string, stream?: string): void {
    this.lines.push(`ERROR ${stream ?? '-'} ${message.slice(0, 20)}`);
  }
  ready(): undefined {
    return undefined;
  }
}

function context(client: KeapCaller, sink: Sink): ReadContext {
  return { client, sink, tz: new KeapTimeZone('UTC'), clock: systemClock, pageSize: 10, startDate: undefined, lookbackMs: 0 };
}

const jobs = (names: string[]): StreamJob[] => names.map((n) => ({ def: tableStream(n), run: { syncMode: 'full_refresh', schema: { type: 'object' }, state: {} } }));

describe('the read engine', () => {
  it('starts the first streams in catalog order, then the largest waiting one, never more than `concurrency` at once', async () => {
    ROWS = { a: 30, b: 10, c: 20, d: 200, e: 50, f: 5 };
    const keap = new FakeKeap(ROWS);
    const sink = new RecordingSink();
    const result = await runStreams(jobs(['a', 'b', 'c', 'd', 'e', 'f']), context(keap, sink), 2);
    expect(result.failed).toEqual([]);
    const started = sink.lines.filter((l) => l.startsWith('STARTED')).map((l) => l.split(' ')[1]);
    expect(started).toEqual(['a', 'b', 'd', 'e', 'c', 'f']);
    expect(keap.maxInFlight).toBeLessThanOrEqual(2);
    // Every stream's messages come between its STARTED and its COMPLETE, estimate included.
    for (const s of Object.keys(ROWS)) {
      const mine = sink.lines.filter((l) => l.split(' ')[1] === s);
      expect(mine[0]).toBe(`STARTED ${s}`);
      expect(mine[1]).toBe(`RUNNING ${s}`);
      expect(mine).toContain(`ESTIMATE ${s} ${ROWS[s]}`);
      expect(mine.at(-1)).toBe(`COMPLETE ${s}`);
      expect(mine.filter((l) => l.startsWith('RECORD'))).toHaveLength(Math.max(1, Math.ceil(ROWS[s]! / 10)));
    }
    // The opening burst is the first two streams' counts and first pages, nothing more.
    expect(keap.calls.slice(0, 4).sort()).toEqual(['DataService.count a', 'DataService.count b', 'DataService.query a', 'DataService.query b']);
    // Each stream asked for its count once, before any of its pages.
    for (const s of Object.keys(ROWS)) expect(keap.calls.filter((c) => c === `DataService.count ${s}`)).toHaveLength(1);
  });

  it('runs as before when every stream fits at once', async () => {
    ROWS = { a: 30, b: 10 };
    const sink = new RecordingSink();
    await runStreams(jobs(['a', 'b']), context(new FakeKeap(ROWS), sink), 4);
    expect(sink.lines.slice(0, 4)).toEqual(['STARTED a', 'RUNNING a', 'STARTED b', 'RUNNING b']);
    expect(sink.lines.filter((l) => l.startsWith('COMPLETE'))).toHaveLength(2);
  });

  it('stops at a spent quota: waiting streams are incomplete and say nothing else', async () => {
    ROWS = { a: 100, b: 10, c: 20, d: 30 };
    const sink = new RecordingSink();
    const result = await runStreams(jobs(['a', 'b', 'c', 'd']), context(new FakeKeap(ROWS, { table: 'a', page: 1 }), sink), 2);
    expect(result.quotaResetAt).toBe(Date.UTC(2030, 0, 1));
    expect(result.failed).toContain('a');
    // b finished and d (the larger waiting one) started next; c never started.
    expect(sink.lines).toContain('COMPLETE b');
    const c = sink.lines.filter((l) => l.split(' ')[1] === 'c');
    expect(c).toEqual(['STARTED c', 'INCOMPLETE c quota']);
    expect(sink.lines.at(-1)).toMatch(/^ERROR - Keap's daily API/);
  });

  it('stops the whole sync at an account-wide failure: running streams at their next call, waiting ones untried, no error said per stream', async () => {
    ROWS = { a: 100, b: 100, c: 20, d: 30 };
    // Keap refuses the API key on a's second page, while b is running beside it.
    const refused = (): Error => {
      const c = classify({ kind: 'http', status: 401, body: '' }, 'DataService.query on a');
      return new KeapError(c.message, 'config_error', c.rule, undefined, c.scope);
    };
    const keap = new FakeKeap(ROWS, { table: 'a', page: 1, error: refused });
    const sink = new RecordingSink();
    const result = await runStreams(jobs(['a', 'b', 'c', 'd']), context(keap, sink), 2);
    expect(result.stoppedBy?.rule).toBe('unauthorized');
    expect(result.failed.sort()).toEqual(['a', 'b', 'c', 'd']);
    // The caller says it once for the whole sync; the sink hears no per-stream error.
    expect(sink.lines.filter((l) => l.startsWith('ERROR'))).toEqual([]);
    expect(sink.lines.filter((l) => l.startsWith('INCOMPLETE')).sort()).toEqual(['INCOMPLETE a', 'INCOMPLETE b', 'INCOMPLETE c', 'INCOMPLETE d']);
    // c and d were never tried: no status but INCOMPLETE, no call of theirs past their row count.
    for (const s of ['c', 'd']) {
      expect(sink.lines.filter((l) => l.split(' ')[1] === s)).toEqual([`INCOMPLETE ${s}`]);
      expect(keap.calls.filter((c) => c === `DataService.query ${s}`)).toEqual([]);
    }
    // b stopped at its first call after a's failure: at most the page it had in flight went out.
    const failedAt = keap.calls.indexOf('DataService.query a');
    expect(keap.calls.slice(failedAt).filter((c) => c === 'DataService.query b').length).toBeLessThanOrEqual(3);
    expect(sink.lines).not.toContain('COMPLETE b');
  });

  it('lets the other streams go on after a failure of one stream only', async () => {
    ROWS = { a: 30, b: 30, c: 20 };
    const refused = (): Error => new KeapError('Keap refused DataService.query on a: fault 8', 'config_error', 'bad-table-or-field');
    const sink = new RecordingSink();
    const result = await runStreams(jobs(['a', 'b', 'c']), context(new FakeKeap(ROWS, { table: 'a', page: 1, error: refused }), sink), 2);
    expect(result.stoppedBy).toBeUndefined();
    expect(result.failed).toEqual(['a']);
    expect(sink.lines).toContain('COMPLETE b');
    expect(sink.lines).toContain('COMPLETE c');
  });

  it('closes each stream with its counts, singular for one: "1 record, 1 request"', async () => {
    const messages: string[] = [];
    const sink = new (class extends RecordingSink {
      override log(level: string, message: string): void {
        messages.push(message);
      }
    })();
    const one: StreamDef = {
      ...tableStream('one'),
      async read(_run, ctx) {
        await ctx.client.call('DataService.query', ['one', 0]);
        ctx.sink.record('one', '{}');
      },
    };
    await runStreams([{ def: one, run: { syncMode: 'full_refresh', schema: { type: 'object' }, state: {} } }], context(new FakeKeap({}), sink), 1);
    expect(messages).toEqual([expect.stringMatching(/^one: 1 record, 1 request, \d+\.\d s$/)]);
  });

  it('reports a stream that fails before any call once it starts, like any other failure', async () => {
    ROWS = { a: 10, b: 10, c: 10 };
    const broken: StreamDef = { ...tableStream('c'), read: () => Promise.reject(new Error('boom')) };
    const list = jobs(['a', 'b']);
    list.push({ def: broken, run: { syncMode: 'full_refresh', schema: { type: 'object' }, state: {} } });
    const sink = new RecordingSink();
    const result = await runStreams(list, context(new FakeKeap(ROWS), sink), 1);
    expect(result.failed).toEqual(['c']);
    const c = sink.lines.filter((l) => l.split(' ')[1] === 'c');
    expect(c).toEqual(['STARTED c', 'RUNNING c', 'INCOMPLETE c', 'ERROR c c: internal error: b']);
  });
});
