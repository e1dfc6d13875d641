/**
 * The live pipeline against generated spaces over real HTTP: export calls meet the optimum the API
 * allows, a no-change rebuild exports nothing, and changes, deletions and moves are picked up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpace, start, type StandIn } from 'confluence-stand-in';
import { buildSpaceTree } from '../../packages/astro-loader-confluence/src/discover/space-tree.ts';
import { optimalCallCount, planFacts } from '../../packages/astro-loader-confluence/src/export/plan.ts';
import { createHarness, standInOptions, type Harness } from '../helpers/pipeline.ts';

/** Pages a reader may see, by the stand-in's own model: not restricted, no excluded label, themselves or above. */
function publicIds(standIn: StandIn, label: string): Set<string> {
  const hidden = (id: string) =>
    standIn.space.isEffectivelyRestricted(id) ||
    [standIn.space.get(id)!, ...standIn.space.ancestors(id)].some((page) => page.labels.includes(label));
  return new Set(standIn.space.all().filter((page) => !hidden(page.id)).map((page) => page.id));
}

/** The fewest calls that fetch `only` without exporting a page outside `visible` or confusable siblings together, by the stand-in's own model. */
function optimumFor(standIn: StandIn, visible: Set<string>, only = visible): number {
  const pages = standIn.space.all().map((p) => ({ id: p.id, title: p.title, parentId: p.parentId, position: p.position, version: { number: p.version.number } }));
  const tree = buildSpaceTree(pages);
  return optimalCallCount(tree, planFacts(tree, { publishable: visible }), only);
}

describe.each([
  { shape: 'balanced', size: 250 },
  { shape: 'mixed', size: 1000 },
  { shape: 'deep', size: 1000 },
  { shape: 'flat', size: 1000 },
] as const)('a generated $shape space of $size pages', ({ shape, size }) => {
  let standIn: StandIn;
  let harness: Harness;

  beforeAll(async () => {
    standIn = await start({ port: 0, space: generateSpace({ shape, size, seed: 7 }) });
    harness = createHarness(() => ({ ...standInOptions(standIn), excludeLabels: ['internal'] }));
  });
  afterAll(async () => {
    await standIn.stop();
    harness.cleanup();
  });

  it('exports with the fewest calls the API allows and publishes every public page', async () => {
    const result = await harness.run();
    const visible = publicIds(standIn, 'internal');
    expect(visible.size).toBeLessThan(size);
    expect(new Set(result.outcome.decision.published)).toEqual(visible);
    expect(standIn.counters.export).toBe(optimumFor(standIn, visible));
    expect(result.outcome.exportCalls).toBe(standIn.counters.export);
    // Not one export answer held a page a reader may not see.
    expect(standIn.exportedPageIds().filter((id) => !visible.has(id))).toEqual([]);
    // Restrictions and labels came in bulk: REST calls stay within pages/25 + 10.
    expect(standIn.counters.rest).toBeLessThanOrEqual(size / 25 + 10);
    expect(result.built!.entries).toHaveLength(visible.size);
    for (const entry of result.built!.entries) {
      expect(entry.body).not.toContain('RESTRICTED-MARKER-7f3a');
      expect(entry.body).not.toContain('EXCLUDED-MARKER-2c9d');
    }
  });

  it('makes zero export calls when nothing changed', async () => {
    standIn.resetLog();
    const result = await harness.run();
    expect(standIn.counters.export).toBe(0);
    expect(standIn.counters.rest).toBeLessThanOrEqual(size / 25 + 10);
    expect(result.outcome.fetched.size).toBe(0);
    // Nothing changed, so the entries of the previous sync stand and nothing is rewritten.
    expect(result.built).toBeNull();
  });

  it('re-exports one changed page with one call', async () => {
    const ids = [...(await harness.run()).outcome.decision.published];
    const targetId = ids[Math.floor(ids.length / 2)]!;
    standIn.space.updatePage(targetId, { body: 'A fresh paragraph written after the first sync.' });
    standIn.resetLog();
    const result = await harness.run();
    expect(standIn.counters.export).toBe(1);
    const updated = result.built!.entries.find((e) => e.data.confluence.id === targetId)!;
    expect(updated.body).toContain('A fresh paragraph written after the first sync.');
  });
});

describe('changes between builds', () => {
  let standIn: StandIn;
  let harness: Harness;
  beforeAll(async () => {
    standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 60, seed: 3, restrictedCount: 0, excludedCount: 0 }) });
    harness = createHarness(() => standInOptions(standIn));
    await harness.run();
  });
  afterAll(async () => {
    await standIn.stop();
    harness.cleanup();
  });

  it('drops a deleted page and puts a moved one under its new parent', async () => {
    const pages = standIn.space.all();
    const leaf = pages.find((p) => p.parentId && !pages.some((q) => q.parentId === p.id))!;
    const otherParent = pages.find((p) => p.parentId && p.id !== leaf.parentId && p.id !== leaf.id && !p.parentId.includes(leaf.id))!;
    const doomed = pages.find((p) => p.parentId && p.id !== leaf.id && p.id !== otherParent.id && !pages.some((q) => q.parentId === p.id))!;

    standIn.space.deletePage(doomed.id);
    standIn.space.movePage(leaf.id, otherParent.id, 999);
    standIn.resetLog();
    const result = await harness.run();
    const ids = result.built!.entries.map((e) => e.data.confluence.id);
    expect(ids).not.toContain(doomed.id);
    const moved = result.built!.entries.find((e) => e.data.confluence.id === leaf.id)!;
    const parentPath = result.outcome.sitePaths.paths.get(otherParent.id)!;
    expect(moved.id.startsWith(parentPath === '' ? '' : `${parentPath}/`)).toBe(true);
    expect(moved.data.confluence.parentId).toBe(otherParent.id);
  });
});
