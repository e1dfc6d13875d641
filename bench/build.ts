/**
 * `build.overhead_ratio` and `rewrite.per_page_vs_render`: two throwaway Astro projects under
 * bench/.work/ that share the repo's node_modules. One builds a generated space through the loader
 * (the stand-in answering on loopback from this process); the other builds the very Markdown the
 * loader produced, as `.md` files on disk, with Starlight's own `docsLoader()`. Each is built cold
 * (fresh cache and output) the same number of times, alternately, and the medians compared.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateSpace, start } from 'confluence-stand-in';
import { resolveOptions } from '../packages/astro-loader-confluence/src/config/options.ts';
import type { PageEntry } from '../packages/astro-loader-confluence/src/entries.ts';
import { runPipeline } from '../packages/astro-loader-confluence/src/pipeline.ts';
import { cleanEnv, EXCLUDED_LABEL, median, note, ROOT, round, standInEnv, WORK } from './common.ts';

export interface BuildFigures {
  overhead_ratio: number;
  pages: number;
  runs: number;
  loader_ms: number[];
  baseline_ms: number[];
}

export interface LoaderStats {
  pages: number;
  rendered: number;
  rewriteMs: number;
  renderMs: number;
  /** The sanitising pass over the rendered HTML of the `rendered` entries (absent from older loaders' lines). */
  sanitizeMs?: number;
  syncMs: number;
  /** Of `syncMs`, the time the event loop was held by other work of Astro's process (absent from older loaders' lines). */
  syncStalledMs?: number;
  exportCalls: number;
}

export interface RewriteFigures {
  per_page_vs_render: number;
  source: 'loader build' | 'bench/rewrite.bench.ts';
  rewrite_ms_per_page: number;
  render_ms_per_page: number;
  /** The part of `rewrite_ms_per_page` that is the sanitising pass over the rendered HTML. */
  sanitize_ms_per_page?: number;
}

// Starlight's defaults (search index included) on both sides: the build a site really runs.
const STARLIGHT = `title: 'Bench'`;

/** Starlight as a user of the loader sets it up: the loader's collection and plugin. */
export function writeLoaderProject(dir: string): void {
  writeFileSync(join(dir, 'astro.config.mjs'), `import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import { starlightConfluence } from 'astro-loader-confluence/starlight';

export default defineConfig({
  outDir: './dist',
  cacheDir: './.cache',
  integrations: [starlight({ ${STARLIGHT}, plugins: [starlightConfluence()] })],
});
`);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'src/content.config.ts'), `import { defineCollection } from 'astro:content';
import { confluenceLoader } from 'astro-loader-confluence';
import { confluenceOptionsFromEnv } from 'astro-loader-confluence/env';
import { confluenceDocsSchema } from 'astro-loader-confluence/starlight';

export const collections = {
  docs: defineCollection({
    loader: confluenceLoader(confluenceOptionsFromEnv(process.env)!),
    schema: confluenceDocsSchema(),
  }),
};
`);
}

/** Plain Starlight over Markdown files: the baseline every Starlight site pays. */
export function writeBaselineProject(dir: string): void {
  writeFileSync(join(dir, 'astro.config.mjs'), `import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';

export default defineConfig({
  outDir: './dist',
  cacheDir: './.cache',
  integrations: [starlight({ ${STARLIGHT} })],
});
`);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'src/content.config.ts'), `import { defineCollection } from 'astro:content';
import { docsLoader } from '@astrojs/starlight/loaders';
import { docsSchema } from '@astrojs/starlight/schema';

export const collections = { docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }) };
`);
}

/**
 * The entries the loader makes of the stand-in's space, from the pipeline alone (no Astro). It
 * runs with `dir` as the project root, so relative image paths point at the raw cache kept there
 * and every `filePath` is where that project's docsLoader finds a file for the same URL.
 */
/**
 * The entries the loader makes of the stand-in's space, from the pipeline alone (no Astro). It
 * runs with `dir` as the project root, so relative image paths point at the raw cache kept there
 * and every `filePath` is where that project's docsLoader finds a file for the same URL.
 */
export async function loaderEntries(dir: string, env: Record<string, string>): Promise<PageEntry[]> {
  // The folder may hold another space's pages from an earlier call.
  for (const stale of ['src/content/docs', 'raw']) rmSync(join(dir, stale), { recursive: true, force: true });
  const options = resolveOptions({
    spaceKey: env.CONFLUENCE_SPACE_KEY,
    site: env.CONFLUENCE_SITE,
    cloudId: env.CONFLUENCE_CLOUD_ID,
    exportUrl: env.CONFLUENCE_EXPORT_URL,
    apiUrl: env.CONFLUENCE_API_URL,
    accessToken: env.CONFLUENCE_ACCESS_TOKEN,
    excludeLabels: [EXCLUDED_LABEL],
    editLinks: false,
  });
  const { built } = await runPipeline(options, {
    root: dir,
    cacheDir: join(dir, 'raw'),
    collection: 'docs',
    contentDir: join(dir, 'src/content/docs'),
    base: '/',
    logger: { info: () => {}, warn: () => {} },
  });
  return built!.entries;
}

/** A Markdown file for docsLoader at `filePath` (relative to the project `dir`), titled in its frontmatter. */
export function writeDocsFile(dir: string, filePath: string, title: string, body: string): void {
  const file = join(dir, filePath);
  mkdirSync(dirname(file), { recursive: true });
  // A JSON string is a valid YAML scalar: titles with colons or quotes stay intact.
  writeFileSync(file, `---\ntitle: ${JSON.stringify(title)}\n---\n\n${body}`);
}

/** The loader's own Markdown, written where the baseline's docsLoader finds it. */
export async function writeBaselinePages(dir: string, env: Record<string, string>): Promise<number> {
  const entries = await loaderEntries(dir, env);
  for (const entry of entries) writeDocsFile(dir, entry.filePath, entry.data.title, entry.body);
  return entries.length;
}

export interface AstroRun {
  ms: number;
  /**
   * Peak RSS of the `astro build` process (worker threads included), from its own
   * `process.resourceUsage().maxRSS` at exit (bench/rss-probe.ts): exact, not sampled. Pagefind's
   * indexer, a separate binary, is not included.
   */
  peakRssMb: number;
  /** CPU time (user and system) of the `astro build` process, all its threads; Pagefind's indexer not included. */
  cpuMs: number;
  /** When each line of the build's output arrived, in ms since the start (for the phases of a build). */
  lines: { ms: number; text: string }[];
}

/** The build did not finish within its time limit and was stopped. */
export class BuildTimeout extends Error {}

const RSS_PROBE = pathToFileURL(join(import.meta.dirname, 'rss-probe.ts')).href;

/**
 * One `astro build` of the project in `dir`. Cold unless `warm`: output, cache (the loader's raw
 * cache and Astro's data store) and `.astro/` removed first; a warm build keeps the cache, as a CI
 * build that restores it does, and starts from an empty output all the same.
 */
export function astroBuild(dir: string, env: NodeJS.ProcessEnv, options: { warm?: boolean; timeoutMs?: number } = {}): Promise<AstroRun> {
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  if (!options.warm) {
    rmSync(join(dir, '.cache'), { recursive: true, force: true });
    rmSync(join(dir, '.astro'), { recursive: true, force: true });
  }
  const rssFile = join(dir, '.rss.jsonl');
  rmSync(rssFile, { force: true });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', RSS_PROBE, join(ROOT, 'node_modules/astro/bin/astro.mjs'), 'build', '--root', dir], {
      cwd: dir,
      env: { ...env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A build with a time limit gets its own process group, so that it is stopped with Pagefind's indexer.
      detached: options.timeoutMs !== undefined,
    });
    const lines: AstroRun['lines'] = [];
    let partial = '';
    const onData = (chunk: Buffer) => {
      const ms = performance.now() - started;
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop()!;
      for (const line of parts) lines.push({ ms, text: line });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (signal === 'SIGKILL' && options.timeoutMs !== undefined && ms >= options.timeoutMs) {
        reject(new BuildTimeout(`astro build in ${dir} did not finish within ${Math.round(options.timeoutMs / 1000)} s`));
        return;
      }
      if (code !== 0) {
        reject(new Error(`astro build in ${dir} failed (code ${code}):\n${[...lines.map((l) => l.text), partial].join('\n').slice(-4000)}`));
        return;
      }
      const probe = existsSync(rssFile) ? readFileSync(rssFile, 'utf8').trim().split('\n').filter(Boolean) : [];
      if (probe.length === 0) {
        reject(new Error(`astro build in ${dir} wrote no peak RSS (bench/rss-probe.ts did not run)`));
        return;
      }
      const usage = probe.map((line) => JSON.parse(line) as { maxRssKb: number; cpuMs: number });
      const peakKb = Math.max(...usage.map((u) => u.maxRssKb));
      resolve({ ms, peakRssMb: Math.round(peakKb / 1024), cpuMs: usage.reduce((sum, u) => sum + u.cpuMs, 0), lines });
    });
  });
}

export async function measureBuild(pages: number, runs: number): Promise<{ build: BuildFigures; stats: LoaderStats[] }> {
  const loaderDir = join(WORK, 'loader-site');
  const baselineDir = join(WORK, 'baseline-site');
  for (const dir of [loaderDir, baselineDir]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  writeLoaderProject(loaderDir);
  writeBaselineProject(baselineDir);

  const standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: pages }) });
  try {
    const env = standInEnv(standIn);
    note(`build: writing the loader's Markdown of balanced-${pages} for the baseline`);
    const written = await writeBaselinePages(baselineDir, env);
    const statsFile = join(WORK, 'loader-stats.jsonl');
    rmSync(statsFile, { force: true });
    const loaderEnv = cleanEnv({ ...env, CONFLUENCE_LOADER_STATS: statsFile });
    const baselineEnv = cleanEnv({});

    const loaderMs: number[] = [];
    const baselineMs: number[] = [];
    for (let run = 1; run <= runs; run++) {
      note(`build: run ${run}/${runs}, loader (${written} pages)`);
      loaderMs.push((await astroBuild(loaderDir, loaderEnv)).ms);
      note(`build: run ${run}/${runs}, baseline: ${Math.round(loaderMs.at(-1)!)} ms for the loader`);
      baselineMs.push((await astroBuild(baselineDir, baselineEnv)).ms);
      note(`build: run ${run}/${runs}: ${Math.round(baselineMs.at(-1)!)} ms for the baseline`);
    }
    // No file: a loader without the opt-in stats line (rewrite then falls back to rewrite.bench.ts).
    const lines = existsSync(statsFile) ? readFileSync(statsFile, 'utf8').trim().split('\n').filter(Boolean) : [];
    const stats = lines.map((line) => JSON.parse(line) as LoaderStats);
    return {
      build: {
        overhead_ratio: round(median(loaderMs) / median(baselineMs)),
        pages: written,
        runs,
        loader_ms: loaderMs.map((ms) => Math.round(ms)),
        baseline_ms: baselineMs.map((ms) => Math.round(ms)),
      },
      stats,
    };
  } finally {
    await standIn.stop();
  }
}

/**
 * Rewrite over render per page, from the loader's own stats of its cold builds. The rewrite of a
 * page is its Markdown rewrite (`rewriteMs`, every page) plus the sanitising pass over its
 * rendered HTML (`sanitizeMs`, every rendered page).
 */
export function rewriteFromStats(stats: LoaderStats[]): RewriteFigures | undefined {
  const cold = stats.filter((s) => s.rendered > 0 && s.rewriteMs > 0);
  if (cold.length === 0) return undefined;
  const sanitize = median(cold.map((s) => (s.sanitizeMs ?? 0) / s.rendered));
  const rewrite = median(cold.map((s) => s.rewriteMs / s.pages + (s.sanitizeMs ?? 0) / s.rendered));
  const render = median(cold.map((s) => s.renderMs / s.rendered));
  return {
    per_page_vs_render: round(rewrite / render),
    source: 'loader build',
    rewrite_ms_per_page: round(rewrite),
    render_ms_per_page: round(render),
    sanitize_ms_per_page: round(sanitize),
  };
}
