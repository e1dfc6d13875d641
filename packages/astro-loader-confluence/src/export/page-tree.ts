/**
 * From an export archive to pages: which `.md` file is which Confluence page.
 *
 * The archive carries no page ids. A page is `{slug}.md`, its children sit in the folder `{slug}/`,
 * its attachments in `attachments/` beside it. With the space tree from REST we know which pages a
 * batch holds, so each folder's files are matched to the expected children: by the title in the
 * page's `# ` heading first, then by slug (the app may add suffixes when sibling titles slugify
 * alike), then in sibling order. Pure: takes files, returns matches.
 */
import { slugify } from './slug.ts';
import type { ArchiveFile, ExportedPage, SpaceTree } from '../types.ts';

const decoder = new TextDecoder('utf-8');

/** Title from the page's first `# ` heading (the app always writes one). */
export function titleOf(markdown: string): string | undefined {
  // A closing run of `#` counts only after a space (CommonMark), so "C#" keeps its hash.
  const match = /^[ \t]{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/m.exec(markdown.slice(0, 4096));
  return match?.[1]?.trim();
}

/** Index an archive: every page file with its attachments, grouped by folder. */
export function pagesInArchive(files: readonly ArchiveFile[]): Map<string, ExportedPage[]> {
  const paths = new Set(files.map((f) => f.path));
  const byFolder = new Map<string, ExportedPage[]>();
  const attachmentsByFolder = new Map<string, Map<string, string>>();

  for (const file of files) {
    const slash = file.path.lastIndexOf('/');
    const folder = slash < 0 ? '' : file.path.slice(0, slash);
    const name = file.path.slice(slash + 1);
    if (isAttachment(folder, paths)) {
      const owner = folder.slice(0, Math.max(0, folder.length - 'attachments'.length - 1));
      let map = attachmentsByFolder.get(owner);
      if (!map) attachmentsByFolder.set(owner, (map = new Map()));
      map.set(name, file.path);
      continue;
    }
    if (!name.toLowerCase().endsWith('.md')) continue;
    const markdown = decoder.decode(file.data);
    const page: ExportedPage = {
      archivePath: file.path,
      title: titleOf(markdown) ?? name.slice(0, -3),
      markdown,
      attachments: new Map(),
      attachmentsShared: false,
    };
    const list = byFolder.get(folder);
    if (list) list.push(page);
    else byFolder.set(folder, [page]);
  }
  for (const [folder, pages] of byFolder) {
    pages.sort((a, b) => a.archivePath.localeCompare(b.archivePath, 'en'));
    const attachments = attachmentsByFolder.get(folder);
    if (attachments) {
      for (const page of pages) {
        page.attachments = attachments;
        page.attachmentsShared = pages.length > 1;
      }
    }
  }
  return byFolder;
}

/**
 * A file inside an `attachments/` folder is an attachment, unless a sibling page is itself called
 * "Attachments" (then `attachments/` is that page's children folder and its `.md` files are pages).
 */
function isAttachment(folder: string, paths: ReadonlySet<string>): boolean {
  const last = folder.slice(folder.lastIndexOf('/') + 1);
  if (last !== 'attachments') return false;
  return !paths.has(`${folder}.md`);
}

export interface MatchResult {
  /** Page id → the exported page. */
  matched: Map<string, ExportedPage>;
  /** Pages the batch should have held but did not (e.g. truncated by maxPages). */
  missing: string[];
  /** Files no expected page matched. */
  unexpected: ExportedPage[];
}

/**
 * Match an archive whose root holds the pages `rootIds` (one page for a `pageId` export, the
 * top-level pages for a `spaceKey` export) against the space tree.
 */
export function matchArchive(
  byFolder: Map<string, ExportedPage[]>,
  rootIds: readonly string[],
  tree: SpaceTree,
  options: { recurse: boolean } = { recurse: true },
): MatchResult {
  const result: MatchResult = { matched: new Map(), missing: [], unexpected: [] };
  const visit = (folder: string, expected: readonly string[]) => {
    const files = byFolder.get(folder) ?? [];
    const pairs = pairUp(files, expected, tree);
    for (const [id, page] of pairs.matched) {
      result.matched.set(id, page);
      if (options.recurse) visit(page.archivePath.slice(0, -3), tree.children.get(id) ?? []);
    }
    for (const id of pairs.missing) collectMissing(id);
    result.unexpected.push(...pairs.unexpected);
  };
  const collectMissing = (id: string) => {
    result.missing.push(id);
    if (options.recurse) for (const kid of tree.children.get(id) ?? []) collectMissing(kid);
  };
  visit('', rootIds);
  return result;
}

function pairUp(files: readonly ExportedPage[], expected: readonly string[], tree: SpaceTree) {
  const matched = new Map<string, ExportedPage>();
  const free = new Set(files);
  const waiting = expected.filter((id) => tree.pages.has(id));

  const take = (key: (page: ExportedPage) => string, want: (id: string) => string) => {
    for (const id of [...waiting]) {
      if (matched.has(id)) continue;
      const target = want(id);
      const hit = [...free].find((page) => key(page) === target);
      if (hit) {
        matched.set(id, hit);
        free.delete(hit);
      }
    }
  };
  // Exact title first: it survives any slug rule; then the file name, suffixes and all.
  take((page) => page.title, (id) => tree.pages.get(id)!.title);
  take((page) => stemOf(page.archivePath), (id) => slugify(tree.pages.get(id)!.title));
  take((page) => stemOf(page.archivePath).replace(/-\d+$/, ''), (id) => slugify(tree.pages.get(id)!.title));
  take((page) => slugify(page.title), (id) => slugify(tree.pages.get(id)!.title));

  const missing = waiting.filter((id) => !matched.has(id));
  return { matched, missing, unexpected: [...free] };
}

function stemOf(archivePath: string): string {
  const name = archivePath.slice(archivePath.lastIndexOf('/') + 1);
  return name.replace(/\.md$/i, '');
}

/**
 * Without REST scopes there is no tree to match against: the archive is the tree. Pages get ids
 * from their archive paths, parents from their folders, and order from their file names.
 */
export function treeFromArchive(byFolder: Map<string, ExportedPage[]>): {
  pages: { id: string; title: string; parentId?: string; position: number; exported: ExportedPage }[];
} {
  const pages: { id: string; title: string; parentId?: string; position: number; exported: ExportedPage }[] = [];
  const visit = (folder: string, parentId: string | undefined) => {
    const files = byFolder.get(folder) ?? [];
    files.forEach((page, position) => {
      const id = `path:${page.archivePath.slice(0, -3)}`;
      pages.push({ id, title: page.title, parentId, position, exported: page });
      visit(page.archivePath.slice(0, -3), id);
    });
  };
  visit('', undefined);
  return { pages };
}
