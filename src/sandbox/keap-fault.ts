/**
 * An XML-RPC fault as Keap sends it: HTTP 200, `<fault>` with an int faultCode and a faultString
 * of the form `[Token]message` (codes from the Ruby SDK's exception table, keap-api.md §5).
 * Method handlers throw it; the server encodes it.
 */
export class KeapFault extends Error {
  override name = 'KeapFault';
  constructor(
    readonly code: number,
    readonly faultString: string,
  ) {
    super(faultString);
  }
}

export const noTableFound = (table: string): KeapFault => new KeapFault(9, `[NoTableFound]No table found: ${table}`);
export const noFieldFound = (table: string, field: string): KeapFault => new KeapFault(10, `[NoFieldFound]No field found: ${table}.${field}`);
export const noFieldAccess = (table: string, field: string): KeapFault => new KeapFault(8, `[NoFieldAccess]No field access: ${table}.${field}`);
export const recordNotFound = (): KeapFault => new KeapFault(5, '[RecordNotFound]Record was not found');
export const invalidParameter = (message: string): KeapFault => new KeapFault(12, `[InvalidParameter]${message}`);
export const noSuchHandler = (method: string): KeapFault => new KeapFault(0, `No such handler: ${method}`);
