/**
 * The planner's two safety rules, attacked: a batch never holds a page that may not be published
 * (a hole), and a bulk batch never holds siblings whose files could be confused. Each case puts
 * the hole or the confusable sibling first and last among its siblings, since an order-dependent
 * matcher fails on one of the two.
 */
import { describe, expect, it } from 'vitest';
import { ambiguousSiblings, optimalCallCount, planExports, planFacts } from '../../../packages/astro-loader-confluence/src/export/plan.ts';
import { buildSpaceTree, walkTree } from '../../../packages/astro-loader-confluence/src/discover/space-tree.ts';
import type { ConfluencePage, ExportBatch, SpaceTree } from '../../../packages/astro-loader-confluence/src/types.ts';
import { generatePages, idOf, page, pagesFromSpec, prng, type Spec } from '../../helpers/tree.ts';

const pagesOf = (tree: SpaceTree, batch: ExportBatch) => (batch.kind === 'single' ? [batch.pageId] : [...walkTree(tree, [batch.pageId])]);

/** What every plan must hold: no hole in any batch, confusable siblings never together, each page once. */
function expectSafePlan(tree: SpaceTree, publishable: ReadonlySet<string>, plan: ExportBatch[]) {
  const seen = new Map<string, number>();
  for (const batch of plan) {
    const members = pagesOf(tree, batch);
    for (const id of members) {
      expect(publishable.has(id), `batch ${batch.pageId} holds ${id}, which may not be published`).toBe(true);
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    if (batch.kind === 'subtree') {
      expect(members.some((id) => tree.pages.get(id)!.kind === 'folder')).toBe(false);
      for (const id of members) {
        const kids = tree.children.get(id) ?? [];
        expect(ambiguousSiblings(tree, kids).size, `batch ${batch.pageId} holds confusable children of ${id}`).toBe(0);
      }
    }
  }
  for (const id of publishable) expect(seen.get(id), `page ${id}`).toBe(1);
  expect(plan).toHaveLength(optimalCallCount(tree, planFacts(tree, { publishable }), undefined));
}

const treeOf = (spec: Spec) => buildSpaceTree(pagesFromSpec(spec));
const allBut = (tree: SpaceTree, ...titles: string[]) => {
  const hidden = new Set(titles.map((t) => idOf(tree, t)));
  // A hole is hereditary: everything under a left-out page is left out too.
  for (const id of [...hidden]) for (const below of walkTree(tree, [id])) hidden.add(below);
  return new Set([...tree.pages.keys()].filter((id) => !hidden.has(id)));
};

describe('holes: pages that may not be published', () => {
  for (const place of ['first', 'last'] as const) {
    it(`exports around a restricted sibling placed ${place}, never in a batch`, () => {
      const kids: Spec = place === 'first' ? { Secret: { 'Secret child': {} }, Open: { 'Open child': {} } } : { Open: { 'Open child': {} }, Secret: { 'Secret child': {} } };
      const tree = treeOf({ Home: { Guides: kids, About: {} } });
      const publishable = allBut(tree, 'Secret');
      const plan = planExports(tree, planFacts(tree, { publishable }));
      expectSafePlan(tree, publishable, plan);
      expect(plan).toEqual([
        { kind: 'single', pageId: idOf(tree, 'Home') },
        { kind: 'single', pageId: idOf(tree, 'Guides') },
        { kind: 'subtree', pageId: idOf(tree, 'Open'), pageCount: 2 },
        { kind: 'subtree', pageId: idOf(tree, 'About'), pageCount: 1 },
      ]);
    });
  }

  it('makes no call at all under a restricted home page', () => {
    const tree = treeOf({ Home: { A: { B: {} } } });
    const publishable = allBut(tree, 'Home');
    expect(planExports(tree, planFacts(tree, { publishable }))).toEqual([]);
  });

  it('an incremental plan never lets a hole ride along with a changed sibling', () => {
    const tree = treeOf({ Home: { A: {}, Secret: {}, B: {} } });
    const publishable = allBut(tree, 'Secret');
    const plan = planExports(tree, planFacts(tree, { publishable }), new Set([idOf(tree, 'A'), idOf(tree, 'B')]));
    expect(plan.flatMap((b) => pagesOf(tree, b)).sort()).toEqual([idOf(tree, 'A'), idOf(tree, 'B')].sort());
  });

  it('stays safe and minimal on many random trees with random holes', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = prng(seed);
      const pages = generatePages('mixed', 300 + seed * 20, { seed }).map((p, i) => (i > 0 && i % 4 === 0 ? { ...p, parentId: String(i) } : p));
      const tree = buildSpaceTree(pages);
      const hidden = new Set<string>();
      for (const id of walkTree(tree)) {
        const parent = tree.pages.get(id)!.parentId;
        if ((parent && hidden.has(parent)) || (id !== '1' && random() < 0.04)) hidden.add(id);
      }
      const publishable = new Set([...tree.pages.keys()].filter((id) => !hidden.has(id)));
      expectSafePlan(tree, publishable, planExports(tree, planFacts(tree, { publishable })));
    }
  });
});

describe('siblings the archive cannot tell apart', () => {
  const cases: [string, string, string][] = [
    ['the same title', 'Changelog', 'Changelog'],
    ['titles that differ only in case', 'API Guide', 'API guide'],
    ['titles that differ only in punctuation', 'C++ Style', 'C Style'],
    ['titles that do not transliterate', '日本語のガイド', '中文指南'],
    ['a title with no slug at all', '🚀', 'Launch'],
  ];
  for (const [what, first, second] of cases) {
    for (const order of ['as listed', 'reversed'] as const) {
      it(`exports ${what} (${order}) one by one, their parent alone`, () => {
        const [a, b] = order === 'as listed' ? [first, second] : [second, first];
        const pages: ConfluencePage[] = [
          page('1', 'Home'),
          page('2', 'Releases', '1', 1),
          page('3', a, '2', 1),
          page('4', b, '2', 2),
          page('5', 'Notes', '3', 1),
          page('6', 'Other', '1', 2),
        ];
        const tree = buildSpaceTree(pages);
        const publishable = new Set(tree.pages.keys());
        const confusable = ambiguousSiblings(tree, tree.children.get('2')!);
        expect(confusable.has('3') || confusable.has('4')).toBe(true);
        const plan = planExports(tree, planFacts(tree, { publishable }));
        expectSafePlan(tree, publishable, plan);
        expect(plan).toContainEqual({ kind: 'single', pageId: '2' });
        // Neither of the two is in a batch rooted above it.
        for (const batch of plan) if (batch.kind === 'subtree' && ['1', '2'].includes(batch.pageId)) throw new Error(`bulk batch at ${batch.pageId}`);
      });
    }
  }

  it('a page titled "Attachments" is never exported with its children, nor with its siblings', () => {
    const tree = buildSpaceTree([page('1', 'Home'), page('2', 'Attachments', '1', 1), page('3', 'Policy', '2', 1), page('4', 'Other', '1', 2)]);
    const publishable = new Set(tree.pages.keys());
    const plan = planExports(tree, planFacts(tree, { publishable }));
    expectSafePlan(tree, publishable, plan);
    expect(plan).toEqual([
      { kind: 'single', pageId: '1' },
      { kind: 'single', pageId: '2' },
      { kind: 'subtree', pageId: '3', pageCount: 1 },
      { kind: 'subtree', pageId: '4', pageCount: 1 },
    ]);
  });

  it('siblings with distinct titles and slugs still go in one batch', () => {
    const tree = treeOf({ Home: { 'Setup Guide': {}, 'Setup & Guide': {}, Café: {}, Cafe2: {} } });
    expect(ambiguousSiblings(tree, tree.children.get(idOf(tree, 'Home'))!).size).toBe(0);
    expect(planExports(tree)).toEqual([{ kind: 'subtree', pageId: idOf(tree, 'Home'), pageCount: 5 }]);
  });
});

describe('folders', () => {
  it('exports no folder and never a subtree that holds one; the pages in it are planned on their own', () => {
    const pages: ConfluencePage[] = [
      page('1', 'Home'),
      { ...page('2', 'Runbooks', '1', 1), kind: 'folder' },
      { ...page('3', 'Restart', '2', 1), parentType: 'folder' },
      { ...page('4', 'Failover', '2', 2), parentType: 'folder' },
      page('5', 'Step', '4', 1),
      page('6', 'About', '1', 2),
    ];
    const tree = buildSpaceTree(pages);
    const publishable = new Set(['1', '3', '4', '5', '6']);
    const plan = planExports(tree, planFacts(tree, { publishable }));
    expectSafePlan(tree, publishable, plan);
    expect(plan).toEqual([
      { kind: 'single', pageId: '1' },
      { kind: 'subtree', pageId: '3', pageCount: 1 },
      { kind: 'subtree', pageId: '4', pageCount: 2 },
      { kind: 'subtree', pageId: '6', pageCount: 1 },
    ]);
  });
});

describe('trees no recursion could walk', () => {
  it('plans a chain 10,000 pages deep', () => {
    const pages = Array.from({ length: 10_000 }, (_, i) => page(String(i + 1), `Level ${i + 1}`, i === 0 ? undefined : String(i)));
    const tree = buildSpaceTree(pages);
    const plan = planExports(tree);
    expect(plan).toHaveLength(9_901);
    expect(plan.at(-1)).toEqual({ kind: 'subtree', pageId: '9901', pageCount: 100 });
    expect(optimalCallCount(tree)).toBe(9_901);
  });

  it('plans 20,000 siblings, one call each', () => {
    const pages = [page('1', 'Home'), ...Array.from({ length: 20_000 }, (_, i) => page(String(i + 2), `Sibling ${i}`, '1', i))];
    const tree = buildSpaceTree(pages);
    expect(planExports(tree)).toHaveLength(20_001);
  });
});
