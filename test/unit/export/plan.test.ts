import { describe, expect, it } from 'vitest';
import { MAX_PAGES_PER_EXPORT } from '../../../packages/astro-loader-confluence/src/app-limits.ts';
import {
  ambiguousSiblings,
  optimalCallCount,
  planExports,
  planFacts,
  splitBatch,
} from '../../../packages/astro-loader-confluence/src/export/plan.ts';
import { buildSpaceTree, subtreeSizes, walkTree } from '../../../packages/astro-loader-confluence/src/discover/space-tree.ts';
import type { ExportBatch, SpaceTree } from '../../../packages/astro-loader-confluence/src/types.ts';
import { generatePages, idOf, page, subtreeOf, treeFromSpec, type Shape } from '../../helpers/tree.ts';

/** Pages each batch exports. */
function pagesOf(tree: SpaceTree, batch: ExportBatch): string[] {
  if (batch.kind === 'single') return [batch.pageId];
  if (batch.kind === 'subtree') return subtreeOf(tree, batch.pageId);
  return [...walkTree(tree)];
}

/**
 * The properties that make a full plan right and minimal, checked from the tree itself: every page
 * in exactly one batch; each subtree batch within the limit and maximal (its parent is too big to
 * take it along); each single only where the subtree is too big.
 */
function expectMinimalCover(tree: SpaceTree, batches: ExportBatch[], limit = MAX_PAGES_PER_EXPORT) {
  const sizes = subtreeSizes(tree);
  const count = new Map<string, number>();
  for (const batch of batches) {
    for (const id of pagesOf(tree, batch)) count.set(id, (count.get(id) ?? 0) + 1);
    if (batch.kind === 'subtree') {
      expect(batch.pageCount).toBe(sizes.get(batch.pageId));
      expect(batch.pageCount).toBeLessThanOrEqual(limit);
      const parent = tree.pages.get(batch.pageId)!.parentId;
      if (parent !== undefined && tree.pages.has(parent)) expect(sizes.get(parent)!).toBeGreaterThan(limit);
    } else {
      expect(batch.kind).toBe('single');
      expect(sizes.get(batch.pageId)!).toBeGreaterThan(limit);
    }
  }
  expect(count.size).toBe(tree.pages.size);
  for (const [id, n] of count) {
    if (n !== 1) throw new Error(`page ${id} is exported ${n} times`);
  }
}

describe('planExports over whole trees', () => {
  it('exports a space of ≤100 pages in one subtree call per root', () => {
    const tree = buildSpaceTree(generatePages('balanced', 100));
    expect(planExports(tree)).toEqual([{ kind: 'subtree', pageId: '1', pageCount: 100 }]);
    const twoRoots = treeFromSpec({ A: { A1: {} }, B: {} });
    expect(planExports(twoRoots).map((b) => b.pageId)).toEqual([idOf(twoRoots, 'A'), idOf(twoRoots, 'B')]);
  });

  it('exports a 101-page home alone and its children as subtrees', () => {
    const tree = buildSpaceTree(generatePages('balanced', 101));
    const plan = planExports(tree);
    expect(plan[0]).toEqual({ kind: 'single', pageId: '1' });
    expect(plan).toHaveLength(1 + tree.children.get('1')!.length);
    expectMinimalCover(tree, plan);
  });

  it('needs 1 + 10 + 100 calls for a full 10-ary tree of 1,111 pages', () => {
    const tree = buildSpaceTree(generatePages('balanced', 1_111, { fanout: 10 }));
    const plan = planExports(tree);
    expect(plan.filter((b) => b.kind === 'single')).toHaveLength(11);
    expect(plan.filter((b) => b.kind === 'subtree')).toHaveLength(100);
    expect(optimalCallCount(tree)).toBe(111);
  });

  it('needs one call per page of a flat space over 100 pages', () => {
    const tree = buildSpaceTree(generatePages('flat', 1_000));
    expect(planExports(tree)).toHaveLength(1_000);
    expect(optimalCallCount(tree)).toBe(1_000);
  });

  it('exports a single chain of 1,000 pages as 900 singles and one subtree of the last 100', () => {
    const tree = buildSpaceTree(generatePages('deep', 1_000, { chain: 1_000 }));
    const plan = planExports(tree);
    expect(plan).toHaveLength(901);
    expect(plan.at(-1)).toEqual({ kind: 'subtree', pageId: '901', pageCount: 100 });
    expectMinimalCover(tree, plan);
  });

  const shapes: [Shape, number, object][] = [
    ['balanced', 1_000, {}],
    ['balanced', 10_000, {}],
    ['balanced', 1_000, { fanout: 3 }],
    ['deep', 1_000, {}],
    ['deep', 1_000, { chain: 150 }],
    ['flat', 1_000, {}],
    ['mixed', 1_000, { seed: 1 }],
    ['mixed', 10_000, { seed: 2 }],
  ];
  it.each(shapes)('plans %s-%i %o with the optimal number of calls, covering every page once', (shape, n, options) => {
    const tree = buildSpaceTree(generatePages(shape, n, options));
    const plan = planExports(tree);
    expect(plan).toHaveLength(optimalCallCount(tree));
    expectMinimalCover(tree, plan);
  });

  it('stays minimal on many random shapes whose subtrees straddle the limit', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const n = 50 + seed * 37;
      // Few children per page make subtrees of all sizes around 100.
      const pages = generatePages('mixed', n, { seed }).map((p, i) =>
        i > 0 && i % 3 === 0 ? { ...p, parentId: String(i) } : p,
      );
      const tree = buildSpaceTree(pages);
      const plan = planExports(tree);
      expect(plan).toHaveLength(optimalCallCount(tree));
      expectMinimalCover(tree, plan);
    }
  });

  it('honours a smaller maxPages, and never more than 100', () => {
    const tree = buildSpaceTree(generatePages('balanced', 1_000, { fanout: 4 }));
    const plan = planExports(tree, planFacts(tree, { maxPages: 10 }));
    expect(plan).toHaveLength(optimalCallCount(tree, planFacts(tree, { maxPages: 10 })));
    expectMinimalCover(tree, plan, 10);
    expect(planExports(tree, planFacts(tree, { maxPages: 500 }))).toEqual(planExports(tree));
  });

  it('gives the same plan with precomputed facts, whose sizes are the subtree sizes', () => {
    const tree = buildSpaceTree(generatePages('mixed', 2_000));
    const facts = planFacts(tree);
    expect(planExports(tree, facts)).toEqual(planExports(tree));
    expect(facts.sizes).toEqual(subtreeSizes(tree));
  });

  it('plans nothing for an empty tree', () => {
    expect(planExports(buildSpaceTree([]))).toEqual([]);
  });
});

describe('planExports with only (incremental)', () => {
  const big = () => buildSpaceTree(generatePages('balanced', 10_000));

  it('makes no call when nothing changed', () => {
    expect(planExports(big(), planFacts(big()), new Set())).toEqual([]);
  });

  it('makes one call, for that page alone, when one page changed', () => {
    const tree = big();
    for (const id of ['1', '5', '250', '9999']) {
      expect(planExports(tree, planFacts(tree), new Set([id]))).toEqual([{ kind: 'single', pageId: id }]);
    }
  });

  it('makes one call for changed pages under one small subtree, covering them all', () => {
    const tree = big();
    const sizes = subtreeSizes(tree);
    const small = [...tree.pages.keys()].find((id) => sizes.get(id)! > 20 && sizes.get(id)! <= 100)!;
    const members = subtreeOf(tree, small);
    const changed = new Set([members[3]!, members.at(-1)!, members[10]!]);
    const plan = planExports(tree, planFacts(tree), changed);
    expect(plan).toHaveLength(1);
    const covered = new Set(pagesOf(tree, plan[0]!));
    for (const id of changed) expect(covered.has(id)).toBe(true);
    expect(plan[0]!.kind).toBe('subtree');
    expect((plan[0] as { pageCount: number }).pageCount).toBeLessThanOrEqual(sizes.get(small)!);
  });

  it('exports the lowest common ancestor of two changed siblings, not the whole small subtree', () => {
    const tree = treeFromSpec({ Home: { Guides: { Setup: { Linux: {}, Mac: {} }, Deploy: {} } } });
    const plan = planExports(tree, planFacts(tree), new Set([idOf(tree, 'Linux'), idOf(tree, 'Mac')]));
    expect(plan).toEqual([{ kind: 'subtree', pageId: idOf(tree, 'Setup'), pageCount: 3 }]);
  });

  it('makes one call per small subtree that holds changes, and a single for a changed big page', () => {
    const tree = big();
    const sizes = subtreeSizes(tree);
    const smalls = [...tree.pages.keys()].filter((id) => sizes.get(id) === 11 && tree.pages.get(id)!.parentId !== undefined);
    const [a, b] = [smalls[0]!, smalls[50]!];
    const changed = new Set([subtreeOf(tree, a)[1]!, subtreeOf(tree, a)[2]!, subtreeOf(tree, b)[0]!, '1']);
    const plan = planExports(tree, planFacts(tree), changed);
    expect(plan).toHaveLength(3);
    const covered = new Set(plan.flatMap((batch) => pagesOf(tree, batch)));
    for (const id of changed) expect(covered.has(id)).toBe(true);
    for (const batch of plan) {
      if (batch.kind === 'subtree') expect(batch.pageCount).toBeLessThanOrEqual(MAX_PAGES_PER_EXPORT);
    }
  });

  it('meets optimalCallCount over the changed pages, on every shape and change set', () => {
    for (const [shape, n] of [['balanced', 10_000], ['mixed', 3_000], ['flat', 1_000], ['deep', 1_000]] as const) {
      const tree = buildSpaceTree(generatePages(shape, n, { chain: 300 }));
      const ids = [...tree.pages.keys()];
      expect(optimalCallCount(tree, planFacts(tree), new Set())).toBe(0);
      for (const k of [1, 5, 50, 500]) {
        const only = new Set(ids.filter((_, i) => (i * 104729) % ids.length < k));
        expect(planExports(tree, planFacts(tree), only)).toHaveLength(optimalCallCount(tree, planFacts(tree), only));
      }
      const all = new Set(ids);
      expect(optimalCallCount(tree, planFacts(tree), all)).toBe(optimalCallCount(tree));
    }
  });

  it('never costs more calls than a full plan, and covers every changed page', () => {
    const tree = buildSpaceTree(generatePages('mixed', 3_000, { seed: 9 }));
    const ids = [...tree.pages.keys()];
    const full = planExports(tree).length;
    for (let k = 1; k <= 400; k *= 3) {
      const changed = new Set(ids.filter((_, i) => (i * 7919) % ids.length < k));
      const plan = planExports(tree, planFacts(tree), changed);
      expect(plan.length).toBeLessThanOrEqual(Math.min(full, changed.size));
      const covered = new Set(plan.flatMap((batch) => pagesOf(tree, batch)));
      for (const id of changed) expect(covered.has(id)).toBe(true);
    }
  });
});

describe('splitBatch', () => {
  it('splits a subtree into its root alone and one subtree per child, covering the same pages', () => {
    const tree = treeFromSpec({ Home: { A: { A1: {}, A2: {} }, B: {}, C: { C1: {} } } });
    const home = idOf(tree, 'Home');
    const parts = splitBatch(tree, { kind: 'subtree', pageId: home, pageCount: 7 }, subtreeSizes(tree));
    expect(parts).toEqual([
      { kind: 'single', pageId: home },
      { kind: 'subtree', pageId: idOf(tree, 'A'), pageCount: 3 },
      { kind: 'subtree', pageId: idOf(tree, 'B'), pageCount: 1 },
      { kind: 'subtree', pageId: idOf(tree, 'C'), pageCount: 2 },
    ]);
    expect(parts.flatMap((p) => pagesOf(tree, p)).sort()).toEqual(subtreeOf(tree, home).sort());
  });

  it('cannot split a single page or a one-page subtree', () => {
    const tree = treeFromSpec({ Home: { A: {} } });
    expect(splitBatch(tree, { kind: 'single', pageId: idOf(tree, 'Home') }, subtreeSizes(tree))).toEqual([]);
    expect(splitBatch(tree, { kind: 'subtree', pageId: idOf(tree, 'A'), pageCount: 1 }, subtreeSizes(tree))).toEqual([]);
  });

  it('splits down to single pages in finitely many rounds', () => {
    const tree = buildSpaceTree([page('1', 'Home'), ...Array.from({ length: 30 }, (_, i) => page(String(i + 2), `P${i}`, String(Math.floor(i / 3) + 1), i))]);
    let batches: ExportBatch[] = planExports(tree);
    for (let round = 0; round < 40; round++) {
      batches = batches.flatMap((b) => {
        const parts = splitBatch(tree, b, subtreeSizes(tree));
        return parts.length > 0 ? parts : [b];
      });
    }
    expect(batches.every((b) => b.kind === 'single' || (b.kind === 'subtree' && b.pageCount === 1))).toBe(true);
    expect(batches.flatMap((b) => pagesOf(tree, b)).sort()).toEqual([...tree.pages.keys()].sort());
  });
});
