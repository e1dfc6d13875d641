/**
 * `astro dev` with entryHtml: 'file': the dev server renders each page from its HTML file, and as
 * Confluence changes under it, an edited page shows its new text, the file of its old text is
 * pruned by the next refresh, and once the page is restricted it is no longer served and its last
 * file is gone too (loader-dev-prune.test.ts tests why a file outlives its entry by one load).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type StandIn } from 'confluence-stand-in';
import { startDevServer, until } from '../helpers/dev-server.ts';
import { inheritedEnv, TMP, withBuildLock } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

const PAGE_ID = '4986372609'; // Installation
const PATH = '/getting-started/installation/';
const FIRST = 'DEVFILEFIRSTMARKER';
const SECOND = 'DEVFILESECONDMARKER';

describe('astro dev with entryHtml: file', () => {
  let standIn: StandIn;
  beforeAll(async () => {
    standIn = await start({ port: 0 });
  });
  afterAll(async () => {
    await standIn.stop();
  });

  it('serves each edit from a new file, prunes the old one, and stops serving a page restricted', async () => {
    await withBuildLock(async () => {
      const { NODE_ENV: _testMode, ...inherited } = inheritedEnv();
      const cacheDir = join(TMP, 'entry-html-dev', 'cache');
      const htmlDir = join(cacheDir, 'astro-loader-confluence', 'docs', 'html');
      const holding = (text: string) => (existsSync(htmlDir) ? readdirSync(htmlDir).filter((name) => readFileSync(join(htmlDir, name), 'utf8').includes(text)) : []);
      const env = { ...inherited, ...standInEnv(standIn, { CONFLUENCE_ENTRY_HTML: 'file' }), ASTRO_TELEMETRY_DISABLED: '1', ASTRO_CACHE_DIR: cacheDir };
      rmSync(cacheDir, { recursive: true, force: true });
      const dev = await startDevServer(env);
      try {
        expect(dev.origin, `the dev server did not start:\n${dev.output()}`).toBeDefined();
        const page = () => dev.page(PATH);
        const edit = (body: string) => fetch(`${standIn.url}/_admin/pages/${PAGE_ID}`, { method: 'PUT', body: JSON.stringify({ body }) });
        const before = await until(page, (html) => html.includes('<h1'));
        expect(before, `${before}\n${dev.output()}`).toContain('Installation');
        expect(dev.output()).toContain('Page HTML is kept in files of the build cache');

        expect((await edit(`${FIRST} first edit.\n`)).status).toBe(200);
        expect(await until(page, (html) => html.includes(FIRST)), dev.output()).toContain(FIRST);
        expect(holding(FIRST)).toHaveLength(1);

        expect((await edit(`${SECOND} second edit.\n`)).status).toBe(200);
        const second = await until(page, (html) => html.includes(SECOND));
        expect(second, dev.output()).toContain(SECOND);
        expect(second).not.toContain(FIRST);
        // The first file stays one more refresh (the server may still render the store naming it).
        expect(await until(async () => holding(FIRST), (files) => files.length === 0)).toEqual([]);
        expect(holding(SECOND)).toHaveLength(1);

        const restricted = await fetch(`${standIn.url}/_admin/pages/${PAGE_ID}/restriction`, { method: 'PUT', body: JSON.stringify({ restricted: true }) });
        expect(restricted.status).toBe(200);
        const gone = await until(page, (html) => html === 'status 404');
        expect(gone, dev.output().slice(-6000)).toBe('status 404');
        expect(await until(async () => holding(SECOND), (files) => files.length === 0)).toEqual([]);
      } finally {
        await dev.stop();
      }
    });
  }, 900_000);
});
