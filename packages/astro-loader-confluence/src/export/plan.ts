// Stage export: the tree and the pages to fetch in → export calls, then each archive's files as pages by id, out.
/**
 * The batch planner: which export calls fetch a set of pages with the fewest calls the app allows.
 *
 * The app exports at most 100 pages a call. A subtree of ≤ 100 pages is one `bulkExport`
 * (`pageId` + `bulkExport: true`); a page whose subtree is larger cannot be fetched with its
 * descendants, so it is exported alone and its children are planned in turn. Every page with a
 * subtree over the limit needs a call of its own and every maximal small subtree needs at least one,
 * so this plan is the minimum.
 */
import { MAX_PAGES_PER_EXPORT } from '../app-limits.ts';
import { subtreeSizes, walkTree } from '../discover/space-tree.ts';
import type { ExportBatch, SpaceTree } from '../types.ts';

export interface PlanOptions {
  /** Pages per call, at most 100 (smaller values let a failed batch be split). */
  maxPages?: number;
  /**
   * Only these pages need fetching (incremental sync). Pages outside the set may ride along in a
   * subtree export when that costs no extra call, but no call is made for them alone.
   */
  only?: ReadonlySet<string>;
  /** Precomputed subtree sizes, when the caller plans the same tree several times. */
  sizes?: Map<string, number>;
}

export function planExports(tree: SpaceTree, options: PlanOptions = {}): ExportBatch[] {
  const limit = Math.min(options.maxPages ?? MAX_PAGES_PER_EXPORT, MAX_PAGES_PER_EXPORT);
  const sizes = options.sizes ?? subtreeSizes(tree);
  const batches: ExportBatch[] = [];
  const only = options.only;

  // Which pages have something to fetch in their subtree: lets incremental plans skip clean branches.
  const dirtyBelow = only ? countDirty(tree, only) : undefined;

  const visit = (id: string): void => {
    if (dirtyBelow && !dirtyBelow.get(id)) return;
    const size = sizes.get(id) ?? 1;
    if (size <= limit) {
      batches.push(only ? smallestCover(tree, id, only, sizes) : { kind: 'subtree', pageId: id, pageCount: size });
      return;
    }
    if (!only || only.has(id)) batches.push({ kind: 'single', pageId: id });
    for (const kid of tree.children.get(id) ?? []) visit(kid);
  };
  for (const root of tree.roots) visit(root);
  return batches;
}

/**
 * The fewest calls the API allows to export a tree (or only the pages in `only`): every page whose
 * subtree is over the limit needs a call of its own, and every maximal subtree within the limit
 * needs one. With `only`, pages outside it need no call and subtrees holding none of it are skipped.
 */
export function optimalCallCount(tree: SpaceTree, maxPages = MAX_PAGES_PER_EXPORT, only?: ReadonlySet<string>): number {
  const sizes = subtreeSizes(tree);
  const needed = only ? countDirty(tree, only) : undefined;
  let calls = 0;
  for (const id of walkTree(tree)) {
    if (needed && !needed.get(id)) continue;
    const size = sizes.get(id)!;
    const parent = tree.pages.get(id)!.parentId;
    const parentSize = parent !== undefined && tree.pages.has(parent) ? sizes.get(parent)! : Infinity;
    if (size > maxPages) {
      if (!only || only.has(id)) calls++;
    } else if (parentSize > maxPages) calls++;
  }
  return calls;
}

/** Split a failed subtree batch into smaller ones: the root alone, then its children's subtrees. */
export function splitBatch(tree: SpaceTree, batch: ExportBatch, sizes = subtreeSizes(tree)): ExportBatch[] {
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
 * Within a small subtree, the least export that still covers every dirty page: one page alone when
 * only it changed, else the subtree of the dirty pages' lowest common ancestor. Same single call,
 * fewer bytes.
 */
function smallestCover(tree: SpaceTree, rootId: string, only: ReadonlySet<string>, sizes: Map<string, number>): ExportBatch {
  let id = rootId;
  for (;;) {
    const dirtyKids = (tree.children.get(id) ?? []).filter((kid) => hasDirty(tree, kid, only));
    if (only.has(id) || dirtyKids.length !== 1) break;
    id = dirtyKids[0]!;
  }
  const kids = tree.children.get(id) ?? [];
  if (only.has(id) && !kids.some((kid) => hasDirty(tree, kid, only))) return { kind: 'single', pageId: id };
  return { kind: 'subtree', pageId: id, pageCount: sizes.get(id) ?? 1 };
}

function hasDirty(tree: SpaceTree, id: string, only: ReadonlySet<string>): boolean {
  for (const page of walkTree(tree, [id])) if (only.has(page)) return true;
  return false;
}
