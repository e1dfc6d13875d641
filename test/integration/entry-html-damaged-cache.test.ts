/**
 * entryHtml: 'file' with a build cache damaged the ways a CI cache or a hand gets it wrong: the
 * folder of HTML files replaced by a file, one page's file replaced by a link to another page's
 * file (or to a copy of its own bytes), and a data store edited so that an entry names something
 * that is not a content hash or a hash no file has. Each build must either fail with an error
 * naming the cause and the fix, or publish exactly what a clean build does: never one page's HTML
 * at another page's address. (A store edited to name another page's file is not caught: whoever
 * can edit the store can write any entry's HTML into it, so the store is trusted.) Real builds of
 * a small space on one cache.
 */
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type SpaceSpec, type StandIn } from 'confluence-stand-in';
import { fingerprint } from '../helpers/dist-files.ts';
import { buildSite, TMP, type SiteBuild } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

const MARKERS = { 'page-a': 'PAGEAMARKER', 'page-b': 'PAGEBMARKER', 'page-c': 'PAGECMARKER' } as const;
type Slug = keyof typeof MARKERS;

const space: SpaceSpec = {
  key: 'EHD',
  name: 'Entry HTML damage',
  id: '740003',
  site: 'entry-html-damage.atlassian.net',
  pages: [
    { id: '7400000001', title: 'Damage Home', position: 0, body: 'The home page.\n' },
    { id: '7400000002', title: 'Page A', parentId: '7400000001', position: 1, body: `${MARKERS['page-a']} is the text of page A.\n` },
    { id: '7400000003', title: 'Page B', parentId: '7400000001', position: 2, body: `${MARKERS['page-b']} is the text of page B.\n` },
    { id: '7400000004', title: 'Page C', parentId: '7400000001', position: 3, body: `${MARKERS['page-c']} is the text of page C.\n` },
  ],
};

describe('entryHtml: file with a damaged build cache', () => {
  let standIn: StandIn;
  const cacheDir = join(TMP, 'entry-html-damage', 'shared-cache');
  const htmlDir = join(cacheDir, 'astro-loader-confluence', 'docs', 'html');
  const storeFile = join(cacheDir, 'data-store.json');
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

  beforeAll(async () => {
    rmSync(cacheDir, { recursive: true, force: true });
    standIn = await start({ port: 0, space });
    const run = async (name: string, before?: () => void) => {
      before?.();
      builds[name] = await buildSite(`entry-html-damage-${name}`, standInEnv(standIn, { CONFLUENCE_ENTRY_HTML: 'file' }), { cacheDir });
    };
    await run('clean');
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
  afterAll(async () => {
    await standIn?.stop();
  });

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
