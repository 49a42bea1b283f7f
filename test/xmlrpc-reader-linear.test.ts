import { describe, expect, it } from 'vitest';
import { XmlRpcReader } from '../src/xmlrpc/parse.js';
import { XmlRpcParseError } from '../src/xmlrpc/types.js';

/**
 * Issue 12, defect 6: the reader's time must grow linearly with the body whatever the body holds.
 * A chunk that ends inside an unfinished `<tag`, `<!--` or `<![CDATA[` used to make every later
 * chunk rescan and copy all of it: 16 MB took 13-50 s. Each pathological form is timed against
 * 16 MB of plain text fed the same way, as a ratio, never as an absolute time.
 */

const MB = 1024 * 1024;
const SIZE = 16 * MB;
/** What Node's inflate hands over per chunk (a gzip response arrives in these). */
const CHUNK = 16 * 1024;
const HEAD = '<?xml version="1.0"?><methodResponse><params><param><value>';
const TAIL = '</value></param></params></methodResponse>';
const filler = 'a'.repeat(SIZE);

/** Feeds `body` in CHUNK-sized pieces; the outcome and the best time of two runs. */
function feed(body: Buffer): { ms: number; outcome: string } {
  let best = Number.POSITIVE_INFINITY;
  let outcome = '';
  for (let run = 0; run < 2; run++) {
    const started = performance.now();
    const reader = new XmlRpcReader({ maxBytes: 64 * MB });
    try {
      for (let i = 0; i < body.length; i += CHUNK) reader.write(body.subarray(i, i + CHUNK));
      const m = reader.end();
      outcome = m.kind === 'response' ? `ok ${typeof m.params[0] === 'string' ? m.params[0].length : 'value'}` : m.kind;
    } catch (err) {
      if (!(err instanceof XmlRpcParseError)) throw err;
      outcome = `refused: ${err.message}`;
    }
    best = Math.min(best, performance.now() - started);
  }
  return { ms: best, outcome };
}

describe('reading time is linear in the body (defect 6)', () => {
  const plain = feed(Buffer.from(`${HEAD}<string>${filler}</string>${TAIL}`, 'latin1'));

  it.each([
    ['an unclosed tag', `${HEAD}<string${filler}`, /^refused: malformed XML-RPC document: a tag runs on for more than \d+ bytes/],
    ['an unclosed processing instruction', `<?xml ${filler}`, /^refused: malformed XML-RPC document: a tag runs on for more than \d+ bytes/],
    ['an unclosed comment', `${HEAD}<!--${filler}`, /^refused: truncated XML-RPC document/],
    ['an unclosed CDATA section', `${HEAD}<string><![CDATA[${filler}`, /^refused: truncated XML-RPC document/],
    ['a closed comment of 16 MB', `${HEAD}<!--${filler}--><string>x</string>${TAIL}`, /^ok 1$/],
    ['a CDATA section of 16 MB', `${HEAD}<string><![CDATA[${filler}]]></string>${TAIL}`, new RegExp(`^ok ${SIZE}$`)],
    ['16 MB of tag openings', `${HEAD}${'<'.repeat(SIZE)}`, /^refused: malformed XML-RPC document/],
    ['16 MB of half comment openings', `${HEAD}<string>${'<!-'.repeat(SIZE / 3)}`, /^refused: /],
  ])('%s: parsed or refused within a small multiple of plain text', (_what, text, expected) => {
    const r = feed(Buffer.from(text, 'latin1'));
    expect(r.outcome).toMatch(expected);
    expect(plain.outcome).toBe(`ok ${SIZE}`);
    // Linear work is within a few times plain text's; the quadratic reader took hundreds of times it.
    expect(r.ms / Math.max(plain.ms, 5)).toBeLessThan(8);
  });
});
