import type { JsonSchema } from '../streams/json-schema.js';
import { loadSpec } from './spec-command.js';
import type { Session } from './session.js';
import { VERSION } from './version.js';

// Meltano wants one of catalog/properties declared; --properties is still accepted as an alias.
export const CAPABILITIES = ['about', 'catalog', 'discover', 'state'];

const DESCRIPTION =
  'Singer tap and Airbyte source for Infusionsoft (Keap): every REST v2 resource and the 39 reports of the Infusionsoft report menu, incremental, over Keap\'s REST v2 API (the DataService tables over XML-RPC until Keap switches it off on 2026-12-31).';

interface Setting {
  name: string;
  required: boolean;
  default: unknown;
  description: string;
  secret: boolean;
}

/** The settings table, flattened one level (credentials.api_key) as Meltano lists nested settings. */
export function settingsOf(): Setting[] {
  const spec = loadSpec().connectionSpecification as JsonSchema;
  const required = new Set(spec.required ?? []);
  const out: Setting[] = [];
  for (const [name, s] of Object.entries(spec.properties ?? {})) {
    if (name === 'credentials') {
      const seen = new Set<string>();
      for (const branch of (s['oneOf'] as JsonSchema[] | undefined) ?? []) {
        const auth = (branch.properties?.['auth_type'] as { const?: string } | undefined)?.const ?? '';
        for (const [k, v] of Object.entries(branch.properties ?? {})) {
          if (seen.has(k)) continue;
          seen.add(k);
          // The branches are alternatives: a field is required outright only if every branch needs
          // it (auth_type); the others are required with their auth_type, which the text says.
          const branches = (s['oneOf'] as JsonSchema[] | undefined) ?? [];
          const needed = (branch.required ?? []).includes(k);
          out.push({
            name: `credentials.${k}`,
            required: branches.every((b) => (b.required ?? []).includes(k)),
            default: undefined,
            description: k === 'auth_type' ? "'oauth2' or 'api_key'" : `${v.description ?? v.title ?? ''} (${needed ? 'required when' : 'used when'} auth_type is ${auth})`,
            secret: v['airbyte_secret'] === true,
          });
        }
      }
      continue;
    }
    out.push({ name, required: required.has(name), default: s.default, description: s.description ?? s.title ?? '', secret: s['airbyte_secret'] === true });
  }
  return out;
}

export function aboutJson(): object {
  return {
    name: 'tap-infusionsoft',
    description: DESCRIPTION,
    version: VERSION,
    capabilities: CAPABILITIES,
    protocols: ['singer', 'airbyte'],
    settings: loadSpec().connectionSpecification,
  };
}

export function aboutMarkdown(): string {
  const rows = settingsOf().map(
    (s) =>
      `| ${s.name} | ${s.required ? 'True' : 'False'} | ${s.default === undefined ? 'None' : JSON.stringify(s.default)} | ${s.description.replace(/\|/g, '\\|')}${s.secret ? ' (secret)' : ''} |`,
  );
  return [
    '# `tap-infusionsoft`',
    '',
    DESCRIPTION,
    '',
    `Version ${VERSION}. Built with the Airbyte protocol and the Singer spec.`,
    '',
    '## Capabilities',
    '',
    ...CAPABILITIES.map((c) => `* \`${c}\``),
    '',
    '## Settings',
    '',
    '| Setting | Required | Default | Description |',
    '|:--------|:--------:|:-------:|:------------|',
    ...rows,
    '',
    'A full list of supported settings and capabilities is available by running: `tap-infusionsoft --about`',
    '',
  ].join('\n');
}

export function runAbout(session: Session, format: 'json' | 'markdown' | 'text'): number {
  if (format === 'json') session.writer.line(JSON.stringify(aboutJson(), null, 2));
  else if (format === 'markdown') session.writer.line(aboutMarkdown());
  else {
    session.writer.line(`tap-infusionsoft ${VERSION}\n${DESCRIPTION}\nCapabilities: ${CAPABILITIES.join(', ')}\nSettings:`);
    for (const s of settingsOf()) session.writer.line(`  ${s.name}${s.required ? ' (required)' : ''}: ${s.description}`);
  }
  return 0;
}
