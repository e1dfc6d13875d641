import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RawCache } from '../../../packages/astro-loader-confluence/src/sync/raw-cache.ts';
import { IncompleteSyncError, syncPages, type SyncState } from '../../../packages/astro-loader-confluence/src/sync/sync.ts';
import { FakeSource } from '../../helpers/fake-source.ts';
import { useTempDirs } from '../../helpers/tmp.ts';
import { page } from '../../helpers/tree.ts';

const tempDir = useTempDirs();

/**
 * Home ─┬─ Guides ─┬─ Setup (attachment diagram.png)
 *       │          └─ Deploy
 *       ├─ HR (restricted) ── Salaries
 *       └─ Drafts (labelled) ── Idea
 */
function space(): FakeSource {
  return new FakeSource([
    { page: page('1', 'Home') },
    { page: page('2', 'Guides', '1', 1) },
    { page: page('3', 'Setup', '2', 1), attachments: { 'diagram.png': 'PNG' } },
    { page: page('4', 'Deploy', '2', 2) },
    { page: page('5', 'HR', '1', 2) },
    { page: page('6', 'Salaries', '5', 1) },
    { page: page('7', 'Drafts', '1', 3) },
    { page: page('8', 'Idea', '7', 1) },
  ]);
}
const PUBLISHED = ['1', '2', '3', '4'];
const SECRET = ['5', '6', '7', '8'];

async function setup() {
  const source = space();
  source.restricted.add('5');
  source.labelled.add('7');
  const cache = new RawCache(await tempDir('sync-'));
  return { source, cache };
}

async function cacheListing(cache: RawCache): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, prefix: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) await walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else out.push(`${prefix}${entry.name}`);
    }
  };
  await walk(cache.root, '');
  return out.sort();
}

describe('syncPages', () => {
  it('fetches every published page on the first sync, and caches them with their attachments', async () => {
    const { source, cache } = await setup();
    const outcome = await syncPages({ source, cache, key: 'FAKE' });
    expect([...outcome.fetched].sort()).toEqual(PUBLISHED);
    expect(source.requests).toEqual([PUBLISHED]);
    expect(outcome.exportCalls).toBeGreaterThan(0);
    expect(Object.keys(outcome.state.pages).sort()).toEqual(PUBLISHED);
    expect(outcome.state.pages['3']).toEqual({ version: 1, title: 'Setup', attachments: ['diagram.png'] });
    expect(await cache.readPage('4')).toBe(source.markdownOf('4'));
    expect(await readFile(cache.attachmentPath('3', 'diagram.png'), 'utf8')).toBe('PNG');
    expect(outcome.sitePaths.paths.get('3')).toBe('guides/setup');
    expect([...outcome.decision.excluded.keys()].sort()).toEqual(SECRET);
  });

  it('never asks for restricted or labelled pages, and never caches one a source delivers anyway', async () => {
    const { source, cache } = await setup();
    await syncPages({ source, cache, key: 'FAKE' });
    // Planned around: no export held a secret page.
    for (const id of SECRET) expect(source.delivered).not.toContain(id);
    // A source that delivers them anyway (a lying archive) still gets nothing cached.
    const honest = source.fetch.bind(source);
    source.fetch = async (ids, discovery, published, onPage, onProgress) => {
      for (const id of SECRET) await onPage({ id, markdown: source.markdownOf(id), attachments: [] });
      return honest(ids, discovery, published, onPage, onProgress);
    };
    await cache.prune(new Set());
    await syncPages({ source, cache, key: 'FAKE' });
    for (const id of SECRET) expect(cache.hasPage(id)).toBe(false);
    const listing = await cacheListing(cache);
    expect(listing).toEqual(['attachments/3/diagram.png', 'pages/1.md', 'pages/2.md', 'pages/3.md', 'pages/4.md']);
    for (const id of SECRET) {
      const text = source.markdownOf(id);
      for (const file of listing) expect(await readFile(join(cache.root, file), 'utf8')).not.toBe(text);
    }
  });

  it('fetches nothing on a second sync when no version changed', async () => {
    const { source, cache } = await setup();
    const first = await syncPages({ source, cache, key: 'FAKE' });
    const plans: { toFetch: number }[] = [];
    const second = await syncPages({ source, cache, key: 'FAKE', previous: first.state, onPlan: (info) => plans.push(info) });
    expect(source.requests).toHaveLength(1);
    expect(second.fetched.size).toBe(0);
    expect(second.exportCalls).toBe(0);
    expect(plans).toEqual([{ published: 4, excluded: 4, toFetch: 0 }]);
    expect(second.state).toEqual(first.state);
  });

  it('re-fetches only the page whose version changed, in one call', async () => {
    const { source, cache } = await setup();
    const first = await syncPages({ source, cache, key: 'FAKE' });
    source.edit('4', '# Deploy\n\nNew text.\n');
    const second = await syncPages({ source, cache, key: 'FAKE', previous: first.state });
    expect(source.requests.at(-1)).toEqual(['4']);
    expect(second.exportCalls).toBe(1);
    expect([...second.fetched]).toEqual(['4']);
    expect(second.state.pages['4']!.version).toBe(2);
    expect(second.state.pages['3']).toEqual(first.state.pages['3']);
    expect(await cache.readPage('4')).toBe('# Deploy\n\nNew text.\n');
  });

  it('re-fetches a page whose cache file is gone, even if its version did not change', async () => {
    const { source, cache } = await setup();
    const first = await syncPages({ source, cache, key: 'FAKE' });
    await cache.prune(new Set(['1', '2', '4']));
    const second = await syncPages({ source, cache, key: 'FAKE', previous: first.state });
    expect([...second.fetched]).toEqual(['3']);
    expect(cache.hasPage('3')).toBe(true);
  });

  it('starts afresh when the key changed', async () => {
    const { source, cache } = await setup();
    const first = await syncPages({ source, cache, key: 'FAKE' });
    const second = await syncPages({ source, cache, key: 'FAKE+no-attachments', previous: first.state });
    expect([...second.fetched].sort()).toEqual(PUBLISHED);
    expect(second.state.key).toBe('FAKE+no-attachments');
  });

  it('takes a renamed title from discovery without re-fetching', async () => {
    const { source, cache } = await setup();
    const first = await syncPages({ source, cache, key: 'FAKE' });
    source.pages.get('4')!.page.title = 'Deployment';
    const second = await syncPages({ source, cache, key: 'FAKE', previous: first.state });
    expect(second.fetched.size).toBe(0);
    expect(second.state.pages['4']!.title).toBe('Deployment');
    expect(second.sitePaths.paths.get('4')).toBe('guides/deployment');
  });

  it('prunes a deleted page and its attachments from the cache', async () => {
    const { source, cache } = await setup();
    const first = await syncPages({ source, cache, key: 'FAKE' });
    source.pages.delete('3');
    const second = await syncPages({ source, cache, key: 'FAKE', previous: first.state });
    expect(second.fetched.size).toBe(0);
    expect(Object.keys(second.state.pages).sort()).toEqual(['1', '2', '4']);
    expect(await cacheListing(cache)).toEqual(['pages/1.md', 'pages/2.md', 'pages/4.md']);
  });

  it('prunes a page that became restricted', async () => {
    const { source, cache } = await setup();
    const first = await syncPages({ source, cache, key: 'FAKE' });
    source.restricted.add('2');
    const second = await syncPages({ source, cache, key: 'FAKE', previous: first.state });
    expect(Object.keys(second.state.pages).sort()).toEqual(['1']);
    for (const id of ['2', '3', '4']) expect(cache.hasPage(id)).toBe(false);
    expect(cache.hasAttachment('3', 'diagram.png')).toBe(false);
  });

  it('refuses an incomplete export with IncompleteSyncError and keeps the previous cache', async () => {
    const { source, cache } = await setup();
    const first = await syncPages({ source, cache, key: 'FAKE' });
    const before = await cacheListing(cache);
    const setupText = await cache.readPage('3');
    source.edit('3');
    source.pages.delete('4'); // would be pruned by a successful sync
    source.drop.add('3');
    const error = await syncPages({ source, cache, key: 'FAKE', previous: first.state }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompleteSyncError);
    expect((error as IncompleteSyncError).message).toMatch(/^1 page\(s\) .*fake space FAKE: "Setup" \(3\)\.$/);
    expect((error as IncompleteSyncError).hint).toMatch(/previous content was kept/);
    expect(await cacheListing(cache)).toEqual(before);
    expect(await cache.readPage('3')).toBe(setupText);
    expect(cache.hasPage('4')).toBe(true);
  });

  it('names at most five lost pages', async () => {
    const source = new FakeSource(Array.from({ length: 8 }, (_, i) => ({ page: page(String(i + 1), `P${i + 1}`, i === 0 ? undefined : '1', i) })));
    for (const id of ['2', '3', '4', '5', '6', '7', '8']) source.drop.add(id);
    const cache = new RawCache(await tempDir('sync-'));
    const error = (await syncPages({ source, cache, key: 'K' }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(IncompleteSyncError);
    expect(error.message).toMatch(/^7 page\(s\)/);
    expect(error.message.match(/"P\d"/g)).toHaveLength(5);
    expect(error.message).toMatch(/, …\.$/);
  });

  it('lets a source failure through and prunes nothing', async () => {
    const { source, cache } = await setup();
    const first = await syncPages({ source, cache, key: 'FAKE' });
    source.edit('2');
    source.pages.delete('4');
    source.fetch = async () => {
      throw new Error('network down');
    };
    await expect(syncPages({ source, cache, key: 'FAKE', previous: first.state })).rejects.toThrow('network down');
    expect(cache.hasPage('4')).toBe(true);
  });

  it('stores prefetched pages without fetching them again', async () => {
    const { source, cache } = await setup();
    const discover = source.discover.bind(source);
    source.discover = async () => ({
      ...(await discover()),
      fromRest: false,
      prefetched: new Map(['1', '2', '3', '4', '5'].map((id) => [id, { id, markdown: source.markdownOf(id), attachments: [] }])),
    });
    const outcome = await syncPages({ source, cache, key: 'FAKE' });
    expect(source.requests).toEqual([]);
    expect(outcome.exportCalls).toBe(0);
    expect([...outcome.fetched].sort()).toEqual(PUBLISHED);
    expect(cache.hasPage('5')).toBe(false);
  });

  it('reports progress against the pages to fetch', async () => {
    const { source, cache } = await setup();
    source.fetch = async (ids, _discovery, _published, onPage, onProgress) => {
      for (const id of ids) {
        await onPage({ id, markdown: source.markdownOf(id), attachments: [] });
        onProgress?.({ batchesDone: 1, batchesTotal: ids.size, pagesDone: 1 });
      }
      return { exportCalls: ids.size, exportIds: [] };
    };
    const seen: number[] = [];
    await syncPages({ source, cache, key: 'FAKE', onProgress: (p) => seen.push(p.pagesTotal) });
    expect(seen).toEqual([4, 4, 4, 4]);
  });

  it('keeps state that round-trips through JSON', async () => {
    const { source, cache } = await setup();
    const first = await syncPages({ source, cache, key: 'FAKE' });
    const previous = JSON.parse(JSON.stringify(first.state)) as SyncState;
    const second = await syncPages({ source, cache, key: 'FAKE', previous });
    expect(second.fetched.size).toBe(0);
  });
});

describe('reserved paths', () => {
  it('keeps the slugs of the site\'s versions free: a top-level page titled like one takes another path, with a warning', async () => {
    const source = new FakeSource([{ page: page('1', 'Home') }, { page: page('2', 'v1', '1', 1) }, { page: page('3', 'Guides', '1', 2) }]);
    const cache = new RawCache(await tempDir('sync-'));
    const free = await syncPages({ source, cache, key: 'k' });
    expect(free.sitePaths.paths.get('2')).toBe('v1');
    const reserved = await syncPages({ source, cache, key: 'k', reservedPaths: ['v1'] });
    expect(reserved.sitePaths.paths.get('2')).not.toBe('v1');
    expect(reserved.sitePaths.paths.get('2')!.split('/')[0]).not.toBe('v1');
    expect(reserved.sitePaths.paths.get('3')).toBe('guides');
    expect(reserved.sitePaths.warnings.join('\n')).toMatch(/reserves .*a version/);
  });
});
