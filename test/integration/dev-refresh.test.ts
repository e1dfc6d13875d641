/**
 * `astro dev` follows Confluence: the dev server of the site, against the stand-in, serves a page;
 * the page is edited through the stand-in's admin API; the served page changes by itself, with no
 * restart, within a bounded wait on that condition.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
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
      const port = await freePort();
      const { NODE_ENV: _testMode, ...inherited } = inheritedEnv();
      const env = {
        ...inherited,
        ...standInEnv(standIn),
        ASTRO_TELEMETRY_DISABLED: '1',
        ASTRO_CACHE_DIR: join(TMP, 'dev-refresh', 'cache'),
      };
      rmSync(env.ASTRO_CACHE_DIR, { recursive: true, force: true });
      const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/astro/bin/astro.mjs'), 'dev', '--host', '127.0.0.1', '--port', String(port)], {
        cwd: PROJECT_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      try {
        // Astro may move to another port than the one asked for: the one it serves on is the one it prints.
        // Astro colours the line (escape codes sit between "Local" and the URL in some terminals and CI).
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
        const before = await until(page, (html) => html.includes('<h1'));
        expect(before, `${before}\n${output}`).toContain('Installation');
        expect(output).toContain('Watching Confluence for changes every 3s');

        const edited = await fetch(`${standIn.url}/_admin/pages/${PAGE_ID}`, { method: 'PUT', body: JSON.stringify({ body: 'Edited in Confluence: DEV-REFRESH-MARKER-41c2.\n' }) });
        expect(edited.status).toBe(200);
        const after = await until(page, (html) => html.includes('DEV-REFRESH-MARKER-41c2'));
        expect(after, `the page did not change:\n${output}`).toContain('DEV-REFRESH-MARKER-41c2');
        expect(output).toMatch(/Changes from Confluence: Synced \d+ pages .*1 exported in 1 calls/);
      } finally {
        child.kill();
        await new Promise((resolve) => child.once('close', resolve));
      }
    });
    // A dev server's first requests compile the site: on a machine shared with other builds this
    // may take minutes. The waits above are bounded by their conditions; this only bounds a hang.
  }, 900_000);
});
