// Stage export: the tree and the pages to fetch in → export calls, then each archive's files as pages by id, out.
/**
 * The batch planner: which export calls fetch a set of pages with the fewest calls the app allows,
 * under two rules that make leaking impossible rather than unlikely:
 *
 * - **Never fetch what must not be published.** A page that is restricted or excluded is a hole:
 *   no batch holds it. `bulkExport` of a page exports its whole subtree, so a subtree with a hole
 *   in it is never one call; its root is exported alone and its children are planned around the hole.
 * - **Never guess an identity.** The archive carries no page ids: a file is known only by its
 *   folder and its title. A bulk batch therefore holds only siblings whose files cannot be
 *   confused (distinct titles, distinct slugs, titles that transliterate); the parent of
 *   ambiguous siblings is exported alone and each of them becomes the root of its own batch, where
 *   it sits alone.
 *
 * A page is *bulkable* when its subtree can be one `bulkExport` (`pageId` + `bulkExport: true`): at
 * most 100 pages, every one publishable, no folder in it (the app does not document how it lays
 * folders out), no ambiguous sibling group inside. Bulkability is hereditary (a subtree of a
 * bulkable subtree is bulkable), so every page that is not bulkable needs a call of its own and every
 * bulkable page whose parent is not needs one: the greedy plan below makes exactly those calls,
 * which is the minimum (`optimalCallCount` counts the same bound without planning).
 */
import { MAX_PAGES_PER_EXPORT } from '../app-limits.ts';
import { walkTree } from '../discover/space-tree.ts';
import type { ExportBatch, SpaceTree } from '../types.ts';
import { slugify, transliterates } from './slug.ts';

export interface PlanFacts {
  /** Pages whose whole subtree may be one bulk batch. */
  bulkable: ReadonlySet<string>;
  /** Pages in each page's subtree (itself included), folders and holes counted. */
  sizes: ReadonlyMap<string, number>;
  /** Pages that may be exported at all: the published ones. */
  publishable: ReadonlySet<string>;
  /** Pages that share their folder with a sibling they could be confused with. */
  ambiguous: ReadonlySet<string>;
}

export interface PlanOptions {
  /** Pages per bulk call, at most 100 (smaller values let a failed batch be split). */
  maxPages?: number;
  /** Pages that may be exported (the published ones); every other page is a hole. Default: every page. */
  publishable?: ReadonlySet<string>;
}

/** Which sibling titles the archive could not tell apart (see the module comment). */
export function ambiguousSiblings(tree: SpaceTree, siblings: readonly string[]): Set<string> {
  const out = new Set<string>();
  const byKey = new Map<string, string[]>();
  for (const id of siblings) {
    const page = tree.pages.get(id)!;
    const slug = slugify(page.title);
    // No slug, or one that lost letters: exporters name such files `page-<uuid>.md`. A page called
    // "Attachments" writes its children into the folder its siblings' attachments share.
    if (slug === '' || !transliterates(page.title) || slug === 'attachments') out.add(id);
    for (const key of [`t:${titleKey(page.title)}`, `s:${slug}`]) {
      const list = byKey.get(key);
      if (list) list.push(id);
      else byKey.set(key, [id]);
    }
  }
  for (const ids of byKey.values()) if (ids.length > 1) for (const id of ids) out.add(id);
  return out;
}

/** A title as its `# Title` line may write it: the exporter's case, spacing and normalisation aside. */
export function titleKey(title: string): string {
  return title.normalize('NFC').replace(/\\([!-/:-@[-`{-~])/g, '$1').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Everything the planner needs to know about a tree, computed once per sync (iteratively). */
export function planFacts(tree: SpaceTree, options: PlanOptions = {}): PlanFacts {
  const limit = Math.min(options.maxPages ?? MAX_PAGES_PER_EXPORT, MAX_PAGES_PER_EXPORT);
  const publishable = options.publishable ?? new Set([...tree.pages.keys()].filter((id) => tree.pages.get(id)!.kind !== 'folder'));
  const sizes = new Map<string, number>();
  const bulkable = new Set<string>();
  const ambiguous = new Set<string>();
  const order = [...walkTree(tree)];
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    const kids = tree.children.get(id) ?? [];
    let size = 1;
    for (const kid of kids) size += sizes.get(kid)!;
    sizes.set(id, size);
    const confusable = ambiguousSiblings(tree, kids);
    for (const kid of confusable) ambiguous.add(kid);
    const page = tree.pages.get(id)!;
    const ok =
      page.kind !== 'folder' &&
      publishable.has(id) &&
      size <= limit &&
      confusable.size === 0 &&
      slugify(page.title) !== 'attachments' &&
      kids.every((kid) => bulkable.has(kid));
    if (ok) bulkable.add(id);
  }
  return { bulkable, sizes, publishable, ambiguous };
}

/**
 * The export calls for the pages in `only` (default: every publishable page). Pages outside `only`
 * may ride along in a bulk batch that costs no extra call, but only publishable ones: a hole is in
 * no batch.
 */
export function planExports(tree: SpaceTree, facts: PlanFacts = planFacts(tree), only?: ReadonlySet<string>): ExportBatch[] {
  const dirty = only ? countDirty(tree, only) : undefined;
  const batches: ExportBatch[] = [];
  // Iterative, in tree order: a chain 10,000 pages deep must not overflow the stack.
  const stack = [...tree.roots].reverse();
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (dirty && !dirty.get(id)) continue;
    if (!facts.publishable.has(id) && tree.pages.get(id)!.kind !== 'folder') continue; // a hole
    if (facts.bulkable.has(id)) {
      batches.push(only ? smallestCover(tree, id, only, facts.sizes, dirty!) : { kind: 'subtree', pageId: id, pageCount: facts.sizes.get(id)! });
      continue;
    }
    if (tree.pages.get(id)!.kind !== 'folder' && (!only || only.has(id))) batches.push({ kind: 'single', pageId: id });
    const kids = tree.children.get(id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  return batches;
}

/**
 * The fewest calls that fetch the pages in `only` (default: every publishable page) without ever
 * exporting a hole and without putting confusable siblings in one bulk batch: one per page that is
 * not bulkable, one per bulkable page under a parent that is not (counting only subtrees that hold
 * something to fetch). Counted from the facts, independently of `planExports`.
 */
export function optimalCallCount(tree: SpaceTree, facts: PlanFacts = planFacts(tree), only?: ReadonlySet<string>): number {
  const dirty = only ? countDirty(tree, only) : undefined;
  let calls = 0;
  for (const id of walkTree(tree)) {
    const page = tree.pages.get(id)!;
    if (page.kind === 'folder' || !facts.publishable.has(id)) continue;
    if (dirty && !dirty.get(id)) continue;
    if (!facts.bulkable.has(id)) {
      if (!only || only.has(id)) calls++;
    } else if (page.parentId === undefined || !tree.pages.has(page.parentId) || !facts.bulkable.has(page.parentId)) calls++;
  }
  return calls;
}

/** A failed bulk batch as smaller ones: its root alone, then each child's subtree. */
export function splitBatch(tree: SpaceTree, batch: ExportBatch, sizes: ReadonlyMap<string, number>): ExportBatch[] {
  if (batch.kind !== 'subtree' || batch.pageCount <= 1) return [];
  const parts: ExportBatch[] = [{ kind: 'single', pageId: batch.pageId }];
  for (const kid of tree.children.get(batch.pageId) ?? []) {
    parts.push({ kind: 'subtree', pageId: kid, pageCount: sizes.get(kid) ?? 1 });
  }
  return parts;
}

function countDirty(tree: SpaceTree, only: ReadonlySet<string>): Map<string, number> {
  const counts = new Map<string, number>();
  const order = [...walkTree(tree)];
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    let count = only.has(id) ? 1 : 0;
    for (const kid of tree.children.get(id) ?? []) count += counts.get(kid) ?? 0;
    counts.set(id, count);
  }
  return counts;
}

/**
 * Within a bulkable subtree, the least export that still covers every dirty page: one page alone
 * when only it changed, else the subtree of the dirty pages' lowest common ancestor. Same single
 * call, fewer bytes; the cover is itself bulkable (bulkability is hereditary).
 */
function smallestCover(tree: SpaceTree, rootId: string, only: ReadonlySet<string>, sizes: ReadonlyMap<string, number>, dirty: ReadonlyMap<string, number>): ExportBatch {
  let id = rootId;
  for (;;) {
    const dirtyKids = (tree.children.get(id) ?? []).filter((kid) => (dirty.get(kid) ?? 0) > 0);
    if (only.has(id) || dirtyKids.length !== 1) break;
    id = dirtyKids[0]!;
  }
  const kids = tree.children.get(id) ?? [];
  if (only.has(id) && !kids.some((kid) => (dirty.get(kid) ?? 0) > 0)) return { kind: 'single', pageId: id };
  return { kind: 'subtree', pageId: id, pageCount: sizes.get(id) ?? 1 };
}
