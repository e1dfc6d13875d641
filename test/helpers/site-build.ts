/**
 * Builds the site (`astro build`, exactly as `npm run build` does) into its own output and cache
 * folders, with the environment given: the way tests check what a real build publishes.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
export const TMP = join(PROJECT_ROOT, 'test/.tmp');

export interface SiteBuild {
  outDir: string;
  cacheDir: string;
  code: number | null;
  output: string;
}

/** Every CONFLUENCE_* variable of the caller's environment is dropped unless given in `env`. */
export function buildSite(name: string, env: Record<string, string | undefined> = {}, options: { cacheDir?: string } = {}): Promise<SiteBuild> {
  const outDir = join(TMP, name, 'dist');
  const cacheDir = options.cacheDir ?? join(TMP, name, 'cache');
  mkdirSync(outDir, { recursive: true });
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CONFLUENCE_')));
  // Vitest sets NODE_ENV=test, which astro build keeps: the site would be built in development mode
  // (no search index, `import.meta.env.DEV` true). `npm run build` runs with production.
  const childEnv = { ...base, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1', ASTRO_OUT_DIR: outDir, ASTRO_CACHE_DIR: cacheDir, ...env };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/astro/bin/astro.mjs'), 'build'], {
      cwd: PROJECT_ROOT,
      env: childEnv as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ outDir, cacheDir, code, output }));
  });
}
