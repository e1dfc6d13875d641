/**
 * The plain data that flows between the pipeline's stages. Every stage's pure core takes and
 * returns these shapes, so a stage can be tested without a network or Astro.
 */

/**
 * One Confluence page as the REST API v2 describes it (the fields the loader uses), or a folder:
 * folders sit in the page tree like pages, with a title and a position, but have no content.
 */
export interface ConfluencePage {
  id: string;
  title: string;
  /** `folder` for a Confluence folder; pages leave it out. */
  kind?: 'page' | 'folder';
  /** Parent id; undefined for a top-level page of the space (or the configured root page). */
  parentId?: string;
  /** `folder` when the parent is a folder; left out when it is a page. */
  parentType?: 'folder';
  /** Sibling order: Confluence's `position`, a number. The order of REST results means nothing. */
  position: number;
  status?: string;
  version: { number: number; createdAt?: string };
}

/** The space as discovered through REST: every page and folder, keyed by id. */
export interface SpaceTree {
  spaceKey?: string;
  spaceId?: string;
  /** Ids of the top-level pages and folders (or just the configured root page), in `position` order. */
  roots: string[];
  /** Pages and folders (`kind: 'folder'`). */
  pages: Map<string, ConfluencePage>;
  /** Child ids per page or folder id, in `position` order. */
  children: Map<string, string[]>;
  /**
   * With a configured root page: the pages and folders above it, its parent first. Their
   * restrictions and labels apply to the whole tree, so they are checked too.
   */
  above?: ConfluencePage[];
}

/** One planned export call. */
export type ExportBatch =
  /** `pageId` + `bulkExport: true`: the page and all its descendants (≤ 100 pages). */
  | { kind: 'subtree'; pageId: string; pageCount: number }
  /** The page alone (`bulkExport: false`): its subtree is too large for one call. */
  | { kind: 'single'; pageId: string };

/** A file taken out of an export archive, after path checks. */
export interface ArchiveFile {
  /** Normalised POSIX path inside the archive, never absolute, never with `..`. */
  path: string;
  data: Uint8Array;
}

/** A page as found in an export archive. */
export interface ExportedPage {
  /** The archive path of the page's Markdown file, e.g. `docs/guides/setup-guide.md`. */
  archivePath: string;
  /** Title from the page's first `# ` heading. */
  title: string;
  /** The Markdown as exported, title heading included. */
  markdown: string;
  /** Attachments in the `attachments/` folder beside the page: file name → archive path. */
  attachments: Map<string, string>;
  /** True when sibling pages share that folder, so not every file in it is this page's. */
  attachmentsShared: boolean;
}

/** What the rewrite stage knows about a published page, to resolve links to it. */
export interface PublishedPageRef {
  id: string;
  title: string;
  /** Site path without leading or trailing slash, Astro `base` not included; `''` for the home page. */
  path: string;
  /** Heading ids Starlight will give the page's headings (github-slugger), when known. */
  headingIds?: ReadonlySet<string>;
}

/** Why a link target is not on the public site. */
export type UnpublishedReason = 'restricted' | 'excluded-label' | 'outside-export' | 'not-found';

/** A link the rewrite could not point inside the site. */
export interface UnresolvedLink {
  /** The page the link is on. */
  fromPageId: string;
  url: string;
  text: string;
  reason: UnpublishedReason;
}

/** What a frozen version's entries carry in `data.confluence.docsVersion`. */
export interface DocsVersionRef {
  slug: string;
  label: string;
  /** Place in the switcher: the order the versions were configured in (discovered ones newest first). */
  order: number;
}
