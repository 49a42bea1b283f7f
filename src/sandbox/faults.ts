import { Prng } from './random.js';

/**
 * Ways the sandbox can misbehave on a request, each one something Keap (or the network in front
 * of it) has been seen or documented to do: gateway statuses, dropped and stalled connections,
 * cut and empty bodies, the fault strings clients must classify, and hostile bodies a parser must
 * refuse (entities, absurd nesting, a body too large to hold). REST requests get the same kinds in
 * REST's form (rest/fault-bodies.ts), plus two of their own: a 400 for a page token that was valid
 * and an HTML page with status 200.
 */
export type FaultKind =
  | 'http429'
  | 'http500'
  | 'http502'
  | 'http503'
  | 'reset'
  | 'hang'
  | 'truncated'
  | 'empty'
  | 'fault-query-timeout'
  | 'fault-saved-search-blocked'
  | 'fault-throttled'
  | 'fault-unexpected'
  | 'fault-premature-eof'
  | 'fault-invalid-key'
  | 'doctype'
  | 'deep-nesting'
  | 'oversize'
  | 'bad-page-token'
  | 'html';

export const FAULT_KINDS: readonly FaultKind[] = [
  'http429',
  'http500',
  'http502',
  'http503',
  'reset',
  'hang',
  'truncated',
  'empty',
  'fault-query-timeout',
  'fault-saved-search-blocked',
  'fault-throttled',
  'fault-unexpected',
  'fault-premature-eof',
  'fault-invalid-key',
  'doctype',
  'deep-nesting',
  'oversize',
];

/** The kinds only REST requests act on (an XML-RPC request given one is answered normally). */
export const REST_FAULT_KINDS: readonly FaultKind[] = ['bad-page-token', 'html'];

export const ALL_FAULT_KINDS: readonly FaultKind[] = [...FAULT_KINDS, ...REST_FAULT_KINDS];

/**
 * What `rate` draws from when `kinds` is not given: the transient kinds a client is expected to
 * ride out by retrying. Hangs, hostile bodies and the invalid-key fault must be asked for.
 */
export const TRANSIENT_FAULT_KINDS: readonly FaultKind[] = [
  'http429',
  'http500',
  'http502',
  'http503',
  'reset',
  'truncated',
  'empty',
  'fault-query-timeout',
  'fault-throttled',
  'fault-unexpected',
  'fault-premature-eof',
];

export interface FaultPlan {
  /** Share of subject requests (0..1) that get a fault, drawn from a PRNG seeded by the sandbox seed. */
  rate?: number;
  /** Kinds `rate` picks from, uniformly. Default TRANSIENT_FAULT_KINDS. */
  kinds?: FaultKind[];
  /** Faults at exact request numbers (1-based; every XML-RPC POST and every REST request counts), whatever the method. */
  at?: Record<number, FaultKind>;
  /** Only these XML-RPC methods and REST path templates (`/contacts`) are subject to `rate` (default: all). */
  methods?: string[];
  /** How long 'hang' stays silent before answering normally (default 60 s). */
  hangMs?: number;
}

/** The XML-RPC faults: code and faultString (keap-api.md §5; the Keap-side wording where known). */
export const FAULT_BODIES: Partial<Record<FaultKind, [number, string]>> = {
  'fault-query-timeout': [4, '[DatabaseError]Query took too long and was cancelled'],
  'fault-saved-search-blocked': [3, 'Too many consecutive failures. This saved search is blocked temporarily'],
  'fault-throttled': [0, '[500] Server encountered exception: com.infusionsoft.throttle.ThrottlingException: Maximum number of threads throttled'],
  'fault-unexpected': [3, '[Unexpected]An unexpected error has occurred'],
  'fault-premature-eof': [0, 'Failed to parse XML-RPC request: Premature end of file.'],
  'fault-invalid-key': [2, '[InvalidKey]Invalid Key'],
};

export class FaultInjector {
  private plan: FaultPlan;
  private readonly prng: Prng;

  constructor(seed: number, plan: FaultPlan = {}) {
    this.prng = new Prng(seed, 0xfa17);
    this.plan = plan;
  }

  set(plan: FaultPlan): void {
    this.plan = plan;
  }

  get hangMs(): number {
    return this.plan.hangMs ?? 60_000;
  }

  /** The fault for request number `n` calling `method` (a REST path template; null when unknown), or null for none. */
  pick(n: number, method: string | null): FaultKind | null {
    const fixed = this.plan.at?.[n];
    if (fixed !== undefined) return fixed;
    const rate = this.plan.rate ?? 0;
    if (rate <= 0) return null;
    const methods = this.plan.methods;
    if (methods !== undefined && (method === null || !methods.includes(method))) return null;
    if (this.prng.next() >= rate) return null;
    const kinds = this.plan.kinds !== undefined && this.plan.kinds.length > 0 ? this.plan.kinds : TRANSIENT_FAULT_KINDS;
    return this.prng.pick(kinds);
  }
}

/** A body with a DOCTYPE that declares an entity and uses it: parsers must refuse it (XXE, billion laughs). */
export const DOCTYPE_BODY =
  '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE methodResponse [<!ENTITY boom "boom">]>' +
  '<methodResponse><params><param><value>&boom;</value></param></params></methodResponse>';

/** 10,000 arrays inside each other: a recursive parser would blow its stack. */
export function deepNestingBody(depth = 10_000): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param>' +
    '<value><array><data>'.repeat(depth) +
    '</data></array></value>'.repeat(depth) +
    '</param></params></methodResponse>'
  );
}

export const OVERSIZE_BYTES = 300 * 1024 * 1024;
