import { systemClock, type Clock } from '../keap/clock.js';
import type { ColumnKind, Row, RowValue } from './columns.js';
import { customFieldKind, customFieldsOf, type CustomFieldDef } from './custom-fields.js';
import { floorSecond, TableKit, type FieldGen, type GenEnv } from './gen-kit.js';
import { genericGen } from './gen-generic.js';
import type { Join } from './gen-people.js';
import { builders, fileContent } from './gen-tables.js';
import { tableSizes } from './sizes.js';
import { TABLE_DEFS } from './table-defs.js';
import { WallClock } from './wall-clock.js';

export type { ColumnKind, Row, RowValue } from './columns.js';

/**
 * The sandbox account: all 60 DataService tables, generated on demand from the seed. A base row
 * is never stored; `value(id, field)` runs that one column's function. Changes (tests, the demo,
 * mutation plans) live in an overlay map of whole rows over the base, so a million contacts cost
 * nothing until they are read and a handful of edits cost a handful of rows.
 *
 * Ids of generated rows are 1..size; inserted rows take the next ids. Date columns hold UTC epoch
 * ms (whole seconds); see columns.ts for the value types.
 */

export interface SandboxDataOptions {
  seed?: number;
  contacts?: number;
  timezone?: string;
  clock?: Clock;
}

/** The overlay's mark for a deleted row. */
const DELETED = null;

export class SandboxTable {
  readonly name: string;
  /** Readable columns (custom fields included) and how each travels. */
  readonly columns: ReadonlyMap<string, ColumnKind>;
  /** Columns that exist but cannot be read (a query naming them gets fault 8). */
  readonly unreadable: ReadonlySet<string>;
  /** The column holding the row number (Id, or RecurringOrderId), or null when there is none. */
  readonly rowKey: string | null;
  /** The columns that identify a row. */
  readonly key: readonly string[];
  /** The generated rows are ids 1..baseCount. */
  readonly baseCount: number;
  /** Column functions of base rows (absent: always null); joined columns are in `joins`. */
  readonly gens: ReadonlyMap<string, FieldGen>;
  readonly joins: ReadonlyMap<string, Join>;
  private readonly overlay = new Map<number, Row | typeof DELETED>();
  private readonly inserted: number[] = [];
  /** When each inserted or updated row last changed (sandbox clock), for tables without LastUpdated. */
  private readonly stamps = new Map<number, number>();
  private nextId: number;
  private live: number;

  constructor(
    private readonly data: SandboxData,
    spec: {
      name: string;
      columns: Map<string, ColumnKind>;
      unreadable: readonly string[];
      rowKey: string | null;
      key: readonly string[];
      baseCount: number;
      gens: Map<string, FieldGen>;
      joins: Map<string, Join>;
    },
  ) {
    this.name = spec.name;
    this.columns = spec.columns;
    this.unreadable = new Set(spec.unreadable);
    this.rowKey = spec.rowKey;
    this.key = spec.key;
    this.baseCount = spec.baseCount;
    this.gens = spec.gens;
    this.joins = spec.joins;
    this.nextId = spec.baseCount + 1;
    this.live = spec.baseCount;
  }

  /** Whether any row has been edited, inserted or deleted (scans skip overlay checks otherwise). */
  get changed(): boolean {
    return this.overlay.size > 0;
  }

  /** The current value of one column of one row; null when absent (Keap omits it). */
  value(id: number, field: string): RowValue {
    if (this.overlay.size !== 0) {
      const o = this.overlay.get(id);
      if (o !== undefined) {
        if (o === DELETED) return null;
        const join = this.joins.get(field);
        return join === undefined ? (o[field] ?? null) : this.joinValue(id, join);
      }
    }
    if (id < 1 || id > this.baseCount) return null;
    const gen = this.gens.get(field);
    if (gen !== undefined) return gen(id);
    const join = this.joins.get(field);
    return join === undefined ? null : this.joinValue(id, join);
  }

  /** The overlay entry of a row: a stored row, DELETED (null), or undefined for an untouched base row. */
  overlayRow(id: number): Row | null | undefined {
    return this.overlay.size === 0 ? undefined : this.overlay.get(id);
  }

  joinValue(id: number, join: Join): RowValue {
    const via = this.value(id, join.via);
    if (typeof via !== 'number') return null;
    return this.data.table(join.table).value(via, join.field);
  }

  exists(id: number): boolean {
    const o = this.overlay.size === 0 ? undefined : this.overlay.get(id);
    if (o !== undefined) return o !== DELETED;
    return id >= 1 && id <= this.baseCount;
  }

  /** The whole current row with null columns left out, or undefined when there is no such row. */
  get(id: number): Row | undefined {
    if (!this.exists(id)) return undefined;
    const row: Row = {};
    for (const field of this.columns.keys()) {
      const v = this.value(id, field);
      if (v !== null) row[field] = v;
    }
    return row;
  }

  /**
   * Adds a row and returns its row number (its Id, or for a table without one the internal
   * number). DateCreated and LastUpdated default to the clock's now, as Keap stamps them.
   */
  insert(partial: Row): number {
    this.check(partial);
    const id = this.nextId++;
    const now = floorSecond(this.data.clock.now());
    const row: Row = {};
    if (this.columns.has('DateCreated')) row['DateCreated'] = now;
    if (this.columns.has('LastUpdated')) row['LastUpdated'] = now;
    Object.assign(row, withoutNulls(partial));
    if (this.rowKey !== null && !this.joins.has(this.rowKey)) row[this.rowKey] = id;
    this.overlay.set(id, row);
    this.inserted.push(id);
    this.stamps.set(id, now);
    this.live++;
    this.data.touch();
    return id;
  }

  /** Changes columns of a row; LastUpdated moves to now unless the change sets it. */
  update(id: number, partial: Row): void {
    this.check(partial);
    if (!this.exists(id)) throw new Error(`${this.name} has no row ${id}`);
    const row = this.ownRow(id);
    for (const [k, v] of Object.entries(partial)) {
      if (v === null) delete row[k];
      else row[k] = v;
    }
    const now = floorSecond(this.data.clock.now());
    if (this.columns.has('LastUpdated') && !('LastUpdated' in partial)) row['LastUpdated'] = now;
    this.overlay.set(id, row);
    this.stamps.set(id, now);
    this.data.touch();
  }

  delete(id: number): void {
    if (!this.exists(id)) throw new Error(`${this.name} has no row ${id}`);
    this.overlay.set(id, DELETED);
    this.live--;
    this.data.touch();
  }

  count(): number {
    return this.live;
  }

  /** When an inserted or updated row last changed; undefined for an untouched generated row. */
  changedAt(id: number): number | undefined {
    return this.stamps.get(id);
  }

  /** Live ids, ascending. */
  *ids(): IterableIterator<number> {
    const changed = this.overlay.size !== 0;
    for (let id = 1; id <= this.baseCount; id++) {
      if (changed && this.overlay.get(id) === DELETED) continue;
      yield id;
    }
    for (const id of this.inserted) if (this.overlay.get(id) !== DELETED) yield id;
  }

  /** Every current row (tests and the demo; a million-row table makes a million objects). */
  all(): Row[] {
    const out: Row[] = [];
    for (const id of this.ids()) {
      const row = this.get(id);
      if (row !== undefined) out.push(row);
    }
    return out;
  }

  /** Inserted ids that are still live, ascending. */
  insertedIds(): number[] {
    return this.inserted.filter((id) => this.overlay.get(id) !== DELETED);
  }

  /** Base ids with an overlay entry (edited or deleted), for scans that merge the overlay in. */
  overlaidBaseIds(): number[] {
    const out: number[] = [];
    for (const id of this.overlay.keys()) if (id <= this.baseCount) out.push(id);
    return out.sort((a, b) => a - b);
  }

  /** The row's own (stored, non-joined) columns, materialised from the base when untouched. */
  private ownRow(id: number): Row {
    const o = this.overlay.get(id);
    if (o !== undefined && o !== DELETED) return { ...o };
    const row: Row = {};
    for (const [field, gen] of this.gens) {
      const v = gen(id);
      if (v !== null) row[field] = v;
    }
    return row;
  }

  private check(partial: Row): void {
    for (const field of Object.keys(partial)) {
      if (!this.columns.has(field) && !this.unreadable.has(field)) throw new Error(`${this.name} has no column ${field}`);
      if (this.joins.has(field)) throw new Error(`${this.name}.${field} is joined from another table and cannot be set`);
    }
  }
}

export class SandboxData implements GenEnv {
  readonly seed: number;
  readonly contacts: number;
  readonly sizes: Readonly<Record<string, number>>;
  readonly wall: WallClock;
  readonly clock: Clock;
  /** Bumped on every change to any table; caches of query results key on it. */
  version = 0;
  private readonly tables = new Map<string, SandboxTable>();

  constructor(options: SandboxDataOptions = {}) {
    this.seed = options.seed ?? 1;
    this.contacts = options.contacts ?? 1000;
    this.sizes = tableSizes(this.contacts);
    this.wall = new WallClock(options.timezone ?? 'America/New_York');
    this.clock = options.clock ?? systemClock;
    const cgaColumns = (TABLE_DEFS['ContactGroupAssign']?.columns ?? []).filter(([c]) => c.startsWith('Contact.'));
    const build = builders(this.seed, cgaColumns, new Set((TABLE_DEFS['Contact']?.columns ?? []).map(([c]) => c)));
    const specs: ConstructorParameters<typeof SandboxTable>[1][] = [];
    for (const [name, def] of Object.entries(TABLE_DEFS)) {
      const columns = new Map<string, ColumnKind>(def.columns);
      for (const cf of customFieldsOf(name)) columns.set(`_${cf.name}`, customFieldKind(cf.dataType));
      const kit = new TableKit(this, name, def.stamp);
      const b = build[name]?.(kit) ?? { gens: {}, rest: 'generic' as const };
      const gens = new Map<string, FieldGen>();
      const joins = new Map<string, Join>();
      for (const [field, kind] of columns) {
        const join = b.joins?.[field];
        if (join !== undefined) {
          joins.set(field, join);
          continue;
        }
        const gen = b.gens[field] ?? (b.rest === 'generic' ? genericGen(kit, field, kind) : undefined);
        // Keap's Date columns hold a calendar day: midnight on the app's clock.
        if (gen !== undefined) gens.set(field, def.dateOnly.includes(field) ? kit.midnight(gen) : gen);
      }
      specs.push({ name, columns, unreadable: def.unreadable, rowKey: def.rowKey, key: def.key, baseCount: this.sizes[name] ?? 3, gens, joins });
    }
    for (const spec of specs) this.tables.set(spec.name, new SandboxTable(this, spec));
  }

  has(name: string): boolean {
    return this.tables.has(name);
  }

  table(name: string): SandboxTable {
    const t = this.tables.get(name);
    if (t === undefined) throw new Error(`the sandbox has no table ${name}`);
    return t;
  }

  tableNames(): string[] {
    return [...this.tables.keys()];
  }

  lookup(table: string, id: number, field: string): RowValue {
    return this.table(table).value(id, field);
  }

  customFields(table: string): CustomFieldDef[] {
    return customFieldsOf(table);
  }

  /** The bytes of a FileBox file (what FileService.getFile returns, base64-encoded). */
  fileContent(id: number): Buffer | undefined {
    const t = this.table('FileBox');
    if (!t.exists(id)) return undefined;
    return fileContent(this.seed, id);
  }

  /** Called by tables on every change. */
  touch(): void {
    this.version++;
  }
}

function withoutNulls(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) if (v !== null) out[k] = v;
  return out;
}
