import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/protocol/config.js';
import { readableStreams } from '../src/streams/catalog.js';
import { restStreams } from '../src/streams/rest-registry.js';
import type { StreamDef } from '../src/streams/stream-def.js';
import { tableStreams } from '../src/streams/table-registry.js';

/**
 * `read` builds only the streams its catalog names (one schema file for a one-stream read, not the
 * whole registry); each must be exactly the stream it is among all of them.
 */

const credentials = { auth_type: 'api_key', api_key: 'KeapAK-test-key-123456' };
const reports = [{ report: 'webforms', stream: 'contacts' }, { report: 'affiliate_programs' }];

/** What a catalog's reader sees of a stream: everything but its functions. */
const shape = (d: StreamDef | undefined): unknown => (d ? JSON.parse(JSON.stringify(d)) : d);

describe('the streams a read builds', () => {
  it.each([
    ['rest', restStreams().map((s) => s.stream)],
    ['xmlrpc', tableStreams().map((t) => t.stream)],
  ] as const)('(%s) are, one by one, the streams a read of every stream builds, reports and their names included', (api, all) => {
    const settings = validateConfig({ credentials, api, reports: api === 'xmlrpc' ? reports.slice(1) : reports });
    const names = [...all, 'affiliate_programs', 'not_a_stream'];
    const every = new Map(readableStreams(settings, names).map((d) => [d.name, d]));
    for (const name of names) {
      const one = readableStreams(settings, [name]);
      expect(shape(one.find((d) => d.name === name)), `${api} ${name}`).toEqual(shape(every.get(name)));
      // Besides the reports, nothing but the stream asked for.
      expect(one.filter((d) => d.kind !== 'report').every((d) => d.name === name), `${api} ${name}`).toBe(true);
    }
    // A report entry named like a resource takes the name, alone or among all.
    if (api === 'rest') expect(readableStreams(settings, ['contacts']).find((d) => d.name === 'contacts')?.kind).toBe('report');
    expect(every.has('not_a_stream')).toBe(false);
  });
});
