/**
 * The bounded sidebar: each page gets the top level, its ancestors with their siblings and its
 * own children, whatever the size of the space; previous/next still follow the whole tree. And
 * trees far deeper and wider than any real space go through every helper without a stack overflow.
 */
import { describe, expect, it } from 'vitest';
import {
  BRANCH_ATTRIBUTE,
  branchSidebar,
  flattenLinks,
  fullSidebar,
  markCurrent,
  pageTree,
  pagination,
  showsFullTree,
  type PageTree,
  type SidebarGroupItem,
  type SidebarItem,
  type SidebarSourceEntry,
} from '../../../packages/astro-loader-confluence/src/starlight/sidebar.ts';

const entry = (id: string, title: string, confluenceId: string, parentId?: string, position = 0): SidebarSourceEntry => ({
  id,
  data: { title, confluence: { id: confluenceId, parentId, position } },
});

/** Links as their label (`Label…` when they stand for a collapsed group, `*Label` when current), groups as `label: [...]`. */
function outline(items: readonly SidebarItem[]): unknown[] {
  return items.map((item) =>
    item.type === 'link'
      ? `${item.isCurrent ? '*' : ''}${item.label}${BRANCH_ATTRIBUTE in item.attrs ? '…' : ''}`
      : { [item.label]: outline(item.entries) },
  );
}

/**
 * Home ─ A ─ A1 ─ A1a
 *      │    │    └ A1b
 *      │    └ A2 ─ A2a
 *      ├ B ─ B1
 *      └ C
 */
const space = (): SidebarSourceEntry[] => [
  entry('index', 'Home', '1'),
  entry('c', 'C', '4', '1', 3),
  entry('a', 'A', '2', '1', 1),
  entry('b', 'B', '3', '1', 2),
  entry('a/a2', 'A2', '22', '2', 2),
  entry('a/a1', 'A1', '21', '2', 1),
  entry('a/a1/a1b', 'A1b', '212', '21', 2),
  entry('a/a1/a1a', 'A1a', '211', '21', 1),
  entry('a/a2/a2a', 'A2a', '221', '22', 1),
  entry('b/b1', 'B1', '31', '3', 1),
];

const nodeAt = (tree: PageTree, href: string) => tree.byPath.get(href)!;

describe('pageTree', () => {
  it('indexes the pages in reading order: the home page, then depth first in Confluence order', () => {
    const tree = pageTree(space(), '/')!;
    expect(tree.order.map((node) => node.label)).toEqual(['Home', 'A', 'A1', 'A1a', 'A1b', 'A2', 'A2a', 'B', 'B1', 'C']);
    expect(tree.order.every((node, i) => node.order === i)).toBe(true);
    expect(tree.home?.label).toBe('Home');
    expect(tree.top.map((node) => node.label)).toEqual(['A', 'B', 'C']);
    const a1a = nodeAt(tree, '/a/a1/a1a/');
    expect([a1a.depth, a1a.parent?.label, a1a.parent?.parent?.label, a1a.parent?.parent?.parent]).toEqual([2, 'A1', 'A', undefined]);
  });

  it('is null without any page from Confluence', () => {
    expect(pageTree([{ id: 'about', data: { title: 'About' } }], '/')).toBeNull();
  });
});

describe('branchSidebar', () => {
  const tree = pageTree(space(), '/')!;

  it('shows the top level, the path with its siblings at each level, and the children of a deep page', () => {
    expect(outline(branchSidebar(tree, nodeAt(tree, '/a/a1/')))).toEqual([
      'Home',
      { A: ['A', { A1: ['*A1', 'A1a', 'A1b'] }, 'A2…'] },
      'B…',
      'C',
    ]);
  });

  it('opens the current branch down to a leaf, and leaves every other group as a link to its page', () => {
    const items = branchSidebar(tree, nodeAt(tree, '/a/a2/a2a/'));
    expect(outline(items)).toEqual(['Home', { A: ['A', 'A1…', { A2: ['A2', '*A2a'] }] }, 'B…', 'C']);
    const groups = (items[1] as SidebarGroupItem).entries[2] as SidebarGroupItem;
    // Starlight opens a group that holds the current page; closed ones are not on the path.
    expect(groups.entries.some((link) => link.type === 'link' && link.isCurrent)).toBe(true);
    const collapsed = flattenLinks(items).filter((link) => BRANCH_ATTRIBUTE in link.attrs);
    expect(collapsed.map((link) => link.href)).toEqual(['/a/a1/', '/b/']);
  });

  it('on the home page, and on a page outside the tree, shows the top level alone', () => {
    expect(outline(branchSidebar(tree, tree.home))).toEqual(['*Home', 'A…', 'B…', 'C']);
    expect(outline(branchSidebar(tree, undefined))).toEqual(['Home', 'A…', 'B…', 'C']);
  });

  it('keeps the labels, hrefs and order of the whole tree for every link it shows', () => {
    const full = new Map(flattenLinks(fullSidebar(tree)).map((link, i) => [link.href, { label: link.label, i }]));
    for (const node of tree.order) {
      const links = flattenLinks(branchSidebar(tree, node));
      const positions = links.map((link) => {
        expect(full.get(link.href)?.label).toBe(link.label);
        return full.get(link.href)!.i;
      });
      expect(positions, node.href).toEqual([...positions].sort((a, b) => a - b));
      expect(links.filter((link) => link.isCurrent).map((link) => link.href)).toEqual([node.href]);
    }
  });

  it('works without a single home page: the roots are the top level', () => {
    const roots = pageTree([entry('x', 'X', '1', undefined, 1), entry('x/y', 'Y', '2', '1'), entry('z', 'Z', '3', undefined, 2)], '/docs/')!;
    expect(roots.home).toBeUndefined();
    expect(outline(branchSidebar(roots, nodeAt(roots, '/docs/x/y/')))).toEqual([{ X: ['X', '*Y'] }, 'Z']);
  });
});

describe('pagination', () => {
  it('follows the whole tree, not the part the sidebar shows', () => {
    const tree = pageTree(space(), '/')!;
    const reading = flattenLinks(fullSidebar(tree)).map((link) => link.href);
    for (const node of tree.order) {
      const { prev, next } = pagination(tree, node);
      const i = reading.indexOf(node.href);
      expect([prev?.href, next?.href], node.href).toEqual([reading[i - 1], reading[i + 1]]);
    }
    // From A1b (a leaf whose parent's sibling is collapsed in its sidebar) next is A2, prev A1a.
    const { prev, next } = pagination(tree, nodeAt(tree, '/a/a1/a1b/'));
    expect([prev?.label, next?.label]).toEqual(['A1a', 'A2']);
    expect(next).toMatchObject({ type: 'link', href: '/a/a2/', isCurrent: false });
  });
});

describe('showsFullTree', () => {
  it('shows the whole tree up to the threshold, the branch above, or as configured', () => {
    expect([showsFullTree(200, 200), showsFullTree(200, 201)]).toEqual([true, false]);
    expect([showsFullTree('full', 1_000_000), showsFullTree('branch', 1), showsFullTree(0, 1)]).toEqual([true, false, false]);
  });
});

/** A space with `top` top-level pages, each page having `fan` children, down to `levels` levels. */
function balanced(top: number, fan: number, levels: number): SidebarSourceEntry[] {
  const entries: SidebarSourceEntry[] = [];
  let level = Array.from({ length: top }, (_, i) => entry(`p${i}`, `P${i}`, `p${i}`, undefined, i));
  for (let depth = 1; depth <= levels; depth++) {
    entries.push(...level);
    if (depth === levels) break;
    level = level.flatMap((parent) => Array.from({ length: fan }, (_, i) => entry(`${parent.id}/${i}`, `${parent.data.title}.${i}`, `${parent.id}-${i}`, parent.data.confluence!.id, i)));
  }
  return entries;
}

describe('a sidebar whose size does not depend on the size of the space', () => {
  it('holds top level + siblings along the path + children, for a space of 1,110 pages as for one of 111,110', () => {
    for (const levels of [3, 5]) {
      const tree = pageTree(balanced(10, 10, levels), '/')!;
      expect(tree.order.length).toBe(levels === 3 ? 1_110 : 111_110);
      // A page on the third level (two ancestors) with children of its own, and a leaf on the last.
      const inner = nodeAt(tree, '/p3/4/5/');
      expect(flattenLinks(branchSidebar(tree, inner)).length).toBe(10 + 10 + 10 + (levels > 3 ? 10 : 0));
      const leaf = tree.order.at(-1)!;
      expect(flattenLinks(branchSidebar(tree, leaf)).length).toBe(10 + 10 * leaf.depth);
    }
  });
});

describe('trees far beyond any real space', () => {
  it('goes through 10,000 levels without a stack overflow', () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => entry(i === 0 ? 'index' : `p${i}`, `Page ${i}`, String(i), i === 0 ? undefined : String(i - 1)));
    const tree = pageTree(entries, '/')!;
    expect(tree.order.length).toBe(10_000);
    const deepest = tree.order.at(-1)!;
    expect([deepest.label, deepest.depth]).toEqual(['Page 9999', 9_998]);

    const full = fullSidebar(tree);
    const marked = markCurrent(full, deepest.href);
    const links = flattenLinks(marked);
    expect(links.map((link) => link.label)).toEqual(entries.map((e) => e.data.title));
    expect(links.filter((link) => link.isCurrent).map((link) => link.label)).toEqual(['Page 9999']);

    const branch = branchSidebar(tree, deepest);
    expect(flattenLinks(branch).length).toBe(10_000);
    // Home, then one group per ancestor, each holding the next, down to the current page.
    let nesting = 0;
    for (let items = branch[1]; items?.type === 'group'; items = items.entries[1]) nesting++;
    expect(nesting).toBe(9_998);
    expect(pagination(tree, deepest).prev?.label).toBe('Page 9998');
  });

  it('goes through 20,000 siblings, keeping their order', () => {
    const entries = [entry('index', 'Home', 'home'), ...Array.from({ length: 20_000 }, (_, i) => entry(`p${i}`, `Page ${i}`, String(i), 'home', 20_000 - i))];
    const tree = pageTree(entries, '/')!;
    expect(tree.top.length).toBe(20_000);
    expect(tree.top[0]!.label).toBe('Page 19999');
    const middle = tree.top[10_000]!;
    const links = flattenLinks(markCurrent(fullSidebar(tree), middle.href));
    expect(links.length).toBe(20_001);
    expect(links.findIndex((link) => link.isCurrent)).toBe(10_001);
    expect(flattenLinks(branchSidebar(tree, middle)).map((link) => link.href)).toEqual(links.map((link) => link.href));
  });
});

/**
 * Confluence folders hold pages but are no page: Home ─ A, then folder F (position 2) holding
 * F1 and folder G (holding G1), then C. Entries name their folders from the nearest up.
 */
describe('folders', () => {
  const G = { id: '90', title: 'G folder', position: 5, parentId: '80' };
  const F = { id: '80', title: 'F folder', position: 2, parentId: '1' };
  const inFolder = (id: string, title: string, confluenceId: string, folders: { id: string; title: string; position: number; parentId?: string }[], position: number): SidebarSourceEntry => ({
    id,
    data: { title, confluence: { id: confluenceId, parentId: folders[0]!.id, position, folders } },
  });
  const space = (): SidebarSourceEntry[] => [
    entry('index', 'Home', '1'),
    entry('a', 'A', '2', '1', 1),
    entry('c', 'C', '4', '1', 3),
    inFolder('f1', 'F1', '81', [F], 1),
    inFolder('g1', 'G1', '91', [G, F], 1),
  ];

  it('show as groups in their Confluence place, with no link of their own, in the whole tree', () => {
    const tree = pageTree(space(), '/')!;
    expect(outline(fullSidebar(tree))).toEqual(['Home', 'A', { 'F folder': ['F1', { 'G folder': ['G1'] }] }, 'C']);
    expect(tree.pages).toBe(5);
    expect(flattenLinks(fullSidebar(tree)).map((l) => l.href)).toEqual(['/', '/a/', '/f1/', '/g1/', '/c/']);
  });

  it('are opened along the current branch and shown with their children off it', () => {
    const tree = pageTree(space(), '/')!;
    expect(outline(branchSidebar(tree, nodeAt(tree, '/g1/')))).toEqual(['Home', 'A', { 'F folder': ['F1', { 'G folder': ['*G1'] }] }, 'C']);
    expect(outline(branchSidebar(tree, nodeAt(tree, '/a/')))).toEqual(['Home', '*A', { 'F folder': ['F1', { 'G folder': ['G1'] }] }, 'C']);
  });

  it('are skipped by previous and next, which go from page to page', () => {
    const tree = pageTree(space(), '/')!;
    expect(pagination(tree, nodeAt(tree, '/a/')).next?.href).toBe('/f1/');
    expect(pagination(tree, nodeAt(tree, '/f1/')).next?.href).toBe('/g1/');
    expect(pagination(tree, nodeAt(tree, '/g1/')).next?.href).toBe('/c/');
    expect(pagination(tree, nodeAt(tree, '/c/')).prev?.href).toBe('/g1/');
  });

  it('nested 5,000 deep build without recursion', () => {
    const folders = Array.from({ length: 5000 }, (_, i) => ({ id: `f${i}`, title: `Folder ${i}`, position: 0, ...(i > 0 ? { parentId: `f${i - 1}` } : { parentId: '1' }) })).reverse();
    const tree = pageTree([entry('index', 'Home', '1'), entry('a', 'A', '2', '1', 1), inFolder('deep', 'Deep', '3', folders, 0)], '/')!;
    expect(flattenLinks(branchSidebar(tree, nodeAt(tree, '/a/'))).map((l) => l.href)).toEqual(['/', '/deep/', '/a/']);
    expect(flattenLinks(fullSidebar(tree)).map((l) => l.href)).toEqual(['/', '/deep/', '/a/']);
  });
});
