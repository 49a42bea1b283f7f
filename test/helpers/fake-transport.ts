import { RestParseError, type RestRequest, type RestResult, type RestTransport } from '../../src/rest/transport.js';
import type { CallResult, XmlRpcTransport } from '../../src/xmlrpc/transport.js';
import { TransportError } from '../../src/xmlrpc/transport.js';
import { XmlRpcParseError, type XmlRpcValue } from '../../src/xmlrpc/types.js';
import { Auth } from '../../src/keap/auth.js';
import { KeapClient } from '../../src/keap/client.js';
import { ManualClock } from '../../src/keap/clock.js';
import { RateLimiter, type Quotas } from '../../src/keap/limiter.js';
import { DEFAULT_SCHEDULES, type Schedules } from '../../src/keap/retry.js';

/** One scripted answer of the fake transport. */
export type Answer =
  | { ok: XmlRpcValue; headers?: Record<string, string> }
  | { fault: number; text: string }
  | { http: number; body?: string; headers?: Record<string, string> }
  | { network: string; message?: string }
  | { parse: 'truncated' | 'malformed' | 'refused'; message?: string };

/**
 * A transport that answers from a script, recording every call: tests of the client need no socket.
 * It stands in for both APIs: `call` answers XML-RPC (faults as faults), `send` REST v2 (`ok` as the
 * JSON body).
 */
export class FakeTransport {
  readonly calls: { method: string; params: readonly XmlRpcValue[]; headers: Record<string, string> }[] = [];
  readonly restCalls: RestRequest[] = [];
  constructor(private readonly script: Answer[]) {}

  async send(req: RestRequest): Promise<RestResult> {
    this.restCalls.push(req);
    const a: Answer = this.script.shift() ?? { ok: {} as XmlRpcValue };
    if ('ok' in a) return { ok: true, status: 200, headers: a.headers ?? {}, json: a.ok, ms: 1 };
    if ('fault' in a) return { ok: false, status: 500, headers: {}, body: a.text, ms: 1 };
    if ('http' in a) return { ok: false, status: a.http, headers: a.headers ?? {}, body: a.body ?? '', ms: 1 };
    if ('network' in a) throw new TransportError(a.message ?? 'connection reset by the server', a.network, false);
    throw new RestParseError(a.message ?? `simulated ${a.parse} body`, a.parse);
  }

  async call(_url: string, method: string, params: readonly XmlRpcValue[], o: { headers: Record<string, string> }): Promise<CallResult> {
    this.calls.push({ method, params, headers: o.headers });
    const a = this.script.shift() ?? { ok: [] };
    if ('ok' in a) return { ok: true, status: 200, headers: a.headers ?? {}, message: { kind: 'response', params: [a.ok], items: 0 }, requestMs: 1 };
    if ('fault' in a) return { ok: true, status: 200, headers: {}, message: { kind: 'fault', code: a.fault, message: a.text }, requestMs: 1 };
    if ('http' in a) return { ok: false, status: a.http, headers: a.headers ?? {}, body: a.body ?? '', requestMs: 1 };
    if ('network' in a) throw new TransportError(a.message ?? 'connection reset by the server', a.network, false);
    throw new XmlRpcParseError(a.message ?? `simulated ${a.parse} body`, a.parse);
  }
}

export function fakeClient(
  script: Answer[],
  o: { clock?: ManualClock; schedules?: Schedules; quotas?: Quotas; random?: () => number; auth?: Auth; settle?: () => Promise<void> } = {},
): { client: KeapClient; transport: FakeTransport; clock: ManualClock; limiter: RateLimiter } {
  const clock = o.clock ?? new ManualClock();
  const transport = new FakeTransport(script);
  const limiter = new RateLimiter(o.quotas ?? { perSecond: 1000, perMinute: 100000, perDay: 1e9 }, clock);
  const auth = o.auth ?? new Auth({ auth_type: 'api_key', api_key: 'KeapAK-test-key-123456' }, { tokenUrl: 'http://127.0.0.1:1/token', clock, timeoutMs: 1000, onRotate: () => {} });
  const client = new KeapClient({
    apiUrl: 'http://127.0.0.1:1/crm/xmlrpc/v1',
    restUrl: 'http://127.0.0.1:1/crm/rest/v2',
    auth,
    limiter,
    transport: transport as unknown as XmlRpcTransport,
    rest: transport as unknown as RestTransport,
    clock,
    schedules: o.schedules ?? DEFAULT_SCHEDULES,
    random: o.random ?? (() => 0.5),
    settle: o.settle,
  });
  return { client, transport, clock, limiter };
}
