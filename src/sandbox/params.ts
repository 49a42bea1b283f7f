import { isStruct, XmlRpcDateTime, type XmlRpcStruct, type XmlRpcValue } from '../xmlrpc/types.js';
import { invalidParameter } from './keap-fault.js';

/**
 * Reading method parameters the way Keap's Java XML-RPC layer does: by position and type. A
 * missing parameter or one of the wrong type is fault 12, naming the method's signature, so a
 * connector bug shows up as the same fault it would get from Keap.
 */
export class Params {
  constructor(
    private readonly method: string,
    private readonly signature: string,
    private readonly values: readonly XmlRpcValue[],
  ) {}

  /** Faults unless the count is within [min, max]. */
  count(min: number, max = min): this {
    if (this.values.length < min || this.values.length > max) throw this.bad(`expected ${min === max ? min : `${min} to ${max}`} parameters after the key, got ${this.values.length}`);
    return this;
  }

  get length(): number {
    return this.values.length;
  }

  has(i: number): boolean {
    return i < this.values.length;
  }

  raw(i: number): XmlRpcValue {
    const v = this.values[i];
    if (v === undefined) throw this.bad(`parameter ${i + 1} is missing`);
    return v;
  }

  string(i: number): string {
    return this.typed(i, (v): v is string => typeof v === 'string', 'a string');
  }

  int(i: number): number {
    return this.typed(i, (v): v is number => typeof v === 'number' && Number.isInteger(v), 'an int');
  }

  bool(i: number): boolean {
    return this.typed(i, (v): v is boolean => typeof v === 'boolean', 'a boolean');
  }

  struct(i: number): XmlRpcStruct {
    return this.typed(i, isStruct, 'a struct');
  }

  array(i: number): XmlRpcValue[] {
    return this.typed(i, (v): v is XmlRpcValue[] => Array.isArray(v), 'an array');
  }

  strings(i: number): string[] {
    const items = this.array(i);
    for (const item of items) if (typeof item !== 'string') throw this.bad(`parameter ${i + 1} must be an array of strings`);
    return items as string[];
  }

  ints(i: number): number[] {
    const items = this.array(i);
    for (const item of items) if (typeof item !== 'number' || !Number.isInteger(item)) throw this.bad(`parameter ${i + 1} must be an array of ints`);
    return items as number[];
  }

  date(i: number): XmlRpcDateTime {
    return this.typed(i, (v): v is XmlRpcDateTime => v instanceof XmlRpcDateTime, 'a dateTime.iso8601');
  }

  /** Parameter i when it is of the type `ok` checks; fault 12 saying it must be `what` otherwise. */
  private typed<T extends XmlRpcValue>(i: number, ok: (v: XmlRpcValue) => v is T, what: string): T {
    const v = this.raw(i);
    if (!ok(v)) throw this.bad(`parameter ${i + 1} must be ${what}`);
    return v;
  }

  private bad(why: string) {
    return invalidParameter(`${this.method}${this.signature}: ${why}`);
  }
}
