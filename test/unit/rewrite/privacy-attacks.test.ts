/**
 * Attacks on site paths (issue 10, contract §5: every published page has its own URL, and no page
 * takes a route the site or Starlight owns). A test titled "FINDING:" failed when written.
 */
import { describe, expect, it } from 'vitest';
import { buildSpaceTree } from '../../../packages/astro-loader-confluence/src/discover/space-tree.ts';
import { entryId } from '../../../packages/astro-loader-confluence/src/entries.ts';
import { assignSitePaths } from '../../../packages/astro-loader-confluence/src/rewrite/site-paths.ts';
import { page } from '../../helpers/tree.ts';

describe('site paths', () => {
  const tree = buildSpaceTree([
    page('1', 'Home'),
    page('2', 'Index', '1', 1),
    page('3', 'Guide', '1', 2),
    page('4', 'index', '3', 1),
    page('5', '404', '1', 3),
  ]);
  const { paths } = assignSitePaths(tree, new Set(['1', '2', '3', '4', '5']));
  const ids = new Map([...paths].map(([id, path]) => [id, entryId(path)]));

  it('FINDING: a page titled "Index" gets an entry id of its own, not the home page\'s ("index")', () => {
    expect(ids.get('2')).not.toBe(ids.get('1'));
  });

  it('FINDING: no entry id ends in "/index", which Starlight serves at its parent\'s URL', () => {
    expect([...ids.values()].filter((id) => id.endsWith('/index'))).toEqual([]);
  });

  it('FINDING: a page titled "404" does not become the site\'s 404 page (Starlight uses the entry "404" for every unknown URL)', () => {
    expect(ids.get('5')).not.toBe('404');
  });
});
