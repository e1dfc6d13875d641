/**
 * From synced pages to content entries: rewrite each page's Markdown (links, attachments, anchors,
 * asides, title) and give it the data Starlight reads. Pure apart from reading the raw cache.
 */
import { readFileSync } from 'node:fs';
import { posix, relative, dirname } from 'node:path';
import { ACTIVE_ATTACHMENT } from './rewrite/attachments.ts';
import { extractHeadingIds, rewritePage, type RewriteContext } from './rewrite/index.ts';
import type { RawCache } from './sync/raw-cache.ts';
import type { SyncOutcome } from './sync/sync.ts';
import type { DocsVersionRef, PublishedPageRef, UnpublishedReason, UnresolvedLink } from './types.ts';
import { looseKey } from './export/slug.ts';
import { walkTree } from './discover/space-tree.ts';

export interface EntryData {
  title: string;
  lastUpdated?: Date;
  editUrl?: string | false;
  sidebar: { order: number; label: string };
  banner?: { content: string };
  confluence: {
    id: string;
    parentId?: string;
    position: number;
    version: number;
    spaceKey?: string;
    /** The page's URL in Confluence, when the site is known. */
    url?: string;
    /** Set on the pages of a frozen version (versions.ts). */
    docsVersion?: DocsVersionRef;
  };
}

export interface PageEntry {
  id: string;
  /** Virtual file path relative to the project root: Starlight reads it for the sidebar and edit links. */
  filePath: string;
  body: string;
  data: EntryData;
  /** What the rewrite knew about this page and the site: the pass over the rendered HTML resolves URLs with it too. */
  context: RewriteContext;
}

export interface BuildEntriesInput {
  outcome: SyncOutcome;
  cache: RawCache;
  /** Absolute path of the project root. */
  root: string;
  /** Absolute path of the folder virtual files are placed in (e.g. `<root>/site/content/docs`). */
  contentDir: string;
  base: string;
  siteHost?: string;
  cloudId?: string;
  unpublishedLinks: 'text' | 'confluence';
  editLinks: boolean;
  /** Publish `.html`, `.xml`, `.js` and similar attachments as they are (see ACTIVE_ATTACHMENT). Default false. */
  publishActiveAttachments?: boolean;
  /** Shown at the top of every page (content from a fallback snapshot). */
  banner?: string;
}

export interface BuildEntriesResult {
  entries: PageEntry[];
  unresolved: UnresolvedLink[];
  warnings: string[];
}

/** Pages rewritten between two turns of the event loop. */
const YIELD_EVERY = 100;

const IMAGE = /\.(png|jpe?g|gif|webp|avif|svg|tiff?)$/i;

export function entryId(path: string): string {
  return path === '' ? 'index' : path;
}

export async function buildEntries(input: BuildEntriesInput): Promise<BuildEntriesResult> {
  const { outcome, cache } = input;
  const { tree } = outcome.discovery;
  const { published, excluded } = outcome.decision;
  const paths = outcome.sitePaths.paths;

  const order = [...walkTree(tree)].filter((id) => published.has(id));

  const refs = new Map<string, PublishedPageRef>();
  const byTitle = new Map<string, string>();
  for (const id of order) {
    const page = tree.pages.get(id)!;
    let headings: Set<string> | undefined;
    refs.set(id, {
      id,
      title: page.title,
      path: paths.get(id)!,
      // Headings are read only for pages some link actually points into, and only their ids are
      // kept: holding every page's Markdown at once would cost memory in proportion to the space.
      get headingIds() {
        headings ??= new Set(extractHeadingIds(readFileSync(cache.pagePath(id), 'utf8')));
        return headings;
      },
    });
    if (!byTitle.has(page.title)) byTitle.set(page.title, id);
    const loose = looseKey(page.title);
    if (!byTitle.has(`~${loose}`)) byTitle.set(`~${loose}`, id);
  }
  const excludedByTitle = new Map<string, UnpublishedReason>();
  for (const [id, reason] of excluded) excludedByTitle.set(tree.pages.get(id)!.title, reason);

  const pageById = (id: string): PublishedPageRef | UnpublishedReason =>
    refs.get(id) ?? excluded.get(id) ?? (tree.pages.has(id) ? 'outside-export' : 'not-found');
  const pageByTitle = (spaceKey: string | undefined, title: string) => {
    if (spaceKey !== undefined && tree.spaceKey !== undefined && spaceKey.toLowerCase() !== tree.spaceKey.toLowerCase()) {
      return undefined;
    }
    const id = byTitle.get(title) ?? byTitle.get(`~${looseKey(title)}`);
    if (id) return refs.get(id)!;
    return excludedByTitle.get(title) ?? 'not-found';
  };

  const entries: PageEntry[] = [];
  const unresolved: UnresolvedLink[] = [];
  const warnings: string[] = [];
  const siteOrigin = input.siteHost ? (/^https?:\/\//.test(input.siteHost) ? input.siteHost : `https://${input.siteHost}`) : undefined;

  let rewritten = 0;
  for (const id of order) {
    const page = tree.pages.get(id)!;
    const path = paths.get(id)!;
    const virtualFile = posix.join(input.contentDir, `${entryId(path)}.md`);
    const ctx: RewriteContext = {
      page: { id, title: page.title, path },
      base: input.base,
      siteHosts: input.siteHost ? [input.siteHost.replace(/^https?:\/\//, '')] : [],
      cloudId: input.cloudId,
      spaceKey: tree.spaceKey,
      pageById,
      pageByTitle,
      unpublishedLinks: input.unpublishedLinks,
      attachment: (ref) => {
        const owner = ref.pageId ?? id;
        const fileName = ref.fileName;
        const withheld = !input.publishActiveAttachments && ACTIVE_ATTACHMENT.test(fileName);
        if (published.has(owner) && cache.hasAttachment(owner, fileName) && !withheld) {
          const isImage = IMAGE.test(fileName);
          // Images shown on the page go through Astro's image pipeline by relative path; a link
          // (to a PDF, or to an image file itself) needs a served URL, and so does an SVG.
          const url = isImage && ref.usage === 'image' && !/\.svg$/i.test(fileName)
            ? relative(dirname(virtualFile), cache.attachmentPath(owner, fileName)).split('\\').join('/')
            : `${input.base.replace(/\/?$/, '/')}_attachments/${encodeURIComponent(owner)}/${encodeURIComponent(fileName)}`;
          return { url, isImage };
        }
        const confluenceUrl =
          siteOrigin && published.has(owner) && !owner.startsWith('path:')
            ? `${siteOrigin}/wiki/download/attachments/${owner}/${encodeURIComponent(fileName)}`
            : undefined;
        return { missing: true as const, confluenceUrl, ...(withheld && published.has(owner) ? { withheld: true as const } : {}) };
      },
    };
    const result = rewritePage(await cache.readPage(id), ctx);
    // Let V8 finish its incremental garbage collection between pages: without a turn of the event
    // loop the parse trees of thousands of pages pile up (10k pages: 630 MB peak RSS, not 430).
    if (++rewritten % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    unresolved.push(...result.unresolved);
    warnings.push(...result.warnings);
    const pageUrl = siteOrigin && tree.spaceKey && !id.startsWith('path:') ? `${siteOrigin}/wiki/spaces/${tree.spaceKey}/pages/${id}` : undefined;
    entries.push({
      id: entryId(path),
      filePath: relative(input.root, virtualFile).split('\\').join('/'),
      body: result.markdown,
      data: {
        title: page.title,
        lastUpdated: page.version.createdAt ? new Date(page.version.createdAt) : undefined,
        editUrl: pageUrl && input.editLinks ? `${siteOrigin}/wiki/spaces/${tree.spaceKey}/pages/edit-v2/${id}` : false,
        sidebar: { order: page.position, label: page.title },
        ...(input.banner ? { banner: { content: escapeHtml(input.banner) } } : {}),
        confluence: {
          id,
          parentId: page.parentId && published.has(page.parentId) ? page.parentId : undefined,
          position: page.position,
          version: page.version.number,
          spaceKey: tree.spaceKey,
          url: pageUrl,
        },
      },
      context: ctx,
    });
  }
  return { entries, unresolved, warnings };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
