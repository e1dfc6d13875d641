/**
 * The Astro glue: `confluenceLoader(options)` returns a content loader. It runs the pipeline
 * (pipeline.ts), renders each changed entry with Astro's Markdown pipeline (so Starlight's asides,
 * heading anchors and table of contents work), and updates the store only once everything
 * succeeded: a failed sync leaves the last good content in place.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Loader, LoaderContext } from 'astro/loaders';
import { AstroError } from 'astro/errors';
import { renderSource, type PageEntry } from './entries.ts';
import { ConfluenceLoaderError, formatError } from './errors.ts';
import { keepsBody, resolveOptions, storesHtml as storesHtmlFor, type ConfluenceLoaderOptions, type ResolvedOptions } from './config/options.ts';
import { contentDirFor, runPipeline } from './pipeline.ts';
import { currentOutcomes, type Lookup } from './rewrite/html-tree.ts';
import { sanitizeRenderedPage, type SanitizedHtml } from './rewrite/rendered-html.ts';
import { ATTACHMENT_POLICY_FILE, type AttachmentPolicy } from './starlight/attachment-policy.ts';
import { rawCacheDir } from './sync/raw-cache.ts';
import { HTML_FILE, htmlDir, htmlFileOf, presentHtmlFiles, pruneHtmlFiles, writeHtmlFile } from './sync/html-files.ts';
import type { UnresolvedLink } from './types.ts';
import { VERSION } from './version.ts';
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
  const served: ServedHtml = { names: new Set() };
  return {
    name: 'astro-loader-confluence',
    schema: confluenceDataSchema,
    load: async (context) => {
      try {
        await serialized(() => load(context, resolved, context.watcher ? served : undefined));
      } catch (error) {
        throw toAstroError(error);
      }
      // Only the dev server hands loaders a file watcher.
      const interval = context.watcher ? devRefreshInterval(resolved) : 0;
      if (interval > 0 && !refresh) {
        const quiet = quietLogger(context.logger);
        refresh = startDevRefresh(interval, () => serialized(() => load({ ...context, logger: quiet }, resolved, served)), (error) =>
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

/**
 * In `astro dev`, the HTML files named by the store the dev server may still be rendering: it goes
 * on serving the store it last read until it picks up the one a refresh writes, so a file pruned
 * at once would answer a request in between with "missing". Those files stay one more load.
 */
interface ServedHtml {
  names: Set<string>;
}

async function load(context: LoaderContext, options: ResolvedOptions, servedHtml?: ServedHtml): Promise<void> {
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

  // Entries whose HTML file is gone (a cache restored without it) are rendered again, and their
  // part is rebuilt from the raw cache even if nothing changed in Confluence.
  const htmlFiles = htmlDir(fileURLToPath(config.cacheDir), context.collection);
  const presentHtml = await presentHtmlFiles(htmlFiles);
  const hasHtml = (entry: Parameters<typeof htmlFileOf>[0]) => {
    const name = htmlFileOf(entry);
    return name === undefined || presentHtml.has(name);
  };
  const pruneHtml = async () => {
    const named = new Set([...store.values()].map(htmlFileOf).filter((name) => name !== undefined));
    await pruneHtmlFiles(htmlFiles, servedHtml ? new Set([...named, ...servedHtml.names]) : named);
    if (servedHtml) servedHtml.names = named;
  };
  const lostHtml = new Set<string>();
  for (const entry of store.values()) if (!hasHtml(entry)) lostHtml.add(versionSlugOf(entry as unknown as VersionedEntry));
  if (lostHtml.size > 0) logger.info('Some pages\' HTML is missing from the build cache: rendering them again.');

  const results: { part: Part; outcome: SyncOutcome; entries: PageEntry[] | null }[] = [];
  const stats = { pages: 0, rendered: 0, rewriteMs: 0, renderMs: 0, sanitizeMs: 0, syncMs: 0, syncStalledMs: 0, exportCalls: 0 };
  const runPart = async (part: Part, rebuild: boolean) => {
    const { outcome, built, timings } = await runPipeline(part.options, {
      root,
      cacheDir: fileURLToPath(config.cacheDir),
      collection: part.collection,
      contentDir: part.contentDir,
      base: part.base,
      logger: part.version ? logger.fork(`${logger.label}:${part.version.slug}`) : logger,
      report: !part.version,
      previous: withoutEntriesDigest(parseState(meta.get(part.stateKey)), rebuild),
      // A live page titled like a version (`v1`) takes another path, with a warning, rather than
      // the version's URL; checkVersionCollisions below stays as the last guard.
      reservedPaths: part.version ? [] : versions.flatMap((version) => [version.slug, version.slug.toLowerCase()]),
    });
    if (part.options.writeSnapshot) logger.info(`Wrote a snapshot of ${outcome.decision.published.size} pages to ${resolve(root, part.options.writeSnapshot)}`);
    const entries = built && (part.version ? built.entries.map((entry) => asVersionEntry(entry, part.version!)) : built.entries);
    if (!part.version && entries) checkVersionCollisions(entries.map((entry) => entry.id), versions);
    Object.assign(stats, {
      rewriteMs: stats.rewriteMs + timings.entriesMs,
      syncMs: stats.syncMs + timings.syncMs,
      syncStalledMs: stats.syncStalledMs + timings.syncStalledMs,
      exportCalls: stats.exportCalls + outcome.exportCalls,
    });
    return { part, outcome, entries };
  };
  for (const part of parts) {
    const result = await runPart(part, lostHtml.has(part.version?.slug ?? ''));
    results.push(result);
    stats.pages += result.outcome.decision.published.size;
  }
  const saveStates = () => {
    for (const { part, outcome } of results) {
      // Any set marks Astro's whole data store for writing again: at 8,000 pages that is seconds of
      // serialising, so a state that did not change is not set again.
      const state = JSON.stringify(outcome.state);
      if (meta.get(part.stateKey) !== state) meta.set(part.stateKey, state);
    }
  };
  const pageCount = results.reduce((sum, { outcome }) => sum + outcome.decision.published.size, 0);

  // A version dropped from the configuration leaves entries behind even when nothing else changed.
  const slugs = new Set(['', ...versions.map((version) => version.slug)]);
  const dropped = [...store.keys()].some((id) => !slugs.has(versionSlugOf(store.get(id) as unknown as VersionedEntry)));
  if (!dropped && results.every(({ entries }) => entries === null)) {
    writeStats(stats);
    saveStates();
    // Files no store serves any more: in dev, those the previous load replaced; in a build, any a
    // dev server stopped before its next refresh left behind (a page restricted meanwhile).
    await pruneHtml();
    logger.info(`All ${pageCount} pages are up to date (${((Date.now() - started) / 1000).toFixed(1)}s)`);
    return;
  }

  // Counted over every part, live and versions, since they share the one store. A part with
  // nothing to rewrite keeps its entries as stored, with or without bodies: memory only, no content.
  const storesBody = keepsBody(options.entryBody, pageCount);
  const storesHtml = storesHtmlFor(options.entryHtml, pageCount);
  if (!storesHtml) {
    logger.info(`Page HTML is kept in files of the build cache, not in Astro's data store, to keep the store small: ${pageCount} pages${typeof options.entryHtml === 'number' ? ` is over entryHtml: ${options.entryHtml}` : ''}. starlightConfluence() renders them; set entryHtml: 'store' for code that renders entries itself.`);
  }
  // A part that did not change keeps its entries as stored, but the page count of the others can
  // cross a number threshold: entries on the wrong side of it (a frozen version left with its HTML
  // in files when the site went under the threshold) are built again from the raw cache.
  for (const [index, { part, entries }] of results.entries()) {
    if (entries !== null) continue;
    const slug = part.version?.slug ?? '';
    const misplaced = [...store.values()].some(
      // HTML with images Astro optimises stays in the store either way (see below).
      (entry) => versionSlugOf(entry as unknown as VersionedEntry) === slug && (storesHtml ? htmlFileOf(entry) !== undefined : htmlFileOf(entry) === undefined && !entry.rendered?.metadata?.imagePaths?.length),
    );
    if (misplaced) results[index] = await runPart(part, true);
  }
  if (!storesBody) {
    logger.info(`Entries are stored without their Markdown body (entry.body) to save build memory: ${pageCount} pages${typeof options.entryBody === 'number' ? ` is over entryBody: ${options.entryBody}` : ''}. Starlight does not read it; set entryBody: 'keep' for plugins that do.`);
  }

  // Render everything before touching the store: a failure half-way must leave the last good content.
  const updates: { entry: PageEntry; data: Record<string, unknown>; digest: string; rendered: Rendered; replace: boolean }[] = [];
  const keep = new Set<string>();
  const htmlReport = { unresolved: [] as UnresolvedLink[], warnings: [] as string[] };
  const assetsBase = assetsBaseOf(config);
  for (const { part, entries } of results) {
    if (entries === null) {
      // Nothing changed in this part: its entries in the store still stand.
      const slug = part.version?.slug ?? '';
      for (const id of store.keys()) if (versionSlugOf(store.get(id) as unknown as VersionedEntry) === slug) keep.add(id);
      continue;
    }
    for (const entry of entries) {
      keep.add(entry.id);
      // The HTML also depends on how the URLs it links to resolve (another page unpublished or moved):
      // the digest covers those answers, read again now for the URLs the last render looked up,
      // and the loader's version, whose sanitising pass made the HTML.
      const source = { body: entry.body, storesBody, storesHtml, data: JSON.stringify(entry.data), filePath: entry.filePath, loader: VERSION };
      const existing = store.get(entry.id);
      const lookups = (existing?.rendered?.metadata?.[LOOKUPS] ?? []) as Lookup[];
      if (existing?.rendered && hasHtml(existing) && existing.digest === context.generateDigest({ ...source, links: currentOutcomes(lookups, { ...entry.context, assetsBase }) })) continue;
      const data = await context.parseData({ id: entry.id, data: entry.data as unknown as Record<string, unknown>, filePath: entry.filePath });
      const renderStarted = performance.now();
      const rendered = await context.renderMarkdown(renderSource(entry), { fileURL: pathToFileURL(join(root, entry.filePath)) });
      stats.renderMs += performance.now() - renderStarted;
      const sanitizeStarted = performance.now();
      let safe = sanitizeRendered(rendered, entry, assetsBase, htmlReport);
      stats.sanitizeMs += performance.now() - sanitizeStarted;
      // HTML with images Astro optimises stays in the store: Astro rewrites their references there.
      if (!storesHtml && !safe.metadata?.imagePaths?.length) {
        safe = { ...safe, html: '', metadata: { ...safe.metadata, [HTML_FILE]: await writeHtmlFile(htmlFiles, safe.html) } };
      }
      // Astro keeps an entry whose digest did not change as it was: a new answer must be a new digest.
      const digest = context.generateDigest({ ...source, links: ((safe.metadata?.[LOOKUPS] ?? []) as Lookup[]).map(([, , outcome]) => outcome) });
      // Rendered again with the digest it had: its HTML file was lost or its stored name is wrong.
      // Astro ignores a set with the stored digest, so the stored entry has to go first.
      updates.push({ entry, data, digest, rendered: safe, replace: existing?.digest === digest });
    }
  }

  reportHtmlFindings(htmlReport, logger, options.failOnUnresolvedLinks);
  writeAttachmentPolicy(fileURLToPath(config.cacheDir), context.collection, { publishActive: options.publishActiveAttachments });

  for (const id of store.keys()) if (!keep.has(id)) store.delete(id);
  for (const { entry, data, digest, rendered, replace } of updates) {
    if (replace) store.delete(entry.id);
    store.set({
      id: entry.id,
      data,
      ...(storesBody ? { body: entry.body } : {}),
      filePath: entry.filePath,
      digest,
      rendered,
      assetImports: rendered.metadata?.imagePaths,
    });
  }
  await pruneHtml();
  writeStats({ ...stats, rendered: updates.length });
  saveStates();
  const exported = results.reduce((sum, { outcome }) => sum + outcome.fetched.size, 0);
  const calls = results.reduce((sum, { outcome }) => sum + outcome.exportCalls, 0);
  logger.info(
    `Synced ${keep.size} pages${versions.length > 0 ? ` (live and ${versions.length} version${versions.length > 1 ? 's' : ''})` : ''} (${exported} exported in ${calls} calls, ${updates.length} rendered) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
}

/** Where a rendered entry keeps the URLs its HTML looked up (rewrite/html-tree.ts). */
const LOOKUPS = 'confluenceLookups';

/**
 * The rendered HTML through the one sanitising pass (rewrite/rendered-html.ts). The table of
 * contents keeps only headings whose ids are still in the page; the lookups are kept so that a
 * later build knows when this HTML no longer stands.
 */
function sanitizeRendered(rendered: Rendered, entry: PageEntry, assetsBase: string, report: { unresolved: UnresolvedLink[]; warnings: string[] }): Rendered {
  let safe: SanitizedHtml;
  try {
    safe = sanitizeRenderedPage(entry.body, rendered.html, { ...entry.context, assetsBase });
  } catch (error) {
    const cause = error instanceof RangeError ? 'it is nested too deeply (thousands of levels)' : error instanceof Error ? error.message : String(error);
    throw new ConfluenceLoaderError(
      `The HTML of page ${entry.data.confluence.id} could not be checked: ${cause}.`,
      { cause: error }, 'UNSAFE_HTML', 'UnsafeHtmlError',
      'Nothing was published. Simplify the page in Confluence (deeply nested HTML is the usual cause) or exclude it with a label.',
    );
  }
  report.unresolved.push(...safe.unresolved);
  report.warnings.push(...safe.warnings);
  const metadata = rendered.metadata ?? {};
  const headings = metadata.headings;
  return {
    ...rendered,
    html: safe.html,
    metadata: withoutEmpty({ ...metadata, ...(headings && safe.ids ? { headings: headings.filter((heading) => safe.ids!.has(heading.slug)) } : {}), [LOOKUPS]: safe.lookups }),
  };
}

/**
 * Metadata without its empty lists and objects (no images, no frontmatter, no lookups), which Astro
 * and Starlight read with a default. Astro serialises its whole store after every sync, even one
 * that changed nothing, and its cost goes by the number of values: at 8,000 pages the five empty
 * values of each entry were 5 % of the store's bytes and about 10 % of that time (700 → 630 ms).
 */
function withoutEmpty(metadata: NonNullable<Rendered['metadata']>): NonNullable<Rendered['metadata']> {
  // Only lists and plain objects: a Date or another object without own keys is a value, not empty.
  const empty = (value: unknown) => (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && Object.keys(value).length === 0);
  return Object.fromEntries(Object.entries(metadata).filter(([, value]) => !empty(value))) as NonNullable<Rendered['metadata']>;
}

/**
 * Links the HTML pass dropped (raw HTML to pages that are not published), named by page id only,
 * and its warnings; `failOnUnresolvedLinks` makes the links an error, as for Markdown links.
 */
function reportHtmlFindings(report: { unresolved: UnresolvedLink[]; warnings: string[] }, logger: LoaderContext['logger'], fail: boolean): void {
  for (const warning of new Set(report.warnings)) logger.warn(warning);
  if (report.unresolved.length === 0) return;
  const lines = report.unresolved.map((link) => `  ${link.fromPageId}: ${unpublishedTarget(link)} (${link.reason})`);
  const summary = `${lines.length} link(s) in raw HTML point at pages that are not published:\n${lines.slice(0, 50).join('\n')}${lines.length > 50 ? '\n  …' : ''}`;
  if (fail) {
    throw new ConfluenceLoaderError(summary, {}, 'UNRESOLVED_LINKS', 'UnresolvedLinksError',
      'Publish the target pages, remove the links, or set failOnUnresolvedLinks: false to keep the text without a link.');
  }
  logger.warn(summary);
}

/** A page that is not published, as a log may name it: by id, or not at all (a link by title would show the title). */
function unpublishedTarget(link: UnresolvedLink): string {
  const id = /\/pages\/(?:edit-v2\/|edit\/)?(\d+)|[?&]pageId=(\d+)/i.exec(link.url);
  return id ? `page ${id[1] ?? id[2]}` : 'a page named by title or short link';
}

/** Tells the attachments integration (starlight/) what it may publish: it has no view of the loader's options. */
function writeAttachmentPolicy(cacheDir: string, collection: string, policy: AttachmentPolicy): void {
  const dir = rawCacheDir(cacheDir, collection);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ATTACHMENT_POLICY_FILE), `${JSON.stringify(policy)}\n`);
}

/** The URL prefix of the build's own assets, where Expressive Code's stylesheet and script are. */
function assetsBaseOf(config: LoaderContext['config']): string {
  const prefix = typeof config.build.assetsPrefix === 'string' ? config.build.assetsPrefix.replace(/\/+$/, '') : undefined;
  const base = config.base.endsWith('/') ? config.base : `${config.base}/`;
  return `${prefix ?? base.replace(/\/$/, '')}/${config.build.assets}/`;
}

/**
 * Opt-in figures for `npm run bench` (bench/README.md): with CONFLUENCE_LOADER_STATS naming a file,
 * each load appends one JSON line. `rewriteMs` is building the entries (reading the raw cache and
 * rewriting every page); `renderMs` is Astro's renderMarkdown over the `rendered` entries, and
 * `sanitizeMs` the HTML pass over what it rendered; `syncStalledMs` is the part of `syncMs` the
 * event loop was held by other work (sync/stall-meter.ts).
 */
function writeStats(stats: { pages: number; rendered: number; rewriteMs: number; renderMs: number; sanitizeMs: number; syncMs: number; syncStalledMs: number; exportCalls: number }): void {
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

/** The state with the entries' digest dropped when `rebuild`: the pipeline then builds the entries again from the raw cache. */
function withoutEntriesDigest(state: SyncState | undefined, rebuild: boolean): SyncState | undefined {
  return rebuild && state ? { ...state, entriesDigest: undefined } : state;
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
