/**
 * Messy folder data in entries' `confluence.folders` (starlight/sidebar.ts): whatever the chains
 * say, the tree must be built without looping or crashing and every page linked exactly once.
 */
import { describe, expect, it } from 'vitest';
import { branchSidebar, flattenLinks, pathKey } from '../../../packages/astro-loader-confluence/src/starlight/sidebar.ts';
import { home, hrefsOf, page } from '../../helpers/sidebar-entries.ts';

describe('folder attacks that hold', () => {
  it('two entries naming one folder with different titles: one group, both pages in it', () => {
    const { tree, hrefs } = hrefsOf([home(), page('p', '2', '80', 0, [{ id: '80', title: 'One', position: 1, parentId: '1' }]), page('q', '3', '80', 1, [{ id: '80', title: 'Two', position: 1, parentId: '1' }])]);
    expect(hrefs).toEqual(['/', '/p/', '/q/']);
    expect(tree.order.filter((n) => n.folder).length).toBe(1);
  });

  it('a folder with the id of a page: the page stands, its children under it', () => {
    const { tree, hrefs } = hrefsOf([home(), page('a', '2', '1'), page('b', '3', '2', 0, [{ id: '2', title: 'Fake', position: 0, parentId: '1' }])]);
    expect(hrefs).toEqual(['/', '/a/', '/b/']);
    expect(tree.order.some((n) => n.folder)).toBe(false);
  });

  it('a chain of folders holding no page adds no link and no page', () => {
    const folders = [{ id: '82', title: 'Inner', position: 0, parentId: '81' }, { id: '81', title: 'Outer', position: 0, parentId: '1' }];
    const { tree, hrefs } = hrefsOf([home(), page('a', '2', '1', 0, folders)]);
    expect(hrefs).toEqual(['/', '/a/']);
    expect(tree.pages).toBe(2);
  });

  it('20,000 sibling folders, each holding one page', () => {
    const entries = [home(), ...Array.from({ length: 20_000 }, (_, i) => page(`p${i}`, `${10_000 + i}`, `f${i}`, 0, [{ id: `f${i}`, title: `F${i}`, position: i, parentId: '1' }]))];
    const { tree, hrefs } = hrefsOf(entries);
    expect(hrefs.length).toBe(20_001);
    expect(new Set(hrefs).size).toBe(20_001);
    expect(flattenLinks(branchSidebar(tree, tree.byPath.get(pathKey('/p19999/')))).map((l) => l.href)).toContain('/p19999/');
  });
});

