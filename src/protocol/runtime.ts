import { Auth, secretsOf } from '../keap/auth.js';
import { MAX_BODY_BYTES } from '../http/limits.js';
import { formatWait, KeapClient, type LogFn, type MetricFn } from '../keap/client.js';
import type { Clock } from '../keap/clock.js';
import { DEFAULT_QUOTAS, RateLimiter } from '../keap/limiter.js';
import { schedulesFromConfig, type Schedules } from '../keap/retry.js';
import { RestTransport } from '../rest/transport.js';
import { XmlRpcTransport } from '../xmlrpc/transport.js';
import type { LoadedConfig } from './config.js';
import type { Redactor } from './redact.js';
import { VERSION } from './version.js';

const LONG_WAIT_MS = 5_000;


export interface Runtime {
  client: KeapClient;
  auth: Auth;
  limiter: RateLimiter;
}

export interface RuntimeOptions {
  clock: Clock;
  redactor: Redactor;
  log: LogFn;
  metric?: MetricFn;
  /** After every token refresh, with the whole config carrying the new credentials; awaited before the next request. */
  onRotate: (config: Record<string, unknown>) => Promise<void> | void;
  /** Hands over what was printed and resolves once it is out; awaited before every request and wait. */
  settle?: () => Promise<void>;
  /** `check` should answer quickly: cap retries. */
  quick?: boolean;
  random?: () => number;
}

/** Wires transport, limiter, auth and client from the settings. */
export function buildRuntime(loaded: LoadedConfig, o: RuntimeOptions): Runtime {
  const s = loaded.settings;
  const kind = s.credentials.auth_type;
  const defaults = DEFAULT_QUOTAS[kind];
  const limiter = new RateLimiter(
    {
      perSecond: s.requestsPerSecond ?? defaults.perSecond,
      perMinute: s.requestsPerMinute ?? defaults.perMinute,
      perDay: s.requestsPerDay ?? defaults.perDay,
    },
    o.clock,
    (ms) => {
      // A short pacing wait is routine; one of seconds is said when it starts, not after.
      if (ms >= LONG_WAIT_MS) o.log('INFO', `waiting ${formatWait(ms)} to stay within Keap's rate limits`);
      return o.settle?.();
    },
  );
  o.redactor.add(...secretsOf(s.credentials));
  const auth = new Auth(s.credentials, {
    tokenUrl: s.tokenUrl,
    clock: o.clock,
    timeoutMs: Math.min(s.requestTimeoutSeconds, 60) * 1000,
    deadlineMs: Math.min(s.requestDeadlineSeconds, 120) * 1000,
    onRotate: (creds) => {
      o.redactor.add(...secretsOf(creds));
      loaded.raw = { ...loaded.raw, credentials: creds };
      return o.onRotate(loaded.raw);
    },
  });
  const http = {
    timeoutMs: s.requestTimeoutSeconds * 1000,
    deadlineMs: s.requestDeadlineSeconds * 1000,
    maxSockets: s.concurrency,
    userAgent: `tap-infusionsoft/${VERSION} (+https://github.com/tap-infusionsoft/tap-infusionsoft)`,
    maxBodyBytes: MAX_BODY_BYTES,
  };
  const transport = new XmlRpcTransport(http);
  const rest = new RestTransport(http);
  let schedules: Schedules = schedulesFromConfig(s.retry);
  if (o.quick) schedules = quickSchedules(schedules);
  const client = new KeapClient({
    apiUrl: s.apiUrl,
    restUrl: s.restUrl,
    rest,
    auth,
    limiter,
    transport,
    clock: o.clock,
    schedules,
    random: o.random,
    maxInFlight: s.concurrency,
    log: o.log,
    metric: o.metric,
    settle: o.settle,
  });
  return { client, auth, limiter };
}

function quickSchedules(s: Schedules): Schedules {
  const q = structuredClone(s);
  for (const name of ['transient', 'rate_limited'] as const) {
    const e = q[name];
    if (e.kind === 'exponential') {
      e.retries = Math.min(e.retries, 2);
      e.maxMs = Math.min(e.maxMs, 4000);
    }
  }
  q.query_timeout = { kind: 'fixed', delaysMs: [] };
  q.saved_search_blocked = { kind: 'fixed', delaysMs: [] };
  return q;
}
