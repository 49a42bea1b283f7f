/** An answer that is not the JSON it should be: cut short, not JSON, or refused (too large, too deep). */
export class RestParseError extends Error {
  override name = 'RestParseError';
  constructor(
    message: string,
    readonly reason: 'malformed' | 'truncated' | 'refused',
  ) {
    super(message);
  }
}
