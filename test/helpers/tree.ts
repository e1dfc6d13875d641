/**
 * Builders for Confluence page lists and space trees: readable nested specs for small cases, and
 * generated shapes (balanced, deep, flat, mixed) for the planner's sizes.
 */
import { buildSpaceTree, walkTree } from '../../packages/astro-loader-confluence/src/discover/space-tree.ts';
import type { ConfluencePage, SpaceTree } from '../../packages/astro-loader-confluence/src/types.ts';
import { createRng } from 'confluence-stand-in';

export function page(id: string, title: string, parentId?: string, position = 0, version = 1): ConfluencePage {
  return { id, title, parentId, position, status: 'current', version: { number: version } };
}

/** A nested spec: `{ 'Title': { 'Child': {} } }`. Ids are given in document order, from `firstId`. */
export type Spec = { [title: string]: Spec };

/** Pages of a nested spec, positions in spec order; ids 1, 2, 3… in depth-first order. */
export function pagesFromSpec(spec: Spec, firstId = 1): ConfluencePage[] {
  const pages: ConfluencePage[] = [];
  let next = firstId;
  const visit = (level: Spec, parentId: string | undefined) => {
    Object.entries(level).forEach(([title, kids], i) => {
      const id = String(next++);
      pages.push(page(id, title, parentId, (i + 1) * 10));
      visit(kids, id);
    });
  };
  visit(spec, undefined);
  return pages;
}

export function treeFromSpec(spec: Spec): SpaceTree {
  return buildSpaceTree(pagesFromSpec(spec));
}

/** The id of the page with this title (titles are unique in the specs tests use). */
export function idOf(tree: SpaceTree, title: string): string {
  for (const [id, p] of tree.pages) if (p.title === title) return id;
  throw new Error(`no page titled ${title}`);
}

/** A small deterministic PRNG (the stand-in's), so generated shapes are the same on every run. */
export const prng = createRng;

export type Shape = 'balanced' | 'deep' | 'flat' | 'mixed';

/**
 * `n` pages in one of the benchmark shapes, under a single home page:
 * - balanced: every page has `fanout` children, filled breadth-first;
 * - deep: chains of `chain` pages (default 50) hanging off the home page; `chain: n` is one chain;
 * - flat: every page a child of the home page;
 * - mixed: each page's parent picked at random among the pages before it (seeded).
 */
export function generatePages(shape: Shape, n: number, options: { fanout?: number; seed?: number; chain?: number } = {}): ConfluencePage[] {
  const pages: ConfluencePage[] = [page('1', 'Home')];
  const fanout = options.fanout ?? 10;
  const chain = options.chain ?? 50;
  const random = prng(options.seed ?? 42);
  const kidCount = new Map<string, number>();
  for (let i = 2; i <= n; i++) {
    let parent: number;
    if (shape === 'balanced') parent = Math.floor((i - 2) / fanout) + 1;
    else if (shape === 'flat') parent = 1;
    else if (shape === 'deep') parent = (i - 2) % chain === 0 ? 1 : i - 1;
    else parent = 1 + Math.floor(random() * (i - 1));
    const parentId = String(parent);
    const position = kidCount.get(parentId) ?? 0;
    kidCount.set(parentId, position + 1);
    pages.push(page(String(i), `Page ${i}`, parentId, position));
  }
  return pages;
}

/** Every page of the subtree rooted at `id`. */
export function subtreeOf(tree: SpaceTree, id: string): string[] {
  return [...walkTree(tree, [id])];
}

/** Fisher–Yates with the seeded PRNG: REST result order means nothing, so tests scramble it. */
export function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const out = [...items];
  const random = prng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
