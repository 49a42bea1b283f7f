import { escapeText } from '../xmlrpc/entities.js';
import { isStruct, XmlRpcBase64, XmlRpcDateTime, XmlRpcDouble, type XmlRpcValue } from '../xmlrpc/types.js';
import type { ColumnKind, RowValue } from './columns.js';
import type { SandboxTable } from './data.js';
import type { FieldGen } from './gen-kit.js';
import type { Join } from './gen-people.js';
import type { WallClock } from './wall-clock.js';

/**
 * XML the way Keap writes it (see keap-fixtures/ruby-vcr): strings as bare `<value>text</value>`,
 * integers as `<i4>`, empty strings as `<value></value>`, null struct members left out, dates as
 * zone-less wall-clock `YYYYMMDDTHH:MM:SS`.
 *
 * Rows go straight from column functions to text, one string append per member, because the
 * benchmark pulls a million contacts through here while the connector shares the machine.
 */

/**
 * An already-encoded `<value>...</value>` (text or UTF-8 bytes), returned by handlers that render
 * rows themselves; `wrapped` when the bytes are already a whole methodResponse (saves a copy of a
 * megabyte-sized page).
 */
export class RenderedValue {
  constructor(
    readonly xml: string | Buffer,
    readonly wrapped = false,
  ) {}
}

/**
 * UTF-8 output that grows as it is written. A page built with `+=` is a rope of ~10^5 pieces whose
 * flattening (plus the UTF-8 copy after it) cost more than rendering; rows written here one at a
 * time are flattened while still small and hot in cache, and the bytes are ready to send.
 */
export class ByteWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  write(s: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const need = this.len + s.length * 3;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    this.len += this.buf.write(s, this.len);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

export const RESPONSE_HEAD = '<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param>';
export const RESPONSE_TAIL = '</param></params></methodResponse>';

const HEAD_BYTES = Buffer.from(RESPONSE_HEAD, 'utf8');
const TAIL_BYTES = Buffer.from(RESPONSE_TAIL, 'utf8');

/** A whole methodResponse body around one encoded value. */
export function responseBody(value: string | RenderedValue): Buffer {
  if (typeof value !== 'string' && value.wrapped) return typeof value.xml === 'string' ? Buffer.from(value.xml, 'utf8') : value.xml;
  const xml = typeof value === 'string' ? value : value.xml;
  const v = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  return Buffer.concat([HEAD_BYTES, v, TAIL_BYTES], HEAD_BYTES.length + v.length + TAIL_BYTES.length);
}

const I4_MAX = 2147483647;

function formatDouble(n: number): string {
  const s = String(n);
  return /[.eE]/.test(s) || !Number.isFinite(n) ? s : `${s}.0`;
}

/** The inside of `<value>` for a column value of a known kind. */
function scalar(kind: ColumnKind, v: RowValue, wall: WallClock): string {
  if (typeof v === 'number') {
    switch (kind) {
      case 'date':
        return `<dateTime.iso8601>${wall.formatCompact(v)}</dateTime.iso8601>`;
      case 'double':
        return `<double>${formatDouble(v)}</double>`;
      case 'bool':
        return `<boolean>${v ? 1 : 0}</boolean>`;
      default:
        if (Number.isInteger(v) && Math.abs(v) <= I4_MAX) return `<i4>${v}</i4>`;
        // A Long column past 32 bits (FileBox.FileSize of a file over 2 GB).
        return Number.isSafeInteger(v) ? `<i8>${v}</i8>` : `<double>${formatDouble(v)}</double>`;
    }
  }
  if (typeof v === 'boolean') return kind === 'int' ? `<i4>${v ? 1 : 0}</i4>` : `<boolean>${v ? 1 : 0}</boolean>`;
  if (kind === 'blob') return `<base64>${v}</base64>`;
  return escapeText(String(v));
}

interface Member {
  field: string;
  /** `<member><name>F</name><value>`. */
  open: string;
  /** The same with the kind's type tag opened (`...<value><i4>`), and its closing counterpart. */
  typedOpen: string;
  typedClose: string;
  kind: ColumnKind;
  gen: FieldGen | undefined;
  join: Join | undefined;
}

const TAGS: Readonly<Record<ColumnKind, string>> = { int: 'i4', double: 'double', bool: 'boolean', date: 'dateTime.iso8601', string: '', blob: 'base64' };
const MEMBER_CLOSE = '</value></member>';

/**
 * Renders rows of one table with a fixed set of fields. `fields` must already be checked against
 * the table (unknown names are the caller's fault to raise).
 */
export class RowRenderer {
  private readonly members: Member[];
  /** Members that can be non-null on an untouched base row (the rest have no column function). */
  private readonly baseMembers: Member[];

  constructor(
    private readonly table: SandboxTable,
    fields: readonly string[],
    private readonly wall: WallClock,
  ) {
    this.members = [...new Set(fields)].map((field) => {
      const kind = table.columns.get(field) ?? 'string';
      const open = `<member><name>${escapeText(field)}</name><value>`;
      const tag = TAGS[kind];
      return {
        field,
        open,
        typedOpen: tag === '' ? open : `${open}<${tag}>`,
        typedClose: tag === '' ? MEMBER_CLOSE : `</${tag}>${MEMBER_CLOSE}`,
        kind,
        gen: table.gens.get(field),
        join: table.joins.get(field),
      };
    });
    this.baseMembers = this.members.filter((m) => m.gen !== undefined || m.join !== undefined);
  }

  /** `<value><struct>...</struct></value>` for one row. */
  row(id: number): string {
    const table = this.table;
    const stored = table.overlayRow(id);
    let s = '<value><struct>';
    if (stored === undefined) {
      for (const m of this.baseMembers) {
        const v = m.join !== undefined ? table.joinValue(id, m.join) : (m.gen as FieldGen)(id);
        if (v !== null) s += this.member(m, v);
      }
    } else if (stored !== null) {
      for (const m of this.members) {
        const v = m.join !== undefined ? table.joinValue(id, m.join) : (stored[m.field] ?? null);
        if (v !== null) s += this.member(m, v);
      }
    }
    return s + '</struct></value>';
  }

  private member(m: Member, v: string | number | boolean): string {
    switch (m.kind) {
      case 'string':
        if (typeof v === 'string') return m.open + escapeText(v) + MEMBER_CLOSE;
        break;
      case 'date':
        if (typeof v === 'number') return m.typedOpen + this.wall.formatCompact(v) + m.typedClose;
        break;
      case 'int':
        if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= I4_MAX) return m.typedOpen + v + m.typedClose;
        break;
      case 'double':
        if (typeof v === 'number') return m.typedOpen + formatDouble(v) + m.typedClose;
        break;
      default:
        break;
    }
    // Values whose JS type does not match the column (set by a test through the overlay).
    return m.open + scalar(m.kind, v, this.wall) + MEMBER_CLOSE;
  }

  /** A whole methodResponse whose value is the array of these rows, as UTF-8. */
  rows(ids: readonly number[]): RenderedValue {
    const w = new ByteWriter(Math.max(4096, ids.length * 2048));
    w.write(RESPONSE_HEAD + '<value><array><data>');
    for (const id of ids) w.write(this.row(id));
    w.write('</data></array></value>' + RESPONSE_TAIL);
    return new RenderedValue(w.bytes(), true);
  }
}

/**
 * Any XmlRpcValue in Keap's style, for handlers that build results as values (reports, settings).
 * Null struct members are left out, as Keap leaves out null columns.
 */
export function renderValue(v: XmlRpcValue): string {
  if (v === null) return '<value></value>';
  switch (typeof v) {
    case 'string':
      return `<value>${escapeText(v)}</value>`;
    case 'number':
      return Number.isInteger(v) && Math.abs(v) <= I4_MAX ? `<value><i4>${v}</i4></value>` : `<value><double>${formatDouble(v)}</double></value>`;
    case 'bigint':
      return `<value><i8>${v.toString()}</i8></value>`;
    case 'boolean':
      return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
    default:
      break;
  }
  if (v instanceof XmlRpcDateTime) return `<value><dateTime.iso8601>${escapeText(v.text)}</dateTime.iso8601></value>`;
  if (v instanceof XmlRpcBase64) return `<value><base64>${v.base64}</base64></value>`;
  if (v instanceof XmlRpcDouble) return `<value><double>${formatDouble(v.value)}</double></value>`;
  if (Array.isArray(v)) {
    let s = '<value><array><data>';
    for (const item of v) s += renderValue(item);
    return s + '</data></array></value>';
  }
  if (!isStruct(v)) return '<value></value>';
  let s = '<value><struct>';
  for (const [name, member] of Object.entries(v)) {
    if (member === null || member === undefined) continue;
    s += `<member><name>${escapeText(name)}</name>${renderValue(member)}</member>`;
  }
  return s + '</struct></value>';
}
