/**
 * Where raw pages come from. The sync does not care whether pages arrive from the live API or from
 * a snapshot on disk: both discover a tree and then deliver the Markdown and attachments of the
 * pages asked for, one page at a time, so memory does not grow with the size of the space.
 */
import type { SpaceTree } from '../types.ts';

export interface Discovery {
  /** The whole tree, restricted pages included (the planner must count them: the app exports them). */
  tree: SpaceTree;
  /** Pages with their own read restriction. */
  restricted: Set<string>;
  /** Pages carrying an excluded label. */
  labelled: Set<string>;
  /** False when the tree came from a `spaceKey` export because REST scopes are missing. */
  fromRest: boolean;
  /** Pages already fetched during discovery (the no-REST path exports to learn the tree). */
  prefetched?: Map<string, FetchedPage>;
  /** Things the source could not do, to be told to the user once. */
  warnings: string[];
}

export interface FetchedAttachment {
  fileName: string;
  data: Uint8Array;
}

export interface FetchedPage {
  id: string;
  /** The page's Markdown as exported, `# Title` first. */
  markdown: string;
  attachments: FetchedAttachment[];
}

export interface FetchProgress {
  batchesDone: number;
  batchesTotal: number;
  pagesDone: number;
}

export interface PageSource {
  /** For messages: "space DOCS on acme.atlassian.net", "snapshot ./snapshots/v1"… */
  readonly label: string;
  discover(): Promise<Discovery>;
  /**
   * Deliver the pages in `ids` (and possibly others riding along in the same export call; the caller
   * ignores what it did not ask for or may not publish). Rejects if any page could not be fetched.
   */
  fetch(
    ids: ReadonlySet<string>,
    discovery: Discovery,
    onPage: (page: FetchedPage) => Promise<void>,
    onProgress?: (progress: FetchProgress) => void,
  ): Promise<{ exportCalls: number; /** The app's `exportId` of each successful call. */ exportIds: string[] }>;
}
