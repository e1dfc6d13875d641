import { describe, expect, it } from 'vitest';
import { decidePublication } from '../../../packages/astro-loader-confluence/src/discover/publish-filter.ts';
import { buildSpaceTree } from '../../../packages/astro-loader-confluence/src/discover/space-tree.ts';
import { idOf, page, pagesFromSpec, treeFromSpec } from '../../helpers/tree.ts';

const tree = () => treeFromSpec({ Home: { Public: { Deep: {} }, HR: { Salaries: { '2024': {} } }, Drafts: { Idea: {} } } });
const none = new Set<string>();

describe('decidePublication', () => {
  it('publishes everything when nothing is restricted or labelled', () => {
    const t = tree();
    const { published, excluded } = decidePublication(t, { restricted: none, labelled: none });
    expect(published.size).toBe(t.pages.size);
    expect(excluded.size).toBe(0);
  });

  it('leaves out a restricted page and every descendant, as restricted', () => {
    const t = tree();
    const { published, excluded } = decidePublication(t, { restricted: new Set([idOf(t, 'HR')]), labelled: none });
    for (const title of ['HR', 'Salaries', '2024']) {
      expect(published.has(idOf(t, title))).toBe(false);
      expect(excluded.get(idOf(t, title))).toBe('restricted');
    }
    for (const title of ['Home', 'Public', 'Deep', 'Drafts', 'Idea']) expect(published.has(idOf(t, title))).toBe(true);
  });

  it('leaves out a labelled page and every descendant, as excluded-label', () => {
    const t = tree();
    const { published, excluded } = decidePublication(t, { restricted: none, labelled: new Set([idOf(t, 'Drafts')]) });
    expect(published.has(idOf(t, 'Idea'))).toBe(false);
    expect(excluded.get(idOf(t, 'Drafts'))).toBe('excluded-label');
    expect(excluded.get(idOf(t, 'Idea'))).toBe('excluded-label');
    expect(published.size + excluded.size).toBe(t.pages.size);
  });

  it('gives descendants the reason of the topmost excluded ancestor', () => {
    const t = tree();
    const decision = decidePublication(t, {
      restricted: new Set([idOf(t, '2024')]),
      labelled: new Set([idOf(t, 'HR')]),
    });
    expect(decision.excluded.get(idOf(t, 'HR'))).toBe('excluded-label');
    expect(decision.excluded.get(idOf(t, '2024'))).toBe('excluded-label');
  });

  it('calls a page that is both restricted and labelled restricted', () => {
    const t = tree();
    const id = idOf(t, 'Deep');
    expect(decidePublication(t, { restricted: new Set([id]), labelled: new Set([id]) }).excluded.get(id)).toBe('restricted');
  });

  it('publishes nothing when the home page is restricted', () => {
    const t = tree();
    const { published, excluded } = decidePublication(t, { restricted: new Set([idOf(t, 'Home')]), labelled: none });
    expect(published.size).toBe(0);
    expect(excluded.size).toBe(t.pages.size);
  });

  it('ignores ids that are not in the tree', () => {
    const t = tree();
    expect(decidePublication(t, { restricted: new Set(['999']), labelled: new Set(['998']) }).published.size).toBe(t.pages.size);
  });
});

describe('folders and what sits above a root page', () => {
  const folderTree = () =>
    buildSpaceTree([
      page('1', 'Home'),
      { ...page('2', 'Runbooks', '1', 1), kind: 'folder' },
      { ...page('3', 'Restart', '2', 1), parentType: 'folder' },
      { ...page('4', 'Empty folder', '1', 2), kind: 'folder' },
      { ...page('5', 'Hidden only', '1', 3), kind: 'folder' },
      { ...page('6', 'Secret', '5', 1), parentType: 'folder' },
    ]);

  it('publishes the pages in a folder and shows the folder, but never a folder as a page', () => {
    const decision = decidePublication(folderTree(), { restricted: new Set(['6']), labelled: none });
    expect([...decision.published].sort()).toEqual(['1', '3']);
    expect([...decision.folders]).toEqual(['2']);
  });

  it('leaves out everything under a restricted or labelled folder', () => {
    for (const input of [{ restricted: new Set(['2']), labelled: none }, { restricted: none, labelled: new Set(['2']) }]) {
      const decision = decidePublication(folderTree(), input);
      expect(decision.published.has('3')).toBe(false);
      expect(decision.excluded.get('3')).toBe(decision.excluded.get('2'));
      expect(decision.folders.has('2')).toBe(false);
    }
  });

  it('leaves out a whole root-page tree when a page or folder above it is restricted', () => {
    const t = buildSpaceTree(pagesFromSpec({ Home: { Private: { Guides: { Setup: {} } } } }), { rootPageId: '3' });
    const decision = decidePublication(t, { restricted: new Set(['2']), labelled: none });
    expect(decision.published.size).toBe(0);
    expect(decision.excluded.get('4')).toBe('restricted');
    expect(decidePublication(t, { restricted: none, labelled: none }).published.size).toBe(2);
  });

  it('walks a chain 10,000 levels deep without recursion', () => {
    const chain = buildSpaceTree(Array.from({ length: 10_000 }, (_, i) => page(String(i + 1), `L${i}`, i === 0 ? undefined : String(i))));
    const decision = decidePublication(chain, { restricted: new Set(['5000']), labelled: none });
    expect(decision.published.size).toBe(4_999);
    expect(decision.excluded.get('10000')).toBe('restricted');
  });
});
