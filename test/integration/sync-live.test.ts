/**
 * The live pipeline against generated spaces over real HTTP: export calls meet the optimum the API
 * allows, a no-change rebuild exports nothing, and changes, deletions and moves are picked up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpace, start, type StandIn } from 'confluence-stand-in';
import { buildSpaceTree } from '../../packages/astro-loader-confluence/src/space-tree.ts';
import { optimalCallCount } from '../../packages/astro-loader-confluence/src/plan.ts';
import { createHarness, standInOptions, type Harness } from '../helpers/pipeline.ts';

function optimumFor(standIn: StandIn): number {
  const pages = standIn.space.pages().map((p) => ({ id: p.id, title: p.title, parentId: p.parentId, position: p.position, version: { number: p.version.number } }));
  return optimalCallCount(buildSpaceTree(pages));
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
    expect(standIn.counters.export).toBe(optimumFor(standIn));
    expect(result.outcome.exportCalls).toBe(standIn.counters.export);
    const published = result.outcome.decision.published.size;
    expect(result.built.entries).toHaveLength(published);
    expect(published).toBeGreaterThan(size * 0.9);
    expect(published).toBeLessThan(size);
    for (const entry of result.built.entries) {
      expect(entry.body).not.toContain('RESTRICTED-MARKER-7f3a');
      expect(entry.body).not.toContain('EXCLUDED-MARKER-2c9d');
    }
  });

  it('makes zero export calls when nothing changed', async () => {
    standIn.resetLog();
    const result = await harness.run();
    expect(standIn.counters.export).toBe(0);
    expect(result.outcome.fetched.size).toBe(0);
    expect(result.built.entries.length).toBe(result.outcome.decision.published.size);
  });

  it('re-exports one changed page with one call', async () => {
    const entries = (await harness.run()).built.entries;
    const target = entries[Math.floor(entries.length / 2)]!;
    standIn.space.updatePage(target.data.confluence.id, { body: 'A fresh paragraph written after the first sync.' });
    standIn.resetLog();
    const result = await harness.run();
    expect(standIn.counters.export).toBe(1);
    const updated = result.built.entries.find((e) => e.data.confluence.id === target.data.confluence.id)!;
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
    const pages = standIn.space.pages();
    const leaf = pages.find((p) => p.parentId && !pages.some((q) => q.parentId === p.id))!;
    const otherParent = pages.find((p) => p.parentId && p.id !== leaf.parentId && p.id !== leaf.id && !p.parentId.includes(leaf.id))!;
    const doomed = pages.find((p) => p.parentId && p.id !== leaf.id && p.id !== otherParent.id && !pages.some((q) => q.parentId === p.id))!;

    standIn.space.deletePage(doomed.id);
    standIn.space.movePage(leaf.id, otherParent.id, 999);
    standIn.resetLog();
    const result = await harness.run();
    const ids = result.built.entries.map((e) => e.data.confluence.id);
    expect(ids).not.toContain(doomed.id);
    const moved = result.built.entries.find((e) => e.data.confluence.id === leaf.id)!;
    const parentPath = result.outcome.sitePaths.paths.get(otherParent.id)!;
    expect(moved.id.startsWith(parentPath === '' ? '' : `${parentPath}/`)).toBe(true);
    expect(moved.data.confluence.parentId).toBe(otherParent.id);
  });
});
