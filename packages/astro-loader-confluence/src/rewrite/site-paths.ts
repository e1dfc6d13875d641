/**
 * Site paths for published pages: the slug of each title under its parent's path, so URLs read
 * like the page tree. The home page is the single root (or the configured root page) and owns `/`.
 *
 * Every page gets a URL of its own that fits any file system:
 * - a slug the site, Starlight or this plugin already serve (`404`, `_astro`, `pagefind`, a
 *   Confluence URL form such as `/display/` that the HTML pass would read as a link into
 *   Confluence, `index` anywhere, since Starlight serves `guide/index` as `guide`) is taken as if a
 *   sibling had it, so the page gets its id appended, as siblings whose titles slugify alike do;
 * - a segment is at most {@link MAX_SEGMENT_BYTES} bytes: a longer slug is cut and gets the id;
 * - a page deeper than {@link MAX_DEPTH} levels, or whose path would pass {@link MAX_PATH_BYTES},
 *   hangs below its nearest ancestor that has room, under its id.
 * Paths are stable: a page keeps its path when siblings are reordered or added. Warnings name
 * pages by id only. The tree is walked breadth-first with a queue: any depth, any width.
 */
import { createHash } from 'node:crypto';
import { slugify } from '../export/slug.ts';
import type { SpaceTree } from '../types.ts';

export interface SitePaths {
  /** Page id → path without leading or trailing slash; `''` for the home page. */
  paths: Map<string, string>;
  /** Pages that did not get their plain title slug, and why; by page id. */
  warnings: string[];
}

export interface SitePathOptions {
  /** More top-level segments to keep free, e.g. the slugs frozen versions are served under. */
  reserved?: Iterable<string>;
}

export const MAX_SEGMENT_BYTES = 100;
export const MAX_DEPTH = 50;
export const MAX_PATH_BYTES = 1000;

/** Top-level routes of Astro, Starlight and this plugin, and the Confluence URL forms links are read by (confluence-urls.ts). */
const RESERVED_TOP = ['index', '404', '_astro', '_image', '_server-islands', '_actions', 'pagefind', '_attachments', 'wiki', 'spaces', 'display', 'pages', 'x', 'download'];
/** Starlight serves `a/index` at `a/`: no page may be called that at any level. */
const RESERVED_ANYWHERE = ['index'];
/** The longest id segment ({@link idSegment}): what a folder must have room for to take a page in. */
const ID_SEGMENT_BYTES = 21;

interface Placed {
  path: string;
  depth: number;
  /** The nearest page (this one or an ancestor) whose folder has room for one more id segment. */
  host: string;
}

export function assignSitePaths(tree: SpaceTree, published: ReadonlySet<string>, options: SitePathOptions = {}): SitePaths {
  const paths = new Map<string, string>();
  const placed = new Map<string, Placed>();
  const reservedTop = new Set([...RESERVED_TOP, ...(options.reserved ?? [])]);
  /** Segments taken per folder ('' is the top level), reserved ones included. */
  const taken = new Map<string, Set<string>>();
  const takenIn = (folder: string) => {
    let set = taken.get(folder);
    if (!set) taken.set(folder, (set = new Set(folder === '' ? reservedTop : RESERVED_ANYWHERE)));
    return set;
  };
  const warnings: string[] = [];
  let hung = 0;
  let hungExample = '';

  const place = (id: string, path: string, depth: number, parentHost: string | undefined) => {
    paths.set(id, path);
    const fits = depth < MAX_DEPTH && byteLength(path) + 1 + ID_SEGMENT_BYTES <= MAX_PATH_BYTES;
    placed.set(id, { path, depth, host: fits || parentHost === undefined ? id : parentHost });
  };

  /** Places siblings (published ones only) in the folder of `parent`, or at the top level. */
  const placeChildren = (ids: readonly string[], parent: string | undefined) => {
    const live = ids.filter((id) => published.has(id));
    if (live.length === 0) return;
    const at = parent === undefined ? { path: '', depth: 0, host: undefined } : placed.get(parent)!;
    const folder = at.path;
    const inFolder = takenIn(folder);
    const bySlug = new Map<string, string[]>();
    for (const id of live) {
      const slug = slugify(tree.pages.get(id)!.title) || 'page';
      const list = bySlug.get(slug);
      if (list) list.push(id);
      else bySlug.set(slug, [id]);
    }
    // Plain slugs are claimed first, so a suffixed one can never take a sibling's plain path.
    const claimed = new Set<string>();
    for (const slug of bySlug.keys()) if (!inFolder.has(slug) && byteLength(slug) <= MAX_SEGMENT_BYTES) claimed.add(slug);
    for (const slug of claimed) inFolder.add(slug);
    for (const [slug, group] of bySlug) {
      // The oldest page (lowest id) keeps the plain slug; others get their id appended. Unlike a
      // counter, that stays the same when pages are reordered or added.
      const sorted = [...group].sort(compareIds);
      const segments = sorted.map((id, i) => {
        if (i === 0 && claimed.has(slug)) return slug;
        let segment = withId(slug, id);
        for (let n = 2; inFolder.has(segment); n++) segment = withId(slug, `${id}-${n}`);
        inFolder.add(segment);
        return segment;
      });
      sorted.forEach((id, i) => {
        const own = `${folder === '' ? '' : `${folder}/`}${segments[i]}`;
        if (at.depth + 1 <= MAX_DEPTH && byteLength(own) <= MAX_PATH_BYTES) {
          place(id, own, at.depth + 1, parent === undefined ? undefined : at.host);
          return;
        }
        // Too deep or too long: below the nearest ancestor with room, by id.
        const host = placed.get(at.host!)!;
        const hostFolder = takenIn(host.path);
        let segment = idSegment(id);
        for (let n = 2; hostFolder.has(segment); n++) segment = `${idSegment(id)}-${n}`;
        hostFolder.add(segment);
        place(id, `${host.path === '' ? '' : `${host.path}/`}${segment}`, host.depth + 1, at.host);
        hung++;
        hungExample ||= `page ${id} at /${paths.get(id)}/`;
      });
      const where = sorted.map((id) => `page ${id} at /${paths.get(id)}/`).join(', ');
      if (!claimed.has(slug)) {
        warnings.push(`A title gives a URL the site reserves (index, 404, _astro, pagefind, _attachments, a version, a Confluence path such as /display/) or a URL segment over ${MAX_SEGMENT_BYTES} bytes, so the page carries its id: ${where}. Rename it in Confluence for a nicer URL.`);
      } else if (sorted.length > 1) {
        warnings.push(`Sibling pages whose titles give the same URL were given distinct paths (the oldest keeps the plain one): ${where}. Rename one in Confluence for a nicer URL.`);
      }
    }
  };

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

  const roots = throughFolders(tree.roots).filter((id) => published.has(id));
  const queue: (string | undefined)[] = [];
  if (roots.length === 1) {
    place(roots[0]!, '', 0, undefined);
    queue.push(roots[0]!);
  } else {
    placeChildren(roots, undefined);
    queue.push(...roots);
  }
  for (let next = 0; next < queue.length; next++) {
    const parent = queue[next]!;
    const children = throughFolders(tree.children.get(parent) ?? []);
    placeChildren(children, parent);
    for (const id of children) if (published.has(id)) queue.push(id);
  }

  if (hung > 0) {
    warnings.push(`${hung} page(s) lie deeper than ${MAX_DEPTH} levels or would get a URL over ${MAX_PATH_BYTES} bytes; each is served by its id below its nearest ancestor with room (e.g. ${hungExample}).`);
  }
  return { paths, warnings };
}

/** A slug with the page id appended, cut first (on a character boundary) so that the segment stays within {@link MAX_SEGMENT_BYTES}. */
function withId(slug: string, id: string): string {
  const suffix = `-${idSegment(id)}`;
  let cut = slug;
  while (byteLength(cut) + suffix.length > MAX_SEGMENT_BYTES) cut = [...cut].slice(0, -1).join('');
  return `${cut.replace(/-+$/, '')}${suffix}`;
}

/**
 * A page id as a URL segment: Confluence ids are digits; an id the loader made up without REST
 * access (`path:guides/setup`) is hashed into a short stable segment instead of carrying slashes.
 */
function idSegment(id: string): string {
  return /^\d{1,20}$/.test(id) ? id : `p${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
