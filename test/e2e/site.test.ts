/**
 * The demo site in a real browser: `astro preview` serves the demo build (test/global-setup.ts) and
 * Debian's Chromium, driven by playwright-core, walks it as a reader would: through the sidebar,
 * the images, every internal link, the search box and the version switcher. A screenshot of the
 * home page is left in test/.tmp/screenshots/ for review.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, startPreview, type Preview } from '../helpers/browser.ts';
import { TMP } from '../helpers/site-build.ts';

const demoDist = inject('demoDist');
// The browser walks a private copy: another test run rebuilding the shared demo must not pull
// pages from under it.
let dist = '';

let preview: Preview | undefined;
let origin = '';
let browser: Browser;

/** Every page of the build, as URL paths (`/`, `/guides/`, `/v0.9/reference/`). */
function builtPages(dir: string): string[] {
  const pages: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        if (!['_astro', 'pagefind', '_attachments'].includes(name)) walk(path);
      } else if (name === 'index.html') {
        const rel = relative(dir, folder).split(sep).join('/');
        pages.push(rel === '' ? '/' : `/${rel}/`);
      }
    }
  };
  walk(dir);
  return pages.sort();
}

async function open(path: string, reuse?: Page): Promise<Page> {
  const page = reuse ?? (await browser.newPage({ viewport: { width: 1280, height: 900 } }));
  const response = await page.goto(`${origin}${path}`);
  expect(response?.status(), path).toBe(200);
  return page;
}

const h1 = (page: Page) => page.locator('main h1').first().innerText();

beforeAll(async () => {
  mkdirSync(TMP, { recursive: true });
  dist = mkdtempSync(join(TMP, 'e2e-dist-'));
  cpSync(demoDist, dist, { recursive: true });
  preview = await startPreview(dist);
  origin = preview.origin;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await preview?.stop();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

describe('the demo site in a browser', () => {
  let pages: string[] = [];
  beforeAll(() => {
    pages = builtPages(dist);
  });

  it('builds the live docs and the frozen v0.9 side by side', () => {
    expect(pages).toContain('/guides/large-spaces/batch-planning/');
    expect(pages).toContain('/v0.9/guides/large-spaces/batch-planning/');
    expect(pages).toContain('/guides/versioned-snapshots/');
    expect(pages).not.toContain('/v0.9/guides/versioned-snapshots/');
  });

  it('navigates from the home page through the sidebar', async () => {
    const page = await open('/');
    const sidebar = page.locator('nav[aria-label="Main"]');
    // A nested group starts closed; its summary opens it.
    const group = sidebar.locator('summary', { hasText: 'Large spaces' }).locator('xpath=..');
    expect(await group.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(false);
    await group.locator('summary').first().click();
    expect(await group.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true);
    await group.getByRole('link', { name: 'Batch planning', exact: true }).click();
    await page.waitForURL(`${origin}/guides/large-spaces/batch-planning/`);
    expect(await h1(page)).toBe('Batch planning');
    expect(await sidebar.locator('a[aria-current="page"]').innerText()).toBe('Batch planning');
    await page.close();
  });

  it('loads every image on every page', async () => {
    let images = 0;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (const path of pages) {
      await open(path, page);
      // Astro's images load lazily; ask for all of them now and wait until each has loaded or failed.
      const broken = await page.evaluate(async () => {
        const all = [...document.querySelectorAll('main img')] as HTMLImageElement[];
        for (const img of all) img.loading = 'eager';
        await Promise.all(all.map((img) => img.decode().catch(() => undefined)));
        return { count: all.length, broken: all.filter((img) => img.naturalWidth === 0).map((img) => img.currentSrc || img.src) };
      });
      expect(broken.broken, path).toEqual([]);
      images += broken.count;
    }
    await page.close();
    // The demo's home and publishing guide show diagrams, in the live docs and in v0.9.
    expect(images).toBeGreaterThanOrEqual(4);
  });

  it('answers 200 for every internal link on every page, and keeps a version\'s content links inside it', async () => {
    const hrefs = new Set<string>();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (const path of pages) {
      await open(path, page);
      const links = await page.evaluate(() => ({
        all: [...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).href),
        content: [...document.querySelectorAll('main .sl-markdown-content a[href], nav[aria-label="Main"] a[href]')].map((a) => (a as HTMLAnchorElement).href),
      }));
      for (const href of links.all) {
        const url = new URL(href);
        if (url.origin === origin) hrefs.add(url.pathname + url.search);
      }
      if (path.startsWith('/v0.9/')) {
        for (const href of links.content) {
          const url = new URL(href);
          if (url.origin === origin && !url.pathname.includes('/_attachments/')) expect(url.pathname, `${path} → ${href}`).toMatch(/^\/v0\.9\//);
        }
      }
    }
    await page.close();
    expect(hrefs.size).toBeGreaterThan(pages.length);
    const failures: string[] = [];
    for (const href of hrefs) {
      const response = await fetch(`${origin}${href}`);
      await response.arrayBuffer();
      if (response.status !== 200) failures.push(`${href} → ${response.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('finds a phrase from a deep page with the search box, the viewed version\'s results first, other versions on request', async () => {
    const search = async (path: string) => {
      const page = await open(path);
      await page.locator('site-search button[data-open-modal]').click();
      await page.locator('#starlight__search input').fill('batch planner');
      await page.locator('#starlight__search a.pagefind-ui__result-link').first().waitFor();
      // Results settle after the debounce; wait until the list stops changing.
      let previous = '';
      for (let i = 0; i < 50; i++) {
        const now = (await page.locator('#starlight__search a.pagefind-ui__result-link').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).join(' ');
        if (now === previous) break;
        previous = now;
        await page.waitForTimeout(100);
      }
      return page;
    };
    const hrefs = (page: Page) => page.locator('#starlight__search a.pagefind-ui__result-link').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));

    // On the live docs: the live page is found and no frozen result comes before it.
    const live = await search('/');
    const liveHrefs = await hrefs(live);
    expect(liveHrefs[0]).toBe('/guides/large-spaces/batch-planning/');
    expect(liveHrefs.filter((href) => href.startsWith('/v0.9/'))).toEqual([]);
    expect(await live.locator('#starlight__search a.pagefind-ui__result-link').first().innerText()).toBe('Batch planning');
    // Unticking the version in the filter panel searches every version: v0.9's copy, labelled so.
    expect(await live.locator('#starlight__search input[name="version"][value="Latest"]').isChecked()).toBe(true);
    await live.locator('#starlight__search label[for="version-Latest"]').click();
    const frozen = live.locator('#starlight__search a.pagefind-ui__result-link[href="/v0.9/guides/large-spaces/batch-planning/"]');
    await frozen.waitFor();
    expect(await frozen.innerText()).toBe('Batch planning (v0.9)');
    await live.close();

    // On a page of v0.9: its own copy comes first.
    const old = await search('/v0.9/');
    expect((await hrefs(old))[0]).toBe('/v0.9/guides/large-spaces/batch-planning/');
    expect((await hrefs(old)).filter((href) => !href.startsWith('/v0.9/'))).toEqual([]);
    await old.locator('#starlight__search a.pagefind-ui__result-link').first().click();
    await old.waitForURL(`${origin}/v0.9/guides/large-spaces/batch-planning/`);
    expect(await h1(old)).toBe('Batch planning');
    await old.close();
  });

  it('moves between versions with the switcher, staying on the same page when it exists', async () => {
    const page = await open('/getting-started/installation/');
    const switcher = page.locator('header confluence-version-select select');
    expect(await switcher.locator('option').allInnerTexts()).toEqual(['Latest', 'v0.9']);
    await switcher.selectOption({ label: 'v0.9' });
    await page.waitForURL(`${origin}/v0.9/getting-started/installation/`);
    expect(await h1(page)).toBe('Installation');
    expect(await page.locator('main').innerText()).toContain('20 or newer');
    expect(await page.locator('.confluence-version-banner').innerText()).toContain('v0.9');
    // The sidebar is v0.9's own tree.
    const sidebarLinks = await page.locator('nav[aria-label="Main"] a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(sidebarLinks.length).toBeGreaterThan(10);
    expect(sidebarLinks.every((href) => href!.startsWith('/v0.9/'))).toBe(true);
    expect(sidebarLinks).not.toContain('/v0.9/guides/versioned-snapshots/');

    await page.locator('header confluence-version-select select').selectOption({ label: 'Latest' });
    await page.waitForURL(`${origin}/getting-started/installation/`);
    expect(await page.locator('main').innerText()).toContain('22.12 or newer');

    // A page v0.9 does not have leads to v0.9's home page.
    await page.goto(`${origin}/guides/versioned-snapshots/`);
    await page.locator('header confluence-version-select select').selectOption({ label: 'v0.9' });
    await page.waitForURL(`${origin}/v0.9/`);
    expect(await h1(page)).toBe('Confluence to Starlight');
    await page.close();
  });

  it('saves a screenshot of the home page for review', async () => {
    const dir = join(TMP, 'screenshots');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'home.png');
    const page = await open('/');
    await page.screenshot({ path: file, fullPage: false });
    await page.close();
    const png = statSync(file);
    expect(png.size).toBeGreaterThan(10_000);
  });
});
