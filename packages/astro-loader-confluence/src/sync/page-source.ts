/**
 * Where raw pages come from. The sync does not care whether pages arrive from the live API or from
 * a snapshot on disk: both discover a tree and then deliver the Markdown and attachments of the
 * pages asked for, one page at a time, so memory does not grow with the size of the space.
 */
import type { SpaceTree } from '../types.ts';

export interface Discovery {
  /** The whole tree, restricted pages and folders included (the planner must plan around them). */
  tree: SpaceTree;
  /** Pages and folders with their own read restriction (those above a root page included). */
  restricted: Set<string>;
  /** Pages and folders carrying an excluded label. */
  labelled: Set<string>;
  /** False when the tree came from a `spaceKey` export because REST scopes are missing. */
  fromRest: boolean;
  /** Pages already fetched during discovery (the no-REST path exports to learn the tree). */
  prefetched?: Map<string, FetchedPage>;
  /** Things the source could not do, to be told to the user once. */
  warnings: string[];
}

/** An attachment's bytes, in memory (from an archive) or in a file (downloaded, streamed to disk). */
export type FetchedAttachment = { fileName: string } & ({ data: Uint8Array } | { file: string });

/** What discovery is doing, for a progress line: from the first second, not only once exports start. */
export interface DiscoveryProgress {
  phase: 'listing pages' | 'reading folders' | 'scanning restrictions and labels' | 'checking pages one by one';
  done: number;
  /** Unknown while a listing is followed. */
  total?: number;
}

export interface FetchedPage {
  id: string;
  /** The page's Markdown as exported, `# Title` first. */
  markdown: string;
  attachments: FetchedAttachment[];
  /** Attachments the page references that the export did not deliver. */
  missingAttachments?: string[];
}

export interface FetchProgress {
  batchesDone: number;
  batchesTotal: number;
  pagesDone: number;
}

export interface PageSource {
  /** For messages: "space DOCS on acme.atlassian.net", "snapshot ./snapshots/v1"… */
  readonly label: string;
  discover(onProgress?: (progress: DiscoveryProgress) => void): Promise<Discovery>;
  /**
   * Discover again, after the exports: what changed in the meantime is left out of the build.
   * Sources that cannot change while a build runs (a snapshot) leave it out.
   */
  verify?(onProgress?: (progress: DiscoveryProgress) => void): Promise<Discovery>;
  /**
   * Deliver the pages in `ids` (and possibly other published pages riding along in the same export
   * call). `published` are the pages that may be fetched at all: no export asked for may hold any
   * other page. Rejects if any page could not be fetched.
   */
  fetch(
    ids: ReadonlySet<string>,
    discovery: Discovery,
    published: ReadonlySet<string>,
    onPage: (page: FetchedPage) => Promise<void>,
    onProgress?: (progress: FetchProgress) => void,
  ): Promise<{
    exportCalls: number;
    /** The app's `exportId` of each successful call. */
    exportIds: string[];
    /** REST calls made while fetching (attachment listings and downloads). */
    restCalls?: number;
  }>;
}
