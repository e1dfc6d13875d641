/**
 * `entryHtml` (CONFLUENCE_ENTRY_HTML) on the demo space (with its frozen version), through real
 * builds on one shared cache. Above the threshold, each page's sanitised HTML is kept in a file of
 * the build cache named by its hash instead of in Astro's data store, which Astro serialises after
 * every sync and bundles into the build whole, and starlightConfluence()'s route middleware renders
 * the file.
 *
 * One cache goes through every state in turn, each state's assertions made on its own build:
 * - the default build (the test run's demo build, see global-setup.ts: the same space, variables and
 *   empty cache) keeps the HTML in the store; 'file' then publishes the same site byte for byte, a
 *   no-change rebuild renders nothing, a lost file is rendered again, a file changed behind the
 *   loader's back fails the build instead of being published, and switching back brings the HTML
 *   into the store and prunes the files;
 * - from there, a number threshold crossed by the page count (pages added, then deleted) with the
 *   option itself unchanged, and modes switched while the space changes. The frozen version's part
 *   of the collection does not change when the live space does. Whatever the path, a build must
 *   publish what a store-mode build from an empty cache publishes, byte for byte, and keep the HTML
 *   where the option and the page count say: under the threshold every page in the store, and no file.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoSpace, start, type StandIn } from 'confluence-stand-in';
import { fingerprint } from '../helpers/dist-files.ts';
import { buildSite, TMP, type SiteBuild } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

/** Text only the rendered HTML of the access-tokens page holds (its Markdown has `**App REST APIs**`). */
const RENDERED = /App REST APIs(<|\\u003C)\/strong>/;
const INJECTED = '<script>alert("not sanitised")</script>';
const ACCESS_TOKENS = '4986373377';
const GUIDES = '4986374145';
const EDITED = 'EDITEDACCESSTOKENSMARKER';
/** The edit as only the rendered HTML holds it (the stored Markdown has `**App REST APIs EDITED…**`). */
const EDITED_RENDERED = new RegExp(`${EDITED}(<|\\\\u003C)/strong>`);
const KEPT_IN_FILES = 'Page HTML is kept in files of the build cache';

/** What each state's build published, and what it left in the shared cache. */
interface States {
  builds: Record<string, SiteBuild>;
  stores: Record<string, string>;
  files: Record<string, string[]>;
}
/** The states of the first pass (default, 'file', damage, back) and of the second (threshold, switches). */
const mainPass: States = { builds: {}, stores: {}, files: {} };
const modesPass: States = { builds: {}, stores: {}, files: {} };
let pageCount = 0;
let threshold = 0;

const cacheDir = join(TMP, 'entry-html', 'shared-cache');
const htmlDir = join(cacheDir, 'astro-loader-confluence', 'docs', 'html');
const htmlFiles = () => (existsSync(htmlDir) ? readdirSync(htmlDir).filter((name) => name.endsWith('.html')).sort() : []);
const pages = (build: SiteBuild) => Object.fromEntries(Object.entries(fingerprint(build.outDir)).filter(([path]) => path.endsWith('.html')));
const page = (build: SiteBuild, path: string) => readFileSync(join(build.outDir, path, 'index.html'), 'utf8');

let standIn: StandIn;
let run: (pass: States, name: string, entryHtml: string | undefined, options?: { before?: () => void; cacheDir?: string; mustBuild?: boolean }) => Promise<void>;

beforeAll(async () => {
  rmSync(cacheDir, { recursive: true, force: true });
  const space = demoSpace();
  standIn = await start({ port: 0, space, linkSite: space.site });
  const env = (entryHtml?: string) =>
    standInEnv(standIn, { CONFLUENCE_SITE: space.site, CONFLUENCE_VERSIONS_DIR: 'site/versions', ...(entryHtml ? { CONFLUENCE_ENTRY_HTML: entryHtml } : {}) });
  run = async (pass, name, entryHtml, options = {}) => {
    options.before?.();
    const prefix = pass === mainPass ? 'entry-html' : 'entry-html-modes';
    const build = await buildSite(`${prefix}-${name}`, env(entryHtml), options.cacheDir === undefined ? { cacheDir } : {});
    if (options.mustBuild !== false && build.code !== 0) throw new Error(`${name}: ${build.output}`);
    pass.builds[name] = build;
    if (options.cacheDir === undefined) {
      pass.stores[name] = readFileSync(join(cacheDir, 'data-store.json'), 'utf8');
      pass.files[name] = htmlFiles();
    }
  };
});
afterAll(async () => {
  await standIn?.stop();
});

describe('entryHtml: page HTML kept in cache files publishes the same site, and a damaged cache fails closed', () => {
  const { builds, stores, files } = mainPass;

  beforeAll(async () => {
    // The default state: the demo build every suite shares is this space, these variables and an
    // empty cache (astro.config.mjs's demo branch sets them), so its cache is where the chain starts.
    const demoDist = inject('demoDist');
    cpSync(join(demoDist, '..', 'cache'), cacheDir, { recursive: true });
    builds.store = { outDir: demoDist, cacheDir, code: 0, output: inject('demoBuildOutput') };
    stores.store = readFileSync(join(cacheDir, 'data-store.json'), 'utf8');
    files.store = htmlFiles();

    await run(mainPass, 'file', 'file');
    pageCount = Number(/Synced (\d+) pages/.exec(builds.file!.output)?.[1]);
    await run(mainPass, 'unchanged', 'file');
    await run(mainPass, 'lost', 'file', { before: () => rmSync(htmlDir, { recursive: true, force: true }) });
    await run(mainPass, 'tampered', 'file', {
      mustBuild: false,
      before: () => {
        const [first] = htmlFiles();
        writeFileSync(join(htmlDir, first!), readFileSync(join(htmlDir, first!), 'utf8') + INJECTED);
      },
    });
    await run(mainPass, 'back', undefined);
  }, 1_500_000);

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

describe('entryHtml: switching modes and crossing the threshold on one cache', () => {
  const { builds, stores, files } = modesPass;

  // The cache as the first pass left it: HTML back in the store, no file.
  beforeAll(async () => {
    if (!mainPass.builds.back) throw new Error('The first pass did not finish, so the cache is not in the state this pass starts from.');
    // Two pages added: over the threshold. Deleted again: at it, so under.
    threshold = pageCount + 1;
    await run(modesPass, 'at', String(threshold));
    const added = [1, 2].map((n) => standIn.space.addPage({ title: `Added page ${n}`, parentId: GUIDES, body: `Added page ${n} text.\n` }).id);
    await run(modesPass, 'over', String(threshold));
    const before = standIn.space.get(ACCESS_TOKENS)!.body;
    standIn.space.updatePage(ACCESS_TOKENS, { body: before.replace('App REST APIs', `App REST APIs ${EDITED}`) });
    await run(modesPass, 'store', 'store');
    await run(modesPass, 'over-again', String(threshold));
    for (const id of added) standIn.space.deletePage(id);
    await run(modesPass, 'under', String(threshold));
    await run(modesPass, 'reference', 'store', { cacheDir: 'own' });
  }, 1_800_000);

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
