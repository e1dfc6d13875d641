/**
 * The whole pipeline short of Astro: source → sync → entries. The Astro loader, the CLI and the
 * benchmarks all run exactly this, so what they measure and test is what a site build does.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { buildEntries, type BuildEntriesResult } from './entries.ts';
import { ConfluenceLoaderError } from './errors.ts';
import type { ResolvedOptions } from './config/options.ts';
import { exportEvent, throttledProgress, type ProgressEvent } from './sync/progress.ts';
import { parseConfluenceUrl } from './rewrite/confluence-urls.ts';
import { RawCache, rawCacheDir } from './sync/raw-cache.ts';
import { writeSnapshot } from './sources/snapshot.ts';
import { scrubUnpublished } from './rewrite/scrub.ts';
import { createPageSource, sourceKey } from './sources/sources.ts';
import { startStallMeter } from './sync/stall-meter.ts';
import { readStateFile, writeStateFile } from './sync/state-file.ts';
import { syncPages, type SyncOutcome, type SyncState } from './sync/sync.ts';
import { buildReport, writeReport } from './sync-report.ts';

export interface PipelineLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface PipelineContext {
  /** Absolute project root. */
  root: string;
  /** Absolute cache folder (Astro's `cacheDir`). */
  cacheDir: string;
  /** Collection name: the raw cache is kept per collection. */
  collection: string;
  /** Absolute folder the virtual entry files live in (`<srcDir>/content/docs`). */
  contentDir: string;
  /** Astro `base`. */
  base: string;
  logger: PipelineLogger;
  /** The state the previous successful sync returned. */
  previous?: SyncState;
  /** Write the sync report (sync-report.ts; default true). Off for the frozen versions a site also builds. */
  report?: boolean;
  /** How panels are written (entries.ts): Starlight asides for a site (default), GFM alerts for files. */
  alerts?: 'starlight' | 'gfm';
  /** Progress of each phase as numbers (the CLI draws a bar); without it, a throttled line goes to the logger. */
  onProgress?: (progress: ProgressEvent) => void;
  /** Top-level path segments no page may take (the live docs keep their versions' slugs free). */
  reservedPaths?: readonly string[];
}

export interface PipelineResult {
  outcome: SyncOutcome;
  /** Null when nothing changed since the previous sync: the entries it built still stand. */
  built: BuildEntriesResult | null;
  cache: RawCache;
  /**
   * Wall milliseconds of the sync (discovery and exports) and of building entries (reading the
   * cache and rewriting); `syncStalledMs`: of the sync, how long the event loop was held by
   * something else (sync/stall-meter.ts).
   */
  timings: { syncMs: number; syncStalledMs: number; entriesMs: number };
}

export async function runPipeline(options: ResolvedOptions, context: PipelineContext): Promise<PipelineResult> {
  const { logger } = context;
  const cache = new RawCache(rawCacheDir(context.cacheDir, context.collection));
  const progress = context.onProgress ?? throttledProgress((line) => logger.info(line));
  // Downloads land in the staging folder, which the sync clears before and commits after.
  const source = await createPageSource(options, { logger, root: context.root, downloadDir: join(cache.staging().root, 'downloads') });
  logger.info(`Syncing ${source.label}`);
  const syncStarted = performance.now();
  const stalls = startStallMeter();
  let syncStalledMs = 0;
  let outcome: SyncOutcome;
  try {
    outcome = await syncPages({
      source,
      cache,
      // Without a state from the caller (the CLI, or a cleared data store), the raw cache's own.
      previous: context.previous ?? (await readStateFile(cache.root)),
      key: sourceKey(options),
      reservedPaths: context.reservedPaths,
      onPlan: ({ published, excluded, toFetch }) =>
        logger.info(`${published} pages to publish, ${excluded} left out (restricted or excluded), ${toFetch} to export${toFetch === 0 ? ' (all up to date)' : ''}`),
      onProgress: (p) => progress(exportEvent(p)),
      onDiscoveryProgress: (p) => progress({ phase: p.phase, done: p.done, total: p.total, unit: p.phase === 'reading folders' ? 'folders' : 'pages' }),
    });
  } finally {
    syncStalledMs = stalls.stop();
    await source.close();
  }
  const syncMs = performance.now() - syncStarted;
  await writeStateFile(cache.root, outcome.state);
  for (const warning of [...outcome.discovery.warnings, ...outcome.sitePaths.warnings]) logger.warn(warning);

  // A no-change rebuild must cost next to nothing: when no page was fetched and nothing the
  // entries depend on (paths, titles, versions, what is published, settings) moved, skip the rewrite.
  // A snapshot records the site it came from; without it, links to that site would stay absolute.
  const site = options.site ?? source.site;
  const digest = entriesDigest(outcome, { ...options, site }, context.base, source.banner);
  outcome.state.entriesDigest = digest;
  const report = async (built: BuildEntriesResult | null) => {
    if (context.report === false) return;
    await writeReport(buildReport({ outcome, built, sourceLabel: source.label, siteHost: site, cloudId: options.cloudId }), { root: context.root, path: options.report });
  };
  if (context.previous?.entriesDigest === digest && outcome.fetched.size === 0 && !options.writeSnapshot) {
    logger.info('Nothing changed since the last sync.');
    await report(null);
    return { outcome, built: null, cache, timings: { syncMs, syncStalledMs, entriesMs: 0 } };
  }

  const entriesStarted = performance.now();
  const built = await buildEntries({
    outcome,
    cache,
    root: context.root,
    contentDir: context.contentDir,
    base: context.base,
    siteHost: site,
    cloudId: options.cloudId,
    unpublishedLinks: options.unpublishedLinks,
    editLinks: options.editLinks,
    publishActiveAttachments: options.publishActiveAttachments,
    missingFiles: options.missingFiles,
    unknownMacros: options.unknownMacros,
    banner: source.banner,
    alerts: context.alerts,
  });
  const entriesMs = performance.now() - entriesStarted;
  for (const warning of built.warnings) logger.warn(warning);
  if (built.unresolved.length > 0) {
    // By id only: a link's URL and text may carry the title of a page that is not published.
    const lines = built.unresolved.map((link) => `  page ${link.fromPageId} links to ${describeTarget(link.url, site, options.cloudId)} (${link.reason})`);
    const summary = `${built.unresolved.length} link(s) point at pages that are not published:\n${lines.slice(0, 50).join('\n')}${lines.length > 50 ? '\n  …' : ''}`;
    if (options.failOnUnresolvedLinks) {
      throw new ConfluenceLoaderError(summary, {}, 'UNRESOLVED_LINKS', 'UnresolvedLinksError',
        'Publish the target pages, remove the links, or set failOnUnresolvedLinks: false to keep the text without a link.');
    }
    logger.warn(summary);
  }
  if (options.writeSnapshot) {
    const dir = resolve(context.root, options.writeSnapshot);
    // The caller says so: the CLI prints it as its result, the loader logs it.
    const contexts = new Map(built.entries.map((entry) => [entry.data.confluence.id, entry.context]));
    await writeSnapshot(dir, outcome, cache, { site: options.site, spaceKey: options.spaceKey, rootPageId: options.rootPageId }, (id, markdown) => {
      const ctx = contexts.get(id);
      // Every published page has an entry; one without could not be scrubbed, so it is not kept.
      if (!ctx) throw new ConfluenceLoaderError(`Page ${id} has no entry, so its Markdown cannot be cleared of links to unpublished pages; the snapshot was not written.`, {}, 'SNAPSHOT_INCOMPLETE', 'SnapshotError', 'This is a bug in the loader: please report it.');
      return scrubUnpublished(markdown, ctx);
    });
  }
  await report(built);
  return { outcome, built, cache, timings: { syncMs, syncStalledMs, entriesMs } };
}

function entriesDigest(outcome: SyncOutcome, options: ResolvedOptions, base: string, banner: string | undefined): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([base, banner ?? '', options.site ?? '', options.unpublishedLinks, options.editLinks, options.cloudId ?? '', options.publishActiveAttachments, options.missingFiles, options.unknownMacros, options.entryBody, options.entryHtml]));
  const { tree } = outcome.discovery;
  for (const [id, path] of outcome.sitePaths.paths) {
    const page = tree.pages.get(id)!;
    hash.update(`\n${id}\t${path}\t${page.version.number}\t${page.position}\t${page.parentId ?? ''}\t${page.title}\t${page.version.createdAt ?? ''}`);
  }
  for (const [id, reason] of outcome.decision.excluded) hash.update(`\nx${id}\t${reason}`);
  return hash.digest('hex');
}

/** A link target for a public log: a page id, never the title or path a URL may carry. */
export function describeTarget(url: string, site: string | undefined, cloudId: string | undefined): string {
  const target = parseConfluenceUrl(url, { siteHosts: site ? [site.replace(/^https?:\/\//, '')] : [], cloudId });
  if (target && 'pageId' in target && target.pageId) return `${target.kind === 'blog' ? 'blog post' : target.kind === 'attachment' ? 'an attachment of page' : 'page'} ${target.pageId}`;
  if (target && 'spaceKey' in target) return `a page named by its title in space ${target.spaceKey}`;
  return 'a page outside the site';
}

/** The folder virtual entry files live in, for a site whose `srcDir` is given. */
export function contentDirFor(srcDir: string, collectionDir: string): string {
  return join(srcDir, 'content', collectionDir);
}
