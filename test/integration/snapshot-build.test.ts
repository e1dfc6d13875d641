/**
 * Builds from a snapshot: a snapshot of the demo space taken with the CLI builds offline (no
 * stand-in running) to the same pages as the live demo build; a build configured for a space but
 * without credentials falls back to the newest committed snapshot and says so on every page; with
 * no snapshot to fall back on it fails with the fix.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { start } from 'confluence-stand-in';
import { buildSite, PROJECT_ROOT, TMP } from '../helpers/site-build.ts';

const CLI = join(PROJECT_ROOT, 'packages/astro-loader-confluence/src/cli/index.ts');
const WORK = join(TMP, 'snapshot-build-work');
/** Committed snapshots live in a folder of their own, one sub-folder per snapshot. */
const SNAPSHOTS = join(WORK, 'snapshots');
const SNAPSHOT = join(SNAPSHOTS, 'demo');
const BANNER = 'This preview was built from a snapshot taken';
/** The settings the live demo build uses besides the stand-in's addresses (astro.config.mjs). */
const DEMO_SETTINGS = { CONFLUENCE_EDIT_LINKS: 'false', CONFLUENCE_VERSIONS_DIR: 'site/versions' };

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

/**
 * A page's `<main>`. Astro marks optimised images `data-image-component="true"` when it renders an
 * entry fresh but not when it renders one kept in its data store from an earlier build (measured
 * on Astro 7.3.5: a cold and a warm build of the same snapshot differ only there). The demo build
 * may be warm or cold, so that attribute is not compared; everything else is.
 */
function main(html: string): string {
  const start = html.indexOf('<main');
  const end = html.lastIndexOf('</main>');
  expect(start).toBeGreaterThan(0);
  return html.slice(start, end).replaceAll(' data-image-component="true"', '');
}

beforeAll(async () => {
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });
  const standIn = await start({ port: 0 });
  try {
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CONFLUENCE_'))),
      CI: 'true',
      CONFLUENCE_SPACE_KEY: standIn.space.key,
      CONFLUENCE_SITE: standIn.site,
      CONFLUENCE_EXPORT_URL: standIn.exportUrl,
      CONFLUENCE_API_URL: standIn.apiUrl,
      CONFLUENCE_ACCESS_TOKEN: standIn.accessToken,
      CONFLUENCE_EXCLUDE_LABELS: 'internal',
    };
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'snapshot', SNAPSHOT], { cwd: PROJECT_ROOT, env, stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(code).toBe(0);
  } finally {
    // Everything below builds offline: nothing is listening any more.
    await standIn.stop();
  }
});

afterAll(async () => {
  await rm(WORK, { recursive: true, force: true });
});

describe('a site built from a snapshot', () => {
  it('is the live demo build: the same files, and every page the same main content', async () => {
    const build = await buildSite('snapshot-build', { CONFLUENCE_SNAPSHOT: SNAPSHOT, ...DEMO_SETTINGS }, { cacheDir: join(WORK, 'astro-cache') });
    expect(build.code, build.output).toBe(0);
    expect(build.output).not.toContain('stand-in');
    const live = inject('demoDist');
    const liveFiles = files(live);
    expect(files(build.outDir)).toEqual(liveFiles);
    const pages = liveFiles.filter((f) => f.endsWith('.html'));
    expect(pages.length).toBeGreaterThan(19);
    for (const page of pages) {
      const html = readFileSync(join(build.outDir, page), 'utf8');
      expect(main(html), page).toBe(main(readFileSync(join(live, page), 'utf8')));
      expect(html, page).not.toContain(BANNER);
    }
  });

  it('falls back to the newest snapshot when a space is configured without credentials, with a banner on every page', async () => {
    const build = await buildSite('snapshot-fallback', { CONFLUENCE_SPACE_KEY: 'DEMO', CONFLUENCE_SNAPSHOTS_DIR: SNAPSHOTS });
    expect(build.code, build.output).toBe(0);
    expect(build.output).toContain('No Confluence credentials: building from the newest snapshot');
    const pages = files(build.outDir).filter((f) => f.endsWith('index.html'));
    const manifest = JSON.parse(readFileSync(join(SNAPSHOT, 'manifest.json'), 'utf8')) as { pages: unknown[] };
    expect(pages).toHaveLength(manifest.pages.length);
    for (const page of pages) {
      expect(readFileSync(join(build.outDir, page), 'utf8'), page).toMatch(/class="sl-banner[^"]*"[^>]*>This preview was built from a snapshot taken \d{4}-\d\d-\d\d/);
    }
  });

  it('fails with the fix when there is neither a credential nor a snapshot', async () => {
    const empty = join(WORK, 'no-snapshots');
    await mkdir(empty, { recursive: true });
    const build = await buildSite('snapshot-none', { CONFLUENCE_SPACE_KEY: 'DEMO', CONFLUENCE_SNAPSHOTS_DIR: empty });
    expect(build.code).not.toBe(0);
    expect(build.output).toContain(`CONFLUENCE_SPACE_KEY is DEMO, but no credentials are set and there is no snapshot in ${empty} to fall back on.`);
    expect(build.output).toContain('confluence-export snapshot snapshots/<name>');
    expect(existsSync(join(build.outDir, 'index.html'))).toBe(false);
  });
});
