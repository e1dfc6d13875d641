/**
 * `astro dev` with entryHtml: 'file': the dev server renders each page from its HTML file, and as
 * Confluence changes under it, an edited page shows its new text, the file of its old text is
 * pruned, and once the page is restricted it is no longer served and its last file is gone too.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type StandIn } from 'confluence-stand-in';
import { inheritedEnv, PROJECT_ROOT, TMP, withBuildLock } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

const PAGE_ID = '4986372609'; // Installation
const PATH = '/getting-started/installation/';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `check` holds, at most `attempts` × `everyMs` (13 min: a loaded machine took over 5 to start and compile the dev server); returns the last value seen. */
async function until<T>(probe: () => Promise<T>, check: (value: T) => boolean, attempts = 4000, everyMs = 200): Promise<T> {
  let value = await probe();
  for (let i = 0; i < attempts && !check(value); i++) {
    await sleep(everyMs);
    value = await probe();
  }
  return value;
}

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
      const port = await freePort();
      const { NODE_ENV: _testMode, ...inherited } = inheritedEnv();
      const cacheDir = join(TMP, 'entry-html-dev', 'cache');
      const htmlDir = join(cacheDir, 'astro-loader-confluence', 'docs', 'html');
      const holding = (text: string) => (existsSync(htmlDir) ? readdirSync(htmlDir).filter((name) => readFileSync(join(htmlDir, name), 'utf8').includes(text)) : []);
      const env = { ...inherited, ...standInEnv(standIn, { CONFLUENCE_ENTRY_HTML: 'file' }), ASTRO_TELEMETRY_DISABLED: '1', ASTRO_CACHE_DIR: cacheDir };
      rmSync(cacheDir, { recursive: true, force: true });
      const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/astro/bin/astro.mjs'), 'dev', '--host', '127.0.0.1', '--port', String(port)], {
        cwd: PROJECT_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      try {
        const origin = await until(async () => /Local\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output.replace(/\x1b\[[0-9;]*m/g, ''))?.[1], (url) => url !== undefined);
        expect(origin, `the dev server did not start:\n${output}`).toBeDefined();
        const page = async () => {
          try {
            const response = await fetch(`${origin}${PATH}`);
            return response.status === 200 ? await response.text() : `status ${response.status}`;
          } catch (error) {
            return `error ${(error as Error).message} ${String((error as Error).cause)}`;
          }
        };
        const edit = (body: string) => fetch(`${standIn.url}/_admin/pages/${PAGE_ID}`, { method: 'PUT', body: JSON.stringify({ body }) });
        const before = await until(page, (html) => html.includes('<h1'));
        expect(before, `${before}\n${output}`).toContain('Installation');
        expect(output).toContain('Page HTML is kept in files of the build cache');

        expect((await edit(`${FIRST} first edit.\n`)).status).toBe(200);
        expect(await until(page, (html) => html.includes(FIRST)), output).toContain(FIRST);
        expect(holding(FIRST)).toHaveLength(1);

        expect((await edit(`${SECOND} second edit.\n`)).status).toBe(200);
        const second = await until(page, (html) => html.includes(SECOND));
        expect(second, output).toContain(SECOND);
        expect(second).not.toContain(FIRST);
        expect(holding(FIRST)).toEqual([]);
        expect(holding(SECOND)).toHaveLength(1);

        const restricted = await fetch(`${standIn.url}/_admin/pages/${PAGE_ID}/restriction`, { method: 'PUT', body: JSON.stringify({ restricted: true }) });
        expect(restricted.status).toBe(200);
        // A request racing the refresh may find the entry still there and its file already pruned
        // (a 500 naming the missing file, never the old text): the page settles on a 404.
        const gone = await until(page, (html) => html === 'status 404');
        expect(gone, output.slice(-6000)).toBe('status 404');
        expect(holding(SECOND)).toEqual([]);
      } finally {
        child.kill();
        await new Promise((resolve) => child.once('close', resolve));
      }
    });
  }, 900_000);
});
