/**
 * From synced pages to content entries: rewrite each page's Markdown (links, attachments, anchors,
 * asides, title) and give it the data Starlight reads. Pure apart from reading the raw cache.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { slug } from 'github-slugger';
import { posix, relative, dirname } from 'node:path';
import { ACTIVE_ATTACHMENT } from './rewrite/attachments.ts';
import { extractHeadingIds, rewritePage, type RewriteContext } from './rewrite/index.ts';
import type { RawCache } from './sync/raw-cache.ts';
import type { SyncOutcome } from './sync/sync.ts';
import type { DocsVersionRef, PublishedPageRef, UnpublishedReason, UnresolvedLink } from './types.ts';
import { looseKey } from './export/slug.ts';
import { walkTree } from './discover/space-tree.ts';
import { IMAGE_SNIFF_BYTES, imageFormat, PIPELINE_FORMATS, type ImageFormat } from './sync/image-format.ts';

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
    /** The folders between this page and its parent page, nearest first (see schema.ts). */
    folders?: { id: string; title: string; position: number; parentId?: string }[];
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
  /** How panels are written: Starlight asides (the site, default) or GFM alerts (Markdown files). */
  alerts?: 'starlight' | 'gfm';
  /** Files the site does not have: a placeholder (default) or a link into Confluence (see RewriteContext). */
  missingFiles?: 'placeholder' | 'confluence';
  /** Macros the exporter could not convert: a note (default) or nothing. */
  unknownMacros?: 'note' | 'remove';
}

export interface BuildEntriesResult {
  entries: PageEntry[];
  unresolved: UnresolvedLink[];
  warnings: string[];
  /** Files published pages reference that the export did not deliver (for the sync report). */
  missingAttachments: { pageId: string; fileName: string }[];
}

/** Pages rewritten between two turns of the event loop. */
const YIELD_EVERY = 100;

/** The format of a cached file's first bytes (see sync/image-format.ts); undefined for no image, or a file that cannot be read. */
function cachedImageFormat(path: string): ImageFormat | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const bytes = new Uint8Array(IMAGE_SNIFF_BYTES);
    return imageFormat(bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, 0)));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function entryId(path: string): string {
  return path === '' ? 'index' : path;
}

export async function buildEntries(input: BuildEntriesInput): Promise<BuildEntriesResult> {
  const { outcome, cache } = input;
  const { tree } = outcome.discovery;
  const { published, excluded, folders: visibleFolders } = outcome.decision;
  const paths = outcome.sitePaths.paths;

  const order = [...walkTree(tree)].filter((id) => published.has(id));

  const refs = new Map<string, PublishedPageRef>();
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
  }
  // A link by title (`/display/KEY/Title`) names a page only if no other page of the tree has that
  // title (or, loosely, one that reads alike): a title two pages share is never guessed at, and a
  // published page never stands in for an unpublished namesake.
  const byTitle = new Map<string, string | null>();
  const claim = (key: string, id: string) => byTitle.set(key, byTitle.has(key) && byTitle.get(key) !== id ? null : id);
  for (const [id, page] of tree.pages) {
    if (page.kind === 'folder') continue;
    claim(page.title, id);
    claim(`~${looseKey(page.title)}`, id);
  }

  const pageById = (id: string): PublishedPageRef | UnpublishedReason =>
    refs.get(id) ?? excluded.get(id) ?? (tree.pages.has(id) ? 'outside-export' : 'not-found');
  const pageByTitle = (spaceKey: string | undefined, title: string) => {
    if (spaceKey !== undefined && tree.spaceKey !== undefined && spaceKey.toLowerCase() !== tree.spaceKey.toLowerCase()) {
      return undefined;
    }
    const exact = byTitle.get(title);
    const id = exact === undefined ? byTitle.get(`~${looseKey(title)}`) : exact;
    if (!id) return 'not-found';
    return pageById(id);
  };

  const entries: PageEntry[] = [];
  const unresolved: UnresolvedLink[] = [];
  const warnings: string[] = [];
  const missing = new Map<string, { pageId: string; fileName: string }>();
  // An attachment's bytes are read once per build, however many pages show it.
  const formats = new Map<string, ImageFormat | undefined>();
  const formatOf = (path: string) => {
    if (!formats.has(path)) formats.set(path, cachedImageFormat(path));
    return formats.get(path);
  };
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
      alerts: input.alerts,
      missingFiles: input.missingFiles,
      unknownMacros: input.unknownMacros,
      attachment: (ref) => {
        const owner = ref.pageId ?? id;
        const fileName = ref.fileName;
        const withheld = !input.publishActiveAttachments && ACTIVE_ATTACHMENT.test(fileName);
        if (published.has(owner) && cache.hasAttachment(owner, fileName) && !withheld) {
          const svg = /\.svg$/i.test(fileName);
          // An image is what its bytes say, not its name: a `.png` that is no image would fail
          // Astro's image pipeline, and so the whole build. (An SVG is sanitised when served.)
          const format = svg ? undefined : formatOf(cache.attachmentPath(owner, fileName));
          const isImage = svg || format !== undefined;
          // Images shown on the page go through Astro's image pipeline by relative path; a link
          // (to a PDF, or to an image file itself) needs a served URL, and so do an SVG and a
          // format the pipeline does not read (a BMP under a `.png` name).
          const url = ref.usage === 'image' && format !== undefined && PIPELINE_FORMATS.has(format)
            ? relative(dirname(virtualFile), cache.attachmentPath(owner, fileName)).split('\\').join('/')
            : `${input.base.replace(/\/?$/, '/')}_attachments/${encodeURIComponent(owner)}/${encodeURIComponent(fileName)}`;
          return { url, isImage };
        }
        // Keyed, since a reference in raw HTML is resolved twice. A file of an unpublished page is
        // not named: the report names unpublished pages by id only.
        const fileNameShown = published.has(owner) ? fileName : '';
        missing.set(`${id}\t${owner}\t${fileNameShown}`, { pageId: id, fileName: fileNameShown });
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
    const folders: NonNullable<EntryData['confluence']['folders']> = [];
    for (let up = page.parentId; up !== undefined && visibleFolders.has(up); up = tree.pages.get(up)!.parentId) {
      const folder = tree.pages.get(up)!;
      folders.push({ id: folder.id, title: folder.title, position: folder.position, ...(folder.parentId && (published.has(folder.parentId) || visibleFolders.has(folder.parentId)) ? { parentId: folder.parentId } : {}) });
    }
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
          parentId: page.parentId && (published.has(page.parentId) || visibleFolders.has(page.parentId)) ? page.parentId : undefined,
          position: page.position,
          version: page.version.number,
          spaceKey: tree.spaceKey,
          url: pageUrl,
          ...(folders.length > 0 ? { folders } : {}),
        },
      },
      context: ctx,
    });
  }
  return { entries, unresolved, warnings, missingAttachments: [...missing.values()] };
}

/**
 * The Markdown handed to Astro's renderer for an entry. Markdown plugins that key what they collect
 * by the route a file renders to derive it from the file's path, slugged segment by segment as
 * Astro slugs file names (starlight-links-validator does), which turns `v0.9/…` into `v09/…`.
 * Where the path alone would name another route than the entry's, a frontmatter `slug` names it.
 */
export function renderSource(entry: PageEntry): string {
  const slugged = entry.id.split('/').map((segment) => slug(segment)).join('/');
  return slugged === entry.id ? entry.body : `---\nslug: ${JSON.stringify(entry.id)}\n---\n${entry.body}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
