import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { encodeResponse } from '../src/xmlrpc/encode.js';
import { XmlRpcReader } from '../src/xmlrpc/parse.js';
import { XmlRpcDateTime, type XmlRpcStruct, type XmlRpcValue } from '../src/xmlrpc/types.js';

/**
 * Parse scenario: Keap-shaped pages (1000 rows x 20 fields, ~1.4 MB, bare <value> strings, <i4>,
 * dates, doubles, booleans, as Keap sends them) decoded to records by the connector's reader, by
 * the `xmlrpc` npm package, by Python's xmlrpc.client (a child process, timed inside Python so
 * process start-up is not counted), and JSON.parse of the same rows as JSON (the ceiling).
 */

export interface ParseResult {
  name: string;
  mbPerSec: number;
  rowsPerSec: number;
}

const FIELDS = 20;
const ROWS = 1000;

/** One Keap-like page; built with Keap's quirks (strings as bare <value>). */
export function keapPage(seed = 1): { xml: string; rows: XmlRpcStruct[] } {
  const rows: XmlRpcStruct[] = [];
  for (let i = 0; i < ROWS; i++) {
    const id = seed * 100_000 + i + 1;
    rows.push({
      Id: id,
      FirstName: `Firstname${i % 97}`,
      LastName: `Lastname-${(i * 7) % 1013}`,
      Email: `person${id}@example${i % 13}.com`,
      Phone1: `(555) ${String(100 + (i % 900)).padStart(3, '0')}-${String(i % 10000).padStart(4, '0')}`,
      StreetAddress1: `${i + 10} Main Street, Apt ${i % 40}`,
      City: ['Ogden', 'Provo', 'Salt Lake City', 'Boise', 'Phoenix'][i % 5] as string,
      State: ['UT', 'ID', 'AZ'][i % 3] as string,
      PostalCode: String(84000 + (i % 999)),
      Country: 'United States',
      Company: `Company & Sons ${i % 50}`,
      JobTitle: 'Marketing Manager',
      OwnerID: 1 + (i % 7),
      CompanyID: 1000 + (i % 300),
      LeadSourceId: i % 12,
      DateCreated: new XmlRpcDateTime(`2024${String(1 + (i % 12)).padStart(2, '0')}15T10:${String(i % 60).padStart(2, '0')}:00`),
      LastUpdated: new XmlRpcDateTime(`2025${String(1 + (i % 12)).padStart(2, '0')}20T14:${String(i % 60).padStart(2, '0')}:30`),
      Birthday: new XmlRpcDateTime('19800101T00:00:00'),
      _Score: (i % 1000) / 10 + 0.25,
      Validated: i % 2 === 0,
    });
  }
  if (Object.keys(rows[0] as object).length !== FIELDS) throw new Error('page shape drifted');
  // Keap sends strings as bare <value>text</value>: rewrite the encoder's <string> tags that way.
  const xml = encodeResponse(rows).replace(/<value><string>/g, '<value>').replace(/<\/string><\/value>/g, '</value>').replace(/<int>/g, '<i4>').replace(/<\/int>/g, '</i4>');
  return { xml, rows };
}

function time(fn: () => void, minMs = 1500): number {
  for (let i = 0; i < 3; i++) fn(); // warm up the JIT
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    n++;
  }
  return (performance.now() - start) / n;
}

async function timeAsync(fn: () => Promise<void>, minMs = 1500): Promise<number> {
  await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    await fn();
    n++;
  }
  return (performance.now() - start) / n;
}

export async function benchParse(): Promise<{ bytes: number; results: ParseResult[] }> {
  const { xml, rows } = keapPage();
  const body = Buffer.from(xml, 'utf8');
  const mb = body.length / 1e6;
  const results: ParseResult[] = [];
  const push = (name: string, ms: number): void => {
    results.push({ name, mbPerSec: mb / (ms / 1000), rowsPerSec: ROWS / (ms / 1000) });
  };

  // The connector: streamed in 64 KiB chunks, as sockets deliver it, one record per array item.
  let count = 0;
  push(
    'tap-infusionsoft reader',
    time(() => {
      const r = new XmlRpcReader({ onItem: () => count++ });
      for (let i = 0; i < body.length; i += 65_536) r.write(body.subarray(i, i + 65_536));
      r.end();
    }),
  );
  if (count === 0) throw new Error('reader produced nothing');

  // The `xmlrpc` npm package (sax-based), through its deserializer on a stream.
  const require = createRequire(import.meta.url);
  const Deserializer = require('xmlrpc/lib/deserializer.js') as new () => {
    deserializeMethodResponse(s: Readable, cb: (err: unknown, value: unknown) => void): void;
  };
  push(
    'xmlrpc (npm)',
    await timeAsync(
      () =>
        new Promise<void>((resolve, reject) => {
          const chunks: Buffer[] = [];
          for (let i = 0; i < body.length; i += 65_536) chunks.push(body.subarray(i, i + 65_536));
          new Deserializer().deserializeMethodResponse(Readable.from(chunks), (err, v) => {
            if (err) reject(err as Error);
            else if (!Array.isArray(v) || v.length !== ROWS) reject(new Error('xmlrpc package misread the page'));
            else resolve();
          });
        }),
    ),
  );

  // Python's standard xmlrpc.client (expat), timed inside Python.
  const dir = mkdtempSync(join(tmpdir(), 'tap-bench-'));
  const file = join(dir, 'page.xml');
  writeFileSync(file, body);
  const py = spawnSync(
    'python3',
    [
      '-c',
      `import sys, time, xmlrpc.client
data = open(sys.argv[1], 'rb').read()
def run():
    p, u = xmlrpc.client.getparser(use_datetime=True)
    p.feed(data); p.close()
    rows = u.close()[0]
    assert len(rows) == ${ROWS}
for _ in range(3): run()
n = 0; t = time.perf_counter()
while time.perf_counter() - t < 1.5:
    run(); n += 1
print((time.perf_counter() - t) / n * 1000)`,
      file,
    ],
    { encoding: 'utf8' },
  );
  if (py.status === 0) push('python3 xmlrpc.client', Number(py.stdout.trim()));
  else process.stderr.write(`python3 parse benchmark failed: ${py.stderr}\n`);

  // The ceiling: JSON.parse of the same rows as JSON.
  const json = JSON.stringify(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof XmlRpcDateTime ? v.text : (v as XmlRpcValue)]))));
  const jsonBytes = Buffer.byteLength(json);
  const jsonMs = time(() => {
    JSON.parse(json);
  });
  results.push({ name: 'JSON.parse (same rows as JSON; ceiling)', mbPerSec: jsonBytes / 1e6 / (jsonMs / 1000), rowsPerSec: ROWS / (jsonMs / 1000) });
  return { bytes: body.length, results };
}
