/** The subset of JSON Schema (draft-07) that stream schemas use; extra keywords pass through. */
export interface JsonSchema {
  $schema?: string;
  title?: string;
  description?: string;
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: boolean;
  required?: string[];
  [keyword: string]: unknown;
}
