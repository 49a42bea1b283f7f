import { Writable } from 'node:stream';
import type { Clock } from '../../src/keap/clock.js';
import { runDiscover, runRead } from '../../src/protocol/commands.js';
import { Session } from '../../src/protocol/session.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { recordOutput } from './audit.js';
import { scratch } from './cli.js';

/**
 * Runs the connector's real command code (runDiscover / runRead, as main.ts does) in this process
 * against a sandbox, capturing stdout as Airbyte messages: the CLI code path without a process per
 * case, so 39 reports read in seconds.
 */

export type Message = Record<string, unknown>;

export interface Captured {
  code: number;
  /** stdout as printed. */
  text: string;
  /** stderr as printed (kept off the console: `npm test` stays quiet). */
  stderr: string;
  /** stdout lines that are JSON objects (all of them, for the protocol commands). */
  messages: Message[];
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    done();
  }
}

export async function capture(what: string, run: (s: Session) => Promise<number>, clock?: Clock): Promise<Captured> {
  const out = new Capture();
  const err = { text: '', write: (t: string): void => void (err.text += t) };
  const session = new Session('airbyte', clock, out, err);
  let code: number;
  try {
    code = await run(session);
  } finally {
    await session.writer.end();
  }
  recordOutput(what, `${out.text}\n--- stderr ---\n${err.text}`);
  const messages = out.text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Message);
  return { code, text: out.text, stderr: err.text, messages };
}

export function sandboxConfig(sb: Sandbox, reports: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    credentials: { auth_type: 'api_key', api_key: sb.credentials.api_key },
    api: 'xmlrpc',
    api_url: sb.apiUrl,
    token_url: sb.tokenUrl,
    // One small table keeps discover to the reports (no custom-field lookups).
    tables: ['SavedFilter'],
    reports,
    page_size: 50,
    requests_per_second: 100_000,
    requests_per_minute: 1_000_000,
    ...extra,
  };
}

export interface Harness {
  configPath: string;
  discover(clock?: Clock): Promise<Message[]>;
  /** Reads the named streams (catalog built from discover), with an optional per-stream state. */
  read(streams: string[], o?: { mode?: 'full_refresh' | 'incremental'; state?: Record<string, unknown>; clock?: Clock }): Promise<Captured>;
}

export function harness(config: Record<string, unknown>): Harness {
  const dir = scratch({ 'config.json': config });
  const configPath = dir.path('config.json');
  let catalog: Message[] | undefined;
  const discover = async (clock?: Clock): Promise<Message[]> => {
    if (catalog) return catalog;
    const r = await capture('discover (reports)', (s) => runDiscover(s, 'airbyte', [configPath]), clock);
    const m = r.messages.find((x) => x['type'] === 'CATALOG') as { catalog: { streams: Message[] } } | undefined;
    if (!m) throw new Error(`discover printed no catalog: ${JSON.stringify(r.messages).slice(0, 500)}`);
    catalog = m.catalog.streams;
    return catalog;
  };
  return {
    configPath,
    discover,
    async read(streams, o = {}) {
      const all = await discover(o.clock);
      const selected = streams.map((name) => {
        const stream = all.find((s) => s['name'] === name);
        if (!stream) throw new Error(`stream ${name} is not in the catalog`);
        return { stream, sync_mode: o.mode ?? 'full_refresh', destination_sync_mode: 'append' };
      });
      const catalogPath = dir.write(`catalog-${streams.join('-')}.json`, { streams: selected });
      let statePath: string | undefined;
      if (o.state) {
        statePath = dir.write(
          `state-${streams.join('-')}.json`,
          Object.entries(o.state).map(([name, s]) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: s } })),
        );
      }
      return capture(`read ${streams.join(',')}`, (s) => runRead(s, 'airbyte', [configPath], catalogPath, statePath), o.clock);
    },
  };
}

export function records(messages: readonly Message[], stream?: string): Record<string, unknown>[] {
  return messages
    .filter((m) => m['type'] === 'RECORD' && (stream === undefined || (m['record'] as Message)['stream'] === stream))
    .map((m) => (m['record'] as Message)['data'] as Record<string, unknown>);
}

export function states(messages: readonly Message[], stream: string): Message[] {
  return messages
    .filter((m) => m['type'] === 'STATE' && ((m['state'] as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name === stream))
    .map((m) => m['state'] as Message);
}

export function streamState(state: Message): Record<string, unknown> {
  return (state['stream'] as { stream_state: Record<string, unknown> }).stream_state;
}

export function logs(messages: readonly Message[], level?: string): string[] {
  return messages
    .filter((m) => m['type'] === 'LOG' && (level === undefined || (m['log'] as Message)['level'] === level))
    .map((m) => String((m['log'] as Message)['message']));
}

export function errors(messages: readonly Message[]): string[] {
  return messages
    .filter((m) => m['type'] === 'TRACE' && (m['trace'] as Message)['type'] === 'ERROR')
    .map((m) => String(((m['trace'] as Message)['error'] as Message)['message']));
}
