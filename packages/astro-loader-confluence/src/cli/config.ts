/**
 * Options for the commands that sync: the same CONFLUENCE_* variables the site reads
 * (env-options.ts), filled from an env file and flags, validated by resolveOptions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { confluenceOptionsFromEnv, type Env } from '../config/env-options.ts';
import { ConfigError } from '../errors.ts';
import { resolveOptions, type ResolvedOptions } from '../config/options.ts';
import { runPipeline, type PipelineResult } from '../pipeline.ts';
import { hasCredentials } from '../sources/sources.ts';
import { flagVariables, UsageError, type Values } from './args.ts';
import { commandEnv } from './env-file.ts';
import type { Reporter } from './reporter.ts';

export async function envFor(values: Values, base: Env = process.env): Promise<Env> {
  return commandEnv(typeof values['env-file'] === 'string' ? values['env-file'] : undefined, flagVariables(values), base);
}

/**
 * Options for `export` and `snapshot`. Unlike a site build, these never fall back to a committed
 * snapshot when credentials are missing: a snapshot of a snapshot would look fresh and is not.
 */
export function syncOptions(env: Env, command: string, extra: { writeSnapshot?: string; includeAttachments?: boolean; concurrency?: number } = {}): ResolvedOptions {
  const fromEnv = confluenceOptionsFromEnv(env);
  if (!fromEnv) {
    throw new UsageError('Nothing to export: no space or root page is set.', command);
  }
  const options = resolveOptions({ ...fromEnv, ...definedOnly(extra) });
  if (!options.snapshot && !hasCredentials(options)) {
    throw new ConfigError('No Confluence credentials are set.', {
      hint: 'Set CONFLUENCE_ACCESS_TOKEN, or CONFLUENCE_CLIENT_ID, CONFLUENCE_CLIENT_SECRET and CONFLUENCE_REFRESH_TOKEN (run `confluence-export auth` to get them, then pass --env-file .env.confluence). To convert a snapshot instead, set CONFLUENCE_SNAPSHOT.',
    });
  }
  return options;
}

export interface SyncRun {
  result: PipelineResult;
  cacheDir: string;
}

/**
 * Runs the loader's pipeline with the CLI's logger and progress display, with a throwaway raw
 * cache (or `cacheDir`, kept, for repeated runs), and hands the result to `use` before the
 * throwaway cache is removed.
 */
export async function withSync<T>(
  options: ResolvedOptions,
  reporter: Reporter,
  settings: { cacheDir?: string; contentDir: string; base: string; alerts?: 'starlight' | 'gfm' },
  use: (run: SyncRun) => Promise<T>,
): Promise<T> {
  const root = process.cwd();
  const cacheDir = settings.cacheDir ? resolve(settings.cacheDir) : await mkdtemp(join(tmpdir(), 'confluence-export-'));
  try {
    const result = await runPipeline(options, {
      root,
      cacheDir,
      collection: 'cli',
      contentDir: settings.contentDir,
      base: settings.base,
      alerts: settings.alerts,
      logger: { info: (m) => reporter.info(m), warn: (m) => reporter.warn(m) },
      onProgress: (p) => reporter.progress(p),
    }).finally(() => reporter.endProgress());
    return await use({ result, cacheDir });
  } finally {
    if (!settings.cacheDir) await rm(cacheDir, { recursive: true, force: true });
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
