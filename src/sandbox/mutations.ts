import type { Row, RowValue } from './columns.js';
import type { SandboxData, SandboxTable } from './data.js';
import { Prng } from './random.js';

/**
 * Rows changing while a connector reads them. After each DataService.query answer on a listed
 * table, `updates` live rows get a column edited (and LastUpdated moves to now), `inserts` new rows
 * appear, and `deletes` rows go away; every touched row is recorded, so a test can tell which rows
 * stayed the same for the whole sync and must therefore arrive exactly once.
 *
 * ContactGroupAssign has no Id: its rows are recorded as 'ContactId:GroupId', and an "update"
 * re-stamps DateCreated, as re-applying a tag does.
 */
export interface MutationCounts {
  updates?: number;
  inserts?: number;
  deletes?: number;
}

export type MutationPlan = Record<string, MutationCounts>;

/** Columns an update prefers to edit, where the table has them. */
const EDITABLE = ['FirstName', 'City', 'Company', 'JobTitle', 'GroupName', 'ProductName', 'Description', 'Notes', 'Name', 'Status'];

export class Mutator {
  private plan: MutationPlan;
  private readonly prng: Prng;
  private readonly touched = new Map<string, Set<number | string>>();
  private edits = 0;

  constructor(
    private readonly data: SandboxData,
    seed: number,
    plan: MutationPlan = {},
  ) {
    this.prng = new Prng(seed, 0x3a7e);
    this.plan = plan;
  }

  set(plan: MutationPlan): void {
    this.plan = plan;
  }

  /** Ids (or 'ContactId:GroupId' keys) touched so far in `table`. */
  mutated(table: string): Set<number | string> {
    let s = this.touched.get(table);
    if (s === undefined) {
      s = new Set();
      this.touched.set(table, s);
    }
    return s;
  }

  /** Applies the plan for `table`, if it has one. */
  afterQuery(tableName: string): void {
    const counts = this.plan[tableName];
    if (counts === undefined || !this.data.has(tableName)) return;
    const table = this.data.table(tableName);
    for (let i = 0; i < (counts.updates ?? 0); i++) this.update(table);
    for (let i = 0; i < (counts.inserts ?? 0); i++) this.insert(table);
    for (let i = 0; i < (counts.deletes ?? 0); i++) this.delete(table);
  }

  private key(table: SandboxTable, id: number): number | string {
    if (table.rowKey !== null) return id;
    return table.key.map((k) => String(table.value(id, k))).join(':');
  }

  /** A random live row, or null when the table is empty. */
  private randomLive(table: SandboxTable): number | null {
    if (table.count() === 0) return null;
    const inserted = table.insertedIds();
    const top = table.baseCount + inserted.length;
    for (let attempt = 0; attempt < 64; attempt++) {
      const r = 1 + this.prng.int(top);
      const id = r <= table.baseCount ? r : inserted[r - table.baseCount - 1];
      if (id !== undefined && table.exists(id)) return id;
    }
    const first = table.ids().next();
    return first.done === true ? null : first.value;
  }

  private update(table: SandboxTable): void {
    const id = this.randomLive(table);
    if (id === null) return;
    this.mutated(table.name).add(this.key(table, id));
    this.edits++;
    if (table.rowKey === null && table.columns.has('DateCreated')) {
      table.update(id, { DateCreated: Math.floor(this.data.clock.now() / 1000) * 1000 });
      return;
    }
    const field = EDITABLE.find((f) => table.columns.get(f) === 'string') ?? [...table.columns].find(([f, k]) => k === 'string' && !table.joins.has(f))?.[0];
    if (field === undefined) {
      table.update(id, {});
      return;
    }
    table.update(id, { [field]: `Edited ${this.edits} ${String(table.value(id, field) ?? '')}`.trim() });
  }

  private insert(table: SandboxTable): void {
    if (table.rowKey === null) {
      // Only tags are inserted among the tables without a row number.
      if (table.name !== 'ContactGroupAssign') return;
      // A new tag on some contact: a (ContactId, GroupId) pair no row has yet.
      const contacts = this.data.table('Contact');
      const groups = this.data.table('ContactGroup');
      for (let attempt = 0; attempt < 16; attempt++) {
        const contactId = 1 + this.prng.int(contacts.baseCount);
        const groupId = 1 + this.prng.int(groups.baseCount);
        const held = String(contacts.value(contactId, 'Groups') ?? '').split(',');
        if (held.includes(String(groupId))) continue;
        table.insert({ ContactId: contactId, GroupId: groupId });
        this.mutated(table.name).add(`${contactId}:${groupId}`);
        return;
      }
      return;
    }
    const template = 1 + this.prng.int(Math.max(1, table.baseCount));
    const row: Row = {};
    for (const [field, gen] of table.gens) {
      if (field === table.rowKey || field === 'DateCreated' || field === 'LastUpdated') continue;
      const v: RowValue = gen(template);
      if (v !== null) row[field] = v;
    }
    const id = table.insert(row);
    this.mutated(table.name).add(id);
  }

  private delete(table: SandboxTable): void {
    const id = this.randomLive(table);
    if (id === null) return;
    this.mutated(table.name).add(this.key(table, id));
    table.delete(id);
  }
}
