/** Deterministic PRNG (mulberry32), so a failing random scenario replays exactly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** REST streams keyed on their parent's id and their own. */
const REST_COMPOSITE: Record<string, string> = { tag_contacts: 'tag_id', order_items: 'order_id', order_payments: 'order_id' };

/**
 * A row's identity: Id in a table stream (ContactId:GroupId for the table without Id), id in a REST
 * stream (parent id:id in a nested one).
 */
export function keyOf(stream: string, d: Record<string, unknown>): string {
  if (stream === 'contact_group_assign') return `${String(d['ContactId'])}:${String(d['GroupId'])}`;
  const parent = REST_COMPOSITE[stream];
  if (parent !== undefined) return `${String(d[parent])}:${String(d['id'])}`;
  return String(d['Id'] ?? d['id']);
}

/**
 * What a platform keeps across runs of a sync: every record key per stream, and the latest STATE
 * per stream (as the --state file of the next run).
 */
export class SyncLog {
  readonly seen = new Map<string, string[]>();
  private states = new Map<string, unknown>();

  constructor(streams: readonly string[]) {
    for (const s of streams) this.seen.set(s, []);
  }

  take(messages: readonly Record<string, unknown>[]): void {
    for (const m of messages) {
      if (m['type'] === 'RECORD') {
        const rec = m['record'] as { stream: string; data: Record<string, unknown> };
        this.seen.get(rec.stream)?.push(keyOf(rec.stream, rec.data));
      } else if (m['type'] === 'STATE') {
        const s = m['state'] as { stream: { stream_descriptor: { name: string } } };
        this.states.set(s.stream.stream_descriptor.name, { type: 'STREAM', stream: s.stream });
      }
    }
  }

  state(): unknown[] {
    return [...this.states.values()];
  }
}
