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
    /** `parentId` may name a Confluence folder: then `folders` describes it and the folders above it. */
    confluence?: { id: string; parentId?: string; position: number; folders?: readonly SidebarFolder[] };
  };
}

/** A Confluence folder holding published pages: a group in the sidebar, with no page of its own. */
export interface SidebarFolder {
  id: string;
  title: string;
  position: number;
  parentId?: string;
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

/** One page of the tree, or a folder (a group without a page: no `href`, never current, not in previous/next). */
export interface PageNode {
  label: string;
  /** The page's URL; empty for a folder. */
  href: string;
  folder?: true;
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
  /** Every page and folder in reading order: the home page, then depth first in Confluence order. */
  order: PageNode[];
  /** How many of `order` are pages. */
  pages: number;
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
  // Pages and the folders they sit in, as one list of tree items keyed by Confluence id.
  interface Item { id: string; parentId?: string; position: number; title: string; entry?: SidebarSourceEntry }
  const items = new Map<string, Item>();
  for (const entry of pages) {
    const { id, parentId, position } = entry.data.confluence!;
    items.set(id, { id, parentId, position, title: entry.data.title, entry });
  }
  for (const entry of pages) {
    for (const folder of entry.data.confluence!.folders ?? []) {
      if (!items.has(folder.id)) items.set(folder.id, { id: folder.id, parentId: folder.parentId, position: folder.position, title: folder.title });
    }
  }
  // A parent chain that comes back on itself (folder data naming a folder its own ancestor) would
  // hide every page in the loop, no root reaching it: the item that closes the loop becomes a root.
  const settled = new Set<string>();
  for (const start of items.values()) {
    const chain = new Set<string>();
    for (let item: Item | undefined = start; item && !settled.has(item.id); item = item.parentId === undefined ? undefined : items.get(item.parentId)) {
      if (chain.has(item.id)) {
        item.parentId = undefined;
        break;
      }
      chain.add(item.id);
    }
    for (const id of chain) settled.add(id);
  }
  const childrenOf = new Map<string | undefined, Item[]>();
  for (const item of items.values()) {
    const key = item.parentId !== undefined && items.has(item.parentId) ? item.parentId : undefined;
    const list = childrenOf.get(key);
    if (list) list.push(item);
    else childrenOf.set(key, [item]);
  }
  const byOrder = (a: Item, b: Item) => a.position - b.position || a.title.localeCompare(b.title);
  for (const list of childrenOf.values()) list.sort(byOrder);

  const roots = childrenOf.get(undefined) ?? [];
  // The home page heads the sidebar; its children are the top level, as in Confluence's page tree.
  const homeItem = roots.length === 1 && roots[0]!.entry?.id === homeId ? roots[0]! : undefined;
  const order: PageNode[] = [];
  const byPath = new Map<string, PageNode>();
  let pageCount = 0;
  const nodeOf = (item: Item, parent: PageNode | undefined, depth: number): PageNode => {
    const node: PageNode = item.entry
      ? { label: item.title, href: entryHref(base, item.entry.id), depth, order: order.length, parent, children: [] }
      : { label: item.title, href: '', folder: true, depth, order: order.length, parent, children: [] };
    order.push(node);
    if (item.entry) {
      pageCount++;
      if (!byPath.has(pathKey(node.href))) byPath.set(pathKey(node.href), node);
    }
    return node;
  };
  const home = homeItem && nodeOf(homeItem, undefined, 0);
  const topItems = homeItem ? (childrenOf.get(homeItem.id) ?? []) : roots;

  // Depth first, in reading order: a stack of the items still to visit, the next one on top.
  const top: PageNode[] = [];
  const stack: { item: Item; parent: PageNode | undefined }[] = [];
  for (let i = topItems.length - 1; i >= 0; i--) stack.push({ item: topItems[i]!, parent: undefined });
  while (stack.length > 0) {
    const { item, parent } = stack.pop()!;
    const node = nodeOf(item, parent, parent ? parent.depth + 1 : 0);
    (parent ? parent.children : top).push(node);
    const kids = childrenOf.get(item.id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ item: kids[i]!, parent: node });
  }
  return { home, top, order, pages: pageCount, byPath };
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
    const children = node.children.map((child) => items[child.order]!);
    items[i] = node.folder ? groupOf(node, children) : node.children.length === 0 ? linkOf(node) : groupOf(node, [linkOf(node), ...children]);
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
  // From the current page up to the top level, each level's group holds the one built below it.
  let below: PageNode | undefined;
  let belowItem: SidebarItem | undefined;
  for (let node = current === tree.home ? undefined : current; node; node = node.parent) {
    if (!node.folder && node.children.length === 0) belowItem = linkOf(node, node === current);
    else {
      const entries: SidebarItem[] = node.folder ? [] : [linkOf(node, node === current)];
      for (const child of node.children) entries.push(child === below ? belowItem! : compact(child));
      belowItem = groupOf(node, entries);
    }
    below = node;
  }
  const top = tree.top.map((node) => (node === below ? belowItem! : compact(node)));
  return tree.home ? [linkOf(tree.home, tree.home === current), ...top] : top;
}

/**
 * A node off the current branch: a page is a link (marked when it has descendants left out); a
 * folder, which has no page to link to, is a group of its children so compacted, folders within
 * it included (built bottom-up with a stack, like everything here).
 */
function compact(root: PageNode): SidebarItem {
  if (!root.folder) return root.children.length === 0 ? linkOf(root) : linkOf(root, false, { [BRANCH_ATTRIBUTE]: '' });
  const built = new Map<PageNode, SidebarItem>();
  const stack: { node: PageNode; expanded: boolean }[] = [{ node: root, expanded: false }];
  while (stack.length > 0) {
    const top = stack.at(-1)!;
    const folders = top.node.children.filter((child) => child.folder);
    if (!top.expanded && folders.length > 0) {
      top.expanded = true;
      for (const folder of folders) stack.push({ node: folder, expanded: false });
      continue;
    }
    stack.pop();
    built.set(top.node, groupOf(top.node, top.node.children.map((child) => (child.folder ? built.get(child)! : compact(child)))));
  }
  return built.get(root)!;
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
  // Folders have no page: the nearest page either way.
  let before = current.order - 1;
  while (before >= 0 && tree.order[before]!.folder) before--;
  let after = current.order + 1;
  while (after < tree.order.length && tree.order[after]!.folder) after++;
  const prev = tree.order[before];
  const next = tree.order[after];
  return { prev: prev && linkOf(prev), next: next && linkOf(next) };
}
