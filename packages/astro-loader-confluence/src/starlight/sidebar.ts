/**
 * The sidebar as Confluence shows it: the page tree, siblings in `position` order, each group
 * labelled with its parent page's title and opening with a link to that page. Pure: entries in,
 * Starlight sidebar entries out, so it is tested without Astro.
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
  attrs: Record<string, never>;
}

export interface SidebarGroupItem {
  type: 'group';
  label: string;
  entries: SidebarItem[];
  collapsed: boolean;
  badge: undefined;
}

export type SidebarItem = SidebarLinkItem | SidebarGroupItem;

export function entryHref(base: string, id: string): string {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  return id === 'index' ? prefix : `${prefix}${id}/`;
}

/**
 * Builds the tree once; `null` when no entry comes from Confluence. `homeId` is the entry id of the
 * home page: `index` for the live docs, the slug for a frozen version (see versions.ts).
 */
export function confluenceSidebar(entries: readonly SidebarSourceEntry[], base: string, homeId = 'index'): SidebarItem[] | null {
  const pages = entries.filter((entry) => entry.data.confluence);
  if (pages.length === 0) return null;
  const byConfluenceId = new Map(pages.map((entry) => [entry.data.confluence!.id, entry]));
  const children = new Map<string | undefined, SidebarSourceEntry[]>();
  for (const entry of pages) {
    const parent = entry.data.confluence!.parentId;
    const key = parent !== undefined && byConfluenceId.has(parent) ? parent : undefined;
    const list = children.get(key);
    if (list) list.push(entry);
    else children.set(key, [entry]);
  }
  const order = (a: SidebarSourceEntry, b: SidebarSourceEntry) =>
    a.data.confluence!.position - b.data.confluence!.position || a.data.title.localeCompare(b.data.title);
  for (const list of children.values()) list.sort(order);

  const link = (entry: SidebarSourceEntry): SidebarLinkItem => ({
    type: 'link',
    label: entry.data.title,
    href: entryHref(base, entry.id),
    isCurrent: false,
    badge: undefined,
    attrs: {},
  });
  const item = (entry: SidebarSourceEntry, depth: number): SidebarItem => {
    const kids = children.get(entry.data.confluence!.id);
    if (!kids || kids.length === 0) return link(entry);
    return {
      type: 'group',
      label: entry.data.title,
      entries: [link(entry), ...kids.map((kid) => item(kid, depth + 1))],
      collapsed: depth > 0,
      badge: undefined,
    };
  };

  const roots = children.get(undefined) ?? [];
  // The home page heads the sidebar; its children are the top level, as in Confluence's page tree.
  if (roots.length === 1 && roots[0]!.id === homeId) {
    const home = roots[0]!;
    return [link(home), ...(children.get(home.data.confluence!.id) ?? []).map((kid) => item(kid, 0))];
  }
  return roots.map((root) => item(root, 0));
}

/** A copy of the sidebar with the current page marked. */
export function markCurrent(items: readonly SidebarItem[], href: string): SidebarItem[] {
  const normal = (value: string) => decodeURI(value).replace(/\/?$/, '/');
  const target = normal(href);
  const mark = (item: SidebarItem): SidebarItem =>
    item.type === 'link'
      ? { ...item, isCurrent: normal(item.href) === target }
      : { ...item, entries: item.entries.map(mark) };
  return items.map(mark);
}

export function flattenLinks(items: readonly SidebarItem[]): SidebarLinkItem[] {
  return items.flatMap((item) => (item.type === 'link' ? [item] : flattenLinks(item.entries)));
}
