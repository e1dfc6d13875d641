/**
 * Folder cycles in entries' `confluence.folders` (starlight/sidebar.ts): whatever the chains
 * say, the tree must be built without looping or crashing and every page linked exactly once.
 */
import { describe, expect, it } from 'vitest';
import { pagination } from '../../../packages/astro-loader-confluence/src/starlight/sidebar.ts';
import { home, hrefsOf, page } from '../../helpers/sidebar-entries.ts';

describe('FINDING: folder cycles drop pages', () => {
  it('a folder that is its own parent still shows its page', () => {
    const { tree, hrefs } = hrefsOf([home(), page('a', '2', '80', 0, [{ id: '80', title: 'Loop', position: 0, parentId: '80' }])]);
    expect(hrefs).toEqual(['/', '/a/']);
    expect(tree.pages).toBe(2);
  });

  it('two folders each other\'s parent still show their pages', () => {
    const folders = [{ id: '80', title: 'F', position: 0, parentId: '81' }, { id: '81', title: 'G', position: 0, parentId: '80' }];
    const { tree, hrefs } = hrefsOf([home(), page('a', '2', '80', 0, folders), page('b', '3', '1')]);
    expect(hrefs).toEqual(['/', '/a/', '/b/']);
    expect(tree.pages).toBe(3);
    const a = tree.order.find((n) => n.href === '/a/')!;
    const { prev, next } = pagination(tree, a);
    expect([prev?.href, next?.href].filter(Boolean).length).toBeGreaterThan(0);
  });
});
