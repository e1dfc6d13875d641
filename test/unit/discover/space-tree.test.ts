import { describe, expect, it } from 'vitest';
import { ancestry, buildSpaceTree, subtreeSizes, walkTree } from '../../../packages/astro-loader-confluence/src/discover/space-tree.ts';
import { UntrustedTreeError } from '../../../packages/astro-loader-confluence/src/errors.ts';
import { generatePages, idOf, page, pagesFromSpec, shuffled, treeFromSpec } from '../../helpers/tree.ts';

const titles = (tree: ReturnType<typeof buildSpaceTree>, ids: Iterable<string>) => [...ids].map((id) => tree.pages.get(id)!.title);

describe('buildSpaceTree', () => {
  it('orders roots and siblings by position, not by input order', () => {
    const pages = [
      page('3', 'Third', undefined, 30),
      page('1', 'First', undefined, 10),
      page('12', 'B', '1', 5),
      page('11', 'A', '1', 7),
      page('2', 'Second', undefined, 20),
      page('13', 'C', '1', -1),
    ];
    for (const seed of [1, 2, 3]) {
      const tree = buildSpaceTree(shuffled(pages, seed));
      expect(titles(tree, tree.roots)).toEqual(['First', 'Second', 'Third']);
      expect(titles(tree, tree.children.get('1')!)).toEqual(['C', 'B', 'A']);
    }
  });

  it('breaks position ties by title, then id, whatever the input order', () => {
    const pages = [page('9', 'Zeta', undefined, 0), page('8', 'Alpha', undefined, 0), page('7', 'Alpha', undefined, 0)];
    expect(buildSpaceTree(pages).roots).toEqual(['7', '8', '9']);
    expect(buildSpaceTree([...pages].reverse()).roots).toEqual(['7', '8', '9']);
  });

  it('refuses a page whose parent the listing does not hold, naming both by id, never by title', () => {
    const error = (() => {
      try {
        buildSpaceTree([page('1', 'Home'), page('2', 'Secret orphan', '404', 1), page('3', 'Kid', '1')]);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(UntrustedTreeError);
    expect(error!.message).toMatch(/Page 2 has a parent the listing does not hold \(404\)/);
    expect(error!.message).not.toContain('Secret');
  });

  it('refuses a page listed twice with different parents, in either order', () => {
    for (const order of [[page('3', 'Kid', '1'), page('3', 'Kid', '2')], [page('3', 'Kid', '2'), page('3', 'Kid', '1')]]) {
      expect(() => buildSpaceTree([page('1', 'Home'), page('2', 'Other'), ...order])).toThrow(UntrustedTreeError);
    }
    expect(() => buildSpaceTree([page('1', 'Home'), page('2', 'Kid', '1'), page('2', 'Kid', '1')])).not.toThrow();
  });

  it('refuses a cycle of parent ids, even one that hangs off a real page', () => {
    expect(() => buildSpaceTree([page('1', 'Home'), page('2', 'A', '3'), page('3', 'B', '2')])).toThrow(/cycle/);
    expect(() => buildSpaceTree([page('1', 'Home'), page('2', 'Self', '2')])).toThrow(/cycle/);
  });

  it('keeps folders in the tree, and what is above a root page in `above`, nearest first', () => {
    const tree = buildSpaceTree(
      [page('1', 'Home'), { ...page('2', 'Folder', '1'), kind: 'folder' }, { ...page('3', 'Guides', '2'), parentType: 'folder' }, page('4', 'Setup', '3')],
      { rootPageId: '3' },
    );
    expect(tree.roots).toEqual(['3']);
    expect(tree.pages.get('3')!.parentId).toBeUndefined();
    expect(tree.above!.map((p) => p.id)).toEqual(['2', '1']);
  });

  it('walks a chain 10,000 levels deep and 20,000 siblings without recursion', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => page(String(i + 1), `L${i}`, i === 0 ? undefined : String(i)));
    expect(buildSpaceTree(chain, { rootPageId: '2' }).above).toHaveLength(1);
    expect(subtreeSizes(buildSpaceTree(chain)).get('1')).toBe(10_000);
    const wide = [page('1', 'Home'), ...Array.from({ length: 20_000 }, (_, i) => page(String(i + 2), `S${i}`, '1', i))];
    expect(buildSpaceTree(wide).children.get('1')).toHaveLength(20_000);
  });

  it('keeps only the root page and its descendants with rootPageId', () => {
    const tree = buildSpaceTree(pagesFromSpec({ Home: { Guides: { Setup: {}, Deploy: { Linux: {} } }, Other: { Deep: {} } } }), {
      rootPageId: '2',
      spaceKey: 'DOCS',
    });
    expect(tree.roots).toEqual(['2']);
    expect(titles(tree, tree.pages.keys()).sort()).toEqual(['Deploy', 'Guides', 'Linux', 'Setup']);
    expect(tree.children.has('1')).toBe(false);
    expect(tree.spaceKey).toBe('DOCS');
  });

  it('refuses a rootPageId that was not discovered', () => {
    expect(() => buildSpaceTree([page('1', 'Home')], { rootPageId: '99' })).toThrow(/99/);
  });

  it('records the pages above a configured root page', () => {
    expect(buildSpaceTree(pagesFromSpec({ Home: { Guides: { Setup: {} } } }), { rootPageId: '3' }).above!.map((p) => p.title)).toEqual(['Guides', 'Home']);
  });

  it('gives leaves no children entry', () => {
    const tree = treeFromSpec({ Home: { Leaf: {} } });
    expect(tree.children.get(idOf(tree, 'Leaf'))).toBeUndefined();
  });
});

describe('walkTree', () => {
  it('visits parents before children, siblings in position order', () => {
    const tree = buildSpaceTree(shuffled(pagesFromSpec({ A: { A1: { A1a: {} }, A2: {} }, B: { B1: {} } })));
    expect(titles(tree, walkTree(tree))).toEqual(['A', 'A1', 'A1a', 'A2', 'B', 'B1']);
  });

  it('walks from given pages only', () => {
    const tree = treeFromSpec({ A: { A1: { A1a: {} }, A2: {} }, B: { B1: {} } });
    expect(titles(tree, walkTree(tree, [idOf(tree, 'A1'), idOf(tree, 'B')]))).toEqual(['A1', 'A1a', 'B', 'B1']);
  });

  it('visits each of 10,000 pages once', () => {
    const tree = buildSpaceTree(generatePages('mixed', 10_000));
    const seen = [...walkTree(tree)];
    expect(seen).toHaveLength(10_000);
    expect(new Set(seen).size).toBe(10_000);
  });
});

describe('subtreeSizes', () => {
  it('counts each page with all its descendants', () => {
    const tree = treeFromSpec({ A: { A1: { A1a: {}, A1b: {} }, A2: {} }, B: {} });
    const sizes = subtreeSizes(tree);
    const by = (title: string) => sizes.get(idOf(tree, title));
    expect([by('A'), by('A1'), by('A1a'), by('A2'), by('B')]).toEqual([5, 3, 1, 1, 1]);
  });

  it('gives the single root of a generated space the whole count', () => {
    for (const shape of ['balanced', 'deep', 'flat', 'mixed'] as const) {
      const tree = buildSpaceTree(generatePages(shape, 1_000));
      expect(subtreeSizes(tree).get(tree.roots[0]!)).toBe(1_000);
    }
  });
});

describe('ancestry', () => {
  it('lists the page first, then each ancestor up to the root', () => {
    const tree = treeFromSpec({ A: { A1: { A1a: {} } } });
    expect(titles(tree, ancestry(tree, idOf(tree, 'A1a')))).toEqual(['A1a', 'A1', 'A']);
  });

  it('stops at the configured root page even though it has a parent in Confluence', () => {
    const tree = buildSpaceTree(pagesFromSpec({ Home: { Guides: { Setup: {} } } }), { rootPageId: '2' });
    expect(ancestry(tree, '3')).toEqual(['3', '2']);
  });

  it('is empty for an unknown page and terminates on a parent cycle', () => {
    const tree = treeFromSpec({ A: {} });
    expect(ancestry(tree, 'nope')).toEqual([]);
    const cyclic = { ...tree, pages: new Map([['x', page('x', 'X', 'y')], ['y', page('y', 'Y', 'x')]]) };
    expect(ancestry(cyclic, 'x')).toEqual(['x', 'y']);
  });
});
