/**
 * Starlight route middleware: replaces the sidebar with the Confluence page tree (see sidebar.ts)
 * and recomputes previous/next links from it.
 */
import { defineRouteMiddleware } from '@astrojs/starlight/route-data';
import { getCollection } from 'astro:content';
import { confluenceSidebar, flattenLinks, markCurrent, type SidebarItem, type SidebarSourceEntry } from './sidebar.ts';

let cached: Promise<SidebarItem[] | null> | undefined;

export const onRequest = defineRouteMiddleware(async (context) => {
  // In dev the collection changes under us; in a build it is fixed, so the tree is built once.
  if (!cached || import.meta.env.DEV) {
    cached = getCollection('docs').then((entries) => confluenceSidebar(entries as unknown as SidebarSourceEntry[], import.meta.env.BASE_URL));
  }
  const tree = await cached;
  if (!tree) return;
  const route = context.locals.starlightRoute;
  const sidebar = markCurrent(tree, context.url.pathname);
  route.sidebar = sidebar as typeof route.sidebar;
  const links = flattenLinks(sidebar);
  const index = links.findIndex((link) => link.isCurrent);
  if (index >= 0) {
    const prev = route.entry.data.prev;
    const next = route.entry.data.next;
    route.pagination = {
      prev: prev === false ? undefined : (links[index - 1] as (typeof route.pagination)['prev']),
      next: next === false ? undefined : (links[index + 1] as (typeof route.pagination)['next']),
    };
  }
});
