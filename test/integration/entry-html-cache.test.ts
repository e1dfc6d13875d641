/**
 * entryHtml: 'file' on a small space, through real builds on one cache: in file mode a page's
 * sanitised HTML is a file of the build cache named by its hash.
 *
 * First, pages that stop being published: once a page is restricted, labelled excluded or deleted
 * in Confluence, the next build must prune that file (nothing of the page stays in the cache for a
 * later build or a cache upload to carry along) and publish nothing of it. Two pages with the same
 * HTML share one file: one of them going private must not take the other's content.
 *
 * Then, starting from that build, the cache damaged the ways a CI cache or a hand gets it wrong:
 * the folder of HTML files replaced by a file, one page's file replaced by a link to another page's
 * file (or to a copy of its own bytes), and a data store edited so that an entry names something
 * that is not a content hash or a hash no file has. Each build must either fail with an error
 * naming the cause and the fix, or publish exactly what the undamaged build did: never one page's
 * HTML at another page's address. (A store edited to name another page's file is not caught:
 * whoever can edit the store can write any entry's HTML into it, so the store is trusted.)
 */
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type SpaceSpec, type StandIn } from 'confluence-stand-in';
import { fingerprint, readAll, type TextFile } from '../helpers/dist-files.ts';
import { buildSite, TMP, type SiteBuild } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

const HOME = '7300000001';
const RESTRICTED = '7300000002';
const LABELLED = '7300000003';
const DELETED = '7300000004';
const TWIN_PRIVATE = '7300000005';
const TWIN_PUBLIC = '7300000006';

const MARKERS = { [RESTRICTED]: 'RESTRICTLATERMARKER', [LABELLED]: 'LABELLEDLATERMARKER', [DELETED]: 'DELETEDLATERMARKER' };
const TWIN = 'TWINBODYMARKER';

/** The pages the damage is done to: published throughout. */
const DAMAGE_MARKERS = { 'page-a': 'PAGEAMARKER', 'page-b': 'PAGEBMARKER', 'page-c': 'PAGECMARKER' } as const;
type Slug = keyof typeof DAMAGE_MARKERS;

const space: SpaceSpec = {
  key: 'EHP',
  name: 'Entry HTML cache',
  id: '740002',
  site: 'entry-html-cache.atlassian.net',
  pages: [
    { id: HOME, title: 'Cache Home', position: 0, body: 'The home page.\n' },
    { id: RESTRICTED, title: 'Soon Restricted', parentId: HOME, position: 1, body: `${MARKERS[RESTRICTED]} text of a page restricted later.\n` },
    { id: LABELLED, title: 'Soon Internal', parentId: HOME, position: 2, body: `${MARKERS[LABELLED]} text of a page labelled internal later.\n` },
    { id: DELETED, title: 'Soon Deleted', parentId: HOME, position: 3, body: `${MARKERS[DELETED]} text of a page deleted later.\n` },
    // The same body, so the same sanitised HTML and one shared file.
    { id: TWIN_PRIVATE, title: 'Twin Going Private', parentId: HOME, position: 4, body: `${TWIN} the same body on two pages.\n` },
    { id: TWIN_PUBLIC, title: 'Twin Staying Public', parentId: HOME, position: 5, body: `${TWIN} the same body on two pages.\n` },
    { id: '7400000002', title: 'Page A', parentId: HOME, position: 6, body: `${DAMAGE_MARKERS['page-a']} is the text of page A.\n` },
    { id: '7400000003', title: 'Page B', parentId: HOME, position: 7, body: `${DAMAGE_MARKERS['page-b']} is the text of page B.\n` },
    { id: '7400000004', title: 'Page C', parentId: HOME, position: 8, body: `${DAMAGE_MARKERS['page-c']} is the text of page C.\n` },
  ],
};

let standIn: StandIn;
const cacheDir = join(TMP, 'entry-html-cache', 'shared-cache');
const htmlDir = join(cacheDir, 'astro-loader-confluence', 'docs', 'html');
const storeFile = join(cacheDir, 'data-store.json');

// The privacy pass.
let first: SiteBuild;
let second: SiteBuild;
const htmlFiles: Record<'first' | 'second', Record<string, string>> = { first: {}, second: {} };
let dist: TextFile[];
let cache: TextFile[];
const readHtmlFiles = () =>
  Object.fromEntries((existsSync(htmlDir) ? readdirSync(htmlDir) : []).map((name) => [name, readFileSync(join(htmlDir, name), 'utf8')]));
const filesHolding = (files: Record<string, string>, text: string) => Object.keys(files).filter((name) => files[name]!.includes(text));

// The damage pass: `clean` is the privacy pass's second build, the undamaged state it starts from.
const builds: Record<string, SiteBuild> = {};
const names = {} as Record<Slug, string>;
const pages = (build: SiteBuild) => Object.fromEntries(Object.entries(fingerprint(build.outDir)).filter(([path]) => path.endsWith('.html')));
const content = (build: SiteBuild, slug: Slug) => {
  const path = join(build.outDir, slug, 'index.html');
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
};
/** Replaces the name an entry's `rendered.metadata` holds in Astro's serialised store. */
const renameInStore = (from: string, to: string) => {
  const store = readFileSync(storeFile, 'utf8');
  expect(store.split(JSON.stringify(from)), `${from} named once in the data store`).toHaveLength(2);
  writeFileSync(storeFile, store.replace(JSON.stringify(from), JSON.stringify(to)));
};

let env: Record<string, string>;

beforeAll(async () => {
  rmSync(cacheDir, { recursive: true, force: true });
  standIn = await start({ port: 0, space });
  env = standInEnv(standIn, { CONFLUENCE_ENTRY_HTML: 'file' });
});
afterAll(async () => {
  await standIn?.stop();
});

describe('entryHtml: file prunes the HTML of pages that stop being published', () => {
  beforeAll(async () => {
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

describe('entryHtml: file with a damaged build cache', () => {
  // This pass's markers are those of the pages damaged, not of the pages that went private.
  const MARKERS = DAMAGE_MARKERS;

  beforeAll(async () => {
    if (second?.code !== 0) throw new Error('The privacy pass did not build, so there is no undamaged cache to start from.');
    builds.clean = second;
    const run = async (name: string, before?: () => void) => {
      before?.();
      builds[name] = await buildSite(`entry-html-damage-${name}`, env, { cacheDir });
    };
    for (const [slug, marker] of Object.entries(MARKERS)) {
      names[slug as Slug] = readdirSync(htmlDir).find((file) => readFileSync(join(htmlDir, file), 'utf8').includes(marker))!.slice(0, -'.html'.length);
    }
    const originalA = readFileSync(join(htmlDir, `${names['page-a']}.html`));
    await run('folder-is-a-file', () => {
      rmSync(htmlDir, { recursive: true });
      writeFileSync(htmlDir, 'not a folder');
    });
    await run('folder-restored', () => rmSync(htmlDir));
    await run('link-to-other', () => {
      rmSync(join(htmlDir, `${names['page-a']}.html`));
      symlinkSync(join(htmlDir, `${names['page-b']}.html`), join(htmlDir, `${names['page-a']}.html`));
    });
    await run('link-to-same-bytes', () => {
      const copy = join(cacheDir, '..', 'page-a-copy.html');
      writeFileSync(copy, originalA);
      rmSync(join(htmlDir, `${names['page-a']}.html`));
      symlinkSync(copy, join(htmlDir, `${names['page-a']}.html`));
    });
    await run('store-not-a-hash', () => {
      renameInStore(names['page-a'], '../../../data-store');
      renameInStore(names['page-b'], 'f'.repeat(64));
    });
  }, 900_000);

  it('builds clean, each page from its own file', () => {
    expect(builds.clean!.code, builds.clean!.output).toBe(0);
    for (const [slug, marker] of Object.entries(MARKERS)) expect(content(builds.clean!, slug as Slug)).toContain(marker);
    expect(new Set(Object.values(names)).size).toBe(3);
  });

  it('with the folder of HTML files replaced by a file, fails naming the folder and the fix, or publishes the clean site', () => {
    const build = builds['folder-is-a-file']!;
    if (build.code === 0) expect(pages(build)).toEqual(pages(builds.clean!));
    else {
      expect(build.output).toMatch(/HTML.*(build cache).*not a folder|not a folder.*build cache/i);
      expect(build.output).toMatch(/Delete the build cache/);
    }
  });

  it('renders every page again once that file is gone', () => {
    expect(builds['folder-restored']!.code, builds['folder-restored']!.output).toBe(0);
    expect(pages(builds['folder-restored']!)).toEqual(pages(builds.clean!));
  });

  it('fails on a page file that links to another page\'s file, and never shows that page\'s text in its place', () => {
    const build = builds['link-to-other']!;
    expect(build.code).not.toBe(0);
    expect(build.output).toMatch(/is not what the loader wrote, so it is not published/);
    expect(content(build, 'page-a')).not.toContain(MARKERS['page-b']);
  });

  it('publishes the clean site through a link to the same bytes', () => {
    const build = builds['link-to-same-bytes']!;
    expect(build.code, build.output).toBe(0);
    expect(pages(build)).toEqual(pages(builds.clean!));
  });

  it('renders again the pages whose stored name is not a hash or names no file, and publishes the clean site', () => {
    const build = builds['store-not-a-hash']!;
    expect(build.code, build.output).toBe(0);
    expect(build.output).toContain("Some pages' HTML is missing from the build cache: rendering them again.");
    expect(build.output).toMatch(/\(0 exported in 0 calls, 2 rendered\)/);
    expect(pages(build)).toEqual(pages(builds.clean!));
    const store = readFileSync(storeFile, 'utf8');
    expect(store).not.toContain('../../../data-store');
    expect(store).not.toContain('f'.repeat(64));
  });
});
