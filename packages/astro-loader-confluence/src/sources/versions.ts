/**
 * Versioned docs: the live space at the site root, and frozen snapshots under `/<slug>/`.
 *
 * Why not starlight-versions (0.8.2, evaluated from its registry tarball): it versions files on
 * disk. Freezing a version copies `src/content/docs/` into `src/content/docs/<slug>/`, rewrites the
 * copied Markdown/MDX and assets with its own remark pass, and records each version's sidebar in a
 * `src/content/versions/<slug>.json` collection; its middleware then picks one group of Starlight's
 * config sidebar per version. Our pages never exist as files (the loader writes entries straight
 * into the data store), our sidebar is built by our own middleware from the Confluence tree, and a
 * frozen version already has a better on-disk form than a copy of rendered Markdown: a snapshot
 * (raw exports + manifest) that the loader can rebuild, rewrite and re-link like the live space.
 * Adopting it would mean a second content pipeline and two sidebars fighting. What we take from it
 * is its user interface: a version select next to the theme select, same-page switching, and
 * version-aware search results.
 *
 * So a version is a snapshot run through the same pipeline with a base of `<base><slug>/`: its links
 * resolve among its own pages and stay inside it, its entries get ids `<slug>/<path>`, and each carries
 * `confluence.docsVersion` so the sidebar, the switcher and the search label know where it belongs.
 * This file is the loader's side (options, snapshot folders, entries); version-switcher.ts is the
 * site's (which version a page is in, its sidebar, the switcher), kept apart so that the site's
 * bundle does not pull in the loader's file system code. Pure except `resolveVersions` and
 * `discoverVersions`, which read snapshot folders.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { MANIFEST, readManifest } from './snapshot.ts';
import type { VersionOption } from '../config/options.ts';
import { versionEntryId } from '../starlight/version-switcher.ts';
import type { DocsVersionRef } from '../types.ts';


export type { DocsVersionRef } from '../types.ts';

export interface DocsVersion extends DocsVersionRef {
  /** Absolute snapshot folder. */
  snapshot: string;
  /**
   * The Confluence site the snapshot was taken from (its manifest): absolute links in its pages
   * name that host, which need not be the live site's (a moved site, a stand-in on another port).
   */
  site?: string;
}

/** Slugs that would shadow the site's own folders. */
const RESERVED = new Set(['_astro', '_attachments', 'pagefind', '404', 'index']);
const SLUG = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/**
 * Every frozen version: the configured ones first, in order, then those found in `versionsDir`
 * (one snapshot per sub-folder, named by the folder, newest `takenAt` first). Validated here, once,
 * reading each manifest so that a wrong folder fails before any sync.
 */
export async function resolveVersions(
  input: { versions?: readonly VersionOption[]; versionsDir?: string },
  root: string,
): Promise<DocsVersion[]> {
  const listed = [...(input.versions ?? [])];
  if (input.versionsDir) listed.push(...(await discoverVersions(resolve(root, input.versionsDir))));
  const seen = new Set<string>();
  const versions = listed.map((version, order): DocsVersion => {
    checkSlug(version.slug);
    if (seen.has(version.slug)) {
      throw new ConfigError(`Two versions have the slug "${version.slug}".`, {
        hint: 'Give each entry of the versions option (and each folder of the versions directory) its own slug.',
      });
    }
    seen.add(version.slug);
    if (!version.snapshot) {
      throw new ConfigError(`Version "${version.slug}" names no snapshot folder.`, {
        hint: 'Set its snapshot to a folder written by `confluence-export snapshot <dir>`.',
      });
    }
    return { slug: version.slug, label: version.label?.trim() || version.slug, order, snapshot: resolve(root, version.snapshot) };
  });
  for (const version of versions) version.site = (await readManifest(version.snapshot)).source.site;
  return versions;
}

function checkSlug(slug: string): void {
  if (typeof slug !== 'string' || !SLUG.test(slug) || slug.includes('..') || RESERVED.has(slug.toLowerCase())) {
    throw new ConfigError(`"${slug}" cannot be a version slug: it becomes the URL segment /${slug}/.`, {
      hint: `Use letters, digits, dots, dashes or underscores, starting and ending with a letter or digit (e.g. v1 or 2.0), and none of ${[...RESERVED].join(', ')}.`,
    });
  }
}

/** Each sub-folder of `dir` holding a snapshot manifest is a version named by the folder. */
export async function discoverVersions(dir: string): Promise<VersionOption[]> {
  if (!existsSync(dir)) {
    throw new ConfigError(`The versions directory ${dir} does not exist.`, {
      hint: 'Create it with one snapshot per version (`confluence-export snapshot <dir>/<slug>`), or unset CONFLUENCE_VERSIONS_DIR / the versionsDir option.',
    });
  }
  const found: { slug: string; snapshot: string; takenAt: string }[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    if (name.startsWith('.') || !(await stat(path)).isDirectory() || !existsSync(join(path, MANIFEST))) continue;
    found.push({ slug: name, snapshot: path, takenAt: (await readManifest(path)).takenAt });
  }
  return found.sort((a, b) => (a.takenAt < b.takenAt ? 1 : a.takenAt > b.takenAt ? -1 : 0)).map(({ slug, snapshot }) => ({ slug, snapshot }));
}

/** The Astro base a version's pages are rewritten and linked under. */
export function versionBase(base: string, slug: string): string {
  return `${base.endsWith('/') ? base : `${base}/`}${slug}/`;
}

/** Where a version's raw cache lives, inside the collection's own cache folder. */
export function versionCacheCollection(collection: string, slug: string): string {
  return `${collection}/versions/${slug}`;
}

interface EntryLike<D> {
  id: string;
  data: D;
}

/**
 * Turns an entry the pipeline built for a version (ids from site paths, `index` for the home page)
 * into the version's entry: id under the slug, the version recorded, no edit link (a frozen page
 * has nothing to edit).
 */
export function asVersionEntry<
  E extends EntryLike<{ editUrl?: string | false; confluence: object }>,
>(entry: E, version: DocsVersionRef): E {
  return {
    ...entry,
    id: versionEntryId(version.slug, entry.id === 'index' ? '' : entry.id),
    data: {
      ...entry.data,
      editUrl: false,
      confluence: { ...entry.data.confluence, docsVersion: { slug: version.slug, label: version.label, order: version.order } },
    },
  };
}

/** A live page whose URL is a version's URL would be hidden by it: refuse, naming both. */
export function checkVersionCollisions(liveIds: Iterable<string>, versions: readonly DocsVersionRef[]): void {
  const slugs = new Set(versions.map((version) => version.slug));
  for (const id of liveIds) {
    const first = id.split('/')[0]!;
    if (slugs.has(first)) {
      throw new ConfigError(`The live page at /${id}/ lies under /${first}/, where the version "${first}" is served.`, {
        hint: `Rename the Confluence page, or give the version another slug (e.g. docs-${first}).`,
      });
    }
  }
}
