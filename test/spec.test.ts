import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/package-root.js';
import { compile } from '../src/protocol/schema-compiler.js';
import { validateWith } from '../src/protocol/validate.js';
import { REPORTS } from '../src/streams/report-registry.js';
import { withGeneratedSpec } from '../src/protocol/spec-lists.js';

type Node = Record<string, unknown>;

const specText = readFileSync(join(packageRoot(), 'spec.json'), 'utf8');
const spec = JSON.parse(specText) as Node;
const connection = spec['connectionSpecification'] as Node;
const reportItems = ((connection['properties'] as Node)['reports'] as Node)['items'] as Node;
const variants = reportItems['oneOf'] as Node[];

/** Every schema node with its JSON path, for the rule checks. */
function walk(node: unknown, path: string[], visit: (n: Node, path: string[]) => void): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((x, i) => walk(x, [...path, String(i)], visit));
    return;
  }
  const n = node as Node;
  visit(n, path);
  for (const [k, v] of Object.entries(n)) {
    if (k === 'examples' || k === 'default' || k === 'const' || k === 'enum') continue;
    walk(v, [...path, k], visit);
  }
}

/** Schema nodes that describe a property (their key sits under `properties`). */
function properties(): { name: string; node: Node; path: string[] }[] {
  const out: { name: string; node: Node; path: string[] }[] = [];
  walk(connection, [], (n, path) => {
    if (path[path.length - 2] === 'properties') out.push({ name: path[path.length - 1] as string, node: n, path });
  });
  return out;
}

// The names Airbyte's acceptance tests treat as secrets (reference/airbyte-protocol.md §3.9).
const SECRET_NAMES = ['client_token', 'access_token', 'api_token', 'token', 'secret', 'client_secret', 'password', 'key', 'service_account_info', 'service_account', 'tenant_id', 'certificate', 'jwt', 'credentials', 'app_id', 'appid', 'refresh_token'];

describe('spec.json', () => {
  it('is what scripts/generate-spec.ts writes from the report registry', () => {
    expect(specText).toBe(`${JSON.stringify(withGeneratedSpec(spec), null, 2)}\n`);
  });

  it('offers the 39 reports of the menu, each a variant keyed on one const report', () => {
    expect(variants).toHaveLength(39);
    expect(variants.map((v) => ((v['properties'] as Node)['report'] as Node)['const'])).toEqual(REPORTS.map((r) => r.id));
    for (const v of variants) {
      const consts = Object.entries(v['properties'] as Node).filter(([, p]) => (p as Node)['const'] !== undefined);
      expect(consts.map(([k]) => k)).toEqual(['report']);
      expect(v['required']).toContain('report');
      expect(typeof v['title']).toBe('string');
      expect(String(v['description']).length).toBeGreaterThan(20);
    }
    expect(new Set(variants.map((v) => v['title'])).size).toBe(39);
  });

  it('titles and describes every report parameter', () => {
    for (const v of variants) {
      for (const [name, p] of Object.entries(v['properties'] as Node)) {
        if (name === 'report') continue;
        expect(typeof (p as Node)['title'], `${String(v['title'])}.${name}`).toBe('string');
        expect(typeof (p as Node)['description'], `${String(v['title'])}.${name}`).toBe('string');
      }
    }
  });

  it('puts oneOf only under objects, each variant an object with one common const discriminator', () => {
    walk(connection, [], (n, path) => {
      const oneOf = n['oneOf'] as Node[] | undefined;
      if (!oneOf) return;
      expect(n['type'], path.join('/')).toBe('object');
      const constKeys = oneOf.map((o) => {
        expect(o['type'], path.join('/')).toBe('object');
        expect(Object.keys((o['properties'] as Node | undefined) ?? {}).length, path.join('/')).toBeGreaterThan(0);
        return Object.entries(o['properties'] as Node).filter(([, p]) => (p as Node)['const'] !== undefined);
      });
      const names = new Set(constKeys.flatMap((c) => c.map(([k]) => k)));
      expect([...names], path.join('/')).toHaveLength(1);
      const values = constKeys.map((c) => {
        expect(c, path.join('/')).toHaveLength(1);
        const p = (c[0] as [string, Node])[1];
        if (p['default'] !== undefined) expect(p['default']).toBe(p['const']);
        return p['const'];
      });
      expect(new Set(values).size, path.join('/')).toBe(values.length);
    });
  });

  it('marks secret-named fields airbyte_secret, and no report parameter', () => {
    for (const { name, node, path } of properties()) {
      const types = ([] as unknown[]).concat(node['type'] ?? []);
      if (!types.some((t) => t === 'string' || t === 'number' || t === 'integer')) continue;
      if (SECRET_NAMES.includes(name.toLowerCase())) expect(node['airbyte_secret'], path.join('/')).toBe(true);
      // Report parameters are ids, names and dates, none of them secret.
      if (path.includes('reports')) expect(node['airbyte_secret'], path.join('/')).toBeUndefined();
    }
    const credentials = (((connection['properties'] as Node)['credentials'] as Node)['oneOf'] as Node[]).map((v) => v['properties'] as Node);
    expect((credentials[1]?.['api_key'] as Node)['airbyte_secret']).toBe(true);
  });

  it('follows the other acceptance-test rules for spec schemas', () => {
    const forbidden = ['not', 'anyOf', 'patternProperties', 'prefixItems', 'allOf', 'if', 'then', 'else', 'dependentSchemas', 'dependentRequired', '$ref'];
    walk(connection, [], (n, path) => {
      const where = path.join('/');
      // A node under `properties` is named by its key, which may be a keyword's name ('if' is not used, but be exact).
      const isPropertiesMap = path[path.length - 1] === 'properties';
      if (!isPropertiesMap) for (const k of forbidden) expect(n[k], `${where} uses ${k}`).toBeUndefined();
      if (isPropertiesMap) return;
      const type = n['type'];
      if (Array.isArray(type)) expect(type.length === 2 && type.includes('null'), where).toBe(true);
      if (n['additionalProperties'] !== undefined) expect(n['additionalProperties'], where).toBe(true);
      if (n['display_type'] !== undefined) {
        expect(['dropdown', 'radio']).toContain(n['display_type']);
        expect(n['oneOf'], where).toBeDefined();
      }
      if (n['enum']) expect(new Set(n['enum'] as unknown[]).size, where).toBe((n['enum'] as unknown[]).length);
      if (type === 'object' && path[path.length - 2] === 'properties') {
        expect(Boolean(n['oneOf']) || Object.keys((n['properties'] as Node | undefined) ?? {}).length > 0, `${where} is an empty object`).toBe(true);
      }
      if (type === 'array') {
        const items = n['items'] as Node;
        expect(items, where).toBeDefined();
        expect(['object', 'string', 'number', 'integer'].includes(items['type'] as string) || Array.isArray(items['enum']), where).toBe(true);
      }
      if (n['format'] === 'date') expect(n['pattern'], where).toBe('^[0-9]{4}-[0-9]{2}-[0-9]{2}$');
      if (n['group'] !== undefined) expect(path.length, where).toBe(2);
    });
  });

  it('keeps the OAuth predicate and output paths pointing into the config schema', () => {
    const auth = spec['advanced_auth'] as Node;
    const resolve = (p: string[]): Node | undefined => {
      let node: Node | undefined = connection;
      for (const seg of p) {
        const props = node?.['properties'] as Node | undefined;
        const variantsHere = node?.['oneOf'] as Node[] | undefined;
        node = (props?.[seg] as Node | undefined) ?? variantsHere?.map((v) => (v['properties'] as Node)[seg] as Node | undefined).find(Boolean);
      }
      return node;
    };
    expect(resolve(auth['predicate_key'] as string[])).toBeDefined();
    const first = (((connection['properties'] as Node)['credentials'] as Node)['oneOf'] as Node[])[0] as Node;
    expect(((first['properties'] as Node)['auth_type'] as Node)['const']).toBe(auth['predicate_value']);
  });

  it('validates a config that uses every report (what test_config_match_spec checks)', () => {
    const validate = compile(connection);
    const config = {
      credentials: { auth_type: 'api_key', api_key: 'KeapAK-x' },
      reports: [
        { report: 'affiliate_summary', dates: { duration: 'date_range', start: { bound: 'date', date: '2024-01-01' }, end: { bound: 'days_back', days_back: 1 } } },
        { report: 'data_query', table: 'Invoice', query: "'LastUpdated':'~>=~LastSuccessfulRun'" },
        { report: 'saved_search', saved_search_filter: '*' },
        { report: 'file', file_id: 3 },
      ],
    };
    expect(validateWith(connection, validate, config)).toBeUndefined();
  });
});
