/**
 * The memory benchmark's child process: one cold pipeline run (export and rewrite every page) with
 * the options from CONFLUENCE_* variables, then its peak RSS as one JSON line on stdout. It runs
 * alone in its process so that nothing else (the stand-in, the bench) counts towards the peak.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confluenceOptionsFromEnv } from '../packages/astro-loader-confluence/src/config/env-options.ts';
import { resolveOptions } from '../packages/astro-loader-confluence/src/config/options.ts';
import { runPipeline } from '../packages/astro-loader-confluence/src/pipeline.ts';

const root = mkdtempSync(join(tmpdir(), 'confluence-bench-memory-'));
try {
  const options = resolveOptions(confluenceOptionsFromEnv(process.env)!);
  const started = performance.now();
  const result = await runPipeline(options, {
    root,
    cacheDir: join(root, 'cache'),
    collection: 'docs',
    contentDir: join(root, 'src', 'content', 'docs'),
    base: '/',
    logger: { info: () => {}, warn: () => {} },
  });
  console.log(JSON.stringify({
    pages: result.built?.entries.length ?? 0,
    exportCalls: result.outcome.exportCalls,
    ms: Math.round(performance.now() - started),
    // resourceUsage().maxRSS is in kilobytes.
    peakMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
