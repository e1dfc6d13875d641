/**
 * Attachments the app leaves out of an export (issue 12): every file over 300 KB, and everything
 * past 2 MB of attachments in one export. The stand-in drops them exactly as the app documents;
 * the pipeline must notice what each page references but did not get, and recover it with the
 * fewest extra calls: the 2 MB budget's victims by exporting their page again alone, big files
 * through the REST download, never a file of an unpublished page, and nothing on a rebuild.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_REST_SCOPES, EXPORT_SCOPES, REST_SCOPES, start, type PageSpec, type StandIn } from 'confluence-stand-in';
import { filesSpace, SITE } from '../fixtures/files-space.ts';
import { createHarness, standInOptions, type Harness } from '../helpers/pipeline.ts';
import { RawCache, rawCacheDir } from '../../packages/astro-loader-confluence/src/sync/raw-cache.ts';
import { join } from 'node:path';

describe('attachments the export leaves out', () => {
  let standIn: StandIn;
  let harness: Harness;
  let ids: Record<string, string>;
  let pages: PageSpec[];
  let cache: RawCache;

  beforeAll(async () => {
    ({ pages, ids } = filesSpace());
    standIn = await start({ port: 0, space: { key: 'FILES', name: 'Files', id: '88001', site: SITE, pages } });
    standIn.space.deleteAttachment(ids.deleted!, 'gone.png');
    harness = createHarness(() => standInOptions(standIn));
    cache = new RawCache(rawCacheDir(join(harness.root, 'cache'), 'docs'));
  });
  afterAll(async () => {
    await standIn?.stop();
    harness?.cleanup();
  });

  const bytesOf = (role: string, fileName: string) => pages.find((p) => p.id === ids[role])!.attachments!.find((a) => a.fileName === fileName)!.data;

  it('recovers every file that can be had, each under its own page, byte for byte', async () => {
    await harness.run();
    for (let i = 1; i <= 12; i++) {
      expect(readFileSync(cache.attachmentPath(ids[`runbook${i}`]!, `screen-${i}.png`)).equals(Buffer.from(bytesOf(`runbook${i}`, `screen-${i}.png`))), `screen-${i}`).toBe(true);
    }
    for (const name of ['medium.png', 'huge.png']) expect(readFileSync(cache.attachmentPath(ids.large!, name)).equals(Buffer.from(bytesOf('large', name))), name).toBe(true);
    expect(readFileSync(cache.attachmentPath(ids.download!, 'spec.pdf')).equals(Buffer.from(bytesOf('download', 'spec.pdf')))).toBe(true);
  });

  it('re-exported only the budget victims, alone, and downloaded only the files over 300 KB', () => {
    const exports = standIn.log.filter((e) => e.kind === 'export' && e.status === 200);
    const singles = exports.filter((e) => (e.body as { bulkExport?: boolean }).bulkExport === false).map((e) => (e.body as { pageId: string }).pageId);
    const victims = singles.filter((id) => Object.entries(ids).some(([role, pageId]) => role.startsWith('runbook') && role !== 'runbooks' && pageId === id));
    // The 2.3 MB subtree went out in one call; the files past 2 MB came back by exporting their pages alone.
    expect(victims.length).toBeGreaterThan(0);
    expect(victims.length).toBeLessThanOrEqual(2);
    const downloads = standIn.log.filter((e) => e.pathname.includes('/wiki/download/attachments/'));
    expect(downloads.map((e) => decodeURIComponent(e.pathname.split('/').at(-1)!)).sort()).toEqual(['huge.png', 'medium.png', 'spec.pdf']);
  });

  it('never asked about or downloaded a file of a page that is not published', () => {
    const secret = ids.secret!;
    expect(standIn.log.filter((e) => e.path.includes(secret))).toEqual([]);
    expect(standIn.exportedPageIds()).not.toContain(secret);
  });

  it('names a deleted file by page id and leaves it out', () => {
    expect(cache.hasAttachment(ids.deleted!, 'gone.png')).toBe(false);
    expect(harness.logs.some((l) => l.level === 'warn' && l.message.includes(`Page ${ids.deleted}: attachment "gone.png" cannot be had (deleted or never uploaded)`))).toBe(true);
  });

  it('costs nothing on a rebuild: no export, no listing, no download', async () => {
    standIn.resetLog();
    const result = await harness.run();
    expect(standIn.counters.export).toBe(0);
    expect(standIn.counters.attachments).toBe(0);
    expect(standIn.counters.downloads).toBe(0);
    expect(result.outcome.fetched.size).toBe(0);
  });

  it('without the attachment scope, says so by page id and still builds', async () => {
    const token = standIn.issueToken({ scopes: [...EXPORT_SCOPES, ...ALL_REST_SCOPES.filter((s) => s !== REST_SCOPES.attachments)] });
    const other = createHarness(() => ({ ...standInOptions(standIn), accessToken: token }));
    try {
      await other.run();
      expect(other.logs.some((l) => l.level === 'warn' && l.message.includes(`Page ${ids.large}: attachment "medium.png" cannot be had (the token lacks read:attachment:confluence)`))).toBe(true);
    } finally {
      other.cleanup();
    }
  });
});
