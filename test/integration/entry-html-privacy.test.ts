/**
 * entryHtml: 'file' and pages that stop being published. In file mode a page's sanitised HTML is a
 * file of the build cache named by its hash; once the page is restricted, labelled excluded or
 * deleted in Confluence, the next build must prune that file (nothing of the page stays in the
 * cache for a later build or a cache upload to carry along) and publish nothing of it. Two pages
 * with the same HTML share one file: one of them going private must not take the other's content.
 * Real builds of a small space on one cache.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type SpaceSpec, type StandIn } from 'confluence-stand-in';
import { readAll, type TextFile } from '../helpers/dist-files.ts';
import { buildSite, TMP, type SiteBuild } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

const RESTRICTED = '7300000002';
const LABELLED = '7300000003';
const DELETED = '7300000004';
const TWIN_PRIVATE = '7300000005';
const TWIN_PUBLIC = '7300000006';

const MARKERS = { [RESTRICTED]: 'RESTRICTLATERMARKER', [LABELLED]: 'LABELLEDLATERMARKER', [DELETED]: 'DELETEDLATERMARKER' };
const TWIN = 'TWINBODYMARKER';

const space: SpaceSpec = {
  key: 'EHP',
  name: 'Entry HTML privacy',
  id: '740002',
  site: 'entry-html-privacy.atlassian.net',
  pages: [
    { id: '7300000001', title: 'Privacy Home', position: 0, body: 'The home page.\n' },
    { id: RESTRICTED, title: 'Soon Restricted', parentId: '7300000001', position: 1, body: `${MARKERS[RESTRICTED]} text of a page restricted later.\n` },
    { id: LABELLED, title: 'Soon Internal', parentId: '7300000001', position: 2, body: `${MARKERS[LABELLED]} text of a page labelled internal later.\n` },
    { id: DELETED, title: 'Soon Deleted', parentId: '7300000001', position: 3, body: `${MARKERS[DELETED]} text of a page deleted later.\n` },
    // The same body, so the same sanitised HTML and one shared file.
    { id: TWIN_PRIVATE, title: 'Twin Going Private', parentId: '7300000001', position: 4, body: `${TWIN} the same body on two pages.\n` },
    { id: TWIN_PUBLIC, title: 'Twin Staying Public', parentId: '7300000001', position: 5, body: `${TWIN} the same body on two pages.\n` },
  ],
};

describe('entryHtml: file prunes the HTML of pages that stop being published', () => {
  let standIn: StandIn;
  const cacheDir = join(TMP, 'entry-html-privacy', 'shared-cache');
  const htmlDir = join(cacheDir, 'astro-loader-confluence', 'docs', 'html');
  let first: SiteBuild;
  let second: SiteBuild;
  const htmlFiles: Record<'first' | 'second', Record<string, string>> = { first: {}, second: {} };
  let dist: TextFile[];
  let cache: TextFile[];
  const readHtmlFiles = () =>
    Object.fromEntries((existsSync(htmlDir) ? readdirSync(htmlDir) : []).map((name) => [name, readFileSync(join(htmlDir, name), 'utf8')]));
  const filesHolding = (files: Record<string, string>, text: string) => Object.keys(files).filter((name) => files[name]!.includes(text));

  beforeAll(async () => {
    rmSync(cacheDir, { recursive: true, force: true });
    standIn = await start({ port: 0, space });
    const env = standInEnv(standIn, { CONFLUENCE_ENTRY_HTML: 'file' });
    first = await buildSite('entry-html-privacy-1', env, { cacheDir });
    if (first.code !== 0) throw new Error(first.output);
    htmlFiles.first = readHtmlFiles();
    standIn.space.setRestricted(RESTRICTED, true);
    standIn.space.setLabels(LABELLED, ['internal']);
    standIn.space.deletePage(DELETED);
    standIn.space.setRestricted(TWIN_PRIVATE, true);
    second = await buildSite('entry-html-privacy-2', env, { cacheDir });
    if (second.code !== 0) throw new Error(second.output);
    htmlFiles.second = readHtmlFiles();
    dist = readAll(second.outDir);
    cache = readAll(cacheDir);
  }, 600_000);
  afterAll(async () => {
    await standIn?.stop();
  });

  it('kept each page in a file of its own while it was published (one shared by the twins)', () => {
    expect(first.output).toContain('Page HTML is kept in files of the build cache');
    for (const marker of Object.values(MARKERS)) expect(filesHolding(htmlFiles.first, marker), marker).toHaveLength(1);
    expect(filesHolding(htmlFiles.first, TWIN)).toHaveLength(1);
    for (const marker of [...Object.values(MARKERS), TWIN]) {
      expect(readAll(first.outDir).some((file) => file.path.endsWith('.html') && file.text.includes(marker)), marker).toBe(true);
    }
  });

  it('prunes the file of a page restricted, labelled excluded or deleted since, and names none of them in the store', () => {
    for (const [id, marker] of Object.entries(MARKERS)) {
      const [file] = filesHolding(htmlFiles.first, marker);
      expect(htmlFiles.second, id).not.toHaveProperty(file!);
      expect(filesHolding(htmlFiles.second, marker), id).toEqual([]);
    }
    // Nowhere in the cache, data store included, is there anything left of them to publish later.
    const leaks = cache.flatMap((file) => Object.values(MARKERS).filter((marker) => file.text.includes(marker)).map((marker) => `${file.path}: ${marker}`));
    expect(leaks).toEqual([]);
  });

  it('publishes nothing of them', () => {
    const leaks = dist.flatMap((file) => [...Object.values(MARKERS), 'Twin Going Private'].filter((marker) => file.text.includes(marker)).map((marker) => `${file.path}: ${marker}`));
    expect(leaks).toEqual([]);
  });

  it('keeps the file the public twin still names, and the twin still shows its text', () => {
    expect(filesHolding(htmlFiles.second, TWIN)).toEqual(filesHolding(htmlFiles.first, TWIN));
    const twin = dist.find((file) => file.path === join('twin-staying-public', 'index.html'));
    expect(twin?.text).toContain(TWIN);
  });
});
