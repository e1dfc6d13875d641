/**
 * The Astro glue: `confluenceLoader(options)` returns a content loader. It runs the pipeline
 * (pipeline.ts), renders each changed entry with Astro's Markdown pipeline (so Starlight's asides,
 * heading anchors and table of contents work), and updates the store only once everything
 * succeeded: a failed sync leaves the last good content in place.
 */
import { appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Loader, LoaderContext } from 'astro/loaders';
import { AstroError } from 'astro/errors';
import { renderSource, type PageEntry } from './entries.ts';
import { ConfluenceLoaderError, formatError } from './errors.ts';
import { resolveOptions, type ConfluenceLoaderOptions, type ResolvedOptions } from './config/options.ts';
import { contentDirFor, runPipeline } from './pipeline.ts';
import { confluenceDataSchema } from './schema.ts';
import { devRefreshInterval, startDevRefresh, type DevRefresh } from './dev-refresh.ts';
import type { SyncOutcome, SyncState } from './sync/sync.ts';
import { versionSlugOf, type VersionedEntry } from './starlight/version-switcher.ts';
import { asVersionEntry, checkVersionCollisions, resolveVersions, versionBase, versionCacheCollection, type DocsVersion } from './sources/versions.ts';

const STATE_KEY = 'confluence-sync-state';

export function confluenceLoader(options: ConfluenceLoaderOptions): Loader {
  let resolved: ResolvedOptions;
  try {
    resolved = resolveOptions(options);
  } catch (error) {
    throw toAstroError(error);
  }
  // Astro's loads and the dev refresh's (dev-refresh.ts) never overlap.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = (run: () => Promise<void>) => (queue = queue.then(run, run)) as Promise<void>;
  let refresh: DevRefresh | undefined;
  return {
    name: 'astro-loader-confluence',
    schema: confluenceDataSchema,
    load: async (context) => {
      try {
        await serialized(() => load(context, resolved));
      } catch (error) {
        throw toAstroError(error);
      }
      // Only the dev server hands loaders a file watcher.
      const interval = context.watcher ? devRefreshInterval(resolved) : 0;
      if (interval > 0 && !refresh) {
        const quiet = quietLogger(context.logger);
        refresh = startDevRefresh(interval, () => serialized(() => load({ ...context, logger: quiet }, resolved)), (error) =>
          context.logger.warn(`Refreshing from Confluence failed; the pages stay as they were and the next try is in ${interval / 1000}s. ${formatError(error)}`),
        );
        context.logger.info(`Watching Confluence for changes every ${interval / 1000}s (devRefreshMs).`);
      }
    },
  };
}

/** The logger of a dev refresh: warnings as usual, and of the info lines only what says something changed. */
function quietLogger(logger: LoaderContext['logger']): LoaderContext['logger'] {
  const quiet: LoaderContext['logger'] = Object.create(logger);
  quiet.info = (message: string) => {
    if (/^Synced \d+ pages/.test(message)) logger.info(`Changes from Confluence: ${message}`);
  };
  quiet.fork = (label: string) => quietLogger(logger.fork(label));
  return quiet;
}

type Rendered = Awaited<ReturnType<LoaderContext['renderMarkdown']>>;

/** One thing to sync into the collection: the live space, or a frozen version from its snapshot. */
interface Part {
  version?: DocsVersion;
  options: ResolvedOptions;
  stateKey: string;
  base: string;
  contentDir: string;
  collection: string;
}

async function load(context: LoaderContext, options: ResolvedOptions): Promise<void> {
  const { logger, store, meta, config } = context;
  const started = Date.now();
  const root = fileURLToPath(config.root);
  const contentDir = contentDirFor(fileURLToPath(config.srcDir), options.contentDir);
  const versions = await resolveVersions(options, root);
  const parts: Part[] = [
    { options, stateKey: STATE_KEY, base: config.base, contentDir, collection: context.collection },
    // A version is its snapshot run through the same pipeline, linked under its own base.
    ...versions.map((version) => ({
      version,
      options: { ...options, snapshot: version.snapshot, site: version.site ?? options.site, writeSnapshot: undefined },
      stateKey: `${STATE_KEY}:${version.slug}`,
      base: versionBase(config.base, version.slug),
      contentDir: join(contentDir, version.slug),
      collection: versionCacheCollection(context.collection, version.slug),
    })),
  ];

  const results: { part: Part; outcome: SyncOutcome; entries: PageEntry[] | null }[] = [];
  const stats = { pages: 0, rendered: 0, rewriteMs: 0, renderMs: 0, syncMs: 0, exportCalls: 0 };
  for (const part of parts) {
    const { outcome, built, timings } = await runPipeline(part.options, {
      root,
      cacheDir: fileURLToPath(config.cacheDir),
      collection: part.collection,
      contentDir: part.contentDir,
      base: part.base,
      logger: part.version ? logger.fork(`${logger.label}:${part.version.slug}`) : logger,
      report: !part.version,
      previous: parseState(meta.get(part.stateKey)),
    });
    if (part.options.writeSnapshot) logger.info(`Wrote a snapshot of ${outcome.decision.published.size} pages to ${resolve(root, part.options.writeSnapshot)}`);
    const entries = built && (part.version ? built.entries.map((entry) => asVersionEntry(entry, part.version!)) : built.entries);
    if (!part.version && entries) checkVersionCollisions(entries.map((entry) => entry.id), versions);
    results.push({ part, outcome, entries });
    Object.assign(stats, {
      pages: stats.pages + outcome.decision.published.size,
      rewriteMs: stats.rewriteMs + timings.entriesMs,
      syncMs: stats.syncMs + timings.syncMs,
      exportCalls: stats.exportCalls + outcome.exportCalls,
    });
  }
  const saveStates = () => {
    for (const { part, outcome } of results) meta.set(part.stateKey, JSON.stringify(outcome.state));
  };
  const pageCount = results.reduce((sum, { outcome }) => sum + outcome.decision.published.size, 0);

  // A version dropped from the configuration leaves entries behind even when nothing else changed.
  const slugs = new Set(['', ...versions.map((version) => version.slug)]);
  const dropped = [...store.keys()].some((id) => !slugs.has(versionSlugOf(store.get(id) as unknown as VersionedEntry)));
  if (!dropped && results.every(({ entries }) => entries === null)) {
    writeStats(stats);
    saveStates();
    logger.info(`All ${pageCount} pages are up to date (${((Date.now() - started) / 1000).toFixed(1)}s)`);
    return;
  }

  // Render everything before touching the store: a failure half-way must leave the last good content.
  const updates: { entry: PageEntry; data: Record<string, unknown>; digest: string; rendered: Rendered }[] = [];
  const keep = new Set<string>();
  for (const { part, entries } of results) {
    if (entries === null) {
      // Nothing changed in this part: its entries in the store still stand.
      const slug = part.version?.slug ?? '';
      for (const id of store.keys()) if (versionSlugOf(store.get(id) as unknown as VersionedEntry) === slug) keep.add(id);
      continue;
    }
    for (const entry of entries) {
      keep.add(entry.id);
      const digest = context.generateDigest({ body: entry.body, data: JSON.stringify(entry.data), filePath: entry.filePath });
      const existing = store.get(entry.id);
      if (existing?.digest === digest && existing.rendered) continue;
      const data = await context.parseData({ id: entry.id, data: entry.data as unknown as Record<string, unknown>, filePath: entry.filePath });
      const renderStarted = performance.now();
      const rendered = await context.renderMarkdown(renderSource(entry), { fileURL: pathToFileURL(join(root, entry.filePath)) });
      stats.renderMs += performance.now() - renderStarted;
      updates.push({ entry, data, digest, rendered });
    }
  }

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
  writeStats({ ...stats, rendered: updates.length });
  saveStates();
  const exported = results.reduce((sum, { outcome }) => sum + outcome.fetched.size, 0);
  const calls = results.reduce((sum, { outcome }) => sum + outcome.exportCalls, 0);
  logger.info(
    `Synced ${keep.size} pages${versions.length > 0 ? ` (live and ${versions.length} version${versions.length > 1 ? 's' : ''})` : ''} (${exported} exported in ${calls} calls, ${updates.length} rendered) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
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
