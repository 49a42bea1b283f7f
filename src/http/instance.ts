import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { AxiosInstance, AxiosStatic } from 'axios';

// axios (and form-data under it) costs a tenth of a second to load: loaded on the first HTTP client,
// so `spec`, `--help` and a config refused at once never pay for it.
const require = createRequire(import.meta.url);
let axiosModule: AxiosStatic | undefined;
function axios(): AxiosStatic {
  axiosModule ??= require('axios') as AxiosStatic;
  return axiosModule;
}

export interface HttpOptions {
  /** Gives up when nothing arrives for this long while connecting (the body has its own idle timer). */
  timeoutMs: number;
  /** Sockets kept open per host; match the caller's concurrency. */
  maxSockets: number;
}

/**
 * The one way the connector opens HTTP: keep-alive pools, gzip accepted, redirects never followed
 * (a redirect could carry the credentials elsewhere), every status handed back as an answer to
 * read, and the body as a stream so the caller bounds and times it (body.ts, timers.ts).
 */
export function createHttp(options: HttpOptions): AxiosInstance {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, keepAliveMsecs: 10_000 };
  return axios().create({
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    timeout: options.timeoutMs,
    responseType: 'stream',
    decompress: true,
    maxRedirects: 0,
    validateStatus: () => true,
    transformResponse: [(d: unknown) => d],
    // Bodies are counted by their readers after decompression; axios's own limit would surface as a
    // network error and be retried.
    maxContentLength: -1,
    maxBodyLength: 16 * 1024 * 1024,
  });
}
