/**
 * Sidebar source entries for the folder tests (starlight/sidebar.ts): a page with its Confluence
 * parent, position and folder chain, the home page, and the links a whole-tree sidebar shows.
 */
import { flattenLinks, fullSidebar, pageTree, type SidebarFolder, type SidebarSourceEntry } from '../../packages/astro-loader-confluence/src/starlight/sidebar.ts';

export const page = (id: string, confluenceId: string, parentId?: string, position = 0, folders?: SidebarFolder[]): SidebarSourceEntry => ({
  id,
  data: { title: id.toUpperCase(), confluence: { id: confluenceId, parentId, position, ...(folders ? { folders } : {}) } },
});

export const home = () => page('index', '1');

export function hrefsOf(entries: SidebarSourceEntry[]) {
  const tree = pageTree(entries, '/')!;
  return { tree, hrefs: flattenLinks(fullSidebar(tree)).map((l) => l.href).sort() };
}
