/**
 * A large generated space (2,000 pages, balanced) built with the default sidebar, which above 200
 * pages gives each page its branch of the tree, walked in Chromium: down from the top level by
 * following collapsed groups' links to a deep page, whose branch is open and whose sidebar holds
 * the top level, the siblings along its path and nothing else (a count that does not depend on the
 * size of the space); previous/next follow the whole tree, also to pages its sidebar does not show.
 * The expected tree comes from the stand-in's own model of the space.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page as BrowserPage } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpace, start, type StandIn } from 'confluence-stand-in';
import { launchBrowser, startPreview, type Preview } from '../helpers/browser.ts';
import { buildSite, TMP } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

const PAGES = 2_000;
const NAME = `large-space-${process.pid}`;

type Page = ReturnType<StandIn['space']['all']>[number];

let standIn: StandIn;
let preview: Preview;
let browser: Browser;
let dist = '';

/** The space as readers see it: what is published, in Confluence order (the stand-in's model, not the loader's). */
function publishedTree(s: StandIn) {
  const { space } = s;
  const isPublished = (page: Page) =>
    !space.isEffectivelyRestricted(page.id) && ![page, ...space.ancestors(page.id)].some((p) => p.labels.includes('internal'));
  const children = (id: string | undefined) => space.children(id).filter(isPublished);
  const siblings = (page: Page) => children(page.parentId);
  const parent = (page: Page) => (page.parentId === undefined ? undefined : space.get(page.parentId));
  /** The page after `page` in reading order: depth first, in Confluence order. */
  const next = (page: Page): Page | undefined => {
    const kids = children(page.id);
    if (kids.length > 0) return kids[0];
    for (let at: Page | undefined = page; at; at = parent(at)) {
      const list = siblings(at);
      const after = list[list.findIndex((p) => p.id === at!.id) + 1];
      if (after) return after;
    }
    return undefined;
  };
  /** The last page of `page`'s subtree in reading order. */
  const lastDescendant = (page: Page): Page => {
    let at = page;
    for (let kids = children(at.id); kids.length > 0; kids = children(at.id)) at = kids.at(-1)!;
    return at;
  };
  return { children, next, lastDescendant, published: space.all().filter(isPublished) };
}

const sidebar = (page: BrowserPage) => page.locator('nav[aria-label="Main"] sl-sidebar-state-persist');
const h1 = (page: BrowserPage) => page.locator('main h1').first().innerText();

/** Opens a top-level page other than `avoid` (a generated space has no home page at `/`). */
async function openTopLevel(page: BrowserPage, avoid: string): Promise<void> {
  for (const dir of readdirSync(dist, { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name.startsWith('_') || dir.name === 'pagefind') continue;
    await page.goto(`${preview.origin}/${dir.name}/`);
    if ((await h1(page)) !== avoid) return;
  }
  throw new Error('No top-level page to start from');
}

/** Clicks the sidebar link titled `title` and waits for its page; returns whether it stood for a collapsed group. */
async function follow(page: BrowserPage, title: string): Promise<boolean> {
  const link = sidebar(page).getByRole('link', { name: title, exact: true }).first();
  const collapsed = (await link.getAttribute('data-confluence-branch')) !== null;
  const href = await link.getAttribute('href');
  await link.click();
  await page.waitForURL(`${preview.origin}${href}`);
  expect(await h1(page)).toBe(title);
  expect(await sidebar(page).locator('a[aria-current="page"]').innerText()).toBe(title);
  return collapsed;
}

beforeAll(async () => {
  standIn = await start({ port: 0, space: generateSpace({ shape: 'balanced', size: PAGES }) });
  const build = await buildSite(NAME, standInEnv(standIn));
  if (build.code !== 0) throw new Error(`The ${PAGES}-page space failed to build:\n${build.output.slice(-4000)}`);
  dist = build.outDir;
  preview = await startPreview(dist);
  browser = await launchBrowser();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await preview?.stop();
  await standIn?.stop();
  rmSync(join(TMP, NAME), { recursive: true, force: true });
});

describe(`a ${PAGES.toLocaleString('en')}-page space in a browser`, () => {
  it('opens the branch of a deep page reached through collapsed groups, and holds no more than that branch', async () => {
    const tree = publishedTree(standIn);
    expect(tree.published.length).toBeGreaterThan(PAGES * 0.9);
    const top = tree.children(undefined);
    const hasKids = (p: Page) => tree.children(p.id).length > 0;
    // A page on the deepest level, the last one there: three levels of groups above it, R → C1 → C2.
    const depth = (p: Page) => standIn.space.ancestors(p.id).length;
    const leaf = tree.published.reduce((deepest, p) => (depth(p) >= depth(deepest) ? p : deepest));
    const [root, c1, c2] = standIn.space.ancestors(leaf.id).reverse() as [Page, Page, Page];
    expect([depth(leaf), hasKids(leaf)]).toEqual([3, false]);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openTopLevel(page, root.title);
    expect(await sidebar(page).locator('a').count()).toBeLessThan(60);
    for (const group of [root, c1, c2]) expect(await follow(page, group.title), group.title).toBe(true);
    expect(await follow(page, leaf.title)).toBe(false);

    // The current branch is open: the groups around the current link are its ancestors, outermost first.
    const current = sidebar(page).locator('a[aria-current="page"]');
    const openGroups = await current.evaluate((link) => {
      const labels: string[] = [];
      for (let d = link.closest('details'); d; d = d.parentElement!.closest('details')) {
        if (!d.open) return null;
        labels.unshift(d.querySelector(':scope > summary')!.textContent!.trim());
      }
      return labels;
    });
    expect(openGroups).toEqual([root.title, c1.title, c2.title]);

    // Top level, then each ancestor's children (the leaf's siblings last): nothing of the other 1,900 pages.
    const shown = [...top, ...[root, c1, c2].flatMap((p) => tree.children(p.id))];
    const links = await sidebar(page).locator('a').evaluateAll((as) => as.map((a) => ({ text: a.textContent!.trim(), branch: a.hasAttribute('data-confluence-branch') })));
    expect(links.map((l) => l.text)).toEqual(expect.arrayContaining(shown.map((p) => p.title)));
    expect(links.length).toBe(shown.length);
    expect(links.length).toBeLessThan(PAGES / 20);
    // Every group off the path is a link to its page, marked as one.
    const path = new Set([root.id, c1.id, c2.id]);
    const collapsed = shown.filter((p) => hasKids(p) && !path.has(p.id)).map((p) => p.title);
    expect(links.filter((l) => l.branch).map((l) => l.text).sort()).toEqual(collapsed.sort());

    // A group of Starlight's own markup: the keyboard closes and opens it.
    const summary = sidebar(page).locator('details', { has: page.locator('a[aria-current="page"]') }).first().locator('xpath=./summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    expect(await summary.evaluate((s) => (s.parentElement as HTMLDetailsElement).open)).toBe(false);
    await page.keyboard.press('Enter');
    expect(await summary.evaluate((s) => (s.parentElement as HTMLDetailsElement).open)).toBe(true);

    // Next leaves the leaf's group for the page after it in the whole tree; previous comes back.
    const after = tree.next(leaf)!;
    await page.locator('.pagination-links a[rel="next"]').click();
    await expect.poll(() => h1(page)).toBe(after.title);
    await page.locator('.pagination-links a[rel="prev"]').click();
    await expect.poll(() => h1(page)).toBe(leaf.title);
    await page.close();
  });

  it('leads previous/next to pages the sidebar does not show', async () => {
    const tree = publishedTree(standIn);
    const hasKids = (p: Page) => tree.children(p.id).length > 0;
    // A second-level page whose previous sibling is a group: its previous page is that group's last descendant.
    const root = tree.children(undefined).filter(hasKids)[0]!;
    const kids = tree.children(root.id);
    const index = kids.findIndex((p, i) => i > 0 && hasKids(kids[i - 1]!));
    const target = kids[index]!;
    const before = tree.lastDescendant(kids[index - 1]!);
    expect(before.parentId).not.toBe(root.id);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openTopLevel(page, root.title);
    await follow(page, root.title);
    await follow(page, target.title);
    const titles = await sidebar(page).locator('a').allInnerTexts();
    expect(titles).not.toContain(before.title);

    await page.locator('.pagination-links a[rel="prev"]').click();
    await expect.poll(() => h1(page)).toBe(before.title);
    // There, the branch down to it is open, and next leads back.
    expect(await sidebar(page).locator('a[aria-current="page"]').innerText()).toBe(before.title);
    await page.locator('.pagination-links a[rel="next"]').click();
    await expect.poll(() => h1(page)).toBe(target.title);
    await page.close();
  });
});
