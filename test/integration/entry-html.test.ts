/**
 * `entryHtml` (CONFLUENCE_ENTRY_HTML): above the threshold, each page's sanitised HTML is kept in a
 * file of the build cache named by its hash instead of in Astro's data store, which Astro serialises
 * after every sync and bundles into the build whole, and starlightConfluence()'s route middleware
 * renders the file. Real builds of the demo space (with its frozen version) on one shared cache:
 * the site must be the same byte for byte, a no-change rebuild must render nothing, a lost file
 * must be rendered again, a file changed behind the loader's back must fail the build instead of
 * being published, and switching back must bring the HTML into the store and prune the files.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSpace, start, type StandIn } from 'confluence-stand-in';
import { fingerprint } from '../helpers/dist-files.ts';
import { buildSite, TMP, type SiteBuild } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

/** Text only the rendered HTML of the access-tokens page holds (its Markdown has `**App REST APIs**`). */
const RENDERED = /App REST APIs(<|\\u003C)\/strong>/;
const INJECTED = '<script>alert("not sanitised")</script>';

describe('entryHtml: page HTML kept in cache files publishes the same site, and a damaged cache fails closed', () => {
  let standIn: StandIn;
  const cacheDir = join(TMP, 'entry-html', 'shared-cache');
  const htmlDir = join(cacheDir, 'astro-loader-confluence', 'docs', 'html');
  const builds: Record<string, SiteBuild> = {};
  const stores: Record<string, string> = {};
  const files: Record<string, string[]> = {};
  const pages = (build: SiteBuild) => Object.fromEntries(Object.entries(fingerprint(build.outDir)).filter(([path]) => path.endsWith('.html')));
  const htmlFiles = () => (existsSync(htmlDir) ? readdirSync(htmlDir).filter((name) => name.endsWith('.html')).sort() : []);

  beforeAll(async () => {
    rmSync(cacheDir, { recursive: true, force: true });
    const space = demoSpace();
    standIn = await start({ port: 0, space, linkSite: space.site });
    const env = (entryHtml?: string) =>
      standInEnv(standIn, { CONFLUENCE_SITE: space.site, CONFLUENCE_VERSIONS_DIR: 'site/versions', ...(entryHtml ? { CONFLUENCE_ENTRY_HTML: entryHtml } : {}) });
    const run = async (name: string, entryHtml: string | undefined, before?: () => void) => {
      before?.();
      const build = await buildSite(`entry-html-${name}`, env(entryHtml), { cacheDir });
      builds[name] = build;
      stores[name] = readFileSync(join(cacheDir, 'data-store.json'), 'utf8');
      files[name] = htmlFiles();
    };
    await run('store', undefined);
    await run('file', 'file');
    await run('unchanged', 'file');
    await run('lost', 'file', () => rmSync(htmlDir, { recursive: true, force: true }));
    await run('tampered', 'file', () => {
      const [first] = htmlFiles();
      writeFileSync(join(htmlDir, first!), readFileSync(join(htmlDir, first!), 'utf8') + INJECTED);
    });
    await run('back', undefined);
    for (const name of ['store', 'file', 'unchanged', 'lost', 'back']) if (builds[name]!.code !== 0) throw new Error(`${name}: ${builds[name]!.output}`);
  }, 1_500_000);
  afterAll(async () => {
    await standIn?.stop();
  });

  it('keeps the HTML in the store by default for a small space, and writes no file', () => {
    expect(stores.store).toMatch(RENDERED);
    expect(files.store).toEqual([]);
    expect(builds.store!.output).not.toContain('Page HTML is kept in files');
  });

  it('with entryHtml: file, keeps the HTML out of the store, says so, and publishes the same pages byte for byte', () => {
    expect(stores.file).not.toMatch(RENDERED);
    expect(stores.file!.length).toBeLessThan(stores.store!.length / 2);
    expect(builds.file!.output).toMatch(/Page HTML is kept in files of the build cache, not in Astro's data store, to keep the store small: \d+ pages\./);
    // One file per distinct page HTML, each named by its content.
    expect(files.file!.length).toBeGreaterThan(20);
    for (const name of files.file!) expect(name).toMatch(/^[0-9a-f]{64}\.html$/);
    const before = pages(builds.store!);
    expect(Object.keys(before).length).toBeGreaterThan(30);
    expect(pages(builds.file!)).toEqual(before);
  });

  it('renders nothing on a rebuild that changed nothing, and reads the same files', () => {
    expect(builds.unchanged!.output).toMatch(/All \d+ pages are up to date/);
    expect(files.unchanged).toEqual(files.file);
    expect(pages(builds.unchanged!)).toEqual(pages(builds.store!));
  });

  it('renders the pages again when their files are gone, though nothing changed in Confluence', () => {
    expect(builds.lost!.output).toContain("Some pages' HTML is missing from the build cache: rendering them again.");
    expect(builds.lost!.output).toMatch(/Synced \d+ pages .*\(0 exported in 0 calls, [1-9]\d* rendered\)/);
    expect(files.lost).toEqual(files.file);
    expect(pages(builds.lost!)).toEqual(pages(builds.store!));
  });

  it('fails the build on a file whose bytes no longer match its name, and publishes nothing of it', () => {
    const build = builds.tampered!;
    expect(build.code).not.toBe(0);
    expect(build.output).toMatch(/is not what the loader wrote, so it is not published/);
    expect(build.output).toMatch(/Delete the build cache/);
    for (const [path] of Object.entries(existsSync(build.outDir) ? pages(build) : {})) {
      expect(readFileSync(join(build.outDir, path), 'utf8'), path).not.toContain(INJECTED);
    }
  });

  it('brings the HTML back into the store when the option goes back, and prunes every file', () => {
    expect(stores.back).toMatch(RENDERED);
    expect(files.back).toEqual([]);
    expect(pages(builds.back!)).toEqual(pages(builds.store!));
  });
});
