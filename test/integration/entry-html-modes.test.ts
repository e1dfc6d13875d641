/**
 * entryHtml switched back and forth on one cache while the space changes, and a number threshold
 * crossed by the page count (pages added, then deleted) with the option itself unchanged. Real
 * builds of the demo space with its frozen version (CONFLUENCE_VERSIONS_DIR), whose part of the
 * collection does not change when the live space does. Whatever the path, a build must publish
 * what a store-mode build from an empty cache publishes, byte for byte, and keep the HTML where
 * the option and the page count say: under the threshold every page in the store, and no file.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSpace, start, type StandIn } from 'confluence-stand-in';
import { fingerprint } from '../helpers/dist-files.ts';
import { buildSite, TMP, type SiteBuild } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

const ACCESS_TOKENS = '4986373377';
const GUIDES = '4986374145';
const EDITED = 'EDITEDACCESSTOKENSMARKER';
/** The edit as only the rendered HTML holds it (the stored Markdown has `**App REST APIs EDITED…**`). */
const EDITED_RENDERED = new RegExp(`${EDITED}(<|\\\\u003C)/strong>`);
/** Text only the rendered HTML of the access-tokens page holds (its Markdown has `**App REST APIs**`). */
const RENDERED = /App REST APIs(<|\\u003C)\/strong>/;
const KEPT_IN_FILES = 'Page HTML is kept in files of the build cache';

describe('entryHtml: switching modes and crossing the threshold on one cache', () => {
  let standIn: StandIn;
  const cacheDir = join(TMP, 'entry-html-modes', 'shared-cache');
  const htmlDir = join(cacheDir, 'astro-loader-confluence', 'docs', 'html');
  const builds: Record<string, SiteBuild> = {};
  const stores: Record<string, string> = {};
  const files: Record<string, string[]> = {};
  let pageCount = 0;
  let threshold = 0;
  const htmlFiles = () => (existsSync(htmlDir) ? readdirSync(htmlDir).filter((name) => name.endsWith('.html')).sort() : []);
  const page = (build: SiteBuild, path: string) => readFileSync(join(build.outDir, path, 'index.html'), 'utf8');

  beforeAll(async () => {
    rmSync(cacheDir, { recursive: true, force: true });
    const space = demoSpace();
    standIn = await start({ port: 0, space, linkSite: space.site });
    const env = (entryHtml: string) => standInEnv(standIn, { CONFLUENCE_SITE: space.site, CONFLUENCE_VERSIONS_DIR: 'site/versions', CONFLUENCE_ENTRY_HTML: entryHtml });
    const run = async (name: string, entryHtml: () => string, options: { cacheDir?: string } = { cacheDir }) => {
      const build = await buildSite(`entry-html-modes-${name}`, env(entryHtml()), options);
      if (build.code !== 0) throw new Error(`${name}: ${build.output}`);
      builds[name] = build;
      if (options.cacheDir === cacheDir) {
        stores[name] = readFileSync(join(cacheDir, 'data-store.json'), 'utf8');
        files[name] = htmlFiles();
      }
    };
    await run('file', () => 'file');
    pageCount = Number(/Synced (\d+) pages/.exec(builds.file!.output)?.[1]);
    // Two pages added: over the threshold. Deleted again: at it, so under.
    threshold = pageCount + 1;
    await run('at', () => String(threshold));
    const added = [1, 2].map((n) => standIn.space.addPage({ title: `Added page ${n}`, parentId: GUIDES, body: `Added page ${n} text.\n` }).id);
    await run('over', () => String(threshold));
    const before = standIn.space.get(ACCESS_TOKENS)!.body;
    standIn.space.updatePage(ACCESS_TOKENS, { body: before.replace('App REST APIs', `App REST APIs ${EDITED}`) });
    await run('store', () => 'store');
    await run('over-again', () => String(threshold));
    for (const id of added) standIn.space.deletePage(id);
    await run('under', () => String(threshold));
    await run('reference', () => 'store', {});
  }, 1_800_000);
  afterAll(async () => {
    await standIn?.stop();
  });

  it('keeps the HTML in the store at the threshold', () => {
    expect(builds.at!.output).not.toContain(KEPT_IN_FILES);
    expect(files.at).toEqual([]);
    expect(stores.at).toMatch(RENDERED);
  });

  it('keeps the HTML in files once pages added take the count over a number threshold, the frozen version\'s too', () => {
    expect(pageCount).toBeGreaterThan(20);
    // The access-tokens page, live and frozen, holds it while in the store.
    expect(stores.over).not.toMatch(RENDERED);
    expect(builds.over!.output).toContain(`${KEPT_IN_FILES}, not in Astro's data store, to keep the store small: ${pageCount + 2} pages is over entryHtml: ${threshold}.`);
    expect(files.over!.length).toBeGreaterThan(20);
    expect(page(builds.over!, 'guides/added-page-2')).toContain('Added page 2 text.');
  });

  it('brings the HTML into the store with a page changed since, prunes every file, and publishes the change', () => {
    expect(builds.store!.output).not.toContain(KEPT_IN_FILES);
    expect(files.store).toEqual([]);
    expect(stores.store).toMatch(EDITED_RENDERED);
    expect(page(builds.store!, 'authentication/access-tokens')).toContain(EDITED);
    // The frozen version keeps its own text.
    expect(page(builds.store!, 'v0.9/authentication/access-tokens')).not.toContain(EDITED);
  });

  it('publishes the same site from files as from the store after switching back', () => {
    expect(files['over-again']!.length).toBeGreaterThan(20);
    expect(stores['over-again']).not.toMatch(EDITED_RENDERED);
    expect(fingerprint(builds['over-again']!.outDir)).toEqual(fingerprint(builds.store!.outDir));
  });

  it('under the threshold again (pages deleted, option unchanged) keeps every page in the store and no file, the frozen version included', () => {
    expect(builds.under!.output).not.toContain(KEPT_IN_FILES);
    expect(stores.under).not.toContain('confluenceHtmlFile');
    expect(files.under).toEqual([]);
  });

  it('publishes what a store-mode build from an empty cache publishes, byte for byte', () => {
    expect(existsSync(join(builds.reference!.outDir, 'guides', 'added-page-1'))).toBe(false);
    expect(fingerprint(builds.under!.outDir)).toEqual(fingerprint(builds.reference!.outDir));
  });
});
