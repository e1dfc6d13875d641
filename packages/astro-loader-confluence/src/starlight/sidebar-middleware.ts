/**
 * Starlight route middleware: replaces the sidebar with the Confluence page tree of the version
 * being viewed (see sidebar.ts, versions.ts), the whole tree or the current branch as configured,
 * recomputes previous/next links from the tree's reading order, leaves the version switcher's
 * choices in `locals.confluenceVersions` for the header components, and renders the page HTML the
 * loader kept in a cache file rather than the data store (`entryHtml`, sync/html-files.ts), and
 * hands the last-updated date a reusable formatter (last-updated.ts).
 *
 * Everything that depends on the whole collection is indexed once per build; a page then costs the
 * size of its own sidebar (and, for the whole tree, one copy of it).
 */
import { defineRouteMiddleware, type StarlightRouteData } from '@astrojs/starlight/route-data';
import { getCollection } from 'astro:content';
import { cacheDir, sidebar as sidebarOption } from 'virtual:astro-loader-confluence/config';
import { htmlDir, htmlFileOf, readHtmlFile } from '../sync/html-files.ts';
import PageHtml from './components/PageHtml.astro';
import { withReusedFormatter } from './last-updated.ts';
import { branchSidebar, fullSidebar, markCurrent, pageTree, pagination, pathKey, showsFullTree, type PageTree, type SidebarItem, type SidebarSourceEntry } from './sidebar.ts';
import { homeIdOf, indexVersions, partitionByVersion, versionMenu, versionSlugOf, type ConfluenceLocals, type VersionIndex, type VersionedEntry } from './version-switcher.ts';

interface VersionSidebar {
  tree: PageTree;
  /** The whole tree, when this version shows it; else each page gets its branch. */
  full: SidebarItem[] | undefined;
}

interface SiteIndex {
  sidebars: Map<string, VersionSidebar | null>;
  versions: VersionIndex;
}

let cached: Promise<SiteIndex> | undefined;

async function siteIndex(base: string): Promise<SiteIndex> {
  const entries = (await getCollection('docs')) as unknown as (SidebarSourceEntry & VersionedEntry)[];
  const sidebars = new Map<string, VersionSidebar | null>();
  for (const [slug, list] of partitionByVersion(entries)) {
    const tree = pageTree(list, base, homeIdOf(slug));
    sidebars.set(slug, tree && { tree, full: showsFullTree(sidebarOption, tree.pages) ? fullSidebar(tree) : undefined });
  }
  return { sidebars, versions: indexVersions(entries) };
}

export const onRequest = defineRouteMiddleware(async (context) => {
  // In dev the collection changes under us, so the index is rebuilt per request (one pass over the
  // collection); in a build the collection is fixed and the index is built once.
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
    // A key the plugin injects (plugin.ts); Starlight's types know only its own keys.
    locals.t('confluence.versions.latest'),
  );
  if (route.lastUpdated) route.lastUpdated = withReusedFormatter(route.lastUpdated);
  // HTML the loader kept out of the data store (sync/html-files.ts) replaces the stored placeholder.
  const htmlFile = htmlFileOf(route.entry);
  if (htmlFile !== undefined) {
    (context.locals as ConfluenceLocals).confluencePageHtml = await readHtmlFile(htmlDir(cacheDir, route.entry.collection), htmlFile);
    route.Content = PageHtml;
  }
  const version = index.sidebars.get(versionSlugOf(entry)) ?? index.sidebars.get('');
  if (!version) return;
  const current = version.tree.byPath.get(pathKey(context.url.pathname));
  const sidebar = version.full ? markCurrent(version.full, context.url.pathname) : branchSidebar(version.tree, current);
  route.sidebar = sidebar as typeof route.sidebar;
  if (current) {
    const { prev, next } = pagination(version.tree, current);
    route.pagination = {
      prev: route.entry.data.prev === false ? undefined : (prev as (typeof route.pagination)['prev']),
      next: route.entry.data.next === false ? undefined : (next as (typeof route.pagination)['next']),
    };
  }
});
