/**
 * The site's side of versioned docs (see versions.ts for the loader's): which version a page belongs
 * to, each version's pages, and where the version switcher leads from a page. Pure, and free of
 * Node APIs: the route middleware and the components bundle it.
 */
import type { DocsVersionRef } from '../types.ts';
import { entryHref } from './sidebar.ts';

export type { DocsVersionRef };

/** A version page's entry id: `<slug>` for its home page, `<slug>/<path>` otherwise. */
export function versionEntryId(slug: string, path: string): string {
  return path === '' ? slug : `${slug}/${path}`;
}

export interface VersionedEntry {
  id: string;
  data: { title: string; confluence?: { id: string; docsVersion?: DocsVersionRef } };
}

/** `''` for the live docs. */
export function versionSlugOf(entry: VersionedEntry): string {
  return entry.data.confluence?.docsVersion?.slug ?? '';
}

/** The home page's entry id of a version (`index` for the live docs). */
export function homeIdOf(slug: string): string {
  return slug === '' ? 'index' : slug;
}

/** The entries of each version, keyed by slug (`''` for the live docs). */
export function partitionByVersion<E extends VersionedEntry>(entries: readonly E[]): Map<string, E[]> {
  const parts = new Map<string, E[]>();
  for (const entry of entries) {
    const slug = versionSlugOf(entry);
    const list = parts.get(slug);
    if (list) list.push(entry);
    else parts.set(slug, [entry]);
  }
  return parts;
}

interface IndexedVersion {
  slug: string;
  label?: string;
  order: number;
  ids: Set<string>;
  byPageId: Map<string, string>;
  /** Where the switcher leads when the version has neither this page nor a home page. */
  first: string;
}

/** Built once per build; a page's menu then costs a few look-ups per version. */
export interface VersionIndex {
  /** Live docs first, then the frozen versions in their configured order. */
  versions: IndexedVersion[];
}

export function indexVersions(entries: readonly VersionedEntry[]): VersionIndex {
  const versions: IndexedVersion[] = [];
  for (const [slug, list] of partitionByVersion(entries)) {
    const ref = list[0]!.data.confluence?.docsVersion;
    const byPageId = new Map<string, string>();
    for (const entry of list) if (entry.data.confluence) byPageId.set(entry.data.confluence.id, entry.id);
    versions.push({ slug, label: ref?.label, order: slug === '' ? -1 : (ref?.order ?? 0), ids: new Set(list.map((entry) => entry.id)), byPageId, first: list[0]!.id });
  }
  versions.sort((a, b) => a.order - b.order);
  return { versions };
}

export interface VersionMenuItem {
  slug: string;
  label: string;
  href: string;
  current: boolean;
}

/** What the route middleware leaves in `Astro.locals` for the version components. */
/** What the route middleware (sidebar-middleware.ts) leaves in `locals` for the plugin's components. */
export interface ConfluenceLocals {
  /** The version switcher's choices for this page; empty when the site has one version. */
  confluenceVersions?: VersionMenuItem[];
  /** The page's HTML, when the loader kept it in a file rather than the data store (PageHtml.astro). */
  confluencePageHtml?: string;
}

/**
 * The switcher's choices on one page: each version's copy of this page (the same Confluence page
 * id, else the same path), or that version's home page when it has no such page. Empty when the
 * site has a single version, so no switcher is shown.
 */
export function versionMenu(index: VersionIndex, entry: VersionedEntry, base: string, latestLabel: string): VersionMenuItem[] {
  if (index.versions.length < 2) return [];
  const slug = versionSlugOf(entry);
  const path = slug === '' ? (entry.id === 'index' ? '' : entry.id) : entry.id === slug ? '' : entry.id.slice(slug.length + 1);
  const pageId = entry.data.confluence?.id;
  return index.versions.map((version) => {
    const samePath = version.slug === '' ? (path === '' ? 'index' : path) : versionEntryId(version.slug, path);
    const target =
      (pageId !== undefined ? version.byPageId.get(pageId) : undefined) ??
      (version.ids.has(samePath) ? samePath : undefined) ??
      (version.ids.has(homeIdOf(version.slug)) ? homeIdOf(version.slug) : version.first);
    return {
      slug: version.slug,
      label: version.slug === '' ? latestLabel : (version.label ?? version.slug),
      href: entryHref(base, target),
      current: version.slug === slug,
    };
  });
}
