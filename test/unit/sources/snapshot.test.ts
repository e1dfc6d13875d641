import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../packages/astro-loader-confluence/src/errors.ts';
import type { FetchedPage } from '../../../packages/astro-loader-confluence/src/sync/page-source.ts';
import { RawCache } from '../../../packages/astro-loader-confluence/src/sync/raw-cache.ts';
import {
  createSnapshotSource,
  MANIFEST,
  newestSnapshot,
  readManifest,
  writeSnapshot,
} from '../../../packages/astro-loader-confluence/src/sources/snapshot.ts';
import { syncPages } from '../../../packages/astro-loader-confluence/src/sync/sync.ts';
import { FakeSource } from '../../helpers/fake-source.ts';
import { useTempDirs } from '../../helpers/tmp.ts';
import { page } from '../../helpers/tree.ts';

/** These tests are about the snapshot's files and manifest; scrubbing is tested in test/unit/rewrite/scrub.test.ts. */
const asExported = (_pageId: string, markdown: string) => markdown;

const tempDir = useTempDirs();

function space(): FakeSource {
  const source = new FakeSource([
    { page: page('1', 'Home') },
    { page: page('2', 'Guides', '1', 2), attachments: { 'diagram.png': 'PNG-2', 'notes v1.pdf': 'PDF' } },
    { page: page('3', 'Setup', '2', 1), attachments: { 'diagram.png': 'PNG-3' } },
    { page: page('4', 'Intro', '1', 1) },
    { page: page('5', 'Secret', '1', 3), markdown: '# Secret\n\nSALARY-TABLE\n' },
    { page: page('6', 'Below secret', '5', 1), markdown: '# Below secret\n\nSALARY-DETAIL\n' },
  ]);
  source.restricted.add('5');
  return source;
}

async function synced() {
  const work = await tempDir('snap-');
  const source = space();
  const cache = new RawCache(join(work, 'cache'));
  const outcome = await syncPages({ source, cache, key: 'FAKE' });
  return { work, source, cache, outcome };
}

async function collect(source: ReturnType<typeof createSnapshotSource>, ids: Iterable<string>): Promise<Map<string, FetchedPage>> {
  const pages = new Map<string, FetchedPage>();
  const discovery = await source.discover();
  await source.fetch(new Set(ids), discovery, new Set(ids), async (p) => void pages.set(p.id, p));
  return pages;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('snapshots', () => {
  it('round-trips: written from a sync, read back, delivering identical pages', async () => {
    const { work, source, cache, outcome } = await synced();
    const dir = join(work, 'snapshots', 'v1');
    const written = await writeSnapshot(dir, outcome, cache, { spaceKey: 'FAKE', site: 'acme.atlassian.net' }, asExported, new Date('2025-03-01T10:00:00Z'));
    const manifest = await readManifest(dir);
    expect(manifest).toEqual(written);
    expect(manifest).toMatchObject({ format: 1, takenAt: '2025-03-01T10:00:00.000Z', source: { spaceKey: 'FAKE' }, roots: ['1'] });
    expect(manifest.tool).toMatch(/^astro-loader-confluence@\d/);
    expect(manifest.exportIds).toEqual(outcome.exportIds);
    expect(manifest.exportIds!.length).toBe(outcome.exportCalls);
    expect(manifest.exportIds!.length).toBeGreaterThan(0);
    expect(manifest.pages.map((p) => p.id).sort()).toEqual(['1', '2', '3', '4']);
    expect(manifest.attachments).toEqual({ '2': ['diagram.png', 'notes v1.pdf'], '3': ['diagram.png'] });

    const snapshot = createSnapshotSource(dir, manifest);
    const discovery = await snapshot.discover();
    expect(discovery.tree.roots).toEqual(['1']);
    expect(discovery.tree.children.get('1')).toEqual(['4', '2']);
    const pages = await collect(snapshot, ['1', '2', '3', '4']);
    for (const id of ['1', '2', '3', '4']) {
      expect(pages.get(id)!.markdown).toBe(source.markdownOf(id));
    }
    const text = (p: FetchedPage) => Object.fromEntries(p.attachments.map((a) => [a.fileName, new TextDecoder().decode('data' in a ? a.data : new Uint8Array())]));
    expect(text(pages.get('2')!)).toEqual({ 'diagram.png': 'PNG-2', 'notes v1.pdf': 'PDF' });
    expect(text(pages.get('3')!)).toEqual({ 'diagram.png': 'PNG-3' });
  });

  it('syncs from a snapshot to the same state and site paths as the live sync', async () => {
    const { work, cache, outcome } = await synced();
    const dir = join(work, 'snap');
    const manifest = await writeSnapshot(dir, outcome, cache, { spaceKey: 'FAKE' }, asExported);
    const offlineCache = new RawCache(join(work, 'offline-cache'));
    const offline = await syncPages({ source: createSnapshotSource(dir, manifest), cache: offlineCache, key: 'FAKE' });
    expect(offline.state).toEqual(outcome.state);
    expect(offline.sitePaths.paths).toEqual(outcome.sitePaths.paths);
    expect(offline.exportCalls).toBe(0);
    for (const id of ['1', '2', '3', '4']) expect(await offlineCache.readPage(id)).toBe(await cache.readPage(id));
  });

  it('holds nothing of restricted pages', async () => {
    const { work, cache, outcome } = await synced();
    const dir = join(work, 'snap');
    await writeSnapshot(dir, outcome, cache, { spaceKey: 'FAKE' }, asExported);
    const manifestText = await readFile(join(dir, MANIFEST), 'utf8');
    expect(manifestText).not.toContain('Secret');
    for (const file of await filesUnder(dir)) expect(await readFile(file, 'utf8')).not.toMatch(/SALARY/);
  });

  it('replaces an older snapshot in the same folder, leaving no temporary folders', async () => {
    const { work, source, cache, outcome } = await synced();
    const dir = join(work, 'snaps', 'current');
    await writeSnapshot(dir, outcome, cache, { spaceKey: 'FAKE' }, asExported, new Date('2025-01-01T00:00:00Z'));
    source.edit('4', '# Intro\n\nSecond edition.\n');
    const second = await syncPages({ source, cache, key: 'FAKE', previous: outcome.state });
    await writeSnapshot(dir, second, cache, { spaceKey: 'FAKE' }, asExported, new Date('2025-02-01T00:00:00Z'));
    expect((await readManifest(dir)).takenAt).toBe('2025-02-01T00:00:00.000Z');
    expect(await readFile(join(dir, 'pages', '4.md'), 'utf8')).toBe('# Intro\n\nSecond edition.\n');
    expect(await readdir(join(work, 'snaps'))).toEqual(['current']);
  });

  it('leaves the previous snapshot whole when a write fails', async () => {
    const { work, source, cache, outcome } = await synced();
    const dir = join(work, 'snaps', 'current');
    await writeSnapshot(dir, outcome, cache, { spaceKey: 'FAKE' }, asExported, new Date('2025-01-01T00:00:00Z'));
    const before = new Map<string, string>();
    for (const file of await filesUnder(dir)) before.set(file, await readFile(file, 'utf8'));

    // The cache lost a published page's file: copying it into the new snapshot fails half-way.
    source.edit('1', '# Home\n\nNew home.\n');
    const second = await syncPages({ source, cache, key: 'FAKE', previous: outcome.state });
    await rm(cache.pagePath('3'));
    await expect(writeSnapshot(dir, second, cache, { spaceKey: 'FAKE' }, asExported)).rejects.toThrow();

    const after = await filesUnder(dir);
    expect(after.sort()).toEqual([...before.keys()].sort());
    for (const file of after) expect(await readFile(file, 'utf8')).toBe(before.get(file));
    expect(await readdir(join(work, 'snaps'))).toEqual(['current']);
  });

  it('refuses a folder that is not a snapshot with a ConfigError', async () => {
    const dir = await tempDir('snap-');
    await expect(readManifest(dir)).rejects.toBeInstanceOf(ConfigError);
    await writeFile(join(dir, MANIFEST), '{ not json');
    await expect(readManifest(dir)).rejects.toThrow(/not valid JSON/);
    await writeFile(join(dir, MANIFEST), JSON.stringify({ format: 2, pages: [] }));
    const error = await readManifest(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/unknown format/);
  });
});

describe('newestSnapshot', () => {
  async function fakeSnapshot(dir: string, takenAt: string) {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, MANIFEST), JSON.stringify({ format: 1, takenAt, pages: [], roots: [], attachments: {}, source: {}, exportCalls: 0, tool: 't' }));
  }

  it('picks the snapshot with the latest takenAt, not the latest name', async () => {
    const root = await tempDir('snaps-');
    await fakeSnapshot(join(root, 'z-old'), '2024-01-01T00:00:00.000Z');
    await fakeSnapshot(join(root, 'a-new'), '2025-06-01T00:00:00.000Z');
    await fakeSnapshot(join(root, 'm-mid'), '2025-01-01T00:00:00.000Z');
    expect(await newestSnapshot(root)).toBe(join(root, 'a-new'));
  });

  it('skips hidden folders (writes in progress), folders without a manifest and files', async () => {
    const root = await tempDir('snaps-');
    await fakeSnapshot(join(root, 'real'), '2024-01-01T00:00:00.000Z');
    await fakeSnapshot(join(root, '.real.1234.tmp'), '2030-01-01T00:00:00.000Z');
    await mkdir(join(root, 'empty'));
    await writeFile(join(root, 'notes.txt'), 'x');
    expect(await newestSnapshot(root)).toBe(join(root, 'real'));
  });

  it('skips a snapshot whose manifest is damaged instead of failing', async () => {
    const root = await tempDir('snaps-');
    await fakeSnapshot(join(root, 'good'), '2024-01-01T00:00:00.000Z');
    await mkdir(join(root, 'broken'));
    await writeFile(join(root, 'broken', MANIFEST), '{ not json');
    expect(await newestSnapshot(root)).toBe(join(root, 'good'));
  });

  it('is undefined when there is none', async () => {
    const root = await tempDir('snaps-');
    expect(await newestSnapshot(root)).toBeUndefined();
    expect(await newestSnapshot(join(root, 'missing'))).toBeUndefined();
  });
});
