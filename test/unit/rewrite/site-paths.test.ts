import { describe, expect, it } from 'vitest';
import { assignSitePaths } from '../../../packages/astro-loader-confluence/src/rewrite/site-paths.ts';
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
    expect(first.warnings[0]).toMatch(/"faq" → \/faq\/.*"FAQ" → \/faq-20\/.*"F\.A\.Q\." → \/faq-100\//);

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
