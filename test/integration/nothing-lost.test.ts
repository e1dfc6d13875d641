/**
 * Nothing lost: a sync that fails part-way (one batch failing for good after the tree changed)
 * leaves the last good content as it was — snapshot, cached attachments, sync state and Astro's
 * data store; the raw cache is as it was — and the next sync after the fault clears publishes the new content.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../helpers/dist-files.ts';
import { generateSpace, start, type StandIn } from 'confluence-stand-in';
import { rawCacheDir } from '../../packages/astro-loader-confluence/src/sync/raw-cache.ts';
import { createHarness, standInOptions, type Harness } from '../helpers/pipeline.ts';
import { buildSite } from '../helpers/site-build.ts';
import { standInEnv as siteEnv } from '../helpers/stand-in-env.ts';


describe('a sync that fails part-way, in the pipeline', () => {
  let standIn: StandIn;
  let harness: Harness;
  const snapshot = 'snapshots/latest';

  beforeAll(async () => {
    standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 260, seed: 21, attachmentRate: 0.1 }) });
    harness = createHarness(() => ({ ...standInOptions(standIn), excludeLabels: ['internal'], retryBaseDelayMs: 1, writeSnapshot: snapshot }));
  });
  afterAll(async () => {
    await standIn?.stop();
    harness?.cleanup();
  });

  it('keeps snapshot, attachments and sync state as they were (the raw cache too), then publishes once the fault clears', async () => {
    const first = await harness.run();
    const published = [...first.outcome.decision.published];
    expect(first.outcome.exportCalls).toBeGreaterThan(2);
    const cacheDir = rawCacheDir(join(harness.root, 'cache'), 'docs');
    const cacheBefore = fingerprint(cacheDir);
    const snapshotBefore = fingerprint(join(harness.root, snapshot));
    expect(Object.keys(cacheBefore).some((p) => p.startsWith('attachments/'))).toBe(true);
    expect(Object.keys(snapshotBefore).length).toBeGreaterThan(published.length);
    const stateBefore = JSON.stringify(harness.state);

    // Two pages under different children of the home page change (no batch of at most 100 pages
    // covers both), a third page is deleted; the batch holding the second fails on every attempt.
    const all = standIn.space.all();
    const home = all.find((p) => !p.parentId)!;
    const branches = all.filter((p) => p.parentId === home.id).map((p) => p.id);
    const isLeaf = (id: string) => !all.some((p) => p.parentId === id);
    const leafUnder = (branch: string, skip: string[] = []) =>
      published.find((id) => !skip.includes(id) && isLeaf(id) && standIn.space.ancestors(id).some((p) => p.id === branch))!;
    const a = leafUnder(branches[0]!);
    const b = leafUnder(branches.at(-1)!);
    const deleted = leafUnder(branches[0]!, [a]);
    standIn.space.updatePage(a, { body: 'NEW-CONTENT-A written after the first build.' });
    standIn.space.updatePage(b, { body: 'NEW-CONTENT-B written after the first build.' });
    standIn.space.deletePage(deleted);
    const stop = standIn.failAlways({ kind: 'export', pageId: b, status: 500 });
    standIn.resetLog();
    const error = await harness.run().then(() => undefined, (e: unknown) => e as Error);
    stop();
    expect(error?.name).toBe('ServerError');
    expect(error!.message).toMatch(/Gave up after 7 attempts/);
    // The other batches did run, so this really failed part-way.
    expect(standIn.log.filter((e) => e.kind === 'export' && e.status === 200).length).toBeGreaterThan(0);

    expect(fingerprint(join(harness.root, snapshot))).toEqual(snapshotBefore);
    // The state the next sync starts from is the last good one: it still records page a's old
    // version, so whatever the failed sync left in the raw cache for a is fetched again.
    expect(JSON.stringify(harness.state)).toBe(stateBefore);
    // The raw cache is byte for byte as it was: what the failed sync fetched was only staged
    // (`.staging/`, discarded by the next sync). Nothing was pruned either.
    const cacheAfter = Object.fromEntries(Object.entries(fingerprint(cacheDir)).filter(([path]) => !path.startsWith('.staging/')));
    expect(cacheAfter).toEqual(cacheBefore);
    expect(cacheAfter[`pages/${deleted}.md`]).toBe(cacheBefore[`pages/${deleted}.md`]);
    expect(harness.state!.pages[a]!.version).toBeLessThan(standIn.space.get(a)!.version.number);

    const after = await harness.run();
    const bodies = after.built!.entries.map((e) => e.body).join('\n');
    expect(bodies).toContain('NEW-CONTENT-A');
    expect(bodies).toContain('NEW-CONTENT-B');
    expect(after.built!.entries.some((e) => e.data.confluence.id === deleted)).toBe(false);
    expect(fingerprint(join(harness.root, snapshot))).not.toEqual(snapshotBefore);
  });
});

describe('a failed astro build', () => {
  let standIn: StandIn;
  beforeAll(async () => {
    standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: 30, seed: 8, attachmentRate: 0.2 }) });
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  it('leaves the data store and raw cache of the last good build untouched, and the next build publishes', async () => {
    const first = await buildSite('nothing-lost-1', siteEnv(standIn));
    expect(first.code, first.output).toBe(0);
    const storeBefore = fingerprint(first.cacheDir);
    expect(Object.keys(storeBefore).some((p) => p.includes('data-store'))).toBe(true);

    const page = standIn.space.all().find((p) => p.parentId && !standIn.space.isEffectivelyRestricted(p.id) && !p.labels.includes('internal'))!;
    standIn.space.updatePage(page.id, { body: 'NEW-CONTENT-BUILD after the first build.' });
    const stop = standIn.failAlways({ kind: 'export', pageId: page.id, status: 400 });
    const failed = await buildSite('nothing-lost-2', siteEnv(standIn), { cacheDir: first.cacheDir });
    stop();
    expect(failed.code).not.toBe(0);
    expect(fingerprint(first.cacheDir)).toEqual(storeBefore);

    const again = await buildSite('nothing-lost-3', siteEnv(standIn), { cacheDir: first.cacheDir });
    expect(again.code, again.output).toBe(0);
    const slug = readdirSync(again.outDir, { recursive: true }).find((f) => String(f).endsWith('index.html') && readFileSync(join(again.outDir, String(f)), 'utf8').includes('NEW-CONTENT-BUILD'));
    expect(slug).toBeDefined();
  }, 600_000); // site builds run one at a time (site-build.ts), so these may first wait for others
});
