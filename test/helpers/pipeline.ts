/**
 * Runs the loader's real pipeline (source → sync → entries, as the Astro loader does) against a
 * stand-in over HTTP, with a throwaway cache folder, and keeps the state between runs like Astro's
 * meta store does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { StandIn } from 'confluence-stand-in';
import { resolveOptions, type ConfluenceLoaderOptions } from '../../packages/astro-loader-confluence/src/config/options.ts';
import { runPipeline, type PipelineResult } from '../../packages/astro-loader-confluence/src/pipeline.ts';
import type { SyncState } from '../../packages/astro-loader-confluence/src/sync/sync.ts';

export interface Harness {
  root: string;
  logs: { level: 'info' | 'warn'; message: string }[];
  run(extra?: Partial<ConfluenceLoaderOptions>): Promise<PipelineResult>;
  state?: SyncState;
  cleanup(): void;
}

export function standInOptions(standIn: StandIn): ConfluenceLoaderOptions {
  return {
    spaceKey: standIn.space.key,
    site: standIn.site,
    cloudId: standIn.cloudId,
    exportUrl: standIn.exportUrl,
    apiUrl: standIn.apiUrl,
    accessToken: standIn.accessToken,
    // Tests must not wait on real backoff.
    retries: 6,
  };
}

export function createHarness(base: () => ConfluenceLoaderOptions): Harness {
  const root = mkdtempSync(join(tmpdir(), 'confluence-pipeline-'));
  const harness: Harness = {
    root,
    logs: [],
    async run(extra = {}) {
      const options = resolveOptions({ ...base(), ...extra });
      const result = await runPipeline(options, {
        root,
        cacheDir: join(root, 'cache'),
        collection: 'docs',
        contentDir: join(root, 'site', 'content', 'docs'),
        base: '/',
        logger: {
          info: (message) => harness.logs.push({ level: 'info', message }),
          warn: (message) => harness.logs.push({ level: 'warn', message }),
        },
        previous: harness.state,
      });
      harness.state = result.outcome.state;
      return result;
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  return harness;
}
