/**
 * XML-RPC values as JavaScript values. Two types keep their wire text because only a layer above
 * knows how to read them: a dateTime has no zone (Keap means its app's wall clock), and base64
 * stays encoded so a file is never copied twice.
 */
export class XmlRpcDateTime {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export class XmlRpcBase64 {
  /** `base64` has no whitespace. */
  constructor(readonly base64: string) {}
  static fromBytes(bytes: Uint8Array): XmlRpcBase64 {
    return new XmlRpcBase64(Buffer.from(bytes).toString('base64'));
  }
  bytes(): Buffer {
    return Buffer.from(this.base64, 'base64');
  }
}

/** A double that happens to be integral (`17.0`) still encodes as `<double>`. */
export class XmlRpcDouble {
  constructor(readonly value: number) {}
}

export type XmlRpcValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | XmlRpcDateTime
  | XmlRpcBase64
  | XmlRpcDouble
  | XmlRpcValue[]
  | XmlRpcStruct;

export interface XmlRpcStruct {
  [member: string]: XmlRpcValue;
}

export function isStruct(v: XmlRpcValue | undefined): v is XmlRpcStruct {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof XmlRpcDateTime) &&
    !(v instanceof XmlRpcBase64) &&
    !(v instanceof XmlRpcDouble)
  );
}

/** A response that is well-formed XML-RPC but says no. */
export class XmlRpcFault extends Error {
  constructor(
    readonly code: number,
    readonly faultString: string,
  ) {
    super(`XML-RPC fault ${code}: ${faultString}`);
    this.name = 'XmlRpcFault';
  }
}

/** A response that is not XML-RPC we accept: malformed, truncated, oversized, or refused. */
export class XmlRpcParseError extends Error {
  constructor(
    message: string,
    /** 'truncated' for a body that stopped early, 'refused' for DOCTYPE/entities/limits. */
    readonly reason: 'malformed' | 'truncated' | 'refused' = 'malformed',
  ) {
    super(message);
    this.name = 'XmlRpcParseError';
  }
}
