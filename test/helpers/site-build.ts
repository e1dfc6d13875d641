/**
 * Builds the site (`astro build`, exactly as `npm run build` does) into its own output and cache
 * folders, with the environment given: the way tests check what a real build publishes.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
export const TMP = join(PROJECT_ROOT, 'test/.tmp');

export interface SiteBuild {
  outDir: string;
  cacheDir: string;
  code: number | null;
  output: string;
}

/**
 * One build at a time across every vitest worker (and every test run in this checkout): Astro keeps
 * the content layer's image imports in `<root>/.astro/content-assets.mjs`, which no option moves, so
 * two builds running side by side publish each other's images (seen: a generated space's dist/ with
 * the demo's "Sync flow.png" and without its own diagram).
 */
export async function withBuildLock<T>(run: () => Promise<T>): Promise<T> {
  const lock = join(TMP, '.build-lock');
  mkdirSync(TMP, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!ownerAlive(lock)) rmSync(lock, { recursive: true, force: true });
      else await sleep(100);
    }
  }
  try {
    return await run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A lock left by a process that died (killed test run) must not block the next run. */
function ownerAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    // Just created and the pid not written yet, unless its owner died in between.
    try {
      return Date.now() - statSync(lock).mtimeMs < 10_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every CONFLUENCE_* variable of the caller's environment is dropped unless given in `env`. */
export function buildSite(name: string, env: Record<string, string | undefined> = {}, options: { cacheDir?: string } = {}): Promise<SiteBuild> {
  return withBuildLock(() => spawnBuild(name, env, options));
}

/**
 * `astro build` of another Astro project (its own root, its own node_modules), e.g. a fresh site
 * made by a test: one at a time too, so that builds never compete for the machine's two cores.
 */
export function buildProject(root: string, env: Record<string, string | undefined> = {}): Promise<SiteBuild> {
  return withBuildLock(() => {
    const childEnv = { ...inheritedEnv(), NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1', ...env };
    return run(join(root, 'node_modules/astro/bin/astro.mjs'), ['build'], root, childEnv, join(root, 'dist'), join(root, 'node_modules/.astro'));
  });
}

/**
 * The caller's environment less every CONFLUENCE_* variable, Vite's own (see spawnBuild) and
 * vitest's (with VITEST set, Astro's dev server answers no request).
 */
export function inheritedEnv(): Record<string, string | undefined> {
  const viteVariables = new Set(['BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR']);
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CONFLUENCE_') && !key.startsWith('VITEST') && !viteVariables.has(key)));
}

function run(script: string, args: string[], cwd: string, env: Record<string, string | undefined>, outDir: string, cacheDir: string): Promise<SiteBuild> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ outDir, cacheDir, code, output }));
  });
}

function spawnBuild(name: string, env: Record<string, string | undefined>, options: { cacheDir?: string }): Promise<SiteBuild> {
  const outDir = join(TMP, name, 'dist');
  const cacheDir = options.cacheDir ?? join(TMP, name, 'cache');
  // A build starts from an empty cache unless the caller hands it one: what an earlier test run
  // left (pages exported by a stand-in on another port) must not decide what this one sees.
  if (!options.cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  // Vite's own variables (BASE_URL, MODE, DEV, PROD, SSR), which vitest puts in process.env, would
  // override the child build's settings (BASE_URL wins over Astro's `base`); inheritedEnv drops them.
  // Vitest sets NODE_ENV=test, which astro build keeps: the site would be built in development mode
  // (no search index, `import.meta.env.DEV` true). `npm run build` runs with production.
  const childEnv = { ...inheritedEnv(), NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1', ASTRO_OUT_DIR: outDir, ASTRO_CACHE_DIR: cacheDir, ...env };
  return run(join(PROJECT_ROOT, 'node_modules/astro/bin/astro.mjs'), ['build'], PROJECT_ROOT, childEnv, outDir, cacheDir);
}
