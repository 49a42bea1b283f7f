/**
 * Bad input from the user (config, catalog, state, arguments). Shown as one line naming the problem,
 * with a non-zero exit; in Airbyte mode also as a config_error trace.
 */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly source: 'config' | 'catalog' | 'state' | 'arguments',
    message: string,
  ) {
    super(`${source} error: ${message}`);
  }
}
