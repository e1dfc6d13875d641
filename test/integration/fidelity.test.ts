/**
 * Faithful pages (issue 4): the fidelity fixture space, which uses every link form, attachment
 * reference and piece of Confluence content the rewrite handles, built into a real Starlight site
 * under a non-root `base`, then checked in the HTML: no link into Confluence for a published page,
 * no broken internal link or anchor, no broken image, asides, expand sections, emoji, tables,
 * tasks, code and footnotes. The policy options for unpublished pages are checked through the
 * pipeline, without Astro.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type StandIn } from 'confluence-stand-in';
import { fidelitySpace, FIDELITY } from '../fixtures/fidelity-space/space.ts';
import { createHarness, standInOptions, type Harness } from '../helpers/pipeline.ts';
import { buildSite, type SiteBuild } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';

/** Astro's `base`: not the root, so that every link is seen to respect it. */
const BASE = '/docs/';

/** Published pages: id → site path (under BASE). */
const PUBLISHED: Record<string, string> = {
  [FIDELITY.home]: '',
  [FIDELITY.links]: 'links',
  [FIDELITY.target]: 'target-page',
  [FIDELITY.releaseNotes]: 'release-notes-20',
  [FIDELITY.cppTips]: 'c-tips',
  [FIDELITY.files]: 'files-and-images',
  [FIDELITY.otherFiles]: 'other-page-files',
  [FIDELITY.content]: 'confluence-content',
  [FIDELITY.heavy]: 'heavy-files',
};

/** Text of links to pages that are not published: kept as text, with no href. */
const UNPUBLISHED_TEXTS = ['launch post', 'old news', 'secret', 'secret title', 'internal', 'outside', 'deleted'];

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? allFiles(join(dir, d.name)) : [join(dir, d.name)]));
}

const decodeEntities = (value: string) =>
  value.replace(/&(amp|quot|#39|lt|gt);/g, (_, name: string) => ({ amp: '&', quot: '"', '#39': "'", lt: '<', gt: '>' })[name]!);

/** `href` and `src` values of a page, with the tag they are on. */
function references(html: string): { tag: string; attribute: string; url: string }[] {
  const out: { tag: string; attribute: string; url: string }[] = [];
  for (const [, tag, attributes] of html.matchAll(/<([a-z][a-z0-9]*)\b([^>]*)>/gi)) {
    for (const [, attribute, value] of attributes!.matchAll(/\s(href|src)="([^"]*)"/gi)) {
      out.push({ tag: tag!.toLowerCase(), attribute: attribute!.toLowerCase(), url: decodeEntities(value!) });
    }
  }
  return out;
}

/** What a reader follows or sees: links, images and media (page chrome such as `<link rel=icon>` is the site's). */
const CHECKED_TAGS = new Set(['a', 'img', 'source', 'video', 'audio']);

/**
 * A small link checker over a built site: every internal `href`/`src` of a link, image or media
 * element (absolute under `base`, or relative to the page) names a file in `dist`, and every
 * `#anchor` an element id on the target page. Returns one line per broken reference.
 */
function checkLinks(dist: string, base: string): string[] {
  const broken: string[] = [];
  const idsCache = new Map<string, Set<string>>();
  const ids = (file: string) => {
    let set = idsCache.get(file);
    if (!set) idsCache.set(file, (set = new Set([...readFileSync(file, 'utf8').matchAll(/\sid="([^"]*)"/g)].map((m) => decodeEntities(m[1]!)))));
    return set;
  };
  for (const file of allFiles(dist).filter((f) => f.endsWith('.html'))) {
    const pageUrl = `${base}${posix.relative(dist.split('\\').join('/'), file.split('\\').join('/')).replace(/(^|\/)index\.html$/, '$1')}`;
    for (const { tag, url } of references(readFileSync(file, 'utf8'))) {
      if (!CHECKED_TAGS.has(tag) || /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(url)) continue;
      const [withoutHash, anchor] = url.split('#') as [string, string | undefined];
      const path = withoutHash.split('?')[0]!;
      const absolute = path === '' ? pageUrl : posix.resolve(posix.dirname(`${pageUrl}x`), path) + (path.endsWith('/') ? '/' : '');
      if (!absolute.startsWith(base)) {
        broken.push(`${file}: <${tag}> ${url} is outside the base ${base}`);
        continue;
      }
      const local = join(dist, decodeURI(absolute.slice(base.length)));
      const target = absolute.endsWith('/') ? join(local, 'index.html') : existsSync(join(local, 'index.html')) ? join(local, 'index.html') : local;
      if (!existsSync(target)) {
        broken.push(`${file}: <${tag}> ${url} → ${target} does not exist`);
        continue;
      }
      if (anchor !== undefined && anchor !== '' && target.endsWith('.html') && !ids(target).has(decodeURIComponent(anchor))) {
        broken.push(`${file}: <${tag}> ${url} → no element with id "${decodeURIComponent(anchor)}"`);
      }
    }
  }
  return broken;
}

describe('the fidelity space, built into a site', () => {
  let standIn: StandIn;
  let build: SiteBuild;
  const html = (path: string) => readFileSync(join(build.outDir, path, 'index.html'), 'utf8');
  /** The page's Markdown content, without Starlight's header, sidebar and table of contents. */
  const content = (path: string) => {
    const page = html(path);
    const start = page.indexOf('class="sl-markdown-content"');
    expect(start, `${path} has Markdown content`).toBeGreaterThan(0);
    return page.slice(start, page.indexOf('</main>', start));
  };

  beforeAll(async () => {
    standIn = await start({ port: 0, space: fidelitySpace() });
    build = await buildSite('fidelity', standInEnv(standIn, { CONFLUENCE_ROOT_PAGE_ID: FIDELITY.home, BASE_PATH: BASE }));
    if (build.code !== 0) throw new Error(`The fidelity site failed to build:\n${build.output}`);
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  it('publishes the subtree and nothing restricted, excluded or outside it', () => {
    for (const path of Object.values(PUBLISHED)) expect(existsSync(join(build.outDir, path, 'index.html')), path).toBe(true);
    for (const file of allFiles(build.outDir).filter((f) => /\.(html|js|json|xml|txt)$/.test(f))) {
      const text = readFileSync(file, 'utf8');
      for (const marker of ['RESTRICTED-MARKER-9e41', 'EXCLUDED-MARKER-3b77', 'OUTSIDE-MARKER-51c2', 'Secret Child', 'Internal Notes', 'Outside Tree']) {
        expect(text, file).not.toContain(marker);
      }
    }
  });

  it('has no broken internal link, anchor or image anywhere in dist', () => {
    expect(checkLinks(build.outDir, BASE)).toEqual([]);
  });

  it('links every form of link to a published page inside the site, under the base, never into Confluence', () => {
    const links = content('links');
    const hrefs = references(links).filter((r) => r.tag === 'a').map((r) => r.url);
    // Each numbered form resolved to the page it names.
    for (const [text, path] of [
      ['target', 'target-page/'], ['target no wiki', 'target-page/'], ['relative', 'target-page/'], ['relative no wiki', 'target-page/'],
      ['gateway', 'target-page/'], ['query', 'target-page/#getting-started'], ['personal key', 'release-notes-20/'],
      ['viewpage', 'release-notes-20/'], ['lower', 'c-tips/'], ['display', 'release-notes-20/'], ['cpp', 'c-tips/'],
      ['tiny', 'target-page/'], ['tiny relative', 'c-tips/'], ['home', ''], ['ref target', 'target-page/#dont-panic'],
      ['getting started', 'target-page/#getting-started'], ['legacy', 'target-page/#dont-panic'],
      ['advanced', 'target-page/#options--advanced'], ['cli', 'target-page/#step-1-install-the-cli'],
      ['to the blog section', '#blog-posts'], ['legacy same page', '#unpublished-pages'],
    ] as const) {
      const href = path.startsWith('#') ? path : `${BASE}${path}`;
      expect(links, text).toContain(`<a href="${href}">${text}</a>`);
    }
    // A link whose text was its URL now reads as the page title.
    expect(links).toContain(`<a href="${BASE}release-notes-20/">Release Notes 2.0</a>`);
    expect(links).toContain(`<a href="${BASE}c-tips/">C++ Tips</a>`);
    const ids = Object.keys(PUBLISHED);
    for (const href of hrefs) {
      expect(href).not.toContain('api.atlassian.com');
      if (href.includes('127.0.0.1')) {
        // What stays in Confluence: other spaces, a profile, Jira, files the export left out.
        expect(href).toMatch(/\/wiki\/spaces\/(?:OTHER|~712020abc)\/|\/wiki\/display\/OTHER\/|\/browse\/FID-|\/wiki\/download\/attachments\//);
        for (const id of ids) expect(href, `a Confluence link to published page ${id}`).not.toContain(id);
      }
    }
  });

  it('keeps links to unpublished pages as text without an href', () => {
    const links = content('links');
    for (const text of UNPUBLISHED_TEXTS) {
      expect(links).toMatch(new RegExp(`[\\s:>]${text}(?:[\\s<,.]|$)`));
      expect(links).not.toMatch(new RegExp(`<a[^>]*>${text}</a>`));
    }
    expect(content('confluence-content')).not.toMatch(/<a[^>]*>secret<\/a>/);
  });

  it('serves every attachment, same-named files of two pages at distinct URLs', () => {
    const homeLogo = references(content('')).find((r) => r.tag === 'img')!.url;
    const files = content('files-and-images');
    const images = references(files).filter((r) => r.tag === 'img').map((r) => r.url);
    // Markdown images go through Astro's image pipeline; the raw-HTML one is served as is.
    expect(images.filter((src) => src.startsWith(`${BASE}_astro/`)).length).toBe(8);
    expect(images).toContain(`${BASE}_attachments/${FIDELITY.files}/inline.png`);
    expect(images).not.toContain(homeLogo);
    const pageLogo = images[0]!;
    expect(readFileSync(join(build.outDir, pageLogo.slice(BASE.length)))).not.toEqual(readFileSync(join(build.outDir, homeLogo.slice(BASE.length))));
    for (const file of ['spec%20v2.pdf', 'bundle.zip', 'report.docx', 'logo.png']) {
      const href = `${BASE}_attachments/${FIDELITY.files}/${file}`;
      expect(files).toContain(`href="${href}"`);
      expect(existsSync(join(build.outDir, decodeURI(href.slice(BASE.length)))), file).toBe(true);
    }
    const links = content('links');
    expect(links).toContain(`href="${BASE}_attachments/${FIDELITY.otherFiles}/chart.png"`);
    expect(links).toContain(`href="${BASE}_attachments/${FIDELITY.files}/spec%20v2.pdf"`);
  });

  // Both files are left out of the export (over 300 KB, past the 2 MB budget) and recovered
  // (issue 12); their bytes are filler, no PNG, which Astro's image pipeline would fail the build on.
  it('serves attachments the export left out from the site, linking a file that is no image instead of showing it, with a warning naming page and file', () => {
    for (const [path, id, file] of [['files-and-images', FIDELITY.files, 'big-photo.png'], ['heavy-files', FIDELITY.heavy, 'late-photo.png']] as const) {
      const page = content(path);
      const href = `${BASE}_attachments/${id}/${file}`;
      expect(page).toContain(`<a href="${href}">`);
      expect(existsSync(join(build.outDir, href.slice(BASE.length))), file).toBe(true);
      expect(page).not.toMatch(new RegExp(`<img[^>]*${file}`));
      expect(page).not.toContain(`/wiki/download/attachments/${id}/${file}`);
      expect(build.output).toContain(`Page ${id}: attachment "${file}" is shown as an image but its content is not one`);
    }
  });

  it('reports unresolved links at the end of the sync, naming their targets by id only', () => {
    expect(build.output).toContain('8 link(s) point at pages that are not published');
    expect(build.output).toContain(`page ${FIDELITY.links} links to page ${FIDELITY.secret} (restricted)`);
    expect(build.output).toContain(`page ${FIDELITY.links} links to page ${FIDELITY.internal} (excluded-label)`);
    expect(build.output).not.toMatch(/Secret\+Child|Secret Child/);
  });

  it('renders Confluence content: asides, expand, emoji, status, mentions, Jira, tables, tasks, code, footnotes', () => {
    const page = content('confluence-content');
    const asides = [...page.matchAll(/class="starlight-aside starlight-aside--(\w+)"/g)].map((m) => m[1]);
    expect(asides).toEqual(['note', 'tip', 'note', 'caution', 'danger', 'note', 'note', 'tip', 'caution', 'danger', 'tip']);
    expect(page).not.toContain('[!NOTE]');
    expect(page).not.toContain('<strong>Info:</strong>');
    expect(page).toMatch(/<details><summary>Click to expand<\/summary>\s*<p>Hidden <strong>Markdown<\/strong> with a <a href="\/docs\/target-page\/#getting-started">/);
    expect(page).toContain('</details>');
    for (const emoji of ['🙂', '👍', '✅']) expect(page).toContain(emoji);
    expect(page).not.toMatch(/<img[^>]*emoticons|<img[^>]*emoji/);
    expect(page).toContain('DONE');
    expect(page).toContain('[IN PROGRESS]');
    expect(page).toContain('@Jane Doe');
    expect(page).toContain('@John Roe');
    expect(page).toContain('>FID-7</a>');
    const table = /<table>[\s\S]*?<\/table>/.exec(page)?.[0] ?? '';
    expect([...table.matchAll(/<th\b/g)].length).toBe(12);
    expect([...table.matchAll(/<tr>/g)].length).toBe(3);
    expect([...page.matchAll(/<input[^>]*type="checkbox"/g)].length).toBe(2);
    expect(page).toMatch(/<input[^>]*checked[^>]*type="checkbox"|<input[^>]*type="checkbox"[^>]*checked/);
    expect(page).toMatch(/data-language="typescript"/);
    expect(page).toMatch(/data-language="bash"/);
    expect(page).toMatch(/data-footnote-ref/);
    expect(page).toMatch(/This is the footnote\./);
  });
});

describe('links to unpublished pages, per policy (pipeline, no Astro)', () => {
  let standIn: StandIn;
  let harness: Harness;
  const linksBody = (result: Awaited<ReturnType<Harness['run']>>) => result.built!.entries.find((e) => e.data.confluence.id === FIDELITY.links)!.body;

  beforeAll(async () => {
    standIn = await start({ port: 0, space: fidelitySpace() });
  });
  afterAll(async () => {
    harness?.cleanup();
    await standIn?.stop();
  });
  const fresh = () => {
    harness?.cleanup();
    harness = createHarness(() => ({ ...standInOptions(standIn), rootPageId: FIDELITY.home, excludeLabels: ['internal'] }));
    return harness;
  };

  it("'text' (the default) keeps the words without a link and reports every such link with its reason", async () => {
    const result = await fresh().run();
    const body = linksBody(result);
    for (const text of UNPUBLISHED_TEXTS) expect(body).not.toMatch(new RegExp(`\\[${text}\\]`));
    expect(body).toContain('- Restricted: secret and by title secret title');
    expect(body).toContain('- Dated blog URL: launch post');
    const reasons = result.built!.unresolved.map((u) => `${u.text}: ${u.reason}`);
    expect(reasons).toEqual([
      'launch post: outside-export', 'old news: outside-export', 'secret: restricted', 'secret title: restricted',
      'internal: excluded-label', 'outside: not-found', 'deleted: not-found', 'secret: restricted',
    ]);
    expect(harness.logs.some((l) => l.level === 'warn' && l.message.startsWith('8 link(s) point at pages that are not published'))).toBe(true);
  });

  it("'confluence' links them into Confluence by id only, never with the title a URL may carry", async () => {
    const result = await fresh().run({ unpublishedLinks: 'confluence' });
    const body = linksBody(result);
    const origin = `http://${standIn.site}`;
    expect(body).toContain(`[secret](${origin}/wiki/pages/viewpage.action?pageId=4986374145)`);
    expect(body).not.toContain('Secret+Child');
    // A URL that names the page by title alone cannot be turned into one by id: only its words stay.
    expect(body).not.toContain('Old+News');
    expect(body).toContain('old news');
    expect(body).toContain(`[launch post](${origin}/wiki/pages/viewpage.action?pageId=4986390001)`);
    expect(body).toContain(`[internal](https://${standIn.site}/wiki/pages/viewpage.action?pageId=4986374401)`);
    expect(body).toContain('[target](/target-page/)');
    expect(result.built!.unresolved).toHaveLength(8);
  });

  it('failOnUnresolvedLinks fails the sync, naming the links and the fix', async () => {
    await expect(fresh().run({ failOnUnresolvedLinks: true })).rejects.toMatchObject({
      code: 'UNRESOLVED_LINKS',
      message: expect.stringContaining('8 link(s) point at pages that are not published'),
    });
  });
});
