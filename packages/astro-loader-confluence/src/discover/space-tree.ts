// Stage discover: REST page lists, restrictions and labels in → the space tree and what may be published out.
/**
 * The space tree: the pages REST discovery found, arranged by parent in Confluence's sibling order.
 * Pure: REST calls live in rest-client.ts; this file only shapes their answers.
 */
import type { ConfluencePage, SpaceTree } from '../types.ts';

const byPosition = (pages: Map<string, ConfluencePage>) => (a: string, b: string) => {
  const pa = pages.get(a)!;
  const pb = pages.get(b)!;
  // Equal positions happen (pages created before positions existed); fall back to a stable key.
  return pa.position - pb.position || pa.title.localeCompare(pb.title) || a.localeCompare(b);
};

/**
 * Arrange pages into a tree. With `rootPageId`, only that page and its descendants are kept; a page
 * whose parent is not among the pages (a top-level page, or the root itself) becomes a root.
 */
export function buildSpaceTree(
  list: Iterable<ConfluencePage>,
  options: { rootPageId?: string; spaceKey?: string; spaceId?: string } = {},
): SpaceTree {
  const all = new Map<string, ConfluencePage>();
  for (const page of list) all.set(page.id, page);

  const childrenOf = new Map<string, string[]>();
  const topLevel: string[] = [];
  for (const page of all.values()) {
    if (page.parentId && all.has(page.parentId)) {
      const siblings = childrenOf.get(page.parentId);
      if (siblings) siblings.push(page.id);
      else childrenOf.set(page.parentId, [page.id]);
    } else {
      topLevel.push(page.id);
    }
  }

  let roots = topLevel;
  let pages = all;
  if (options.rootPageId !== undefined) {
    if (!all.has(options.rootPageId)) {
      throw new Error(`Root page ${options.rootPageId} is not among the discovered pages.`);
    }
    roots = [options.rootPageId];
    pages = new Map();
    const stack = [options.rootPageId];
    while (stack.length > 0) {
      const id = stack.pop()!;
      pages.set(id, all.get(id)!);
      stack.push(...(childrenOf.get(id) ?? []));
    }
  }

  const order = byPosition(pages);
  const children = new Map<string, string[]>();
  for (const id of pages.keys()) {
    const kids = childrenOf.get(id);
    if (kids) children.set(id, kids.filter((k) => pages.has(k)).sort(order));
  }
  return {
    spaceKey: options.spaceKey,
    spaceId: options.spaceId,
    roots: roots.sort(order),
    pages,
    children,
  };
}

/** Visit every page depth-first in sibling order, parents before children. */
export function* walkTree(tree: SpaceTree, from: readonly string[] = tree.roots): Generator<string> {
  const stack = [...from].reverse();
  while (stack.length > 0) {
    const id = stack.pop()!;
    yield id;
    const kids = tree.children.get(id);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
}

/** Number of pages in each page's subtree (the page included). */
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
  let current: string | undefined = id;
  while (current !== undefined && tree.pages.has(current) && !chain.includes(current)) {
    chain.push(current);
    current = tree.pages.get(current)!.parentId;
  }
  return chain;
}
