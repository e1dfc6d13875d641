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
import { generateSpace, start } from 'confluence-stand-in';
import { resolveOptions } from '../packages/astro-loader-confluence/src/config/options.ts';
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
function writeLoaderProject(dir: string): void {
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
import { docsSchema } from '@astrojs/starlight/schema';
import { confluenceLoader, confluenceSchema } from 'astro-loader-confluence';
import { confluenceOptionsFromEnv } from 'astro-loader-confluence/env';

export const collections = {
  docs: defineCollection({
    loader: confluenceLoader(confluenceOptionsFromEnv(process.env)!),
    schema: docsSchema({ extend: confluenceSchema }),
  }),
};
`);
}

/** Plain Starlight over Markdown files: the baseline every Starlight site pays. */
function writeBaselineProject(dir: string): void {
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
 * The loader's own Markdown, written where the baseline's docsLoader finds it. The pipeline runs
 * with the baseline project as its root, so relative image paths point at the raw cache kept there.
 */
async function writeBaselinePages(dir: string, env: Record<string, string>): Promise<number> {
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
  const contentDir = join(dir, 'src/content/docs');
  const { built } = await runPipeline(options, {
    root: dir,
    cacheDir: join(dir, 'raw'),
    collection: 'docs',
    contentDir,
    base: '/',
    logger: { info: () => {}, warn: () => {} },
  });
  for (const entry of built!.entries) {
    const file = join(dir, entry.filePath);
    mkdirSync(dirname(file), { recursive: true });
    // A JSON string is a valid YAML scalar: titles with colons or quotes stay intact.
    writeFileSync(file, `---\ntitle: ${JSON.stringify(entry.data.title)}\n---\n\n${entry.body}`);
  }
  return built!.entries.length;
}

function astroBuild(dir: string, env: NodeJS.ProcessEnv): Promise<number> {
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  rmSync(join(dir, '.cache'), { recursive: true, force: true });
  rmSync(join(dir, '.astro'), { recursive: true, force: true });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/astro/bin/astro.mjs'), 'build', '--root', dir], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`astro build in ${dir} failed (code ${code}):\n${output.slice(-4000)}`));
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
      loaderMs.push(await astroBuild(loaderDir, loaderEnv));
      note(`build: run ${run}/${runs}, baseline: ${Math.round(loaderMs.at(-1)!)} ms for the loader`);
      baselineMs.push(await astroBuild(baselineDir, baselineEnv));
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
