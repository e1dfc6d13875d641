/**
 * Private stays private, by construction (issue 10), through the real pipeline and real
 * `astro build`s against the stand-in over HTTP:
 * - a hostile space (siblings the archive cannot tell apart, shared attachment folders, links in
 *   every syntax, folders) builds with no private page ever exported (the stand-in logs which page
 *   ids each export answer held), every public page at its own URL with its own text and image,
 *   and nothing private anywhere in dist/ (Pagefind decompressed) or in the build log;
 * - every answer that leaves doubt about what may be published stops the build, non-zero, naming
 *   the cause, and leaves the data store and the raw cache byte-identical.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageJson, start, type InterceptedRequest, type StandIn } from 'confluence-stand-in';
import { readAll, type TextFile, fingerprint } from '../helpers/dist-files.ts';
import { buildSite, type SiteBuild } from '../helpers/site-build.ts';
import { standInEnv } from '../helpers/stand-in-env.ts';
import { MARKER, PRIVATE_RGB, PUBLIC_RGB, privateSpace } from '../fixtures/private-space.ts';

const fixture = privateSpace();
const html = (files: TextFile[]) => files.filter((f) => f.path.endsWith('.html')).map((f) => ({ ...f, text: Buffer.from(f.text, 'latin1').toString('utf8') }));
/** Files are read byte for byte (latin1); a needle is searched as its UTF-8 bytes, in every form a URL may write it. */
const forms = (needle: string) => [needle, encodeURIComponent(needle), needle.replace(/ /g, '+')].map((form) => Buffer.from(form, 'utf8').toString('latin1'));
const mainOf = (page: string) => /<main[\s\S]*<\/main>/.exec(page)?.[0] ?? '';

/**
 * One stand-in and one first build from an empty cache for both suites: the hostile space's build is
 * also the last good content the answers that leave doubt must keep (the same space, the same
 * variables). Its dist/ is read before any later build, and later builds write to their own.
 */
let standIn: StandIn;
let build: SiteBuild;

beforeAll(async () => {
  standIn = await start({ port: 0, space: fixture.space });
  build = await buildSite('private-space', standInEnv(standIn));
}, 600_000);
afterAll(() => standIn?.stop());

describe('a hostile space, built for real', () => {
  let files: TextFile[];

  beforeAll(() => {
    files = build.code === 0 ? readAll(build.outDir) : [];
  });

  it('builds', () => {
    expect(build.code, build.output).toBe(0);
  });

  it('never asked the app for a private page: no export answer held one', () => {
    const exported = new Set(standIn.exportedPageIds());
    expect(exported.size).toBeGreaterThan(10);
    expect([...fixture.privateIds].filter((id) => exported.has(id))).toEqual([]);
    for (const id of fixture.ownText.keys()) expect(exported.has(id), `public page ${id} exported`).toBe(true);
  });

  it('holds no private text, title or page id in any file of dist/, Pagefind included', () => {
    expect(files.some((f) => f.path.startsWith('pagefind/') && f.path.endsWith('.pf_fragment'))).toBe(true);
    const leaks: string[] = [];
    for (const file of files) {
      if (file.text.includes(MARKER)) leaks.push(`${file.path}: marker`);
      for (const title of fixture.privateTitles) if (forms(title).some((form) => file.text.includes(form))) leaks.push(`${file.path}: ${title}`);
      for (const id of fixture.privateIds) if (file.text.includes(id)) leaks.push(`${file.path}: ${id}`);
    }
    expect(leaks).toEqual([]);
  });

  it('shows every public page at its own URL with its own text, twins and namesakes included', () => {
    const pages = html(files);
    for (const [id, text] of fixture.ownText) {
      const holders = pages.filter((f) => mainOf(f.text).includes(`${text}.`));
      expect(holders.map((f) => f.path), `page ${id}`).toHaveLength(1);
      const title = fixture.space.pages.find((p) => p.id === id)!.title;
      expect(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(holders[0]!.text)?.[1]?.replace(/<[^>]+>/g, '').trim(), `title of page ${id}`).toBe(title.replace(/&/g, '&amp;'));
    }
  });

  it("shows each public page's own image, never a private sibling's file of the same name", async () => {
    for (const role of ['alpha', 'alpha2', 'gamma', 'delta']) {
      const text = fixture.ownText.get(fixture.ids[role]!)!;
      const page = html(files).find((f) => mainOf(f.text).includes(`${text}.`))!;
      const src = /<img[^>]+src="([^"]+)"/.exec(mainOf(page.text))?.[1];
      expect(src, role).toBeDefined();
      const { data } = await sharp(join(build.outDir, decodeURI(src!))).raw().toBuffer({ resolveWithObject: true });
      expect([data[0], data[1], data[2]].map((v) => Math.round(v! / 10)), role).toEqual(PUBLIC_RGB.map((v) => Math.round(v / 10)));
      expect([data[0], data[1], data[2]]).not.toEqual(PRIVATE_RGB);
    }
  });

  it('publishes no attachment that no published page references', () => {
    const names = files.map((f) => f.path);
    expect(names.filter((n) => /unreferenced-9d2e|private-only/.test(n))).toEqual([]);
  });

  it('keeps the words of links to private pages in every syntax, and none of their hrefs', () => {
    const page = html(files).find((f) => mainOf(f.text).includes('OWN-TEXT-links.'))!;
    const main = mainOf(page.text);
    for (const href of main.matchAll(/href="([^"]*)"/g)) {
      expect(href[1]).not.toMatch(new RegExp(`${fixture.ids.secret}|${fixture.ids.internal}|viewpage|/display/`));
    }
    expect(main).toContain('the roadmap');
    expect(main).toContain('internal notes');
  });

  it('shows the pages of a public folder and none of a restricted folder', () => {
    expect(files.some((f) => mainOf(f.text).includes('OWN-TEXT-restart.'))).toBe(true);
    expect(files.some((f) => f.text.includes('Hidden runbook'))).toBe(false);
  });

  it('names private pages in the build log by id only', () => {
    expect(build.output).not.toContain(MARKER);
    for (const title of fixture.privateTitles) {
      expect(build.output).not.toContain(title);
      expect(build.output).not.toContain(title.replace(/ /g, '+'));
    }
    expect(build.output).toMatch(new RegExp(`links to page ${fixture.ids.secret} \\(restricted\\)`));
  });
});


describe('answers that leave doubt stop the build and keep the last good content', () => {
  let cacheDir: string;
  let good: Record<string, string>;
  const listingPath = () => `/wiki/api/v2/spaces/${standIn.space.id}/pages`;
  const listing = (pages: unknown[] = standIn.space.pages().map((p) => pageJson(standIn.space, p))) => ({ status: 200, json: { results: pages, _links: {} } });
  const lagging = () => fixture.ids.restart!;

  beforeAll(() => {
    const first = build;
    expect(first.code, first.output).toBe(0);
    cacheDir = first.cacheDir;
    good = fingerprint(join(cacheDir));
    // The data store and the raw cache both hold content: the fingerprint must cover them.
    expect(Object.keys(good).some((f) => f === 'data-store.json')).toBe(true);
    expect(Object.keys(good).some((f) => f.startsWith('astro-loader-confluence/'))).toBe(true);
  });

  const cases: { name: string; cause: RegExp; lie: (req: InterceptedRequest) => ReturnType<typeof listing> | { status: number; json: unknown } | undefined; setup?: () => void }[] = [
    {
      name: 'one restriction look-up answering 403',
      cause: new RegExp(`PrivacyCheckError: Checking whether page ${fixture.ids.restart} may be published failed`),
      setup: () => standIn.searchLag.add(lagging()),
      lie: (req) => (req.pathname.endsWith(`/content/${lagging()}/restriction/byOperation/read`) ? { status: 403, json: { message: 'scope does not match' } } : undefined),
    },
    {
      name: 'a restriction answer of {}',
      cause: new RegExp(`PrivacyCheckError: Checking whether page ${fixture.ids.restart} may be published failed: The read restrictions of ${fixture.ids.restart} answered with an unexpected shape \\(restrictions:`),
      setup: () => standIn.searchLag.add(lagging()),
      lie: (req) => (req.pathname.endsWith(`/content/${lagging()}/restriction/byOperation/read`) ? { status: 200, json: {} } : undefined),
    },
    {
      name: 'a label listing that answers 200 without results',
      cause: new RegExp(`PrivacyCheckError: Checking whether page ${fixture.ids.restart} may be published failed: The labels of page ${fixture.ids.restart} answered with an unexpected shape \\(results:`),
      setup: () => standIn.searchLag.add(lagging()),
      lie: (req) => (req.pathname.endsWith(`/pages/${lagging()}/labels`) ? { status: 200, json: { size: 0 } } : undefined),
    },
    {
      name: 'a content search whose results lack their restrictions',
      cause: /ResponseShapeError: The page search of space PRIV answered with an unexpected shape \(results\[0\]\.restrictions/,
      lie: (req) => (req.pathname.endsWith('/rest/api/content/search') ? { status: 200, json: { results: [{ id: fixture.ids.home, type: 'page', metadata: { labels: { results: [] } } }] } } : undefined),
    },
    {
      name: 'a page listing of {"message": …} after a good sync',
      cause: /ResponseShapeError: The page listing of space \d+ answered with an unexpected shape \(results:/,
      lie: (req) => (req.pathname.endsWith(listingPath()) ? { status: 200, json: { message: 'Service temporarily in read-only mode' } } : undefined),
    },
    {
      name: 'a pagination cursor pointing back at itself',
      cause: /UntrustedTreeError: The page listing of space \d+ sent a next-page link it had already sent/,
      lie: (req) => (req.pathname.endsWith(listingPath()) ? { status: 200, json: { results: [], _links: { next: req.path.replace(/^\/ex\/confluence\/[^/]+/, '') } } } : undefined),
    },
    {
      name: 'a page id listed twice with different parents',
      cause: new RegExp(`UntrustedTreeError: The page listing holds ${fixture.ids.restart} more than once`),
      lie: (req) => {
        if (!req.pathname.endsWith(listingPath())) return undefined;
        const pages = standIn.space.pages().map((p) => pageJson(standIn.space, p));
        const twin = { ...pages.find((p) => p.id === fixture.ids.restart)!, parentId: fixture.ids.home, parentType: 'page' };
        return listing([...pages, twin]);
      },
    },
    {
      name: 'a parent missing from the listing',
      cause: new RegExp(`UntrustedTreeError: Page ${fixture.ids.twinOneNotes} has a parent the listing does not hold \\(${fixture.ids.twinOne}\\)`),
      lie: (req) => (req.pathname.endsWith(listingPath()) ? listing(standIn.space.pages().filter((p) => p.id !== fixture.ids.twinOne).map((p) => pageJson(standIn.space, p))) : undefined),
    },
    {
      name: 'a cycle in parent ids',
      cause: /UntrustedTreeError: The parent ids of .* form a cycle/,
      lie: (req) => {
        if (!req.pathname.endsWith(listingPath())) return undefined;
        const pages = standIn.space.pages().map((p) => pageJson(standIn.space, p));
        return listing(pages.map((p) => (p.id === fixture.ids.twins ? { ...p, parentId: fixture.ids.twinOneNotes, parentType: 'page' } : p)));
      },
    },
    {
      name: 'a page under content the loader cannot check (a whiteboard)',
      cause: new RegExp(`UntrustedTreeError: Page ${fixture.ids.delta} sits under content of type "whiteboard"`),
      lie: (req) => {
        if (!req.pathname.endsWith(listingPath())) return undefined;
        return listing(standIn.space.pages().map((p) => pageJson(standIn.space, p)).map((p) => (p.id === fixture.ids.delta ? { ...p, parentId: '5188888888', parentType: 'whiteboard' } : p)));
      },
    },
    {
      name: 'a token without REST scopes, with restriction checks on (the default)',
      cause: /RestScopeError: Confluence REST refused the token \(403\), so the loader cannot check which pages are restricted/,
      lie: (req) => (req.kind === 'rest' ? { status: 403, json: { message: 'scope does not match' } } : undefined),
    },
  ];

  for (const { name, cause, lie, setup } of cases) {
    it(`${name}: exits non-zero naming the cause, exports nothing, changes nothing`, async () => {
      standIn.resetLog();
      setup?.();
      const stop = standIn.intercept(lie);
      try {
        const build = await buildSite('private-fail-closed', standInEnv(standIn), { cacheDir });
        expect(build.code).not.toBe(0);
        expect(build.output).toMatch(cause);
        expect(build.output).toMatch(/Hint: .*(last good content was kept|publishes nothing)|last good content was kept|checkRestrictions: false/);
        expect(build.output).not.toContain(MARKER);
        for (const title of fixture.privateTitles) expect(build.output).not.toContain(title);
        expect(standIn.counters.export, 'export calls').toBe(0);
        expect(fingerprint(cacheDir)).toEqual(good);
      } finally {
        stop();
        standIn.searchLag.clear();
      }
    });
  }

  it('a listing that never ends: refused at its bound, naming it', async () => {
    standIn.resetLog();
    const stop = standIn.intercept((req) => {
      if (!req.pathname.endsWith(listingPath())) return undefined;
      const n = Number(req.query.get('cursor') ?? 0);
      return { status: 200, json: { results: [], _links: { next: `${listingPath()}?cursor=${n + 1}` } } };
    });
    try {
      const build = await buildSite('private-fail-closed', standInEnv(standIn), { cacheDir });
      expect(build.code).not.toBe(0);
      expect(build.output).toMatch(/UntrustedTreeError: The page listing of space \d+ had not ended after 5000 requests/);
      expect(standIn.counters.export).toBe(0);
      expect(fingerprint(cacheDir)).toEqual(good);
    } finally {
      stop();
    }
  }, 300_000);

  it('and after all that, the same cache builds again with nothing to export', async () => {
    standIn.resetLog();
    const build = await buildSite('private-fail-closed', standInEnv(standIn), { cacheDir });
    expect(build.code, build.output).toBe(0);
    expect(standIn.counters.export).toBe(0);
    expect(build.output).toMatch(/up to date|Nothing changed/);
  });
});
