/**
 * The Astro glue: `confluenceLoader(options)` returns a content loader. It runs the pipeline
 * (pipeline.ts), renders each changed entry with Astro's Markdown pipeline (so Starlight's asides,
 * heading anchors and table of contents work), and updates the store only once everything
 * succeeded: a failed sync leaves the last good content in place.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Loader, LoaderContext } from 'astro/loaders';
import { AstroError } from 'astro/errors';
import type { PageEntry } from './entries.ts';
import { ConfluenceLoaderError, formatError } from './errors.ts';
import { resolveOptions, type ConfluenceLoaderOptions, type ResolvedOptions } from './options.ts';
import { contentDirFor, runPipeline } from './pipeline.ts';
import { confluenceDataSchema } from './schema.ts';
import type { SyncState } from './sync.ts';

const STATE_KEY = 'confluence-sync-state';

export function confluenceLoader(options: ConfluenceLoaderOptions): Loader {
  let resolved: ResolvedOptions;
  try {
    resolved = resolveOptions(options);
  } catch (error) {
    throw toAstroError(error);
  }
  return {
    name: 'astro-loader-confluence',
    schema: confluenceDataSchema,
    load: async (context) => {
      try {
        await load(context, resolved);
      } catch (error) {
        throw toAstroError(error);
      }
    },
  };
}

type Rendered = Awaited<ReturnType<LoaderContext['renderMarkdown']>>;

async function load(context: LoaderContext, options: ResolvedOptions): Promise<void> {
  const { logger, store, meta, config } = context;
  const started = Date.now();
  const root = fileURLToPath(config.root);
  const { outcome, built, timings } = await runPipeline(options, {
    root,
    cacheDir: fileURLToPath(config.cacheDir),
    collection: context.collection,
    contentDir: contentDirFor(fileURLToPath(config.srcDir), options.contentDir),
    base: config.base,
    logger,
    previous: parseState(meta.get(STATE_KEY)),
  });

  if (!built) {
    writeStats({ pages: outcome.decision.published.size, rendered: 0, rewriteMs: 0, renderMs: 0, syncMs: timings.syncMs, exportCalls: outcome.exportCalls });
    meta.set(STATE_KEY, JSON.stringify(outcome.state));
    logger.info(`All ${outcome.decision.published.size} pages are up to date (${((Date.now() - started) / 1000).toFixed(1)}s)`);
    return;
  }

  // Render everything before touching the store: a failure half-way must leave the last good content.
  const updates: { entry: PageEntry; data: Record<string, unknown>; digest: string; rendered: Rendered }[] = [];
  let renderMs = 0;
  for (const entry of built.entries) {
    const digest = context.generateDigest({ body: entry.body, data: JSON.stringify(entry.data), filePath: entry.filePath });
    const existing = store.get(entry.id);
    if (existing?.digest === digest && existing.rendered) continue;
    const data = await context.parseData({ id: entry.id, data: entry.data as unknown as Record<string, unknown>, filePath: entry.filePath });
    const renderStarted = performance.now();
    const rendered = await context.renderMarkdown(entry.body, { fileURL: pathToFileURL(join(root, entry.filePath)) });
    renderMs += performance.now() - renderStarted;
    updates.push({ entry, data, digest, rendered });
  }

  const keep = new Set(built.entries.map((entry) => entry.id));
  for (const id of store.keys()) if (!keep.has(id)) store.delete(id);
  for (const { entry, data, digest, rendered } of updates) {
    store.set({
      id: entry.id,
      data,
      body: entry.body,
      filePath: entry.filePath,
      digest,
      rendered,
      assetImports: rendered.metadata?.imagePaths,
    });
  }
  meta.set(STATE_KEY, JSON.stringify(outcome.state));
  writeStats({
    pages: built.entries.length,
    rendered: updates.length,
    rewriteMs: timings.entriesMs,
    renderMs,
    syncMs: timings.syncMs,
    exportCalls: outcome.exportCalls,
  });
  logger.info(
    `Synced ${built.entries.length} pages (${outcome.fetched.size} exported in ${outcome.exportCalls} calls, ${updates.length} rendered) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
}

/**
 * Opt-in figures for `npm run bench` (bench/README.md): with CONFLUENCE_LOADER_STATS naming a file,
 * each load appends one JSON line. `rewriteMs` is building the entries (reading the raw cache and
 * rewriting every page); `renderMs` is Astro's renderMarkdown over the `rendered` entries.
 */
function writeStats(stats: { pages: number; rendered: number; rewriteMs: number; renderMs: number; syncMs: number; exportCalls: number }): void {
  const file = process.env.CONFLUENCE_LOADER_STATS;
  if (file) appendFileSync(file, `${JSON.stringify(stats)}\n`);
}

function parseState(text: string | undefined): SyncState | undefined {
  if (!text) return undefined;
  try {
    const state = JSON.parse(text) as SyncState;
    return typeof state.key === 'string' && state.pages ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Astro shows `message` and `hint` in its error overlay and terminal output, without a stack. */
function toAstroError(error: unknown): unknown {
  if (error instanceof AstroError) return error;
  if (error instanceof ConfluenceLoaderError) {
    const astroError = new AstroError(`${error.name}: ${error.message}`, error.hint);
    astroError.stack = `${astroError.name}: ${error.message}`;
    return astroError;
  }
  if (error instanceof Error) return new AstroError(formatError(error), 'This looks like a bug in astro-loader-confluence; please report it with this message.');
  return error;
}
