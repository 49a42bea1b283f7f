import { fieldMapping, fieldMaps, filterText, TABLE_MAP } from '../src/streams/migration-map.js';
import { tableStreams } from '../src/streams/table-registry.js';

/**
 * The README's migration guide, generated from the migration map (src/streams/migration-map.ts):
 * each of the 60 DataService tables with its REST v2 stream, or why it has none; then, for the
 * tables people sync most, each field with its place in the REST record and the REST filter
 * data_query turns it into. `tap-infusionsoft list fields TABLE --api rest` prints the same maps.
 */

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string): string => `\`${text}\``;
const table = (head: string[], rows: string[][]): string => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export function migrationGuide(): string {
  const out: string[] = [];
  out.push(
    table(
      ['XML-RPC table', 'REST v2 stream', 'Notes'],
      tableStreams().map((t) => {
        const m = TABLE_MAP[t.table];
        return [t.table, m?.stream ? code(m.stream) : 'not on REST', cell(m?.note ?? '')];
      }),
    ),
  );
  for (const name of Object.keys(fieldMaps())) {
    const stream = TABLE_MAP[name]?.stream;
    if (!stream) continue;
    const fields = Object.keys(tableStreams().find((t) => t.table === name)?.schema.properties ?? {});
    out.push('', `#### ${name} → ${code(stream)}`, '');
    const rows = [...fields, '_Name'].map((field) => {
      const m = fieldMapping(name, field);
      const filter = filterText(stream, m?.filter);
      return [field === '_Name' ? '`_Name` (custom field)' : code(field), m?.rest ? code(m.rest) : '—', filter ? code(filter) : '', cell(m?.note ?? '')];
    });
    out.push(table(['XML-RPC field', 'REST field', 'REST filter (data_query)', 'Notes'], rows));
  }
  return out.join('\n');
}
