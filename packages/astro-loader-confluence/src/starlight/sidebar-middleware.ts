/**
 * Starlight route middleware: replaces the sidebar with the Confluence page tree of the version
 * being viewed (see sidebar.ts, versions.ts), recomputes previous/next links from it, and leaves
 * the version switcher's choices in `locals.confluenceVersions` for the header components.
 */
import { defineRouteMiddleware, type StarlightRouteData } from '@astrojs/starlight/route-data';
import { getCollection } from 'astro:content';
import { confluenceSidebar, flattenLinks, markCurrent, type SidebarItem, type SidebarSourceEntry } from './sidebar.ts';
import { homeIdOf, indexVersions, partitionByVersion, versionMenu, versionSlugOf, type ConfluenceLocals, type VersionIndex, type VersionedEntry } from './version-switcher.ts';

interface SiteIndex {
  sidebars: Map<string, SidebarItem[] | null>;
  versions: VersionIndex;
}

let cached: Promise<SiteIndex> | undefined;

async function siteIndex(base: string): Promise<SiteIndex> {
  const entries = (await getCollection('docs')) as unknown as (SidebarSourceEntry & VersionedEntry)[];
  const sidebars = new Map<string, SidebarItem[] | null>();
  for (const [slug, list] of partitionByVersion(entries)) sidebars.set(slug, confluenceSidebar(list, base, homeIdOf(slug)));
  return { sidebars, versions: indexVersions(entries) };
}

export const onRequest = defineRouteMiddleware(async (context) => {
  // In dev the collection changes under us; in a build it is fixed, so the index is built once.
  if (!cached || import.meta.env.DEV) cached = siteIndex(import.meta.env.BASE_URL);
  const index = await cached;
  // Typed here rather than through Starlight's global `App.Locals` augmentation, which only a
  // site's generated types pull in: the package must also compile on its own.
  const locals = context.locals as unknown as { starlightRoute: StarlightRouteData; t: (key: string) => string };
  const route = locals.starlightRoute;
  const entry = route.entry as unknown as VersionedEntry;
  (context.locals as ConfluenceLocals).confluenceVersions = versionMenu(
    index.versions,
    entry,
    import.meta.env.BASE_URL,
    // A key the plugin injects (starlight-plugin.ts); Starlight's types know only its own keys.
    locals.t('confluence.versions.latest'),
  );
  const tree = index.sidebars.get(versionSlugOf(entry)) ?? index.sidebars.get('');
  if (!tree) return;
  const sidebar = markCurrent(tree, context.url.pathname);
  route.sidebar = sidebar as typeof route.sidebar;
  const links = flattenLinks(sidebar);
  const currentLink = links.findIndex((link) => link.isCurrent);
  if (currentLink >= 0) {
    const prev = route.entry.data.prev;
    const next = route.entry.data.next;
    route.pagination = {
      prev: prev === false ? undefined : (links[currentLink - 1] as (typeof route.pagination)['prev']),
      next: next === false ? undefined : (links[currentLink + 1] as (typeof route.pagination)['next']),
    };
  }
});
