import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../src/package-root.js';
import { recordOutput } from './helpers/audit.js';
import { withSandbox } from './helpers/sandbox.js';

/**
 * No Docker engine here: the Dockerfile is parsed, and what the image would run is run, with
 * /airbyte/integration_code mapped to a directory holding what the runtime stage copies.
 */

const root = packageRoot();
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const CODE_DIR = '/airbyte/integration_code';

interface Instruction {
  op: string;
  args: string;
}

interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const stages: Stage[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`cannot parse Dockerfile line: ${line}`);
    const op = (m[1] as string).toUpperCase();
    const args = (m[2] as string).trim();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: f?.[1] ?? args, name: f?.[2], instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) throw new Error(`${op} before FROM`);
    stage.instructions.push({ op, args });
  }
  return stages;
}

const stages = parseDockerfile(dockerfile);
const runtime = stages[stages.length - 1] as Stage;
const all = (stage: Stage, op: string): string[] => stage.instructions.filter((i) => i.op === op).map((i) => i.args);

/** ENV KEY="value" (one per instruction here). */
function env(stage: Stage): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of all(stage, 'ENV')) {
    const e = /^(\w+)=(?:"([^"]*)"|(\S+))$/.exec(a);
    if (e) m.set(e[1] as string, e[2] ?? (e[3] as string));
  }
  return m;
}

function labels(stage: Stage): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of all(stage, 'LABEL')) for (const l of a.matchAll(/([\w.-]+)=(?:"([^"]*)"|(\S+))/g)) m.set(l[1] as string, l[2] ?? (l[3] as string));
  return m;
}

const entrypoint = JSON.parse(all(runtime, 'ENTRYPOINT')[0] ?? '[]') as string[];

/** COPY [--from=stage] SRC... DEST of the runtime stage, as (source path, destination path). */
function runtimeCopies(): { from: string | undefined; src: string; dest: string }[] {
  const workdir = all(runtime, 'WORKDIR').pop() ?? '/';
  return all(runtime, 'COPY').flatMap((a) => {
    const parts = a.split(/\s+/);
    const from = parts[0]?.startsWith('--from=') ? (parts.shift() as string).slice(7) : undefined;
    const dest = parts.pop() as string;
    const destAbs = dest.startsWith('/') ? dest : join(workdir, dest);
    return parts.map((src) => ({ from, src, dest: dest.endsWith('/') ? join(destAbs, src.split('/').pop() as string) : destAbs }));
  });
}

/**
 * The image's code directory rebuilt from this checkout: what each runtime COPY takes (from the
 * build stage: the compiled dist/src and node_modules; from the context: the files as they are).
 */
function stageImage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tap-infusionsoft-image-'));
  for (const c of runtimeCopies()) {
    expect(c.dest.startsWith(CODE_DIR), c.dest).toBe(true);
    const target = join(dir, relative(CODE_DIR, c.dest));
    const source = c.from === undefined ? join(root, c.src) : join(root, relative('/build', c.src));
    mkdirSync(join(target, '..'), { recursive: true });
    if (c.src.endsWith('node_modules')) symlinkSync(source, target, 'dir');
    else cpSync(source, target, { recursive: true });
  }
  return dir;
}

function run(argv: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd === 'node' ? process.execPath : (cmd as string), args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      recordOutput(argv.join(' '), `${stdout}\n--- stderr ---\n${stderr}`);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The ENTRYPOINT argv with the image's code directory mapped to `dir`. */
const mapped = (dir: string): string[] => entrypoint.map((a) => a.replace(CODE_DIR, dir));

const staged: string[] = [];
afterAll(() => {
  for (const d of staged) rmSync(d, { recursive: true, force: true });
});

function specOf(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const msg = JSON.parse(lines[0] as string) as { type: string; spec: Record<string, unknown> };
  expect(msg.type).toBe('SPEC');
  return msg.spec;
}

describe('Dockerfile', () => {
  it('is multi-stage: a build stage compiling src/ with tsconfig.build.json, and a slim Node 20 runtime', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((s) => s.name !== undefined) as Stage;
    expect(build).toBeDefined();
    for (const s of stages) expect(s.from).toMatch(/^node:20[\w.-]*-slim$/);
    expect(all(build, 'RUN').some((r) => r.includes('tsc -p tsconfig.build.json'))).toBe(true);
    expect(all(build, 'COPY')).toContain('src ./src');
    const buildConfig = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { extends: string; include: string[] };
    expect(buildConfig.include).toEqual(['src/**/*.ts']);
    expect(all(build, 'COPY').join(' ')).toContain(buildConfig.extends.replace('./', ''));
    // The runtime stage takes compiled code and production modules from the build stage only.
    expect(all(runtime, 'COPY').filter((c) => c.startsWith('--from=')).every((c) => c.startsWith(`--from=${build.name} /build/`))).toBe(true);
  });

  it('copies spec.json, schemas/, catalogs/ and package.json into the runtime stage', () => {
    const dests = runtimeCopies().map((c) => relative(CODE_DIR, c.dest));
    for (const p of ['spec.json', 'schemas', 'catalogs', 'package.json', 'dist/src', 'node_modules']) expect(dests).toContain(p);
  });

  it('runs as a non-root user named airbyte, which owns /airbyte', () => {
    const user = all(runtime, 'USER').pop();
    expect(user).toBe('airbyte');
    expect(['root', '0', '0:0']).not.toContain(user);
    const setup = all(runtime, 'RUN').join(' ');
    expect(setup).toMatch(/chown airbyte:airbyte \/airbyte\b/);
    // USER comes after everything that needs root.
    const ops = runtime.instructions.map((i) => i.op);
    expect(ops.lastIndexOf('RUN')).toBeLessThan(ops.lastIndexOf('USER'));
  });

  it('sets AIRBYTE_ENTRYPOINT to exactly the ENTRYPOINT, with absolute paths', () => {
    // Node runs with the flags main.ts's shebang gives (`#!/usr/bin/env -S node FLAGS`), as the bin does.
    const shebang = /^#!\/usr\/bin\/env -S node((?: --[\w-]+=\S+)*)\n/.exec(readFileSync(join(root, 'src', 'main.ts'), 'utf8'));
    expect(shebang).not.toBeNull();
    const flags = (shebang?.[1] ?? '').trim().split(' ').filter(Boolean);
    expect(flags).toContain('--max-semi-space-size=8');
    expect(entrypoint).toEqual(['node', ...flags, `${CODE_DIR}/dist/src/main.js`]);
    expect(env(runtime).get('AIRBYTE_ENTRYPOINT')).toBe(entrypoint.join(' '));
    expect(all(runtime, 'WORKDIR').pop()).toBe(CODE_DIR);
  });

  it('labels the image with io.airbyte.name and an io.airbyte.version equal to package.json and metadata.yaml', () => {
    const l = labels(runtime);
    const metadata = parseYaml(readFileSync(join(root, 'metadata.yaml'), 'utf8')) as { data: { dockerImageTag: string; dockerRepository: string; connectorType: string; definitionId: string }; metadataSpecVersion: string };
    expect(l.get('io.airbyte.version')).toBe(pkg.version);
    expect(metadata.data.dockerImageTag).toBe(pkg.version);
    expect(l.get('io.airbyte.name')).toBe(metadata.data.dockerRepository);
    expect(metadata.data.connectorType).toBe('source');
    expect(metadata.data.definitionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(metadata.metadataSpecVersion).toBe('1.0');
  });

  it('prints a valid SPEC when its ENTRYPOINT runs with /airbyte/integration_code mapped to the repository root', async () => {
    const r = await run([...mapped(root), 'spec'], '/');
    expect(r.code, r.stderr).toBe(0);
    const spec = specOf(r.stdout);
    expect(spec['connectionSpecification']).toEqual((JSON.parse(readFileSync(join(root, 'spec.json'), 'utf8')) as { connectionSpecification: unknown }).connectionSpecification);
    expect(spec['advanced_auth']).toBeDefined();
  });

  it('runs spec, check and discover from only the files the runtime stage copies', async () => {
    const dir = stageImage();
    staged.push(dir);
    const spec = await run([...mapped(dir), 'spec'], '/');
    expect(spec.code, spec.stderr).toBe(0);
    specOf(spec.stdout);
    const sb = await withSandbox({ contacts: 20 });
    try {
      const config = sb.config();
      const check = await run([...mapped(dir), 'check', '--config', config], '/');
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout).toContain('"status":"SUCCEEDED"');
      const discover = await run([...mapped(dir), 'discover', '--config', config], '/');
      expect(discover.code, discover.stderr).toBe(0);
      const catalog = JSON.parse(discover.stdout.trim().split('\n').pop() as string) as { catalog: { streams: unknown[] } };
      expect(catalog.catalog.streams).toHaveLength(60);
      // The example catalogs ship inside the image.
      expect(statSync(join(dir, 'catalogs', 'airbyte-incremental.json')).isFile()).toBe(true);
    } finally {
      await sb.close();
    }
  });
});

// ---------------------------------------------------------------- .dockerignore

/** A .dockerignore pattern as a regular expression over context-relative paths (Go filepath.Match plus **). */
function patternRegex(pattern: string): RegExp {
  const p = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  let re = '';
  const parts = p.split('/');
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    if (part === '**') {
      re += last ? '.*' : '(?:.*/)?';
      return;
    }
    re += part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
    if (!last) re += '/';
  });
  return new RegExp(`^${re}$`);
}

const ignorePatterns = readFileSync(join(root, '.dockerignore'), 'utf8')
  .split(/\r?\n/)
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** Whether the build context leaves `path` out: a pattern matches it or one of its directories. */
function ignored(path: string): boolean {
  const prefixes = path.split('/').map((_, i, a) => a.slice(0, i + 1).join('/'));
  let out = false;
  for (const raw of ignorePatterns) {
    const negate = raw.startsWith('!');
    const re = patternRegex(negate ? raw.slice(1) : raw);
    if (prefixes.some((p) => re.test(p))) out = !negate;
  }
  return out;
}

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('.dockerignore', () => {
  it('keeps everything the Dockerfile copies from the build context', () => {
    const sources = new Set<string>();
    for (const s of stages) {
      for (const a of all(s, 'COPY')) {
        if (a.startsWith('--from=')) continue;
        const parts = a.split(/\s+/);
        parts.pop();
        for (const p of parts) sources.add(p);
      }
    }
    expect([...sources].sort()).toEqual(['catalogs', 'package-lock.json', 'package.json', 'schemas', 'spec.json', 'src', 'tsconfig.build.json', 'tsconfig.json']);
    for (const s of sources) {
      const list = statSync(join(root, s)).isDirectory() ? files(s) : [s];
      expect(list.filter(ignored), s).toEqual([]);
    }
  });

  it('leaves out files that may hold secrets, wherever they are', () => {
    const secretLooking = [
      'config.json',
      'config.prod.json',
      'output/config.json',
      'deploy/config-acme.json',
      'config.json.tmp-1234',
      'state.json',
      'run/state-2024.json',
      'sandbox.json',
      '.env',
      'deploy/.env.production',
      'keys/keap.pem',
      'client_secret.txt',
      'gcp-credentials.json',
      '.meltano/run/tap-infusionsoft/tap.config.json',
      'node_modules/axios/index.js',
      '.git/config',
    ];
    expect(secretLooking.filter((p) => !ignored(p))).toEqual([]);
    expect(ignored('catalogs/reports-config.example.json')).toBe(false);
    expect(ignored('tsconfig.json')).toBe(false);
  });
});
