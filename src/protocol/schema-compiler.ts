import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * ajv with the connector's options. The CLI itself never loads this: the schemas it checks input
 * against are compiled ahead of time, with these very options, by scripts/generate-validators.ts
 * (src/protocol/input-validators.ts, report-validators.ts). Tests compile record schemas with it.
 */

type AddFormats = (ajv: Ajv) => Ajv;
// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module.
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/** A new ajv; `code` is for the generator, which asks for source code (ajv's standalone mode). */
export function newAjv(code?: Options['code']): Ajv {
  // strict: false because Airbyte's UI keywords (order, airbyte_secret, display_type) are not JSON Schema.
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, ...(code ? { code } : {}) });
  addFormats(ajv);
  return ajv;
}

let ajv: Ajv | undefined;

export function getAjv(): Ajv {
  ajv ??= newAjv();
  return ajv;
}

export function compile(schema: object): ReturnType<Ajv['compile']> {
  return getAjv().compile(schema);
}
