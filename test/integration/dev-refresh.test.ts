/**
 * `astro dev` follows Confluence: the dev server of the site, against the stand-in, serves a page;
 * the page is edited through the stand-in's admin API; the served page changes by itself, with no
 * restart, within a bounded wait on that condition.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type StandIn } from 'confluence-stand-in';
import { startDevServer, until } from '../helpers/dev-server.ts';
import { inheritedEnv, TMP, withBuildLock } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

const PAGE_ID = '4986372609'; // Installation
const PATH = '/getting-started/installation/';

describe('astro dev against the stand-in', () => {
  let standIn: StandIn;
  beforeAll(async () => {
    standIn = await start({ port: 0 });
  });
  afterAll(async () => {
    await standIn.stop();
  });

  it('shows an edit made in Confluence without a restart', async () => {
    await withBuildLock(async () => {
      const { NODE_ENV: _testMode, ...inherited } = inheritedEnv();
      const env = {
        ...inherited,
        ...standInEnv(standIn),
        ASTRO_TELEMETRY_DISABLED: '1',
        ASTRO_CACHE_DIR: join(TMP, 'dev-refresh', 'cache'),
      };
      rmSync(env.ASTRO_CACHE_DIR, { recursive: true, force: true });
      const dev = await startDevServer(env);
      try {
        expect(dev.origin, `the dev server did not start:\n${dev.output()}`).toBeDefined();
        const page = () => dev.page(PATH);
        const before = await until(page, (html) => html.includes('<h1'));
        expect(before, `${before}\n${dev.output()}`).toContain('Installation');
        expect(dev.output()).toContain('Watching Confluence for changes every 3s');

        const edited = await fetch(`${standIn.url}/_admin/pages/${PAGE_ID}`, { method: 'PUT', body: JSON.stringify({ body: 'Edited in Confluence: DEV-REFRESH-MARKER-41c2.\n' }) });
        expect(edited.status).toBe(200);
        const after = await until(page, (html) => html.includes('DEV-REFRESH-MARKER-41c2'));
        expect(after, `the page did not change:\n${dev.output()}`).toContain('DEV-REFRESH-MARKER-41c2');
        expect(dev.output()).toMatch(/Changes from Confluence: Synced \d+ pages .*1 exported in 1 calls/);
      } finally {
        await dev.stop();
      }
    });
    // A dev server's first requests compile the site: on a machine shared with other builds this
    // may take minutes. The waits above are bounded by their conditions; this only bounds a hang.
  }, 900_000);
});
