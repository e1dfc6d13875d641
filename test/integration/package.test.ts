/**
 * What `npm publish` would ship: JavaScript, not the TypeScript the workspace runs from (Node will
 * not strip types under node_modules), with every export and the CLI working from node_modules,
 * and the workspace manifest restored afterwards.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packWorkspacePackage, undeclaredImports } from '../helpers/pack.ts';
import { PROJECT_ROOT, TMP } from '../helpers/site-build.ts';

const sourceDir = join(PROJECT_ROOT, 'packages/astro-loader-confluence');
const work = join(TMP, 'package');
const installed = join(work, 'node_modules', 'astro-loader-confluence');
let packageDir: string;

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('the packed loader', () => {
  const manifestBefore = readFileSync(join(sourceDir, 'package.json'), 'utf8');

  beforeAll(() => {
    const { tarball, copy } = packWorkspacePackage('astro-loader-confluence', work);
    packageDir = copy;
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships compiled JavaScript and type declarations, no TypeScript sources', () => {
    const shipped = files(installed);
    expect(shipped).toContain('dist/index.js');
    expect(shipped).toContain('dist/index.d.ts');
    expect(shipped).toContain('dist/cli/index.js');
    expect(shipped).toContain('dist/starlight/components/VersionSelect.astro');
    expect(shipped.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    for (const target of Object.values(pkg.exports as Record<string, string | { default: string; types: string }>)) {
      if (typeof target === 'string') continue;
      expect(existsSync(join(installed, target.default)), target.default).toBe(true);
      expect(existsSync(join(installed, target.types)), target.types).toBe(true);
    }
    expect(pkg.bin['confluence-export']).toBe('./dist/cli/index.js');
  });

  it('ships a LICENSE, no source maps, and a manifest that says where the code lives and which peers it needs', () => {
    const shipped = files(installed);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(shipped.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const file of shipped.filter((f) => f.endsWith('.js'))) expect(readFileSync(join(installed, file), 'utf8'), file).not.toContain('sourceMappingURL');
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository.url).toMatch(/^git\+https:\/\//);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs.url).toMatch(/^https:\/\//);
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['@astrojs/starlight', 'astro']);
    expect(pkg.peerDependenciesMeta).toEqual({ '@astrojs/starlight': { optional: true } });
  });

  it('imports, in its JavaScript, declarations and components, only packages it declares', () => {
    const { undeclared, checked } = undeclaredImports(installed);
    expect(checked).toBeGreaterThan(100);
    expect(undeclared).toEqual([]);
  });

  it('runs from node_modules: the CLI and every entry point load', () => {
    const version = execFileSync(process.execPath, [join(installed, 'dist/cli/index.js'), '--version'], { encoding: 'utf8' }).trim();
    expect(version).toBe(JSON.parse(manifestBefore).version);
    const help = execFileSync(process.execPath, [join(installed, 'dist/cli/index.js'), '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/doctor/);
    const script = `const m = await import('astro-loader-confluence'); const e = await import('astro-loader-confluence/env');
      console.log(typeof m.confluenceLoader, typeof m.planExports, typeof e.confluenceOptionsFromEnv)`;
    const loaded = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: work, encoding: 'utf8' }).trim();
    expect(loaded).toBe('function function function');
  });

  it('passes publint with no error or warning', async () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    const { messages } = await publint({ pkgDir: installed, level: 'warning' });
    expect(messages.map((m) => formatMessage(m, pkg) ?? m.code)).toEqual([]);
  });

  it('leaves the workspace as it was', () => {
    expect(readFileSync(join(packageDir, 'package.json'), 'utf8')).toBe(manifestBefore);
    expect(existsSync(join(packageDir, 'dist'))).toBe(false);
    expect(existsSync(join(packageDir, '.package.workspace.json'))).toBe(false);
  });
});
