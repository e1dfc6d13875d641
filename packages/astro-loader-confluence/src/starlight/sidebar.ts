/**
 * The sidebar as Confluence shows it: the page tree, siblings in `position` order, each group
 * labelled with its parent page's title and opening with a link to that page. Pure: entries in,
 * Starlight sidebar entries out, so it is tested without Astro.
 *
 * The tree is indexed once per build (`pageTree`); each page's sidebar is then cut from it:
 * - `fullSidebar` + `markCurrent`: the whole tree on every page. Each page's HTML grows with the
 *   space, and the site with its square: for small spaces only.
 * - `branchSidebar`: the top level, the path from the root to the current page with the siblings
 *   at each level, and the current page's children. Every other group is a link to its page that
 *   does not carry its descendants (marked `data-confluence-branch`), so a page's sidebar does not
 *   depend on the size of the space, as in Confluence's own page tree.
 * Previous/next follow the whole tree's reading order either way (`pagination`).
 *
 * Nothing here recurses: a tree 10,000 levels deep or 20,000 siblings wide goes through every
 * function with a loop and an explicit stack.
 */
export interface SidebarSourceEntry {
  id: string;
  data: {
    title: string;
    confluence?: { id: string; parentId?: string; position: number };
  };
}

export interface SidebarLinkItem {
  type: 'link';
  label: string;
  href: string;
  isCurrent: boolean;
  badge: undefined;
  attrs: Record<string, string>;
}

export interface SidebarGroupItem {
  type: 'group';
  label: string;
  entries: SidebarItem[];
  collapsed: boolean;
  badge: undefined;
}

export type SidebarItem = SidebarLinkItem | SidebarGroupItem;

/**
 * How much of the tree each page's sidebar holds: `'full'`, `'branch'`, or a number: the whole tree
 * for a version of at most that many pages, the branch above.
 */
export type SidebarOption = 'full' | 'branch' | number;

/**
 * The default: the whole tree up to 200 pages. The whole tree costs every page about 250 bytes of
 * sidebar HTML per page of the space (bench/README.md, `series.starlight.*`), so at 200 pages the
 * sidebar is about 50 KB per page (twice a typical page's own HTML) and about 10 MB over the whole
 * site. Above that the total grows with the square of the space; the branch sidebar stays at a few
 * KB per page whatever its size.
 */
export const FULL_SIDEBAR_MAX_PAGES = 200;

export function showsFullTree(option: SidebarOption, pages: number): boolean {
  return option === 'full' || (typeof option === 'number' && pages <= option);
}

/** The attribute on a link that stands for a group whose descendants are left out of this page. */
export const BRANCH_ATTRIBUTE = 'data-confluence-branch';

export function entryHref(base: string, id: string): string {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  return id === 'index' ? prefix : `${prefix}${id}/`;
}

/** One page of the tree. */
export interface PageNode {
  label: string;
  href: string;
  /** Depth below the top level (0 for a top-level page and for the home page heading the sidebar). */
  depth: number;
  /** Index in `PageTree.order`. */
  order: number;
  parent: PageNode | undefined;
  children: PageNode[];
}

/** One version's page tree, indexed once for every page's sidebar and previous/next links. */
export interface PageTree {
  /** The home page heading the sidebar, when the space has one; its children are then `top`, not its `children`. */
  home: PageNode | undefined;
  top: PageNode[];
  /** Every page in reading order: the home page, then depth first in Confluence order. */
  order: PageNode[];
  /** Pages by their href, normalised as `pathKey` does. */
  byPath: Map<string, PageNode>;
}

/** The key a page is found by from a request path: decoded, with a trailing slash. */
export function pathKey(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURI(path);
  } catch {
    // A malformed escape is matched as written.
  }
  return decoded.endsWith('/') ? decoded : `${decoded}/`;
}

/**
 * Indexes the entries from Confluence as a tree; `null` when there are none. `homeId` is the entry
 * id of the home page: `index` for the live docs, the slug for a frozen version (see versions.ts).
 * A page whose parent is not published is a root.
 */
export function pageTree(entries: readonly SidebarSourceEntry[], base: string, homeId = 'index'): PageTree | null {
  const pages = entries.filter((entry) => entry.data.confluence);
  if (pages.length === 0) return null;
  const byConfluenceId = new Map(pages.map((entry) => [entry.data.confluence!.id, entry]));
  const childrenOf = new Map<string | undefined, SidebarSourceEntry[]>();
  for (const entry of pages) {
    const parent = entry.data.confluence!.parentId;
    const key = parent !== undefined && byConfluenceId.has(parent) ? parent : undefined;
    const list = childrenOf.get(key);
    if (list) list.push(entry);
    else childrenOf.set(key, [entry]);
  }
  const byOrder = (a: SidebarSourceEntry, b: SidebarSourceEntry) =>
    a.data.confluence!.position - b.data.confluence!.position || a.data.title.localeCompare(b.data.title);
  for (const list of childrenOf.values()) list.sort(byOrder);

  const roots = childrenOf.get(undefined) ?? [];
  // The home page heads the sidebar; its children are the top level, as in Confluence's page tree.
  const homeEntry = roots.length === 1 && roots[0]!.id === homeId ? roots[0]! : undefined;
  const order: PageNode[] = [];
  const byPath = new Map<string, PageNode>();
  const nodeOf = (entry: SidebarSourceEntry, parent: PageNode | undefined, depth: number): PageNode => {
    const node: PageNode = { label: entry.data.title, href: entryHref(base, entry.id), depth, order: order.length, parent, children: [] };
    order.push(node);
    if (!byPath.has(pathKey(node.href))) byPath.set(pathKey(node.href), node);
    return node;
  };
  const home = homeEntry && nodeOf(homeEntry, undefined, 0);
  const topEntries = homeEntry ? (childrenOf.get(homeEntry.data.confluence!.id) ?? []) : roots;

  // Depth first, in reading order: a stack of the entries still to visit, the next one on top.
  const top: PageNode[] = [];
  const stack: { entry: SidebarSourceEntry; parent: PageNode | undefined }[] = [];
  for (let i = topEntries.length - 1; i >= 0; i--) stack.push({ entry: topEntries[i]!, parent: undefined });
  while (stack.length > 0) {
    const { entry, parent } = stack.pop()!;
    const node = nodeOf(entry, parent, parent ? parent.depth + 1 : 0);
    (parent ? parent.children : top).push(node);
    const kids = childrenOf.get(entry.data.confluence!.id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ entry: kids[i]!, parent: node });
  }
  return { home, top, order, byPath };
}

function linkOf(node: PageNode, isCurrent = false, attrs: Record<string, string> = {}): SidebarLinkItem {
  return { type: 'link', label: node.label, href: node.href, isCurrent, badge: undefined, attrs };
}

function groupOf(node: PageNode, entries: SidebarItem[]): SidebarGroupItem {
  // Top-level groups start open, deeper ones closed; Starlight opens any group holding the current page.
  return { type: 'group', label: node.label, entries, collapsed: node.depth > 0, badge: undefined };
}

/** The whole tree, nothing marked current: built once, then copied per page by `markCurrent`. */
export function fullSidebar(tree: PageTree): SidebarItem[] {
  const items: SidebarItem[] = new Array(tree.order.length);
  // Reverse reading order visits every page after all its descendants.
  for (let i = tree.order.length - 1; i >= 0; i--) {
    const node = tree.order[i]!;
    items[i] = node.children.length === 0 ? linkOf(node) : groupOf(node, [linkOf(node), ...node.children.map((child) => items[child.order]!)]);
  }
  const top = tree.top.map((node) => items[node.order]!);
  return tree.home ? [items[tree.home.order]!, ...top] : top;
}

/** The whole tree as the sidebar; `null` when no entry comes from Confluence. */
export function confluenceSidebar(entries: readonly SidebarSourceEntry[], base: string, homeId = 'index'): SidebarItem[] | null {
  const tree = pageTree(entries, base, homeId);
  return tree && fullSidebar(tree);
}

/**
 * The sidebar of one page: the top level, the path from the root to `current` with the siblings
 * at each level, and the children of `current`. A group off that path is a link to its page marked
 * with `BRANCH_ATTRIBUTE`. Without a current page (one not in the tree), the top level alone.
 */
export function branchSidebar(tree: PageTree, current: PageNode | undefined): SidebarItem[] {
  const compact = (node: PageNode): SidebarItem =>
    node.children.length === 0 ? linkOf(node) : linkOf(node, false, { [BRANCH_ATTRIBUTE]: '' });
  // From the current page up to the top level, each level's group holds the one built below it.
  let below: PageNode | undefined;
  let belowItem: SidebarItem | undefined;
  for (let node = current === tree.home ? undefined : current; node; node = node.parent) {
    const self = linkOf(node, node === current);
    if (node.children.length === 0) belowItem = self;
    else {
      const entries: SidebarItem[] = [self];
      for (const child of node.children) entries.push(child === below ? belowItem! : compact(child));
      belowItem = groupOf(node, entries);
    }
    below = node;
  }
  const top = tree.top.map((node) => (node === below ? belowItem! : compact(node)));
  return tree.home ? [linkOf(tree.home, tree.home === current), ...top] : top;
}

/**
 * A copy of the sidebar with the link to `href` marked current (Starlight caches per group object
 * whether it holds the current page, so each page needs groups of its own).
 */
export function markCurrent(items: readonly SidebarItem[], href: string): SidebarItem[] {
  const target = pathKey(href);
  const copy = (item: SidebarItem): SidebarItem =>
    item.type === 'link' ? { ...item, isCurrent: pathKey(item.href) === target } : { ...item, entries: [] };
  const result = items.map(copy);
  // Pairs of a source list and its copy whose groups still have to be filled in.
  const pending: [readonly SidebarItem[], SidebarItem[]][] = [[items, result]];
  while (pending.length > 0) {
    const [source, copies] = pending.pop()!;
    source.forEach((item, i) => {
      if (item.type !== 'group') return;
      const group = copies[i] as SidebarGroupItem;
      group.entries = item.entries.map(copy);
      pending.push([item.entries, group.entries]);
    });
  }
  return result;
}

/** Every link of a sidebar in reading order. */
export function flattenLinks(items: readonly SidebarItem[]): SidebarLinkItem[] {
  const links: SidebarLinkItem[] = [];
  // A stack of lists being read and the position reached in each.
  const stack: { list: readonly SidebarItem[]; next: number }[] = [{ list: items, next: 0 }];
  while (stack.length > 0) {
    const top = stack.at(-1)!;
    if (top.next === top.list.length) {
      stack.pop();
      continue;
    }
    const item = top.list[top.next++]!;
    if (item.type === 'link') links.push(item);
    else stack.push({ list: item.entries, next: 0 });
  }
  return links;
}

/** Previous and next page in the whole tree's reading order, whatever part of the tree the sidebar shows. */
export function pagination(tree: PageTree, current: PageNode): { prev: SidebarLinkItem | undefined; next: SidebarLinkItem | undefined } {
  const prev = tree.order[current.order - 1];
  const next = tree.order[current.order + 1];
  return { prev: prev && linkOf(prev), next: next && linkOf(next) };
}
