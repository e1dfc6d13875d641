import { describe, expect, it } from 'vitest';
import { assignSitePaths, MAX_DEPTH, MAX_PATH_BYTES } from '../../../packages/astro-loader-confluence/src/rewrite/site-paths.ts';
import { buildSpaceTree } from '../../../packages/astro-loader-confluence/src/discover/space-tree.ts';
import type { SpaceTree } from '../../../packages/astro-loader-confluence/src/types.ts';
import { idOf, page, shuffled, treeFromSpec } from '../../helpers/tree.ts';

const all = (tree: SpaceTree) => new Set(tree.pages.keys());
const byTitle = (tree: SpaceTree, paths: Map<string, string>) =>
  Object.fromEntries([...paths].map(([id, path]) => [tree.pages.get(id)!.title, path]));

describe('assignSitePaths', () => {
  it('makes a single root the home page and puts its descendants under it', () => {
    const tree = treeFromSpec({ Home: { 'Getting Started': { 'Install on Linux': {} }, 'API Reference': {} } });
    const { paths, warnings } = assignSitePaths(tree, all(tree));
    expect(byTitle(tree, paths)).toEqual({
      Home: '',
      'Getting Started': 'getting-started',
      'Install on Linux': 'getting-started/install-on-linux',
      'API Reference': 'api-reference',
    });
    expect(warnings).toEqual([]);
  });

  it('gives each of several roots its own top-level path', () => {
    const tree = treeFromSpec({ Guides: { Setup: {} }, Reference: {} });
    expect(byTitle(tree, assignSitePaths(tree, all(tree)).paths)).toEqual({ Guides: 'guides', Setup: 'guides/setup', Reference: 'reference' });
  });

  it('makes the configured root page the home page', () => {
    const tree = buildSpaceTree([page('1', 'Space home'), page('2', 'Team', '1'), page('3', 'Onboarding', '2')], { rootPageId: '2' });
    expect(Object.fromEntries(assignSitePaths(tree, all(tree)).paths)).toEqual({ '2': '', '3': 'onboarding' });
  });

  it('gives siblings whose titles slugify alike distinct, stable paths and a warning', () => {
    const pages = [page('1', 'Home'), page('20', 'FAQ', '1', 1), page('100', 'F.A.Q.', '1', 2), page('3', 'faq', '1', 3)];
    const first = assignSitePaths(buildSpaceTree(pages), new Set(['1', '20', '100', '3']));
    expect(Object.fromEntries(first.paths)).toEqual({ '1': '', '3': 'faq', '20': 'faq-20', '100': 'faq-100' });
    expect(first.warnings).toHaveLength(1);
    // Pages are named by id only, with the path each got.
    expect(first.warnings[0]).toMatch(/page 3 at \/faq\/, page 20 at \/faq-20\/, page 100 at \/faq-100\//);
    expect(first.warnings[0]).not.toMatch(/FAQ|F\.A\.Q\./);

    // Reordering siblings or adding a page with another title does not move anyone.
    const moved = [...pages.map((p) => ({ ...p, position: -p.position })), page('7', 'Other', '1', 9)];
    const second = assignSitePaths(buildSpaceTree(shuffled(moved)), new Set(['1', '20', '100', '3', '7']));
    for (const id of ['3', '20', '100']) expect(second.paths.get(id)).toBe(first.paths.get(id));
  });

  it('keeps children of suffixed pages under their parent path', () => {
    const tree = buildSpaceTree([page('1', 'Home'), page('2', 'Setup', '1', 1), page('3', 'setup', '1', 2), page('4', 'Linux', '3')]);
    const { paths } = assignSitePaths(tree, all(tree));
    expect(paths.get('4')).toBe('setup-3/linux');
  });

  it('does not warn about the same title under different parents', () => {
    const tree = treeFromSpec({ Home: { A: { Overview: {} }, B: { 'Overview ': {} } } });
    const { paths, warnings } = assignSitePaths(tree, all(tree));
    expect(warnings).toEqual([]);
    expect(paths.get(idOf(tree, 'Overview'))).toBe('a/overview');
    expect(paths.get(idOf(tree, 'Overview '))).toBe('b/overview');
  });

  it('gives unpublished pages and their descendants no path', () => {
    const tree = treeFromSpec({ Home: { Public: {}, Secret: { Inner: {} } } });
    const published = new Set([idOf(tree, 'Home'), idOf(tree, 'Public')]);
    const { paths } = assignSitePaths(tree, published);
    expect([...paths.keys()].sort()).toEqual([...published].sort());
  });

  it('does not let an unpublished sibling take the plain slug', () => {
    const tree = buildSpaceTree([page('1', 'Home'), page('2', 'Plans', '1', 1), page('3', 'Plans', '1', 2)]);
    const { paths, warnings } = assignSitePaths(tree, new Set(['1', '3']));
    expect(paths.get('3')).toBe('plans');
    expect(warnings).toEqual([]);
  });

  it('makes the first published root the home page only when it is the single one', () => {
    const tree = treeFromSpec({ Draft: {}, Handbook: { Intro: {} } });
    const published = new Set([idOf(tree, 'Handbook'), idOf(tree, 'Intro')]);
    expect(byTitle(tree, assignSitePaths(tree, published).paths)).toEqual({ Handbook: '', Intro: 'intro' });
  });

  it('transliterates non-ASCII titles and falls back to "page" when nothing is left', () => {
    const tree = buildSpaceTree([
      page('1', 'Home'),
      page('2', 'Über uns', '1', 1),
      page('3', 'Ça marche', '1', 2),
      page('4', 'Straße & Co', '1', 3),
      page('5', '日本語', '1', 4),
      page('6', '🙂', '1', 5),
    ]);
    const { paths, warnings } = assignSitePaths(tree, all(tree));
    expect(paths.get('2')).toBe('uber-uns');
    expect(paths.get('3')).toBe('ca-marche');
    expect(paths.get('4')).toMatch(/^strasse-(and-)?co$/);
    expect(paths.get('5')).toBe('page');
    expect(paths.get('6')).toBe('page-6');
    expect(warnings).toHaveLength(1);
    for (const path of paths.values()) expect(path).toMatch(/^[a-z0-9/-]*$/);
  });

  it('gives every published page of a large space a unique path', () => {
    const pages = [page('1', 'Home')];
    for (let i = 2; i <= 500; i++) pages.push(page(String(i), `Topic ${i % 7}`, String(Math.max(1, Math.floor(i / 25))), i));
    const tree = buildSpaceTree(pages);
    const { paths, warnings } = assignSitePaths(tree, all(tree));
    expect(warnings.length).toBeGreaterThan(10);
    expect(paths.size).toBe(500);
    expect(new Set(paths.values()).size).toBe(500);
  });
});

describe('suffixed paths never take a sibling’s plain path', () => {
  it('gives every sibling a distinct path when a title looks like a suffixed one', () => {
    const tree = buildSpaceTree([page('1', 'Home'), page('5', 'Setup 123', '1', 1), page('7', 'Setup', '1', 2), page('123', 'Setup', '1', 3)]);
    const { paths } = assignSitePaths(tree, new Set(['1', '5', '7', '123']));
    expect(new Set(paths.values()).size).toBe(paths.size);
    expect(paths.get('5')).toBe('setup-123');
  });
});

/** A tree built directly (not through discovery): page id → [title, parent id]. */
function rawTree(entries: [id: string, title: string, parentId?: string][]): SpaceTree {
  const pages = new Map(entries.map(([id, title, parentId], position) => [id, { id, title, parentId, position, version: { number: 1 } }]));
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const [id, , parentId] of entries) {
    if (parentId === undefined) roots.push(id);
    else children.set(parentId, [...(children.get(parentId) ?? []), id]);
  }
  return { roots, pages, children };
}

describe('every page has its own URL', () => {
  it('keeps / for the home page: a child titled Index gets its id, and so does one titled 404', () => {
    const tree = rawTree([['1', 'Home'], ['2', 'Index', '1'], ['3', '404', '1'], ['4', 'Guide', '1'], ['5', 'Index', '4'], ['6', 'index', '5']]);
    const { paths, warnings } = assignSitePaths(tree, all(tree));
    expect(Object.fromEntries(paths)).toEqual({ '1': '', '2': 'index-2', '3': '404-3', '4': 'guide', '5': 'guide/index-5', '6': 'guide/index-5/index-6' });
    expect(warnings).toHaveLength(4);
    expect(warnings.join('\n')).toMatch(/page 2 at \/index-2\//);
    expect(warnings.join('\n')).not.toMatch(/Guide|Home/);
  });

  // (`_astro` and `_attachments` are reserved too, but no title slugifies to a leading underscore.)
  it.each(['pagefind', 'wiki', 'spaces', 'display', 'pages', 'x', 'download'])('keeps the top-level /%s/ for the site and the Confluence link forms', (segment) => {
    const tree = rawTree([['1', 'Home'], ['2', segment.toUpperCase(), '1'], ['3', 'Guide', '1'], ['4', segment, '3']]);
    const { paths } = assignSitePaths(tree, all(tree));
    expect(paths.get('2')).toBe(`${segment}-2`);
    // Only the top level is reserved for these; deeper down the plain slug stays.
    expect(paths.get('4')).toBe(`guide/${segment}`);
  });

  it('keeps the slugs of frozen versions free at the top level', () => {
    const tree = rawTree([['1', 'Home'], ['2', 'v1', '1'], ['3', 'Notes', '2']]);
    const { paths } = assignSitePaths(tree, all(tree), { reserved: ['v1'] });
    expect(paths.get('2')).toBe('v1-2');
    expect(paths.get('3')).toBe('v1-2/notes');
  });

  it('never lets the id-suffixed path of a reserved slug take a sibling’s plain path', () => {
    const tree = rawTree([['1', 'Home'], ['2', '404', '1'], ['3', '404 2', '1']]);
    const { paths } = assignSitePaths(tree, all(tree));
    expect(paths.get('3')).toBe('404-2');
    expect(paths.get('2')).not.toBe('404-2');
    expect(new Set(paths.values()).size).toBe(3);
  });
});

describe('paths fit any file system', () => {
  it('cuts a 255-character title with & to a 100-byte segment ending in the page id', () => {
    const title = 'Budget & forecast '.repeat(15).slice(0, 255);
    expect(title).toHaveLength(255);
    const tree = rawTree([['1', 'Home'], ['4986372097', title, '1'], ['3', 'Child', '4986372097']]);
    const { paths, warnings } = assignSitePaths(tree, all(tree));
    const segment = paths.get('4986372097')!;
    expect(Buffer.byteLength(segment)).toBeLessThanOrEqual(100);
    expect(segment).toMatch(/^budget-and-forecast-budget-and-[a-z0-9-]*[a-z0-9]-4986372097$/);
    expect(paths.get('3')).toBe(`${segment}/child`);
    expect(warnings.join('\n')).toContain('page 4986372097 at');
  });

  it('hangs pages of a 10,000-level tree below the deepest ancestor with room, each at its own short path', () => {
    const entries: [string, string, string?][] = [['1', 'Home']];
    for (let i = 2; i <= 10_000; i++) entries.push([String(i), `Level ${i}`, String(i - 1)]);
    const tree = rawTree(entries);
    const { paths, warnings } = assignSitePaths(tree, all(tree));
    expect(paths.size).toBe(10_000);
    expect(new Set(paths.values()).size).toBe(10_000);
    for (const path of paths.values()) {
      expect(Buffer.byteLength(path)).toBeLessThanOrEqual(MAX_PATH_BYTES);
      expect(path.split('/').length).toBeLessThanOrEqual(MAX_DEPTH);
    }
    // Levels up to the limit keep their title path; deeper ones hang below the last of them, by id.
    const last = paths.get(String(MAX_DEPTH + 1))!;
    expect(last.split('/')).toHaveLength(MAX_DEPTH);
    expect(paths.get('10000')).toBe(`${paths.get(String(MAX_DEPTH))}/10000`);
    expect(warnings.filter((w) => w.includes('deeper than'))).toHaveLength(1);
  });

  it('bounds the whole path: long titles several levels deep hang below an ancestor whose path has room', () => {
    const long = (n: number) => `${'Chapter '.repeat(11)}${n}`;
    const entries: [string, string, string?][] = [['1', 'Home']];
    for (let i = 2; i <= 40; i++) entries.push([String(i), long(i), String(i - 1)]);
    const tree = rawTree(entries);
    const { paths } = assignSitePaths(tree, all(tree));
    expect(new Set(paths.values()).size).toBe(40);
    for (const path of paths.values()) expect(Buffer.byteLength(path)).toBeLessThanOrEqual(MAX_PATH_BYTES);
    const hung = [...paths].filter(([id, path]) => path.endsWith(`/${id}`));
    expect(hung.length).toBeGreaterThan(20);
  });

  it('places 20,000 siblings, all at distinct paths', () => {
    const entries: [string, string, string?][] = [['1', 'Home']];
    for (let i = 2; i <= 20_001; i++) entries.push([String(i), `Topic ${i % 50}`, '1']);
    const tree = rawTree(entries);
    const { paths } = assignSitePaths(tree, all(tree));
    expect(new Set(paths.values()).size).toBe(20_001);
  });

  it('writes ids the loader made up (no REST scopes) as safe segments, never with a slash', () => {
    const tree = rawTree([['path:home', 'Home'], ['path:home/a', 'Same', 'path:home'], ['path:home/b', 'Same', 'path:home']]);
    const { paths } = assignSitePaths(tree, all(tree));
    const suffixed = [paths.get('path:home/a'), paths.get('path:home/b')].find((p) => p !== 'same')!;
    expect(suffixed).toMatch(/^same-p[0-9a-f]{16}$/);
  });
});

