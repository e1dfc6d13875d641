/**
 * From an export archive to pages: which `.md` file is which Confluence page, and which files of
 * the `attachments/` folders belong to which page.
 *
 * The archive carries no page ids. Identity comes from the plan (plan.ts): a batch's root is the
 * only page file at the archive's root; a page's children sit in the folder `{slug}/` beside its
 * file, and the planner only lets siblings into one bulk batch when their titles and slugs cannot
 * be confused. A child file is matched by its folder and its `# Title` line (or, when the line names
 * no sibling, by its file name): a file that matches no page asked for, or more
 * than one, and a page no file matches, make the whole batch a mismatch, never a best guess.
 *
 * Siblings share one `attachments/` folder. A file there is a page's only if that page's Markdown
 * references it (parsed by the caller's `references`, not a substring search); a name that two
 * siblings reference cannot be attributed, so those pages are reported to be exported alone.
 * Files no page references are never taken. Pure: takes files, returns matches.
 */
import type { ArchiveFile, ExportBatch, SpaceTree } from '../types.ts';
import { titleKey } from './plan.ts';
import { slugify } from './slug.ts';

const decoder = new TextDecoder('utf-8');

/** Title from the page's first `# ` heading (the app always writes one). */
export function titleOf(markdown: string): string | undefined {
  // A closing run of `#` counts only after a space (CommonMark), so "C#" keeps its hash.
  const match = /^[ \t]{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/m.exec(markdown.slice(0, 4096));
  return match?.[1]?.trim();
}

/** The file names in a page's Markdown that name its own attachments (see rewrite/references.ts). */
export type AttachmentReferences = (markdown: string, pageId: string) => ReadonlySet<string>;

export interface MatchedPage {
  markdown: string;
  /** The page's own attachments: file name → archive path. */
  attachments: Map<string, string>;
  /** Referenced names the archive does not hold (over the app's limits, or deleted). */
  missingAttachments: string[];
}

export type BatchMatch =
  | {
      ok: true;
      pages: Map<string, MatchedPage>;
      /** Pages whose attachment names a sibling references too: export each alone to get its files. */
      sharedAttachments: Set<string>;
    }
  | { ok: false; problem: string };

interface IndexedArchive {
  /** Folder → the page files directly in it. */
  pagesIn: Map<string, string[]>;
  /** Folder → the names of the files in its `attachments/` folder. */
  attachmentsIn: Map<string, Set<string>>;
  text: Map<string, string>;
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * Indexes an archive. `attachments/` beside page files is read as attachments: the planner never
 * puts a page whose slug is `attachments` in a bulk batch with its children, so in an archive it
 * is asked for there is no children folder of that name to confuse it with.
 */
function indexArchive(files: readonly ArchiveFile[]): IndexedArchive {
  const pagesIn = new Map<string, string[]>();
  const attachmentsIn = new Map<string, Set<string>>();
  const text = new Map<string, string>();
  for (const file of files) {
    const folder = dirname(file.path);
    const name = file.path.slice(folder.length === 0 ? 0 : folder.length + 1);
    const last = folder.slice(folder.lastIndexOf('/') + 1);
    if (last === 'attachments') {
      const owner = dirname(folder);
      let names = attachmentsIn.get(owner);
      if (!names) attachmentsIn.set(owner, (names = new Set()));
      names.add(name);
      continue;
    }
    if (!name.toLowerCase().endsWith('.md')) continue;
    text.set(file.path, decoder.decode(file.data));
    const list = pagesIn.get(folder);
    if (list) list.push(file.path);
    else pagesIn.set(folder, [file.path]);
  }
  return { pagesIn, attachmentsIn, text };
}

/**
 * Matches an archive against the batch it answers. Pages named in the problem are named by id
 * only (a mismatch must not print titles into a public build log).
 */
export function matchBatch(files: readonly ArchiveFile[], batch: ExportBatch, tree: SpaceTree, references: AttachmentReferences, duplicates: ReadonlySet<string> = new Set()): BatchMatch {
  const archive = indexArchive(files);
  // A page file the archive holds twice is two pages' worth under one name: only the last was kept.
  if ([...duplicates].some((path) => path.toLowerCase().endsWith('.md') && dirname(path).split('/').at(-1) !== 'attachments')) {
    return { ok: false, problem: `the archive of page ${batch.pageId} holds a page file twice under one name` };
  }
  const matched = new Map<string, { path: string; folder: string }>();
  const used = new Set<string>();

  const rootFiles = archive.pagesIn.get('') ?? [];
  if (rootFiles.length !== 1) {
    return { ok: false, problem: `the archive of page ${batch.pageId} holds ${rootFiles.length} page files at its root instead of one` };
  }
  // The root is known by where it is (the only page file at the root of the archive asked for it),
  // and must say so: an archive answering for another page is refused, not published as this one.
  const rootTitle = titleOf(archive.text.get(rootFiles[0]!)!);
  if (rootTitle === undefined || !sameTitle(rootTitle, tree.pages.get(batch.pageId)!.title)) {
    return { ok: false, problem: `the archive of page ${batch.pageId} holds a page file whose title line is not that page's` };
  }
  const queue: { id: string; path: string }[] = [{ id: batch.pageId, path: rootFiles[0]! }];
  matched.set(batch.pageId, { path: rootFiles[0]!, folder: '' });
  used.add(rootFiles[0]!);
  while (batch.kind === 'subtree' && queue.length > 0) {
    const { id, path } = queue.shift()!;
    const folder = path.slice(0, -'.md'.length);
    const expected = tree.children.get(id) ?? [];
    const found = archive.pagesIn.get(folder) ?? [];
    const pairs = pairSiblings(found, expected, tree, archive.text, titlesOf(tree));
    if (!pairs.ok) return { ok: false, problem: `under page ${id}: ${pairs.problem}` };
    for (const [kid, kidPath] of pairs.matched) {
      matched.set(kid, { path: kidPath, folder });
      used.add(kidPath);
      queue.push({ id: kid, path: kidPath });
    }
  }
  const stray = [...archive.text.keys()].filter((path) => !used.has(path)).length;
  if (stray > 0) return { ok: false, problem: `the archive of page ${batch.pageId} holds ${stray} page file(s) that match no page asked for` };

  // Attachments: a sibling folder's shared files go to the page that references them, if only one does.
  const pages = new Map<string, MatchedPage>();
  const sharedAttachments = new Set<string>();
  const byFolder = new Map<string, string[]>();
  for (const [id, { folder }] of matched) {
    const list = byFolder.get(folder);
    if (list) list.push(id);
    else byFolder.set(folder, [id]);
  }
  for (const [folder, ids] of byFolder) {
    const available = archive.attachmentsIn.get(folder) ?? new Set<string>();
    const repeated = (name: string) => duplicates.has(`${folder === '' ? '' : `${folder}/`}attachments/${name}`);
    const wanted = new Map(ids.map((id) => [id, references(archive.text.get(matched.get(id)!.path)!, id)]));
    const claims = new Map<string, number>();
    // A file the archive holds twice may be a sibling's copy: as good as claimed twice.
    for (const names of wanted.values()) for (const name of names) if (available.has(name)) claims.set(name, (claims.get(name) ?? 0) + (repeated(name) ? 2 : 1));
    for (const id of ids) {
      const names = wanted.get(id)!;
      const attachments = new Map<string, string>();
      const missing: string[] = [];
      for (const name of names) {
        if (!available.has(name)) missing.push(name);
        else if (claims.get(name)! > 1) sharedAttachments.add(id);
        else attachments.set(name, `${folder === '' ? '' : `${folder}/`}attachments/${name}`);
      }
      pages.set(id, { markdown: archive.text.get(matched.get(id)!.path)!, attachments: sharedAttachments.has(id) ? new Map() : attachments, missingAttachments: missing });
    }
  }
  return { ok: true, pages, sharedAttachments };
}

/** The exporter's title line and the REST title name the same page: equal once normalised, or the same slug. */
function sameTitle(line: string, title: string): boolean {
  if (titleKey(line) === titleKey(title)) return true;
  const slug = slugify(title);
  return slug !== '' && slugify(line) === slug;
}

/** Every title of the tree, normalised, to tell a title line that names another page. */
const titleSets = new WeakMap<SpaceTree, Set<string>>();
function titlesOf(tree: SpaceTree): Set<string> {
  let titles = titleSets.get(tree);
  if (!titles) {
    titles = new Set([...tree.pages.values()].map((page) => titleKey(page.title)));
    titleSets.set(tree, titles);
  }
  return titles;
}

/** Each expected sibling to exactly one file, each file to exactly one sibling, or why not. */
function pairSiblings(files: readonly string[], expected: readonly string[], tree: SpaceTree, text: ReadonlyMap<string, string>, treeTitles: ReadonlySet<string>): { ok: true; matched: Map<string, string> } | { ok: false; problem: string } {
  const byTitle = new Map<string, string[]>();
  const bySlug = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, id: string) => {
    const list = map.get(key);
    if (list) list.push(id);
    else map.set(key, [id]);
  };
  for (const id of expected) {
    const title = tree.pages.get(id)!.title;
    add(byTitle, titleKey(title), id);
    add(bySlug, slugify(title), id);
  }
  const matched = new Map<string, string>();
  for (const path of files) {
    const title = titleOf(text.get(path)!);
    const stem = path.slice(path.lastIndexOf('/') + 1, -'.md'.length);
    // The title line first: siblings in one batch have distinct titles, and the exporter's file
    // names need not follow our slugs (it may suffix `-2` to either of two titles that slugify
    // alike). The file name only speaks for a file whose title line names no sibling.
    const byLine = title === undefined ? [] : (byTitle.get(titleKey(title)) ?? []);
    // A title line naming another page of the tree is that page's file, misplaced: never a sibling by its name.
    if (byLine.length === 0 && title !== undefined && treeTitles.has(titleKey(title))) {
      return { ok: false, problem: 'a page file is titled as a page that does not belong in its folder' };
    }
    const candidates = new Set(byLine.length > 0 ? byLine : (bySlug.get(stem) ?? []));
    if (candidates.size !== 1) return { ok: false, problem: `a page file matches ${candidates.size === 0 ? 'no page asked for' : `${candidates.size} pages (${[...candidates].join(', ')})`}` };
    const [id] = candidates as Set<string>;
    if (matched.has(id!)) return { ok: false, problem: `two page files match page ${id}` };
    matched.set(id!, path);
  }
  const absent = expected.filter((id) => !matched.has(id));
  if (absent.length > 0) return { ok: false, problem: `no page file matches page ${absent.join(', ')}` };
  return { ok: true, matched };
}

/**
 * Without REST scopes there is no tree to match against: the archive is the tree. Pages get ids
 * from their archive paths, parents from their folders, and order from their file names; each
 * keeps the attachments of its folder that it alone references.
 */
export function treeFromArchive(files: readonly ArchiveFile[], references: AttachmentReferences): {
  pages: { id: string; title: string; parentId?: string; position: number; page: MatchedPage }[];
  /** Attachment names two sibling pages reference: attributed to neither. */
  unattributed: number;
} {
  const archive = indexArchive(files);
  const pages: { id: string; title: string; parentId?: string; position: number; page: MatchedPage }[] = [];
  let unattributed = 0;
  const queue: { folder: string; parentId: string | undefined }[] = [{ folder: '', parentId: undefined }];
  while (queue.length > 0) {
    const { folder, parentId } = queue.shift()!;
    const paths = [...(archive.pagesIn.get(folder) ?? [])].sort((a, b) => a.localeCompare(b, 'en'));
    const available = archive.attachmentsIn.get(folder) ?? new Set<string>();
    const wanted = paths.map((path) => ({ path, id: `path:${path.slice(0, -3)}`, names: references(archive.text.get(path)!, `path:${path.slice(0, -3)}`) }));
    const claims = new Map<string, number>();
    for (const { names } of wanted) for (const name of names) if (available.has(name)) claims.set(name, (claims.get(name) ?? 0) + 1);
    wanted.forEach(({ path, id, names }, position) => {
      const attachments = new Map<string, string>();
      const missing: string[] = [];
      for (const name of names) {
        if (!available.has(name)) missing.push(name);
        else if (claims.get(name)! > 1) unattributed++;
        else attachments.set(name, `${folder === '' ? '' : `${folder}/`}attachments/${name}`);
      }
      const markdown = archive.text.get(path)!;
      pages.push({ id, title: titleOf(markdown) ?? path.slice(path.lastIndexOf('/') + 1, -3), parentId, position, page: { markdown, attachments, missingAttachments: missing } });
      queue.push({ folder: path.slice(0, -3), parentId: id });
    });
  }
  return { pages, unattributed };
}
