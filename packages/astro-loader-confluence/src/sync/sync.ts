// Stage sync: a page source and the last sync's state in → the published pages in the raw cache and the new state out.
/**
 * One sync: discover the tree, decide what may be published, fetch only what changed, and keep the
 * raw cache in step. Nothing here touches Astro; loader.ts turns the outcome into entries.
 *
 * Nothing is lost on failure: fetched pages are staged beside the raw cache and moved into it only
 * when every page arrived; the state that says which versions the cache holds is returned, and the
 * cache pruned, only then. A failed sync throws, and the caller keeps its previous entries.
 */
import { ConfluenceLoaderError } from '../errors.ts';
import { decidePublication, type PublishDecision } from '../discover/publish-filter.ts';
import type { Discovery, DiscoveryProgress, FetchedPage, FetchProgress, PageSource } from './page-source.ts';
import type { RawCache } from './raw-cache.ts';
import { assignSitePaths, type SitePaths } from '../rewrite/site-paths.ts';
import { walkTree } from '../discover/space-tree.ts';

export interface SyncState {
  /** Identifies what was synced (space or root page, site, attachments on or off): a change starts afresh. */
  key: string;
  pages: Record<string, { version: number; title: string; attachments: string[] }>;
  /** Digest of everything the entries were built from (see pipeline.ts): equal means nothing to rebuild. */
  entriesDigest?: string;
}

export interface SyncOutcome {
  discovery: Discovery;
  decision: PublishDecision;
  sitePaths: SitePaths;
  state: SyncState;
  /** Pages fetched in this sync (the rest came from the cache). */
  fetched: Set<string>;
  exportCalls: number;
  /** The app's `exportId` of each export call made (its Export History records them). */
  exportIds: string[];
}

export interface SyncInput {
  source: PageSource;
  cache: RawCache;
  previous?: SyncState;
  key: string;
  onProgress?: (progress: FetchProgress & { pagesTotal: number }) => void;
  /** What discovery is doing, before any export. */
  onDiscoveryProgress?: (progress: DiscoveryProgress) => void;
  /** Called once discovery is done, before any export: lets the caller log what will happen. */
  onPlan?: (info: { published: number; excluded: number; toFetch: number }) => void;
  /** Top-level path segments no page may take: the slugs the site's frozen versions are served under. */
  reservedPaths?: readonly string[];
}

/** Some pages asked for never arrived: the sync is refused rather than published partially. */
export class IncompleteSyncError extends ConfluenceLoaderError {
  constructor(message: string) {
    super(message, {}, 'INCOMPLETE_SYNC', 'IncompleteSyncError',
      'The previous content was kept. Retry the build; if it persists, run `confluence-export doctor`.');
  }
}

export async function syncPages(input: SyncInput): Promise<SyncOutcome> {
  const { source, cache } = input;
  const previous = input.previous?.key === input.key ? input.previous : undefined;
  const discovery = await source.discover(input.onDiscoveryProgress);
  const decision = decidePublication(discovery.tree, { restricted: discovery.restricted, labelled: discovery.labelled });

  const state: SyncState = { key: input.key, pages: {} };
  const toFetch = new Set<string>();
  const cached = await cache.cachedPages(decision.published);
  for (const id of walkTree(discovery.tree)) {
    if (!decision.published.has(id)) continue;
    const page = discovery.tree.pages.get(id)!;
    const before = previous?.pages[id];
    const current = before && before.version === page.version.number && cached.has(id);
    if (current) state.pages[id] = { ...before, title: page.title };
    else toFetch.add(id);
  }
  input.onPlan?.({ published: decision.published.size, excluded: decision.excluded.size, toFetch: toFetch.size });

  // Fetched pages are staged, and moved into the cache only once every page arrived.
  await cache.discardStaging();
  const staged = cache.staging();
  const fetched = new Set<string>();
  const store = async (page: FetchedPage) => {
    // No source may deliver a page that is not published (the planner never asks for one); if one
    // does anyway, it is not cached, so it can reach nothing.
    if (!decision.published.has(page.id) || fetched.has(page.id)) return;
    await staged.writePage(page.id, page.markdown);
    for (const attachment of page.attachments) {
      if ('file' in attachment) await staged.moveAttachment(page.id, attachment.fileName, attachment.file);
      else await staged.writeAttachment(page.id, attachment.fileName, attachment.data);
    }
    const info = discovery.tree.pages.get(page.id)!;
    state.pages[page.id] = {
      version: info.version.number,
      title: info.title,
      attachments: page.attachments.map((a) => a.fileName),
    };
    fetched.add(page.id);
  };

  for (const page of discovery.prefetched?.values() ?? []) await store(page);
  const remaining = new Set([...toFetch].filter((id) => !fetched.has(id)));

  let exportCalls = 0;
  let exportIds: string[] = [];
  if (remaining.size > 0) {
    try {
      const result = await source.fetch(remaining, discovery, decision.published, store, (progress) =>
        input.onProgress?.({ ...progress, pagesTotal: remaining.size }),
      );
      exportCalls = result.exportCalls;
      exportIds = result.exportIds;
    } catch (error) {
      // What a failed sync staged goes too: the raw cache stays exactly as the last good sync left it.
      await cache.discardStaging();
      throw error;
    }
  }

  const lost = [...toFetch].filter((id) => !fetched.has(id));
  if (lost.length > 0) {
    await cache.discardStaging();
    const names = lost.slice(0, 5).map((id) => `"${discovery.tree.pages.get(id)!.title}" (${id})`).join(', ');
    throw new IncompleteSyncError(
      `${lost.length} page(s) were not in the exports from ${source.label}: ${names}${lost.length > 5 ? ', …' : ''}.`,
    );
  }

  // Confluence may change while the exports run: a page restricted, labelled, moved or deleted in
  // the meantime is left out of this build (the next one settles it), so what is published was
  // publishable both before and after its export.
  if (fetched.size > 0 && source.verify && discovery.fromRest) {
    let again: Discovery;
    try {
      again = await source.verify(input.onDiscoveryProgress);
    } catch (error) {
      await cache.discardStaging();
      throw error;
    }
    const now = decidePublication(again.tree, { restricted: again.restricted, labelled: again.labelled });
    const changed = [...decision.published].filter((id) => !now.published.has(id) || again.tree.pages.get(id)!.parentId !== discovery.tree.pages.get(id)!.parentId);
    for (const id of changed) {
      decision.published.delete(id);
      decision.excluded.set(id, now.excluded.get(id) ?? 'not-found');
      fetched.delete(id);
      delete state.pages[id];
    }
    if (changed.length > 0) {
      discovery.warnings.push(`${changed.length} page(s) changed in Confluence while the build ran (restricted, labelled, moved or deleted): ${changed.slice(0, 10).join(', ')}${changed.length > 10 ? ', …' : ''}. They are left out of this build; the next build publishes them as they are then.`);
    }
  }
  const sitePaths = assignSitePaths(discovery.tree, decision.published, { reserved: input.reservedPaths });

  await cache.commit(staged, fetched);
  await cache.prune(new Set(Object.keys(state.pages)));
  return { discovery, decision, sitePaths, state, fetched, exportCalls, exportIds };
}
