/**
 * Hostile content (issue 11): the hostile fixture space (test/fixtures/hostile-space/) built
 * through the real loader and `astro build`, then
 * - read statically: every page's content and every published attachment, parsed, holds no event
 *   handler, no script-capable URL and none of the dropped elements; no file of dist/ names the
 *   restricted page (id, title, tiny link) or holds its text; every page is at its own URL with
 *   its own content, the home page at `/`;
 * - opened in Chromium on a host that sends netlify.toml's headers: no payload runs when a page
 *   loads, when every content element gets mouse and focus events, or when any content link is
 *   clicked; the published SVGs run nothing even opened on their own from a host without those
 *   headers; with them, attachments download and run nothing, and the site itself (theme script,
 *   search) still works.
 * Payloads call `__pwned(name)` (or `alert`), which the browser context defines and records.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Element, Root } from 'hast';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type StandIn } from 'confluence-stand-in';
import { parseHtml } from '../../packages/astro-loader-confluence/src/rewrite/html-tree.ts';
import { ATTACHMENT_HEADERS } from '../../packages/astro-loader-confluence/src/starlight/attachments-integration.ts';
import { DEEP_LEVELS, hostileSpace, HOSTILE, LONG_TITLE, MARKERS, PRIVATE_NEEDLES } from '../fixtures/hostile-space/space.ts';
import { buildSite, type SiteBuild } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';
import { headersFor, netlifyHeaderRules, serveDist, type StaticHost } from '../helpers/static-host.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

/** Elements that run, load or host code, or redirect the page: none may be in a page's content. */
const DROPPED = /^(?:script|style|iframe|frame|frameset|object|embed|applet|base|meta|link|form|math|template|noscript|foreignObject|use|animate|animateMotion|animateTransform|set|handler|listener)$/;
const URL_PROPERTIES = new Set(['href', 'src', 'srcSet', 'action', 'formAction', 'poster', 'cite', 'data', 'xLinkHref', 'background', 'longDesc', 'codeBase']);
const ACTIVE_FILE = /\.(?:html?|xhtml?|xml|m?js|cjs|svgz|swf|xslt?)$/i;

/** Every rule the tree under `root` breaks, one line each. */
function violations(root: Root | Element): string[] {
  const out: string[] = [];
  const stack = [...root.children];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type !== 'element') continue;
    // `<use>` may stay in an SVG document only as a reference into the document itself.
    const localUse = node.tagName === 'use' && [node.properties.href, node.properties.xLinkHref].every((ref) => ref === undefined || String(ref).startsWith('#'));
    if (DROPPED.test(node.tagName) && !localUse) out.push(`<${node.tagName}>`);
    for (const [name, value] of Object.entries(node.properties)) {
      if (/^on/i.test(name)) out.push(`<${node.tagName} ${name}>`);
      if (name === 'style' && /url\(|expression|behavior|binding|\\/i.test(String(value))) out.push(`<${node.tagName} style="${String(value)}">`);
      if (!URL_PROPERTIES.has(name)) continue;
      for (const url of [value].flat().map((v) => String(v).trim().split(/\s+/)[0]!)) {
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.replace(/[\u0000-\u0020]/g, ''))?.[1]?.toLowerCase();
        if (scheme && !['http', 'https', 'mailto', 'tel'].includes(scheme) && !(scheme === 'data' && /^data:image\/(?:png|gif|jpeg|webp)/i.test(url))) out.push(`<${node.tagName} ${name}="${url}">`);
      }
    }
    stack.push(...node.children);
  }
  return out;
}

/** The element holding a built page's Markdown content. */
function contentOf(html: string): Element {
  const stack = [...parseHtml(html).children];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type !== 'element') continue;
    const classes = node.properties.className;
    if (Array.isArray(classes) && classes.includes('sl-markdown-content')) return node;
    stack.push(...node.children);
  }
  throw new Error('no .sl-markdown-content in the page');
}

function countLinks(node: Element): number {
  let count = 0;
  const stack = [...node.children];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next.type !== 'element') continue;
    if (next.tagName === 'a') count++;
    stack.push(...next.children);
  }
  return count;
}

function textOf(node: Element): string {
  let text = '';
  const stack = [...node.children].reverse();
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next.type === 'text') text += next.value;
    else if (next.type === 'element') for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i]!);
  }
  return text;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}

/** The site path each page must have (issue 11's route and path cases), by id. */
function expectedPaths(longSegment: string): Record<string, string> {
  const deep: Record<string, string> = {};
  const levels: string[] = [];
  for (let level = 1; level <= DEEP_LEVELS; level++) {
    // The first 50 levels read like the tree; deeper ones hang by id below level 49, the last folder with room.
    if (level <= 50) levels.push(`level-${level}`);
    deep[HOSTILE.deep(level)] = level <= 50 ? levels.join('/') : `${levels.slice(0, 49).join('/')}/${HOSTILE.deep(level)}`;
  }
  return {
    [HOSTILE.home]: '',
    [HOSTILE.indexChild]: 'index-7100000002',
    [HOSTILE.fourOFour]: '404-7100000003',
    [HOSTILE.guide]: 'guide',
    [HOSTILE.guideIndex]: 'guide/index-7100000005',
    [HOSTILE.display]: 'display-7100000006',
    [HOSTILE.pagefind]: 'pagefind-7100000007',
    [HOSTILE.longTitle]: longSegment,
    [HOSTILE.rawHtml]: 'raw-html-payloads',
    [HOSTILE.markdown]: 'markdown-payloads',
    [HOSTILE.privateLinks]: 'links-to-a-private-page',
    [HOSTILE.attachments]: 'active-attachments',
    ...deep,
  };
}

describe('the hostile space, built', () => {
  let standIn: StandIn;
  let build: SiteBuild;
  let dist: string;
  const titles = new Map<string, string>();
  const page = (path: string) => readFileSync(join(dist, path, 'index.html'), 'utf8');

  beforeAll(async () => {
    const space = hostileSpace();
    for (const p of space.pages) titles.set(p.id, p.title);
    standIn = await start({ port: 0, space });
    build = await buildSite('hostile', standInEnv(standIn));
    if (build.code !== 0) throw new Error(`The hostile space failed to build:\n${build.output}`);
    dist = build.outDir;
  }, 600_000);
  afterAll(async () => {
    await standIn?.stop();
  });

  describe('every page has its own URL', () => {
    let paths: Record<string, string>;
    beforeAll(() => {
      const long = readdirSync(dist).find((name) => name.startsWith('budget-and-forecast-review'))!;
      paths = expectedPaths(long);
    });

    it('cuts the 255-character title to a segment of at most 100 bytes, ending in the page id', () => {
      const segment = paths[HOSTILE.longTitle]!;
      expect(Buffer.byteLength(segment)).toBeLessThanOrEqual(100);
      expect(segment).toMatch(/^budget-and-forecast-review-[a-z0-9-]+-7100000008$/);
      expect(LONG_TITLE).toHaveLength(255);
    });

    it('serves each page at its own URL, with its own title and content; the home page keeps /', () => {
      const markers = Object.values(MARKERS);
      for (const [id, path] of Object.entries(paths)) {
        const html = page(path);
        const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1]?.replace(/&amp;/g, '&');
        expect(h1, `/${path}/`).toBe(titles.get(id));
        const text = textOf(contentOf(html));
        expect(text, `/${path}/`).toContain(MARKERS[id]);
        for (const other of markers) if (other !== MARKERS[id] && id !== HOSTILE.home) expect(text, `/${path}/ shows ${other}`).not.toContain(other);
      }
      expect(textOf(contentOf(page('')))).toContain('HOME-MARKER-7e1f');
      // Starlight's own 404 page stays the site's 404.
      expect(readFileSync(join(dist, '404.html'), 'utf8')).not.toContain(MARKERS[HOSTILE.fourOFour]);
    });

    it('warns about each renamed page by id, never by title', () => {
      for (const id of [HOSTILE.indexChild, HOSTILE.fourOFour, HOSTILE.guideIndex, HOSTILE.display, HOSTILE.pagefind, HOSTILE.longTitle]) {
        expect(build.output).toMatch(new RegExp(`page ${id} at /${paths[id]!.replace(/[-/]/g, '\\$&')}/`));
      }
      expect(build.output).toMatch(/10 page\(s\) lie deeper than 50 levels/);
      expect(build.output).not.toContain('Budget & Forecast Review Budget');
    });
  });

  describe('statically', () => {
    it('leaves no handler, script URL or dropped element in any page’s content', () => {
      const pages = allFiles(dist).filter((f) => f.endsWith('index.html'));
      expect(pages.length).toBe(Object.keys(MARKERS).length);
      const found = pages.flatMap((file) => violations(contentOf(readFileSync(file, 'utf8'))).map((v) => `${relative(dist, file)}: ${v}`));
      expect(found).toEqual([]);
      // The pages that carried payloads still show their words.
      const raw = textOf(contentOf(page('raw-html-payloads')));
      for (const kept of ['BOLD-KEPT', 'DIV-WITH-HANDLERS-KEPT', 'js link', 'entity link', 'CSS-DIV-KEPT', 'DETAILS-KEPT', 'FORM-BUTTON']) expect(raw).toContain(kept);
    });

    it('publishes no active attachment, and SVGs only sanitised', () => {
      const attachments = allFiles(join(dist, '_attachments')).map((f) => relative(dist, f).split(sep).join('/'));
      expect(attachments.sort()).toEqual([
        '_attachments/7100000009/ok.png',
        '_attachments/7100000011/ok-links.png',
        '_attachments/7100000012/drawing.svg',
        '_attachments/7100000012/evil.svg',
        '_attachments/7100000012/notes.txt',
      ]);
      expect(attachments.filter((a) => ACTIVE_FILE.test(a))).toEqual([]);
      for (const svg of attachments.filter((a) => a.endsWith('.svg'))) {
        const text = readFileSync(join(dist, svg), 'utf8');
        expect(violations(parseHtml(text)), svg).toEqual([]);
        expect(text, svg).not.toContain('__pwned');
      }
      // Astro's image pipeline never saw an attachment SVG, so it copied none as it was.
      for (const file of allFiles(join(dist, '_astro')).filter((f) => f.endsWith('.svg'))) expect(readFileSync(file, 'utf8')).not.toContain('__pwned');
    });

    it('names the restricted page nowhere in dist/ (Pagefind included): no id, title, tiny link or text', () => {
      for (const file of allFiles(dist)) {
        let bytes = readFileSync(file);
        if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
        const text = bytes.toString('latin1');
        for (const needle of PRIVATE_NEEDLES) expect(text.toLowerCase(), `${relative(dist, file)} holds ${needle}`).not.toContain(needle.toLowerCase());
      }
    });

    it('keeps the words of every link to the restricted page, with no href, and points raw links to published pages into the site', () => {
      const content = contentOf(page('links-to-a-private-page'));
      const text = textOf(content);
      for (const words of ['inline words', 'reference words', 'display words', 'tiny words', 'viewpage words', 'file words', 'raw words', 'raw display words', 'raw tiny words', 'raw file words']) expect(text).toContain(words);
      // Autolinks, bare URLs and URLs as their own text would show the id and title: a neutral text instead.
      expect(text.match(/\(not published\)/g)?.length).toBeGreaterThanOrEqual(5);
      const html = page('links-to-a-private-page');
      expect(html).toContain('<a href="/guide/">raw guide</a>');
      expect(html).toContain('<a href="/index-7100000002/">Index</a>');
    });

    it('reports links in raw HTML to unpublished pages by page id, without their titles', () => {
      // The rewrite drops such hrefs (rewrite/scrub.ts) and reports them with the page's other links.
      const lines = build.output.split('\n');
      const start = lines.findIndex((l) => l.includes('link(s) point at pages that are not published'));
      expect(start).toBeGreaterThanOrEqual(0);
      const report = lines.slice(start, start + 60).join('\n');
      expect(report).toContain(`page ${HOSTILE.privateLinks} links to page ${HOSTILE.private} (restricted)`);
      expect(report).not.toMatch(/Private.Hostile/);
      // Warnings about the restricted page's files name that page by id, not the files.
      expect(build.output).toContain(`links to an attachment of page ${HOSTILE.private}, which is not published`);
      expect(build.output).not.toContain('chart.png');
    });
  });

  describe('in Chromium', () => {
    let browser: Browser;
    let context: BrowserContext;
    let host: StaticHost;
    let bareHost: StaticHost;
    const hits: string[] = [];

    beforeAll(async () => {
      if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}; install it with \`apt-get install chromium\`.`);
      host = await serveDist(dist, { headers: true });
      bareHost = await serveDist(dist, { headers: false });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      context = await browser.newContext({ acceptDownloads: true });
      // Nothing leaves the two local hosts: links into Confluence or to other sites fail at once.
      await context.route('**/*', (route) => {
        const origin = new URL(route.request().url()).origin;
        return origin === host.origin || origin === bareHost.origin ? route.continue() : route.abort();
      });
      // Every document and frame of the context gets `__pwned`; a payload that runs calls it.
      await context.exposeBinding('__pwned', ({ page: from }, name: unknown) => {
        hits.push(`${String(name)} on ${from?.url() ?? '?'}`);
      });
      context.on('page', (p) => p.on('dialog', (dialog) => {
        hits.push(`dialog "${dialog.message()}" on ${p.url()}`);
        void dialog.dismiss();
      }));
    });
    afterAll(async () => {
      await browser?.close();
      await host?.close();
      await bareHost?.close();
    });

    const pagePaths = () => allFiles(dist).filter((f) => f.endsWith('index.html')).map((f) => `/${relative(dist, f).split(sep).join('/').replace(/index\.html$/, '')}`);

    /** Mouse, focus and toggle events on every element of the content, so that any handler left would fire. */
    async function stir(p: Page, selector = '.sl-markdown-content *'): Promise<void> {
      await p.evaluate((within) => {
        for (const element of document.querySelectorAll(within)) {
          for (const type of ['mouseover', 'mouseenter', 'mousemove', 'focus', 'focusin', 'toggle', 'animationstart', 'load', 'error']) element.dispatchEvent(new Event(type, { bubbles: true }));
          if (element instanceof HTMLElement) element.focus();
        }
      }, selector);
    }

    it('sees a payload that runs (the watch itself works)', async () => {
      const p = await context.newPage();
      await p.goto(`${host.origin}/`);
      await p.setContent('<img src="x" onerror="__pwned(\'control-img\')"><svg onload="__pwned(\'control-svg\')"></svg><a id="j" href="javascript:__pwned(\'control-link\')">j</a><b onmouseover="alert(\'control-alert\')">b</b>');
      await p.locator('#j').click();
      await stir(p, 'body *');
      const seen = () => [...new Set(hits.map((hit) => hit.split(' ')[0]))].sort();
      await expect.poll(seen).toEqual(['control-img', 'control-link', 'control-svg', 'dialog']);
      await p.close();
      hits.length = 0;
    });

    it('runs no payload when any page loads or its content is hovered and focused', async () => {
      const p = await context.newPage();
      const visited: string[] = [];
      for (const path of pagePaths()) {
        const response = await p.goto(`${host.origin}${path}`);
        expect(response?.status(), path).toBe(200);
        await stir(p);
        visited.push(path);
      }
      await p.close();
      expect(visited.length).toBe(Object.keys(MARKERS).length);
      expect(hits).toEqual([]);
    }, 300_000);

    it('runs no payload when any content link is clicked', async () => {
      let clicked = 0;
      for (const path of pagePaths()) {
        const links = countLinks(contentOf(page(path.slice(1))));
        for (let i = 0; i < links; i++) {
          // A page of its own per click: the navigation a click starts must not race the next one.
          const p = await context.newPage();
          await p.goto(`${host.origin}${path}`);
          await p.locator('.sl-markdown-content a').nth(i).click({ noWaitAfter: true, force: true }).catch(() => undefined);
          await p.waitForLoadState('load').catch(() => undefined);
          await p.close();
          clicked++;
        }
      }
      expect(clicked).toBeGreaterThan(20);
      expect(hits).toEqual([]);
    }, 300_000);

    it('shows the sanitised SVGs as images, and runs nothing when they are opened on their own, even without the headers', async () => {
      const p = await context.newPage();
      await p.goto(`${host.origin}/active-attachments/`);
      const widths = await p.locator('.sl-markdown-content img').evaluateAll((images) => images.map((image) => (image as HTMLImageElement).naturalWidth));
      expect(widths).toEqual([40, 40, 40]);
      for (const file of ['drawing.svg', 'evil.svg']) {
        const response = await p.goto(`${bareHost.origin}/_attachments/${HOSTILE.attachments}/${file}`);
        expect(response?.status(), file).toBe(200);
        // Rendered as an SVG document (well-formed XML), its elements clicked and hovered.
        expect(await p.evaluate(() => document.documentElement.localName)).toBe('svg');
        await p.evaluate(() => {
          for (const element of document.querySelectorAll('*')) for (const type of ['click', 'mouseover', 'load']) element.dispatchEvent(new MouseEvent(type, { bubbles: true }));
        });
      }
      for (const file of ['page.html', 'app.js', 'data.xml']) expect((await fetch(`${bareHost.origin}/_attachments/${HOSTILE.attachments}/${file}`)).status, file).toBe(404);
      await p.close();
      expect(hits).toEqual([]);
    });

    it('with the headers, attachments are downloaded rather than opened, and sandboxed', async () => {
      const response = await fetch(`${host.origin}/_attachments/${HOSTILE.attachments}/evil.svg`);
      expect(response.headers.get('content-disposition')).toBe('attachment');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain('sandbox');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      const p = await context.newPage();
      const download = p.waitForEvent('download');
      await p.goto(`${host.origin}/_attachments/${HOSTILE.attachments}/evil.svg`).catch(() => undefined);
      expect((await download).suggestedFilename()).toBe('evil.svg');
      await p.close();
      expect(hits).toEqual([]);
    });

    it('keeps the site working under its own headers: the theme script runs, search finds a page, no CSP violation', async () => {
      const p = await context.newPage();
      const refused: string[] = [];
      p.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
      });
      const response = await p.goto(`${host.origin}/`);
      expect(response?.headers()['content-security-policy']).toContain("object-src 'none'");
      // Starlight's inline theme script sets data-theme before the page paints.
      expect(await p.evaluate(() => document.documentElement.dataset.theme)).toMatch(/^(?:light|dark)$/);
      await p.locator('site-search button[data-open-modal]').click();
      await p.locator('#starlight__search input').fill('PAGEFIND-MARKER-5a6b');
      const result = p.locator(`#starlight__search a.pagefind-ui__result-link[href="/pagefind-${HOSTILE.pagefind}/"]`);
      await result.waitFor();
      expect(await result.innerText()).toBe('Pagefind');
      await p.close();
      expect(refused).toEqual([]);
      expect(hits).toEqual([]);
    });
  });
});

describe('security headers for static hosts', () => {
  it('are the same in netlify.toml, vercel.json and the dev server', () => {
    const rules = netlifyHeaderRules();
    const vercel = JSON.parse(readFileSync(join(import.meta.dirname, '../../vercel.json'), 'utf8')) as { headers: { source: string; headers: { key: string; value: string }[] }[] };
    const vercelFor = (path: string) =>
      vercel.headers
        .filter((rule) => new RegExp(`^${rule.source.replace(/:version/g, '[^/]+').replace(/\(\.\*\)/g, '.*')}$`).test(path))
        .flatMap((rule) => rule.headers.map((h) => [h.key, h.value] as [string, string]));
    for (const path of ['/', '/guide/', '/_attachments/1/a.svg', '/v0.9/_attachments/1/a.pdf']) {
      expect(vercelFor(path).sort(), path).toEqual(headersFor(path, rules).sort());
    }
    // The dev server sends what the hosts send for attachments.
    for (const [name, value] of Object.entries(ATTACHMENT_HEADERS)) {
      expect(headersFor('/_attachments/1/a.svg', rules), `${name}: ${value}`).toContainEqual([name, value]);
      expect(headersFor('/v0.9/_attachments/1/a.svg', rules), `${name}: ${value}`).toContainEqual([name, value]);
    }
    // Pages get no attachment rules: a sandbox there would stop Starlight's own scripts.
    expect(headersFor('/guide/', rules).map(([name]) => name).sort()).toEqual(['Content-Security-Policy', 'X-Content-Type-Options']);
  });
});
