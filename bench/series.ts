/**
 * `series.*`: how a build grows with the space. Cold `astro build`s through the loader of balanced
 * generated spaces of growing size (full run 1k, 2k, 4k, 8k pages; quick 250, 500, 1k), each
 * measured for wall time, peak RSS, `dist/` bytes, HTML bytes per page and sidebar bytes per page;
 * the growth exponents between the smallest and the largest size; Starlight's own `docsLoader()`
 * over the same Markdown (full run) where it finishes within `BASELINE_BOUND_MS`; and a no-change
 * rebuild of the largest space. Projects, builds and the baseline's Markdown come from build.ts.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type DefaultTreeAdapterTypes } from 'parse5';
import { generateSpace, start, type StandIn } from 'confluence-stand-in';
import { createHarness, standInOptions } from '../test/helpers/pipeline.ts';
import { astroBuild, BuildTimeout, writeBaselinePages, writeBaselineProject, writeLoaderProject, type AstroRun, type LoaderStats } from './build.ts';
import { cleanEnv, EXCLUDED_LABEL, median, note, round, standInEnv, WORK } from './common.ts';

/**
 * A baseline build longer than this is stopped and reported as not finished; a size whose build
 * is predicted to take longer (four times the previous size's: Starlight's whole-tree sidebar makes
 * it grow with the square of the space) is skipped.
 */
export const BASELINE_BOUND_MS = 15 * 60_000;
/** The size of `series.vs_starlight_4k`. */
const VS_STARLIGHT_AT = 4000;
/** Pages whose sidebar is measured (evenly spread over the sorted paths): parsing every page of 8k costs more than it tells. */
const SIDEBAR_SAMPLE = 200;

export interface SitePoint {
  pages: number;
  wall_ms: number;
  /** CPU time of the `astro build` process: on a shared machine, the measure that others' load does not inflate. */
  cpu_ms: number;
  peak_rss_mb: number;
  dist_bytes: number;
  html_median_bytes: number;
  html_max_bytes: number;
  /** Median over sampled pages of Starlight's sidebar element (`<sl-sidebar-state-persist>`) in bytes. */
  sidebar_bytes: number;
  /** Where the wall time went, from the build's own output (see `phases`). */
  phases_ms?: Record<string, number>;
}

export interface SeriesPoint extends SitePoint {
  /** The loader's own figures for this build (CONFLUENCE_LOADER_STATS). */
  loader?: LoaderStats;
}

export interface RebuildFigures {
  space: string;
  export_calls: number;
  /** The loader's whole no-change sync (discovery, digests) over its whole cold one (discovery, exports, rewrite). */
  sync_ratio: number;
  cold_sync_ms: number;
  noop_sync_ms: number;
  /**
   * Of `noop_sync_ms`, the time Astro's process held the event loop with work of its own (its
   * data-store serialisation, sync/stall-meter.ts), and the ratio without it: the loader's own part.
   */
  noop_sync_stalled_ms: number;
  own_sync_ratio: number;
  /**
   * The loader's pipeline alone on the same space, outside Astro (the harness of
   * `incremental.noop_sync_ratio`): the median of three no-change syncs over its cold one.
   */
  pipeline_sync_ratio: number;
  pipeline_cold_sync_ms: number;
  pipeline_noop_sync_ms: number;
  /** The whole no-change `astro build` over the cold one, by wall time and by CPU time. */
  build_ratio: number;
  build_cpu_ratio: number;
  cold_ms: number;
  noop_ms: number;
}

export interface SeriesFigures {
  points: Record<string, SeriesPoint>;
  exponent: { wall: number; cpu: number; dist: number; steps: { from: string; to: string; wall: number; cpu: number; dist: number }[] };
  html_growth: number;
  vs_starlight_4k?: number;
  /** True when Starlight's 4k build did not finish within the bound: the ratio is then our wall over the bound, an upper bound. */
  vs_starlight_4k_upper_bound?: boolean;
  starlight?: Record<string, SitePoint | { skipped: string }>;
  baseline_bound_s: number;
  rebuild: RebuildFigures;
}

/** `1k` for 1,000 pages, `250` for 250. */
export const sizeKey = (pages: number) => (pages % 1000 === 0 ? `${pages / 1000}k` : String(pages));

/** The log-log slope of y between two sizes: 1 is linear, 2 quadratic. */
const exponent = (x0: number, y0: number, x1: number, y1: number) => round(Math.log(y1 / y0) / Math.log(x1 / x0));

export async function measureSeries(sizes: number[], options: { baseline: boolean }): Promise<SeriesFigures> {
  const loaderDir = join(WORK, 'series-loader');
  const baselineDir = join(WORK, 'series-baseline');
  for (const dir of [loaderDir, baselineDir]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  writeLoaderProject(loaderDir);
  writeBaselineProject(baselineDir);
  const statsFile = join(WORK, 'series-stats.jsonl');

  const points: Record<string, SeriesPoint> = {};
  const starlight: Record<string, SitePoint | { skipped: string }> = {};
  let lastBaseline: { pages: number; ms: number } | undefined;
  const timedOut = new Set<string>();
  let rebuild: RebuildFigures | undefined;
  for (const pages of sizes) {
    const key = sizeKey(pages);
    const standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: pages }) });
    try {
      const env = standInEnv(standIn);
      const loaderEnv = cleanEnv({ ...env, CONFLUENCE_LOADER_STATS: statsFile });
      rmSync(statsFile, { force: true });
      note(`series: cold build of balanced-${key} through the loader`);
      const cold = await astroBuild(loaderDir, loaderEnv);
      const coldStats = readStats(statsFile).at(-1);
      points[key] = { ...siteFigures(join(loaderDir, 'dist'), cold), loader: coldStats };
      note(`series: balanced-${key}: ${Math.round(cold.ms)} ms, ${points[key].pages} pages, ${cold.peakRssMb} MB peak`);

      if (pages === sizes.at(-1)) {
        note(`series: no-change rebuild of balanced-${key}`);
        standIn.resetLog();
        rmSync(statsFile, { force: true });
        const noop = await astroBuild(loaderDir, loaderEnv, { warm: true });
        const noopStats = readStats(statsFile).at(-1);
        const sync = (s: LoaderStats | undefined) => (s ? s.syncMs + s.rewriteMs : Number.NaN);
        rebuild = {
          space: `balanced-${key}`,
          export_calls: standIn.counters.export,
          sync_ratio: round(sync(noopStats) / sync(coldStats)),
          cold_sync_ms: Math.round(sync(coldStats)),
          noop_sync_ms: Math.round(sync(noopStats)),
          noop_sync_stalled_ms: Math.round(noopStats?.syncStalledMs ?? Number.NaN),
          own_sync_ratio: round((sync(noopStats) - (noopStats?.syncStalledMs ?? Number.NaN)) / (sync(coldStats) - (coldStats?.syncStalledMs ?? Number.NaN))),
          build_ratio: round(noop.ms / cold.ms),
          build_cpu_ratio: round(noop.cpuMs / cold.cpuMs),
          cold_ms: Math.round(cold.ms),
          noop_ms: Math.round(noop.ms),
          ...(await pipelineSyncs(standIn, key)),
        };
      }

      if (!options.baseline) continue;
      if (lastBaseline && !Number.isFinite(lastBaseline.ms)) {
        // A larger space takes Starlight at least as long: this one would not finish either.
        starlight[key] = { skipped: `${sizeKey(lastBaseline.pages)} did not finish within the ${BASELINE_BOUND_MS / 1000} s bound` };
        timedOut.add(key);
        continue;
      }
      const predicted = lastBaseline ? lastBaseline.ms * (pages / lastBaseline.pages) ** 2 : 0;
      if (pages > VS_STARLIGHT_AT && predicted > BASELINE_BOUND_MS) {
        starlight[key] = { skipped: `predicted ${Math.round(predicted / 1000)} s from ${sizeKey(lastBaseline!.pages)}, over the ${BASELINE_BOUND_MS / 1000} s bound` };
        continue;
      }
      note(`series: Starlight's docsLoader() over the same Markdown, balanced-${key}`);
      await writeBaselinePages(baselineDir, env);
      try {
        const base = await astroBuild(baselineDir, cleanEnv({}), { timeoutMs: BASELINE_BOUND_MS });
        starlight[key] = siteFigures(join(baselineDir, 'dist'), base);
        lastBaseline = { pages, ms: base.ms };
        note(`series: Starlight balanced-${key}: ${Math.round(base.ms)} ms`);
      } catch (error) {
        if (!(error instanceof BuildTimeout)) throw error;
        starlight[key] = { skipped: error.message };
        timedOut.add(key);
        lastBaseline = { pages, ms: Number.POSITIVE_INFINITY };
      }
    } finally {
      await standIn.stop();
    }
  }

  const first = sizes[0]!;
  const last = sizes.at(-1)!;
  const a = points[sizeKey(first)]!;
  const b = points[sizeKey(last)]!;
  const steps = sizes.slice(1).map((size, i) => {
    const from = points[sizeKey(sizes[i]!)]!;
    const to = points[sizeKey(size)]!;
    const slope = (pick: (p: SeriesPoint) => number) => exponent(sizes[i]!, pick(from), size, pick(to));
    return { from: sizeKey(sizes[i]!), to: sizeKey(size), wall: slope((p) => p.wall_ms), cpu: slope((p) => p.cpu_ms), dist: slope((p) => p.dist_bytes) };
  });
  const ours = points[sizeKey(VS_STARLIGHT_AT)];
  const theirs = starlight[sizeKey(VS_STARLIGHT_AT)];
  // Starlight's build that did not finish (or whose smaller size did not) takes longer than the bound, so our share is below ours / bound.
  const theirsMs = theirs && 'wall_ms' in theirs ? theirs.wall_ms : timedOut.has(sizeKey(VS_STARLIGHT_AT)) ? BASELINE_BOUND_MS : undefined;
  return {
    points,
    exponent: { wall: exponent(first, a.wall_ms, last, b.wall_ms), cpu: exponent(first, a.cpu_ms, last, b.cpu_ms), dist: exponent(first, a.dist_bytes, last, b.dist_bytes), steps },
    html_growth: round(b.html_median_bytes / a.html_median_bytes),
    ...(ours && theirsMs ? { vs_starlight_4k: round(ours.wall_ms / theirsMs) } : {}),
    ...(ours && theirsMs && !(theirs && 'wall_ms' in theirs) ? { vs_starlight_4k_upper_bound: true } : {}),
    ...(options.baseline ? { starlight } : {}),
    baseline_bound_s: BASELINE_BOUND_MS / 1000,
    rebuild: rebuild!,
  };
}

function readStats(file: string): LoaderStats[] {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as LoaderStats);
  } catch {
    return [];
  }
}

/** Sizes of a built site: every file of `dist/`, every page's HTML, the sidebar of a sample of pages. */
function siteFigures(dist: string, run: AstroRun): SitePoint {
  let distBytes = 0;
  const pages: { path: string; bytes: number }[] = [];
  const folders = [dist];
  while (folders.length > 0) {
    const folder = folders.pop()!;
    for (const item of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, item.name);
      if (item.isDirectory()) folders.push(path);
      else {
        const { size } = statSync(path);
        distBytes += size;
        if (item.name === 'index.html') pages.push({ path, bytes: size });
      }
    }
  }
  pages.sort((x, y) => (x.path < y.path ? -1 : 1));
  const step = Math.max(1, pages.length / SIDEBAR_SAMPLE);
  const sample: number[] = [];
  for (let i = 0; i < pages.length; i += step) sample.push(sidebarBytes(readFileSync(pages[Math.floor(i)]!.path, 'utf8')));
  return {
    pages: pages.length,
    wall_ms: Math.round(run.ms),
    cpu_ms: run.cpuMs,
    peak_rss_mb: run.peakRssMb,
    dist_bytes: distBytes,
    html_median_bytes: median(pages.map((p) => p.bytes)),
    html_max_bytes: Math.max(...pages.map((p) => p.bytes)),
    sidebar_bytes: median(sample),
    phases_ms: phases(run),
  };
}

/** Bytes of Starlight's sidebar in a page: its `<sl-sidebar-state-persist>` element, start tag to end tag. */
function sidebarBytes(html: string): number {
  const stack: DefaultTreeAdapterTypes.ParentNode[] = [parse(html, { sourceCodeLocationInfo: true })];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const child of node.childNodes) {
      if (!('tagName' in child)) continue;
      if (child.tagName === 'sl-sidebar-state-persist') {
        const { startOffset, endOffset } = child.sourceCodeLocation!;
        return Buffer.byteLength(html.slice(startOffset, endOffset));
      }
      stack.push(child.tagName === 'template' ? (child as DefaultTreeAdapterTypes.Template).content : child);
    }
  }
  return 0;
}

/**
 * The phases of a build, from when Astro's own progress lines arrived: content sync (the loader and
 * rendering Markdown), bundling, rendering the pages, optimising images, the search index, and the
 * rest (integrations after the search index). Undefined when a line is missing (Astro changed it).
 */
function phases(run: AstroRun): Record<string, number> | undefined {
  const at = (text: string) => run.lines.find((line) => line.text.includes(text))?.ms;
  const synced = at('[content] Synced content');
  const routes = at('generating static routes');
  const images = at('generating optimized images');
  const search = at('Building search index');
  const searched = at('Finished building search index');
  if (synced === undefined || routes === undefined || search === undefined || searched === undefined) return undefined;
  return {
    content: Math.round(synced),
    bundle: Math.round(routes - synced),
    pages: Math.round((images ?? search) - routes),
    images: Math.round(images === undefined ? 0 : search - images),
    search: Math.round(searched - search),
    rest: Math.round(run.ms - searched),
  };
}

/** The pipeline alone (no Astro) on the space the stand-in serves: a cold sync, then three no-change ones. */
async function pipelineSyncs(standIn: StandIn, key: string): Promise<Pick<RebuildFigures, 'pipeline_sync_ratio' | 'pipeline_cold_sync_ms' | 'pipeline_noop_sync_ms'>> {
  note(`series: the pipeline alone, cold and no-change, on balanced-${key}`);
  const harness = createHarness(() => ({ ...standInOptions(standIn), excludeLabels: [EXCLUDED_LABEL], editLinks: false }));
  try {
    const cold = await harness.run();
    const coldMs = cold.timings.syncMs + cold.timings.entriesMs;
    const noops: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { timings } = await harness.run();
      noops.push(timings.syncMs + timings.entriesMs);
    }
    return { pipeline_sync_ratio: round(median(noops) / coldMs), pipeline_cold_sync_ms: Math.round(coldMs), pipeline_noop_sync_ms: Math.round(median(noops)) };
  } finally {
    harness.cleanup();
  }
}
