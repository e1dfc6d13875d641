// Stage discover: REST page lists, restrictions and labels in → the space tree and what may be published out.
/**
 * The space tree: the pages (and folders) REST discovery found, arranged by parent in Confluence's
 * sibling order. Pure: REST calls live in remote/; this file only shapes and checks their answers.
 *
 * The listing is not trusted as it comes: a page listed twice with different parents, a parent
 * the listing does not hold, or a cycle of parent ids would each make the loader publish a
 * different tree than Confluence has (and possibly a restricted page's child as if it were
 * public), so each is an error naming the ids. Every walk here is iterative: a tree 10,000 levels
 * deep must not overflow the stack.
 */
import { UntrustedTreeError } from '../errors.ts';
import type { ConfluencePage, SpaceTree } from '../types.ts';

const byPosition = (pages: Map<string, ConfluencePage>) => (a: string, b: string) => {
  const pa = pages.get(a)!;
  const pb = pages.get(b)!;
  // Equal positions happen (pages created before positions existed); fall back to a stable key.
  return pa.position - pb.position || pa.title.localeCompare(pb.title) || a.localeCompare(b);
};

/** At most this many ids are named in one error: enough to find them, short enough to read. */
const NAMED = 10;
const named = (ids: readonly string[]) => `${ids.slice(0, NAMED).join(', ')}${ids.length > NAMED ? `, … (${ids.length} in all)` : ''}`;

/**
 * Arrange pages and folders into a tree. With `rootPageId`, only that page and its descendants
 * are kept, and the pages and folders above it are recorded in `above`.
 */
export function buildSpaceTree(
  list: Iterable<ConfluencePage>,
  options: { rootPageId?: string; spaceKey?: string; spaceId?: string } = {},
): SpaceTree {
  const all = new Map<string, ConfluencePage>();
  const conflicting: string[] = [];
  for (const page of list) {
    const before = all.get(page.id);
    if (before && !samePlace(before, page)) conflicting.push(page.id);
    all.set(page.id, page);
  }
  if (conflicting.length > 0) {
    throw new UntrustedTreeError(`The page listing holds ${named([...new Set(conflicting)])} more than once, with different titles, parents or versions, so it does not say where they belong.`);
  }

  const childrenOf = new Map<string, string[]>();
  const topLevel: string[] = [];
  const unplaced: string[] = [];
  for (const page of all.values()) {
    if (page.parentId === undefined) topLevel.push(page.id);
    else if (!all.has(page.parentId)) unplaced.push(page.id);
    else {
      const siblings = childrenOf.get(page.parentId);
      if (siblings) siblings.push(page.id);
      else childrenOf.set(page.parentId, [page.id]);
    }
  }
  if (unplaced.length > 0) {
    const parents = [...new Set(unplaced.map((id) => all.get(id)!.parentId!))];
    throw new UntrustedTreeError(`Page ${named(unplaced)} has a parent the listing does not hold (${named(parents)}): an archived, deleted or unreadable page, or content the token cannot see, so the loader cannot tell what it sits under.`, {
      hint: 'Move the page out from under that parent in Confluence, or restore the parent. The last good content was kept.',
    });
  }

  // Every page whose parents all exist is reached from the top, unless its parents form a cycle.
  const reached = new Set<string>();
  const stack = [...topLevel];
  while (stack.length > 0) {
    const id = stack.pop()!;
    reached.add(id);
    for (const kid of childrenOf.get(id) ?? []) stack.push(kid);
  }
  if (reached.size < all.size) {
    const cycle = [...all.keys()].filter((id) => !reached.has(id)).sort();
    throw new UntrustedTreeError(`The parent ids of ${named(cycle)} form a cycle, so these pages sit under no top-level page.`);
  }

  let roots = topLevel;
  let pages = all;
  let above: ConfluencePage[] | undefined;
  if (options.rootPageId !== undefined) {
    const root = all.get(options.rootPageId);
    if (!root || root.kind === 'folder') {
      throw new UntrustedTreeError(`The root page ${options.rootPageId} is not among the pages listed for its space.`);
    }
    roots = [options.rootPageId];
    pages = new Map();
    const walk = [options.rootPageId];
    while (walk.length > 0) {
      const id = walk.pop()!;
      pages.set(id, all.get(id)!);
      walk.push(...(childrenOf.get(id) ?? []));
    }
    above = [];
    for (let id = root.parentId; id !== undefined; id = all.get(id)!.parentId) above.push(all.get(id)!);
    const { parentId: _outside, parentType: _type, ...asRoot } = root;
    pages.set(root.id, asRoot);
  }

  const order = byPosition(pages);
  const children = new Map<string, string[]>();
  for (const id of pages.keys()) {
    const kids = childrenOf.get(id);
    if (kids) children.set(id, kids.filter((k) => pages.has(k)).sort(order));
  }
  const tree: SpaceTree = { spaceKey: options.spaceKey, spaceId: options.spaceId, roots: roots.sort(order), pages, children };
  if (above) tree.above = above;
  return tree;
}

/** The same page listed twice is harmless when both entries agree on everything that places it. */
function samePlace(a: ConfluencePage, b: ConfluencePage): boolean {
  return a.title === b.title && a.parentId === b.parentId && a.position === b.position && a.version.number === b.version.number && (a.kind ?? 'page') === (b.kind ?? 'page');
}

export const isFolder = (tree: SpaceTree, id: string): boolean => tree.pages.get(id)?.kind === 'folder';

/** Visit every page and folder depth-first in sibling order, parents before children. */
export function* walkTree(tree: SpaceTree, from: readonly string[] = tree.roots): Generator<string> {
  const stack = [...from].reverse();
  while (stack.length > 0) {
    const id = stack.pop()!;
    yield id;
    const kids = tree.children.get(id);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
}

/** Number of pages and folders in each one's subtree (itself included). */
export function subtreeSizes(tree: SpaceTree): Map<string, number> {
  const sizes = new Map<string, number>();
  const order = [...walkTree(tree)];
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    let size = 1;
    for (const kid of tree.children.get(id) ?? []) size += sizes.get(kid) ?? 0;
    sizes.set(id, size);
  }
  return sizes;
}

/** Ids from a page up to its root, the page first. */
export function ancestry(tree: SpaceTree, id: string): string[] {
  const chain: string[] = [];
  const seen = new Set<string>();
  for (let current: string | undefined = id; current !== undefined && tree.pages.has(current) && !seen.has(current); current = tree.pages.get(current)!.parentId) {
    chain.push(current);
    seen.add(current);
  }
  return chain;
}
