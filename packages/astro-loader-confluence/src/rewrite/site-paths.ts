/**
 * Site paths for published pages: the slug of each title under its parent's path, so URLs read
 * like the page tree. The home page is the single root (or the configured root page).
 */
import { slugify } from '../export/slug.ts';
import type { SpaceTree } from '../types.ts';

export interface SitePaths {
  /** Page id → path without leading or trailing slash; `''` for the home page. */
  paths: Map<string, string>;
  /** Titles that slugified alike among siblings, and the paths they were given. */
  warnings: string[];
}

export function assignSitePaths(tree: SpaceTree, published: ReadonlySet<string>): SitePaths {
  const paths = new Map<string, string>();
  const warnings: string[] = [];
  // A folder has no page and no URL: the pages in it take their paths beside the folder's siblings.
  const throughFolders = (ids: readonly string[]): string[] => {
    const out: string[] = [];
    const stack = [...ids].reverse();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (tree.pages.get(id)?.kind === 'folder') stack.push(...[...(tree.children.get(id) ?? [])].reverse());
      else out.push(id);
    }
    return out;
  };

  const place = (ids: readonly string[], prefix: string) => {
    const live = throughFolders(ids).filter((id) => published.has(id));
    const bySlug = new Map<string, string[]>();
    for (const id of live) {
      const slug = slugify(tree.pages.get(id)!.title) || 'page';
      const list = bySlug.get(slug);
      if (list) list.push(id);
      else bySlug.set(slug, [id]);
    }
    // Plain slugs are claimed first, so a suffixed one can never take a sibling's plain path.
    const taken = new Set(bySlug.keys());
    for (const [slug, ids] of bySlug) {
      // The oldest page (lowest id) keeps the plain slug; others get their id appended. Unlike a
      // counter, that stays the same when pages are reordered or added.
      const sorted = [...ids].sort(compareIds);
      sorted.forEach((id, i) => {
        let segment = i === 0 ? slug : `${slug}-${id}`;
        for (let n = 2; i > 0 && taken.has(segment); n++) segment = `${slug}-${id}-${n}`;
        taken.add(segment);
        paths.set(id, prefix + segment);
      });
      if (sorted.length > 1) {
        const titles = sorted.map((id) => `"${tree.pages.get(id)!.title}" → /${paths.get(id)}/`).join(', ');
        warnings.push(`Sibling pages whose titles give the same URL were given distinct paths: ${titles}. Rename one in Confluence for a nicer URL.`);
      }
    }
    for (const id of live) place(tree.children.get(id) ?? [], `${paths.get(id)}/`);
  };

  const roots = throughFolders(tree.roots).filter((id) => published.has(id));
  if (roots.length === 1) {
    const home = roots[0]!;
    paths.set(home, '');
    place(tree.children.get(home) ?? [], '');
  } else {
    place(roots, '');
  }
  return { paths, warnings };
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
